using System.Globalization;
using System.Text.Json;

namespace Sweeps.Actors;

/// <summary>
/// The file <c>lease.json</c> in a trial's folder (cluster mode: the shared checkpoint folder) that says which worker
/// process runs which attempt of the trial, renewed by a counter (<c>beat</c>) the runner increments every
/// <see cref="LeaseTiming.Beat"/>, and marked done once the attempt's end is recorded. A trial's message is delivered
/// again while the trial still runs when the broker connection that delivered it is lost; the new delivery reads the
/// lease and waits (<see cref="WaitAsync"/>) instead of running the trial a second time, takes it over when its runner
/// is gone (a process of the same host that no longer exists, or a counter that stopped moving for
/// <see cref="LeaseTiming.Stale"/>), and drops it when the attempt is done. Comparing counters, not clocks, keeps nodes
/// with skewed clocks apart.
/// </summary>
internal sealed class TrialLease : IDisposable
{
    /// <summary>The lease's file name in the trial's folder.</summary>
    public const string FileName = "lease.json";

    private readonly string _path;
    private readonly LeaseState _state;
    private readonly Timer _timer;
    private readonly object _gate = new();
    private long _beat;
    private bool _closed;

    private TrialLease(string path, LeaseState state, TimeSpan beat)
    {
        _path = path;
        _state = state;
        _timer = new Timer(_ => Renew(), null, beat, beat);
    }

    /// <summary>What a waiting delivery should do.</summary>
    public enum Verdict
    {
        /// <summary>Nobody runs this attempt (no lease, another attempt's, or its runner is gone): run it.</summary>
        Run,

        /// <summary>The attempt's end is recorded: the delivery is a leftover, acknowledge it without running.</summary>
        Done,
    }

    /// <summary>Writes the lease for <paramref name="attempt"/>, held by <paramref name="holder"/> (<c>host/pid</c>), and renews it until disposed.</summary>
    public static TrialLease Take(string directory, int attempt, string holder, LeaseTiming timing)
    {
        Directory.CreateDirectory(directory);
        var lease = new TrialLease(Path.Combine(directory, FileName), new LeaseState(holder, attempt, 0, false), timing.Beat);
        lease.Write(lease._state);
        return lease;
    }

    /// <summary>The lease in <paramref name="directory"/>, or null when there is none or it cannot be read (being replaced).</summary>
    public static LeaseState? Read(string directory)
    {
        try
        {
            return JsonSerializer.Deserialize<LeaseState>(File.ReadAllText(Path.Combine(directory, FileName)));
        }
        catch (Exception ex) when (ex is IOException or JsonException or UnauthorizedAccessException)
        {
            return null;
        }
    }

    /// <summary>
    /// Waits while another process (or this one) runs <paramref name="attempt"/> of the trial in
    /// <paramref name="directory"/>; <paramref name="waiting"/> is told once (the holder) when it has to wait.
    /// </summary>
    /// <exception cref="OperationCanceledException"><paramref name="cancellationToken"/> was cancelled.</exception>
    public static async Task<Verdict> WaitAsync(
        string directory, int attempt, LeaseTiming timing, Action<string>? waiting, CancellationToken cancellationToken)
    {
        long? lastBeat = null;
        var lastChange = DateTime.UtcNow;
        var told = false;
        while (true)
        {
            cancellationToken.ThrowIfCancellationRequested();
            var lease = Read(directory);
            if (lease is null)
            {
                if (!File.Exists(Path.Combine(directory, FileName)))
                {
                    return Verdict.Run;
                }
            }
            else
            {
                if (lease.Attempt != attempt)
                {
                    return Verdict.Run;
                }

                if (lease.Done)
                {
                    return Verdict.Done;
                }

                if (HolderIsGone(lease.Holder))
                {
                    return Verdict.Run;
                }

                if (lease.Beat != lastBeat)
                {
                    lastBeat = lease.Beat;
                    lastChange = DateTime.UtcNow;
                }
                else if (DateTime.UtcNow - lastChange >= timing.Stale)
                {
                    return Verdict.Run;
                }

                if (!told)
                {
                    told = true;
                    waiting?.Invoke(lease.Holder);
                }
            }

            await Task.Delay(timing.Poll, cancellationToken).ConfigureAwait(false);
        }
    }

    /// <summary>Marks the attempt done (its end is recorded) and stops renewing.</summary>
    public void Done()
    {
        lock (_gate)
        {
            _closed = true;
            _timer.Dispose();
            Write(_state with { Beat = _beat, Done = true });
        }
    }

    /// <summary>Stops renewing (the lease goes stale; a process of this host that is gone is seen at once).</summary>
    public void Dispose()
    {
        lock (_gate)
        {
            _closed = true;
            _timer.Dispose();
        }
    }

    // A holder of this host whose process no longer exists is gone; one of another host is judged by its counter.
    private static bool HolderIsGone(string holder)
    {
        var slash = holder.LastIndexOf('/');
        if (slash <= 0 || holder[..slash] != Environment.MachineName
            || !int.TryParse(holder[(slash + 1)..], NumberStyles.None, CultureInfo.InvariantCulture, out var pid))
        {
            return false;
        }

        try
        {
            using var process = System.Diagnostics.Process.GetProcessById(pid);
            return process.HasExited;
        }
        catch (ArgumentException)
        {
            return true;
        }
    }

    private void Renew()
    {
        lock (_gate)
        {
            if (_closed)
            {
                return;
            }

            try
            {
                Write(_state with { Beat = ++_beat });
            }
            catch (IOException)
            {
                // The next beat tries again; a lease not renewed for long is taken over, as for a dead runner.
            }
        }
    }

    private void Write(LeaseState state)
    {
        var temp = $"{_path}.{Environment.ProcessId}.tmp";
        File.WriteAllText(temp, JsonSerializer.Serialize(state));
        File.Move(temp, _path, overwrite: true);
    }
}
