using System.CommandLine;
using System.Globalization;
using Sweeps.Actors.State;
using Sweeps.Actors.Storage;
using Sweeps.Cluster;

namespace Sweeps.Cli;

/// <summary><c>sweeps status DIR</c>: what the store of a sweep output folder says, trial by trial.</summary>
internal static class StatusCommand
{
    /// <summary>Builds the command.</summary>
    internal static Command Create()
    {
        var dir = new Argument<string>("dir") { Description = "The sweep's output folder (e.g. runs/quick)." };
        var command = new Command("status", "Show a sweep's state from its store: every trial's status, epochs and accuracy.") { dir };
        command.SetAction(r => Print(r.GetValue(dir)!, Console.Out, Console.Error));
        return command;
    }

    /// <summary>Prints the status; returns the exit code.</summary>
    internal static int Print(string directory, TextWriter output, TextWriter error)
    {
        (SweepInfo? Sweep, SweepState State, bool CancelRequested) read;
        try
        {
            read = EmbeddedSweepHost.Read(directory);
        }
        catch (Exception ex) when (ex is StoreException or InvalidTransitionException)
        {
            error.WriteLine($"error: {ex.Message}");
            return RunCommand.BadInput;
        }

        var (sweep, state, cancel) = read;
        var c = state.Counts();
        output.WriteLine($"sweep {sweep?.Name ?? "?"} ({sweep?.Dataset}): {sweep?.Status ?? "unknown"}{(cancel ? " (cancel requested)" : string.Empty)}");
        output.WriteLine(string.Create(CultureInfo.InvariantCulture,
            $"trials: {state.Trials.Count}: {c[TrialStatus.Completed]} completed, {c[TrialStatus.Running]} running, {c[TrialStatus.Pending]} pending, {c[TrialStatus.Failed]} failed, {c[TrialStatus.Cancelled]} cancelled"));
        var width = Math.Max(5, state.Trials.Keys.DefaultIfEmpty(string.Empty).Max(k => k.Length));
        output.WriteLine($"{"trial".PadRight(width)}  {"status",-9}  {"tries",5}  {"epochs",7}  {"best",7}  {"last",7}  device");
        foreach (var t in state.InOrder)
        {
            var best = t.Result?.BestTop1 ?? (t.Top1ByEpoch.Count > 0 ? t.Top1ByEpoch.Values.Max() : null);
            var last = t.Result?.LastTop1 ?? (t.Top1ByEpoch.Count > 0 ? t.Top1ByEpoch[t.Top1ByEpoch.Keys.Max()] : null);
            output.WriteLine(string.Create(CultureInfo.InvariantCulture,
                $"{t.Spec.Id.PadRight(width)}  {t.Status.ToString().ToLowerInvariant(),-9}  {t.Attempts,5}  {$"{t.EpochsCompleted}/{t.Spec.Epochs}",7}  {Pct(best),7}  {Pct(last),7}  {t.Device ?? "-"}{(t.Error is null ? string.Empty : "  " + t.Error)}"));
        }

        return 0;
    }

    private static string Pct(double? v) => v is { } d ? (d * 100).ToString("F2", CultureInfo.InvariantCulture) + "%" : "-";
}
