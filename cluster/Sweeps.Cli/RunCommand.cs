using System.CommandLine;
using Sweeps.Actors.Planning;
using Sweeps.Actors.State;
using Sweeps.Actors.Storage;
using Sweeps.Cluster;
using Sweeps.Monitoring;
using LibTorch = Sweeps.Torch.Torch;

namespace Sweeps.Cli;

/// <summary><c>sweeps run &lt;sweep.yaml&gt; [--out DIR]</c>: runs (or continues) a sweep in this process.</summary>
internal static class RunCommand
{
    /// <summary>Exit code for a sweep file that is missing or invalid, or an output folder that cannot be used.</summary>
    internal const int BadInput = 1;

    /// <summary>Exit code when every trial completed... is 0; this one: some trial failed or could not run.</summary>
    internal const int SomeFailed = 3;

    /// <summary>Exit code of a cancelled run (Ctrl-C or <c>sweeps cancel</c>); a re-run continues it.</summary>
    internal const int Cancelled = 130;

    /// <summary>Builds the command.</summary>
    internal static Command Create()
    {
        var file = new Argument<string>("sweep-file") { Description = "The sweep file (YAML), e.g. sweeps/quick.yaml." };
        var output = new Option<string?>("--out") { Description = "Output folder (default: runs/<name> in the current directory). Running again into the same folder continues the sweep." };
        var metrics = new Option<string>("--metrics")
        {
            Description = "Where to serve Prometheus metrics while the sweep runs: address:port, a port (on 127.0.0.1), or 'off'. "
                + "When the default port is taken, a free one is used (the address is printed).",
            DefaultValueFactory = _ => MetricsEndpointOptions.Default.ToString(),
        };
        var command = new Command("run", "Run a sweep file: every trial of its grid, then the results and the report. Ctrl-C stops cleanly; running it again continues.")
        {
            file, output, metrics,
        };
        command.SetAction((result, cancellationToken) =>
            RunAsync(result.GetValue(file)!, result.GetValue(output), Console.Out, Console.Error, cancellationToken, result.GetValue(metrics)));
        return command;
    }

    /// <summary>Runs the sweep file; returns the exit code.</summary>
    /// <param name="path">The sweep file.</param>
    /// <param name="outputDirectory">The output folder; null for runs/&lt;name&gt;.</param>
    /// <param name="output">Progress and results.</param>
    /// <param name="error">Errors and warnings.</param>
    /// <param name="cancellationToken">Stops the sweep cleanly (as Ctrl-C does).</param>
    /// <param name="metricsAddress">Where to serve /metrics (<see cref="MetricsEndpointOptions.Parse"/>); null or
    /// <c>off</c> for no endpoint.</param>
    internal static async Task<int> RunAsync(
        string path, string? outputDirectory, TextWriter output, TextWriter error, CancellationToken cancellationToken = default, string? metricsAddress = null)
    {
        if (await LoadSweepAsync(path, error).ConfigureAwait(false) is not { } definition)
        {
            return BadInput;
        }

        var outDir = Path.GetFullPath(outputDirectory ?? Path.Combine("runs", definition.Name));
        var local = LibTorch.LocalDevices().Select(d => d.ToString()).ToList();
        var devices = definition.Devices ?? local;
        if (devices.FirstOrDefault(d => !local.Contains(d)) is { } missing)
        {
            await error.WriteLineAsync($"error: {path}: devices: '{missing}' is not a device of this machine (it has: {string.Join(", ", local)})").ConfigureAwait(false);
            return BadInput;
        }

        var plan = SweepPlanner.Plan(definition);
        await output.WriteLineAsync($"sweep {definition.Name}: {plan.Count} trials on {string.Join(", ", devices)} ({definition.TrialsPerDevice} per device); output {outDir}").ConfigureAwait(false);

        var (sweepMetrics, endpoint, badMetrics) = await MetricsHosting.StartAsync(metricsAddress, "--metrics", output, error, cancellationToken).ConfigureAwait(false);
        if (badMetrics)
        {
            return BadInput;
        }

        using var metricsOwner = sweepMetrics;
        await using var endpointOwner = endpoint;
        using var stop = new InterruptSignals(
            cancellationToken,
            () => error.WriteLine("stopping: running trials checkpoint their last epoch and stop at the next step (again to abort)"),
            abortOnSecond: true);
        var view = new ProgressView(output, ProgressView.TerminalSupportsLive);
        var options = new SweepRunOptions
        {
            Definition = definition,
            SweepFile = path,
            SweepText = await File.ReadAllTextAsync(path, cancellationToken).ConfigureAwait(false),
            OutputDirectory = outDir,
            Devices = devices,
            Versions = new Dictionary<string, string>
            {
                ["sweeps"] = VersionCommand.SweepsVersion, ["libtorch"] = LibTorch.LibTorchVersion, ["dotnet"] = Environment.Version.ToString(),
            },
            AttachState = view.Attach,
            Metrics = sweepMetrics,
        };

        SweepRunResult result;
        try
        {
            var run = EmbeddedSweepHost.RunAsync(options, plan, view, stop.Token);
            await view.RunLiveAsync(run).ConfigureAwait(false);
            result = await run.ConfigureAwait(false);
        }
        catch (Exception ex) when (ex is InvalidOperationException or StoreException or IOException or UnauthorizedAccessException)
        {
            await error.WriteLineAsync($"error: {ex.Message}").ConfigureAwait(false);
            return BadInput;
        }

        var counts = result.State.Counts();
        await output.WriteLineAsync(
            $"sweep {definition.Name} {result.Status}: {counts[TrialStatus.Completed]} completed, {counts[TrialStatus.Failed]} failed, "
            + $"{counts[TrialStatus.Cancelled] + counts[TrialStatus.Pending]} not finished ({result.Started} started by this run)").ConfigureAwait(false);
        foreach (var teacher in result.State.InOrder.Where(t => t.Result?.Source is not null))
        {
            // Teachers that were not trained by this sweep: reused from the teacher cache, or pretrained.
            await output.WriteLineAsync($"  teacher {teacher.Spec.Id}: {teacher.Result!.Source}").ConfigureAwait(false);
        }

        foreach (var failed in result.State.InOrder.Where(t => t.Status == TrialStatus.Failed))
        {
            await output.WriteLineAsync($"  failed: {failed.Spec.Id}: {failed.Error}").ConfigureAwait(false);
        }

        foreach (var blocked in result.State.Blocked())
        {
            await output.WriteLineAsync($"  not run: {blocked.Spec.Id}: its teacher {blocked.Spec.Teacher} failed").ConfigureAwait(false);
        }

        if (result.Status == "cancelled")
        {
            await output.WriteLineAsync($"continue with: sweeps run {path} --out {outDir}").ConfigureAwait(false);
        }

        await output.WriteLineAsync($"results: {result.ResultsJson}").ConfigureAwait(false);
        await output.WriteLineAsync($"report:  {result.Report}").ConfigureAwait(false);
        await output.WriteLineAsync($"         {result.HtmlReport} (self-contained: open it in any browser)").ConfigureAwait(false);
        return ExitCode(result.Status);
    }

    /// <summary>The sweep file at <paramref name="path"/>, or null after writing its error (file, line, field).</summary>
    internal static async Task<SweepDefinition?> LoadSweepAsync(string path, TextWriter error)
    {
        SweepDefinition definition;
        try
        {
            definition = SweepFile.Load(path);
        }
        catch (SweepFileException ex)
        {
            await error.WriteLineAsync($"error: {ex.Message}").ConfigureAwait(false);
            return null;
        }

        return definition;
    }

    /// <summary>The exit code of a finished sweep: 0 completed, <see cref="Cancelled"/>, else <see cref="SomeFailed"/>.</summary>
    internal static int ExitCode(string status) => status switch
    {
        "completed" => 0,
        "cancelled" => Cancelled,
        _ => SomeFailed,
    };
}
