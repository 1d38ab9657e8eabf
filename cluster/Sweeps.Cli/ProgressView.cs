using System.Collections.Concurrent;
using System.Diagnostics;
using System.Globalization;
using Spectre.Console;
using Sweeps.Actors;
using Sweeps.Actors.State;

namespace Sweeps.Cli;

/// <summary>
/// The live progress of <c>sweeps run</c>: on a terminal, a table with one row per running trial (epoch and step,
/// loss, test top-1, ETA) and a summary line, redrawn twice a second; otherwise (output redirected) one plain line
/// per trial state change and per epoch.
/// </summary>
internal sealed class ProgressView : ISweepObserver
{
    private readonly TextWriter _output;
    private readonly ConcurrentDictionary<string, Row> _rows = new(StringComparer.Ordinal);
    private readonly Stopwatch _clock = Stopwatch.StartNew();
    private Func<SweepState>? _state;

    public ProgressView(TextWriter output, bool live)
    {
        _output = output;
        Live = live;
    }

    /// <summary>Whether the live table is drawn (else plain lines).</summary>
    public bool Live { get; }

    /// <summary>Whether the console is an interactive terminal that can show the live table.</summary>
    public static bool TerminalSupportsLive =>
        !Console.IsOutputRedirected && AnsiConsole.Profile.Capabilities.Interactive && AnsiConsole.Profile.Capabilities.Ansi;

    public void Attach(Func<SweepState> state) => _state = state;

    public void TrialStateChanged(TrialLabels trial, TrialStatus from, TrialStatus to)
    {
        if (to == TrialStatus.Running)
        {
            _rows[trial.TrialId] = new Row(trial.TrialId, Stopwatch.GetTimestamp());
        }
        else
        {
            _rows.TryRemove(trial.TrialId, out _);
        }

        if (!Live)
        {
            Line($"{Verb(to)} {trial.TrialId}");
        }
    }

    public void EventRecorded(Sweeps.Actors.Messages.TrialEvent e, EventOutcome outcome)
    {
        // A teacher reused from the cache or pretrained: said at once in plain mode (the live table has no room for it;
        // the sweep's last lines say it in both modes).
        if (!Live && outcome == EventOutcome.Recorded && e is Sweeps.Actors.Messages.TrialCompleted { Source: { } source })
        {
            Line($"teacher {e.TrialId}: {source}");
        }
    }

    public void EpochReported(TrialLabels trial, EpochReport epoch)
    {
        if (_rows.TryGetValue(trial.TrialId, out var row))
        {
            lock (row)
            {
                row.Epoch = epoch.Epoch;
                row.Epochs = epoch.Epochs;
                row.Step = 0;
                row.Loss = epoch.TrainLoss;
                row.Top1 = epoch.TestTop1;
            }
        }

        if (!Live)
        {
            Line(string.Create(CultureInfo.InvariantCulture,
                $"epoch {epoch.Epoch}/{epoch.Epochs} {trial.TrialId}: loss {epoch.TrainLoss:F4}, test top-1 {epoch.TestTop1:P2}, {epoch.Seconds:F1} s, {epoch.SamplesPerSecond:F0} samples/s"));
        }
    }

    public void StepReported(TrialLabels trial, StepReport step)
    {
        if (_rows.TryGetValue(trial.TrialId, out var row))
        {
            lock (row)
            {
                row.Epoch = step.Epoch - 1;
                row.Epochs = step.Epochs;
                row.Step = step.Step;
                row.Steps = step.Steps;
                row.Loss = step.Loss;
                row.Fraction = ((step.Epoch - 1) + ((double)step.Step / step.Steps)) / step.Epochs;
                row.FirstFraction ??= row.Fraction;
                row.FirstFractionAt ??= Stopwatch.GetTimestamp();
            }
        }
    }

    public void SweepFinished(string sweep, string status)
    {
        if (!Live)
        {
            Line($"sweep {sweep} {status}: {Summary()}");
        }
    }

    /// <summary>Redraws the live table until <paramref name="done"/> completes (no-op in plain mode).</summary>
    public async Task RunLiveAsync(Task done)
    {
        if (!Live)
        {
            await done.ConfigureAwait(false);
            return;
        }

        await AnsiConsole.Live(Render()).AutoClear(false).StartAsync(async ctx =>
        {
            while (!done.IsCompleted)
            {
                ctx.UpdateTarget(Render());
                await Task.WhenAny(done, Task.Delay(500)).ConfigureAwait(false);
            }

            ctx.UpdateTarget(Render());
        }).ConfigureAwait(false);
    }

    private Rows Render()
    {
        var table = new Table().Border(TableBorder.Simple);
        table.AddColumns("trial", "epoch", "loss", "test top-1", "ETA");
        foreach (var row in _rows.Values.OrderBy(r => r.Id, StringComparer.Ordinal))
        {
            lock (row)
            {
                var epoch = row.Steps > 0 && row.Step > 0
                    ? string.Create(CultureInfo.InvariantCulture, $"{row.Epoch + 1}/{row.Epochs} ({row.Step}/{row.Steps})")
                    : string.Create(CultureInfo.InvariantCulture, $"{row.Epoch}/{row.Epochs}");
                table.AddRow(
                    Markup.Escape(row.Id),
                    epoch,
                    row.Loss is { } l ? l.ToString("F4", CultureInfo.InvariantCulture) : "-",
                    row.Top1 is { } t ? t.ToString("P2", CultureInfo.InvariantCulture) : "-",
                    Eta(row));
            }
        }

        return new Rows(table, new Text(Summary()));
    }

    private static string Eta(Row row)
    {
        if (row.FirstFraction is not { } f0 || row.FirstFractionAt is not { } t0 || row.Fraction <= f0)
        {
            return "-";
        }

        var seconds = Stopwatch.GetElapsedTime(t0).TotalSeconds / (row.Fraction - f0) * (1 - row.Fraction);
        return TimeSpan.FromSeconds(Math.Round(seconds)).ToString(@"h\:mm\:ss", CultureInfo.InvariantCulture);
    }

    private string Summary()
    {
        var elapsed = _clock.Elapsed.ToString(@"h\:mm\:ss", CultureInfo.InvariantCulture);
        if (_state?.Invoke() is not { } state)
        {
            return $"elapsed {elapsed}";
        }

        var c = state.Counts();
        return string.Create(CultureInfo.InvariantCulture,
            $"{c[TrialStatus.Completed]}/{state.Trials.Count} completed, {c[TrialStatus.Running]} running, {c[TrialStatus.Pending]} pending, {c[TrialStatus.Failed]} failed, {c[TrialStatus.Cancelled]} cancelled; elapsed {elapsed}");
    }

    private static string Verb(TrialStatus to) => to switch
    {
        TrialStatus.Running => "started",
        TrialStatus.Pending => "requeued (resumes from its checkpoint)",
        _ => to.ToString().ToLowerInvariant(),
    };

    private void Line(string text)
    {
        lock (_output)
        {
            _output.WriteLine($"[{DateTime.Now:HH:mm:ss}] {text}");
        }
    }

    private sealed class Row(string id, long started)
    {
        public string Id { get; } = id;

        public long Started { get; } = started;

        public int Epoch { get; set; }

        public int Epochs { get; set; }

        public int Step { get; set; }

        public int Steps { get; set; }

        public double? Loss { get; set; }

        public double? Top1 { get; set; }

        public double Fraction { get; set; }

        public double? FirstFraction { get; set; }

        public long? FirstFractionAt { get; set; }
    }
}
