using System.Runtime.InteropServices;

namespace Sweeps.Cli;

/// <summary>Turns SIGINT (Ctrl-C) and SIGTERM into a cancellation of <see cref="Token"/> instead of ending the process,
/// so that a command can stop cleanly (running trials checkpoint). Dispose to restore the default handling.</summary>
internal sealed class InterruptSignals : IDisposable
{
    private readonly CancellationTokenSource _stop;
    private readonly PosixSignalRegistration _sigint;
    private readonly PosixSignalRegistration _sigterm;

    /// <summary>Starts handling the signals; <see cref="Token"/> is also cancelled with <paramref name="linked"/>.</summary>
    /// <param name="linked">Another reason to stop.</param>
    /// <param name="onFirst">Called at the first signal (e.g. to say what happens next).</param>
    /// <param name="abortOnSecond">Whether a second signal ends the process at once (exit status 130, without
    /// process-exit handlers, like a kill) instead of being ignored.</param>
    public InterruptSignals(CancellationToken linked, Action? onFirst = null, bool abortOnSecond = false)
    {
        _stop = CancellationTokenSource.CreateLinkedTokenSource(linked);
        var count = 0;
        void OnSignal(PosixSignalContext context)
        {
            var first = Interlocked.Increment(ref count) == 1;
            if (!first && abortOnSecond)
            {
                // At once, as a kill would: the runtime's default handling runs the process-exit handlers, and
                // those (the actor system's shutdown among them) wait for the running trials the user wants to leave.
                // The store is durable at every recorded event, so this loses nothing a kill -9 would not.
                Console.Error.WriteLine("second interrupt: stopping now; the sweep stays resumable");
                Console.Error.Flush();
                ExitNow(130);
            }

            context.Cancel = true;
            if (first)
            {
                onFirst?.Invoke();
                _stop.Cancel();
            }
        }

        _sigint = PosixSignalRegistration.Create(PosixSignal.SIGINT, OnSignal);
        _sigterm = PosixSignalRegistration.Create(PosixSignal.SIGTERM, OnSignal);
    }

    [DllImport("libc", EntryPoint = "_exit")]
    private static extern void ExitNow(int status);

    /// <summary>Cancelled at the first signal (or with the linked token).</summary>
    public CancellationToken Token => _stop.Token;

    /// <inheritdoc/>
    public void Dispose()
    {
        _sigint.Dispose();
        _sigterm.Dispose();
        _stop.Dispose();
    }
}
