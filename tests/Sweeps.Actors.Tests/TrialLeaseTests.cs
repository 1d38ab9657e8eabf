using System.Diagnostics;
using System.Text.Json;

namespace Sweeps.Actors.Tests;

/// <summary>
/// The lease a cluster worker holds in a trial's folder while it runs the trial (<see cref="TrialLease"/>): what a
/// second delivery of the same trial decides, case by case, and the renewal counter it judges a remote runner by.
/// </summary>
public sealed class TrialLeaseTests : IDisposable
{
    // Fast beats; a stale limit far above any timer delay on a loaded machine (a CI run once saw a 50 ms timer fire
    // once in 400 ms while the other test projects ran).
    private static readonly LeaseTiming Fast = new(TimeSpan.FromMilliseconds(50), TimeSpan.FromMilliseconds(20), TimeSpan.FromMilliseconds(3000));

    private readonly string _dir = Directory.CreateTempSubdirectory("sweeps-lease-").FullName;

    private static string Me => $"{Environment.MachineName}/{Environment.ProcessId}";

    public void Dispose() => Directory.Delete(_dir, recursive: true);

    [Fact]
    public async Task Take_WritesHolderAndAttempt_ThenCountsBeats()
    {
        using var lease = TrialLease.Take(_dir, 3, Me, Fast);
        var first = TrialLease.Read(_dir)!;
        Assert.Equal((Me, 3, false), (first.Holder, first.Attempt, first.Done));
        // The beats are counted, not timed: the timer may run late on a loaded machine, but it must keep renewing.
        var clock = Stopwatch.StartNew();
        var later = first;
        while (later.Beat < 3 && clock.Elapsed < TimeSpan.FromSeconds(20))
        {
            await Task.Delay(20);
            later = TrialLease.Read(_dir) ?? later;
        }

        Assert.True(later.Beat >= 3, $"beat {later.Beat} after {clock.Elapsed} of 50 ms beats");
        Assert.Equal((Me, 3, false), (later.Holder, later.Attempt, later.Done));
        Assert.Empty(Directory.GetFiles(_dir, "*.tmp"));
    }

    [Theory]
    [InlineData(true)]
    [InlineData(false)]
    public async Task DoneOrDispose_StopsBeating_OnlyDoneMarksDone(bool done)
    {
        var lease = TrialLease.Take(_dir, 1, Me, Fast);
        await Task.Delay(150);
        if (done)
        {
            lease.Done();
        }
        else
        {
            lease.Dispose();
        }

        var last = TrialLease.Read(_dir)!;
        Assert.Equal(done, last.Done);
        await Task.Delay(200);
        Assert.Equal(last, TrialLease.Read(_dir));
        lease.Dispose();
        Assert.Equal(last, TrialLease.Read(_dir));
    }

    [Fact]
    public async Task Wait_NoLease_Runs() =>
        Assert.Equal(TrialLease.Verdict.Run, await TrialLease.WaitAsync(_dir, 1, Fast, null, Timeout()));

    [Fact]
    public async Task Wait_MissingFolder_Runs() =>
        Assert.Equal(TrialLease.Verdict.Run, await TrialLease.WaitAsync(Path.Combine(_dir, "never"), 1, Fast, null, Timeout()));

    [Fact]
    public async Task Wait_LeaseOfAnotherAttempt_Runs()
    {
        using var lease = TrialLease.Take(_dir, 1, Me, Fast);
        Assert.Equal(TrialLease.Verdict.Run, await TrialLease.WaitAsync(_dir, 2, Fast, null, Timeout()));
    }

    [Fact]
    public async Task Wait_AttemptDone_IsDone()
    {
        TrialLease.Take(_dir, 2, "node-b/17", Fast).Done();
        Assert.Equal(TrialLease.Verdict.Done, await TrialLease.WaitAsync(_dir, 2, Fast, null, Timeout()));
    }

    [Fact]
    public async Task Wait_HolderOfThisHostWhoseProcessExited_RunsAtOnce()
    {
        using var gone = Process.Start(new ProcessStartInfo("true") { UseShellExecute = false })!;
        await gone.WaitForExitAsync();
        WriteLease(new LeaseState($"{Environment.MachineName}/{gone.Id}", 1, 7, false));
        var clock = Stopwatch.StartNew();
        Assert.Equal(TrialLease.Verdict.Run, await TrialLease.WaitAsync(_dir, 1, Fast, null, Timeout()));
        Assert.True(clock.Elapsed < Fast.Stale, $"took {clock.Elapsed} to see a dead local holder");
    }

    [Fact]
    public async Task Wait_RunningHereUntilDone_WaitsThenIsDone_ToldOnce()
    {
        var lease = TrialLease.Take(_dir, 1, Me, Fast);
        var told = new List<string>();
        var wait = TrialLease.WaitAsync(_dir, 1, Fast, told.Add, Timeout());
        await Task.Delay(Fast.Stale + TimeSpan.FromSeconds(1));
        Assert.False(wait.IsCompleted, "a delivery ran a trial whose run here is alive");
        lease.Done();
        Assert.Equal(TrialLease.Verdict.Done, await wait);
        Assert.Equal([Me], told);
    }

    [Fact]
    public async Task Wait_RemoteHolderWhoseBeatStops_TakenOverAfterStale()
    {
        WriteLease(new LeaseState("other-host/42", 4, 11, false));
        var told = new List<string>();
        var clock = Stopwatch.StartNew();
        Assert.Equal(TrialLease.Verdict.Run, await TrialLease.WaitAsync(_dir, 4, Fast, told.Add, Timeout()));
        Assert.True(clock.Elapsed >= Fast.Stale, $"taken over after {clock.Elapsed}, before the stale limit {Fast.Stale}");
        Assert.Equal(["other-host/42"], told);
    }

    [Fact]
    public async Task Wait_RemoteHolderStillBeating_KeepsWaiting_UntilCancelled()
    {
        using var lease = TrialLease.Take(_dir, 1, "other-host/42", Fast);
        using var cts = new CancellationTokenSource(2 * Fast.Stale);
        await Assert.ThrowsAnyAsync<OperationCanceledException>(() => TrialLease.WaitAsync(_dir, 1, Fast, null, cts.Token));
    }

    private static CancellationToken Timeout() => new CancellationTokenSource(TimeSpan.FromSeconds(30)).Token;

    private void WriteLease(LeaseState state) =>
        File.WriteAllText(Path.Combine(_dir, TrialLease.FileName), JsonSerializer.Serialize(state));
}
