namespace Sweeps.Actors.Tests;

/// <summary><see cref="Delivery"/>: an event is sent again until the transport takes it, and only cancellation stops that.</summary>
public sealed class DeliveryTests
{
    [Fact]
    public async Task UntilSent_TwoFailuresThenSuccess_ThreeAttemptsAndEachFailureReportedInOrder()
    {
        var calls = 0;
        var failures = new List<(int Attempt, string Message)>();
        await Delivery.UntilSentAsync(
            () => ++calls < 3 ? throw new InvalidOperationException($"broker down {calls}") : Task.CompletedTask,
            (attempt, ex) => failures.Add((attempt, ex.Message)),
            CancellationToken.None,
            TimeSpan.FromMilliseconds(1));

        Assert.Equal(3, calls);
        Assert.Equal([(1, "broker down 1"), (2, "broker down 2")], failures);
    }

    [Fact]
    public async Task UntilSent_FirstAttemptSucceeds_CalledOnceNoFailure()
    {
        var calls = 0;
        var failed = false;
        await Delivery.UntilSentAsync(() => { calls++; return Task.CompletedTask; }, (_, _) => failed = true, CancellationToken.None);
        Assert.Equal((1, false), (calls, failed));
    }

    [Fact]
    public async Task UntilSent_TransportKeepsFailing_StopsOnlyWhenCancelled()
    {
        using var cts = new CancellationTokenSource();
        var calls = 0;
        var task = Delivery.UntilSentAsync(
            () =>
            {
                if (++calls == 5)
                {
                    cts.Cancel();
                }

                throw new TimeoutException("no answer");
            },
            null,
            cts.Token,
            TimeSpan.FromMilliseconds(1));

        await Assert.ThrowsAnyAsync<OperationCanceledException>(() => task);
        Assert.Equal(5, calls);
    }

    [Fact]
    public async Task UntilSent_SendCancelledByItsOwnTokenWhileOursIsNot_IsRetried()
    {
        // A request that timed out inside the transport surfaces as OperationCanceledException of another token:
        // that is a failed attempt, not our cancellation.
        var calls = 0;
        await Delivery.UntilSentAsync(
            () => ++calls == 1 ? throw new OperationCanceledException("transport timeout") : Task.CompletedTask,
            null,
            CancellationToken.None,
            TimeSpan.FromMilliseconds(1));
        Assert.Equal(2, calls);
    }
}
