using System.Diagnostics;
using MassTransit;

namespace Sweeps.Cluster.Tests;

/// <summary>
/// The sending bus of a cluster node (<see cref="SenderBus"/>): every send is bounded in time, and a bus whose sends
/// keep failing is replaced by a new one. In-memory buses stand in for RabbitMQ ones (the renewal does not depend on
/// the transport; the broker-restart process test covers RabbitMQ).
/// </summary>
public sealed class SenderBusTests
{
    [Fact]
    public async Task Send_Succeeds_ReturnsItsResultOnTheSameBus()
    {
        var created = new List<IBusControl>();
        await using var sender = await SenderBus.StartAsync(() => Created(created), TextWriter.Null, CancellationToken.None);
        IBus? used = null;
        Assert.Equal(42, await sender.SendAsync((bus, _) => { used = bus; return Task.FromResult(42); }, TimeSpan.FromSeconds(5)));
        Assert.Same(created[0], used);
        Assert.Equal(1, sender.Generation);
    }

    [Fact]
    public async Task Send_Hanging_GivesUpAfterItsTimeout_WithTimeoutException()
    {
        await using var sender = await SenderBus.StartAsync(() => Created([]), TextWriter.Null, CancellationToken.None);
        var clock = Stopwatch.StartNew();
        // A send that ignores its token (as a send waiting on a dead connection can): abandoned all the same.
        await Assert.ThrowsAsync<TimeoutException>(() => sender.SendAsync((_, _) => Task.Delay(Timeout.Infinite), TimeSpan.FromMilliseconds(200)));
        Assert.True(clock.Elapsed < TimeSpan.FromSeconds(5), $"gave up after {clock.Elapsed}");
    }

    [Fact]
    public async Task Send_FailingThreeTimesInARow_RenewsTheBus_AndLaterSendsUseTheNewOne()
    {
        var created = new List<IBusControl>();
        var log = new StringWriter();
        await using var sender = await SenderBus.StartAsync(() => Created(created), log, CancellationToken.None);
        for (var i = 1; i < SenderBus.FailuresBeforeRenewal; i++)
        {
            await Assert.ThrowsAsync<InvalidOperationException>(() => Fail(sender));
            Assert.Equal(1, sender.Generation);
        }

        await Assert.ThrowsAsync<InvalidOperationException>(() => Fail(sender));
        Assert.Equal(2, sender.Generation);
        Assert.Equal(2, created.Count);
        Assert.Contains("sending on a new connection", log.ToString(), StringComparison.Ordinal);

        IBus? used = null;
        await sender.SendAsync((bus, _) => { used = bus; return Task.CompletedTask; }, TimeSpan.FromSeconds(5));
        Assert.Same(created[1], used);
    }

    [Fact]
    public async Task Send_ASuccessBetweenFailures_ResetsTheCount()
    {
        await using var sender = await SenderBus.StartAsync(() => Created([]), TextWriter.Null, CancellationToken.None);
        for (var round = 0; round < 3; round++)
        {
            for (var i = 1; i < SenderBus.FailuresBeforeRenewal; i++)
            {
                await Assert.ThrowsAsync<InvalidOperationException>(() => Fail(sender));
            }

            await sender.SendAsync((_, _) => Task.CompletedTask, TimeSpan.FromSeconds(5));
        }

        Assert.Equal(1, sender.Generation);
    }

    private static Task Fail(SenderBus sender) =>
        sender.SendAsync((_, _) => Task.FromException(new InvalidOperationException("broker gone")), TimeSpan.FromSeconds(5));

    private static IBusControl Created(List<IBusControl> created)
    {
        var bus = Bus.Factory.CreateUsingInMemory(_ => { });
        created.Add(bus);
        return bus;
    }
}
