using System.Diagnostics.Metrics;
using System.Text;
using OpenTelemetry.Metrics;

namespace Sweeps.Monitoring;

/// <summary>
/// The Prometheus metrics of one Sweeps process (coordinator, worker, or both in embedded mode).
/// Callers report what happens with plain values; <see cref="MetricsEndpoint"/> serves the current values at
/// <c>/metrics</c> through OpenTelemetry's Prometheus exporter.
/// </summary>
/// <remarks>
/// Every method is thread-safe, cheap (a dictionary update or an instrument call) and throws only for
/// null arguments, never for odd values: monitoring must not stop a sweep. Each process exports what
/// it reports: trial states and sweep completion where they are decided (the coordinator), per-trial
/// series and slots where trials run (the workers); embedded mode reports everything in one process. Strings are label values as given (states and
/// statuses lower-cased). The instruments are System.Diagnostics.Metrics instruments of a meter
/// named <see cref="MeterName"/> (one meter per instance; an endpoint exports only its own instance's instruments),
/// aggregated by the OpenTelemetry SDK when an endpoint serves them; without an endpoint nothing listens and the
/// counters record nothing.
/// Series of a running trial exist from <see cref="TrialStarted"/> (or its first
/// <see cref="EpochReported"/>) until <see cref="TrialEnded"/>. See docs/monitoring.md for
/// every metric with a sample line.
/// </remarks>
public sealed class SweepMetrics : IDisposable
{
    /// <summary>The trial states that every sweep exports from its first report on (0 until reached).</summary>
    public static IReadOnlyList<string> TrialStates { get; } = ["pending", "running", "completed", "failed", "cancelled"];

    /// <summary>The final statuses of <see cref="TrialFinished"/> whose counters start at 0 for each sweep and method.</summary>
    public static IReadOnlyList<string> FinalStatuses { get; } = ["completed", "failed", "cancelled"];

    /// <summary>Upper bounds (seconds) of the trial duration histogram's buckets (then +Inf).</summary>
    public static IReadOnlyList<double> TrialDurationBuckets { get; } =
        [1, 10, 30, 60, 120, 300, 600, 900, 1800, 3600, 7200, 14400, 28800, 86400];

    /// <summary>Most series (label sets) per instrument; the SDK's default of 2000 could be reached by
    /// the per-trial series of a long-running coordinator.</summary>
    public const int CardinalityLimit = 100_000;

    /// <summary>The name of the meter of Sweeps' instruments (its OpenTelemetry instrumentation scope).</summary>
    public const string MeterName = "Sweeps";

    /// <summary>The member statuses whose <c>sweeps_cluster_members</c> series exist (0 when none) from the first
    /// <see cref="ClusterMembersReported"/> on: Akka.NET's <c>MemberStatus</c> names in snake case.</summary>
    public static IReadOnlyList<string> MemberStatuses { get; } = ["joining", "weakly_up", "up", "leaving", "exiting", "down", "removed"];

    private readonly Lock gate = new();
    private readonly TimeProvider time;
    private readonly Meter meter;
    private readonly Counter<long> trialsFinished;
    private readonly Histogram<double> trialDuration;
    private readonly Counter<long> nonFiniteLoss;
    private readonly Counter<long> eventsRecorded;
    private readonly Counter<long> eventsDeduplicated;

    // Guarded by gate.
    private readonly Dictionary<(string Sweep, string State), long> trialCounts = [];
    private readonly Dictionary<string, bool> sweepFinished = new(StringComparer.Ordinal);
    private readonly HashSet<(string Sweep, string Method)> knownMethods = [];
    private readonly Dictionary<TrialLabels, TrialSeries> trials = [];
    private readonly Dictionary<(string Node, string Device), bool> slots = [];
    private readonly Dictionary<(string Node, string Device), (double Used, double Total)> gpuMemory = [];
    private readonly Dictionary<string, int> clusterMembers = new(StringComparer.Ordinal);
    private int? clusterUnreachable;

    /// <summary>Creates the instruments.</summary>
    /// <param name="timeProvider">The clock of the progress timestamps (default: the system clock).</param>
    public SweepMetrics(TimeProvider? timeProvider = null)
    {
        time = timeProvider ?? TimeProvider.System;
        meter = new Meter(MeterName);

        meter.CreateObservableGauge(MetricNames.Trials, ObserveTrialCounts, description:
            "Trials of a sweep in each state (pending, running, completed, failed, cancelled).");
        trialsFinished = meter.CreateCounter<long>(MetricNames.TrialsFinished, description:
            "Trials that finished, by sweep, method and final status (completed, failed, cancelled).");
        trialDuration = meter.CreateHistogram<double>(MetricNames.TrialDuration, description:
            "Wall-clock duration of finished trials in seconds, by method and final status.");
        nonFiniteLoss = meter.CreateCounter<long>(MetricNames.NonFiniteLoss, description:
            "Trials whose loss turned NaN or infinite, by sweep and method.");

        meter.CreateObservableGauge(MetricNames.TrialEpoch, () => ObserveTrials(t => t.Epoch, requireEpoch: false),
            description: "Last epoch a running trial reported (0 before its first).");
        meter.CreateObservableGauge(MetricNames.TrialTrainLoss, () => ObserveTrials(t => t.TrainLoss, requireEpoch: true),
            description: "Mean training loss of a running trial's last epoch.");
        meter.CreateObservableGauge(MetricNames.TrialTestTop1, () => ObserveTrials(t => t.TestTop1, requireEpoch: true),
            description: "Test top-1 accuracy (fraction 0..1) of a running trial after its last epoch.");
        meter.CreateObservableGauge(MetricNames.TrialSamplesPerSecond, () => ObserveTrials(t => t.SamplesPerSecond, requireEpoch: true),
            description: "Training throughput (samples per second) of a running trial's last epoch.");
        meter.CreateObservableGauge(MetricNames.TrialLastProgress, () => ObserveTrials(t => t.LastProgressSeconds, requireEpoch: false),
            description: "Unix time (seconds) of a running trial's start or last reported epoch.");

        meter.CreateObservableGauge(MetricNames.SlotBusy, ObserveSlots, description:
            "1 while a device slot runs a trial, 0 while it is idle, by node and device.");
        eventsRecorded = meter.CreateCounter<long>(MetricNames.EventsRecorded, description:
            "Trial events applied to the results store.");
        eventsDeduplicated = meter.CreateCounter<long>(MetricNames.EventsDeduplicated, description:
            "Trial events dropped because the store had already applied them (redeliveries).");
        meter.CreateObservableGauge(MetricNames.ClusterMembers, ObserveClusterMembers, description:
            "Members of the Akka cluster by status, as this node sees them (absent outside a cluster).");
        meter.CreateObservableGauge(MetricNames.ClusterUnreachableMembers, ObserveClusterUnreachable, description:
            "Members of the Akka cluster this node sees as unreachable (absent outside a cluster).");
        meter.CreateObservableGauge(MetricNames.SweepFinished, ObserveSweepsFinished, description:
            "1 once a sweep has finished, 0 before.");
        meter.CreateObservableGauge(MetricNames.GpuMemoryUsed, () => ObserveGpu(used: true), description:
            "GPU memory in use in bytes, by node and device (present only on nodes that report it, i.e. CUDA nodes).");
        meter.CreateObservableGauge(MetricNames.GpuMemoryTotal, () => ObserveGpu(used: false), description:
            "GPU memory of the device in bytes, by node and device (present only on nodes that report it, i.e. CUDA nodes).");
    }

    /// <summary>A trial changed state; <paramref name="from"/> is null for a trial that was just planned.</summary>
    /// <param name="sweep">The sweep's name.</param>
    /// <param name="from">The previous state (e.g. <c>pending</c>), or null for a new trial.</param>
    /// <param name="to">The new state (e.g. <c>running</c>).</param>
    public void TrialStateChanged(string sweep, string? from, string to)
    {
        lock (gate)
        {
            SeeSweep(sweep);
            if (from is not null)
            {
                Add(sweep, State(from), -1);
            }

            Add(sweep, State(to), 1);
        }

        void Add(string s, string state, long delta) =>
            trialCounts[(s, state)] = trialCounts.GetValueOrDefault((s, state)) + delta;
    }

    /// <summary>A trial finished: counts it and records its duration.</summary>
    /// <param name="sweep">The sweep's name.</param>
    /// <param name="method">The trial's method.</param>
    /// <param name="seconds">Its wall-clock duration in seconds (all attempts).</param>
    /// <param name="status">Its final status: <c>completed</c>, <c>failed</c> or <c>cancelled</c>.</param>
    public void TrialFinished(string sweep, string method, double seconds, string status)
    {
        SeeMethod(sweep, method);
        var s = State(status);
        trialsFinished.Add(1, new("sweep", sweep), new("method", method), new("status", s));
        if (double.IsFinite(seconds) && seconds >= 0)
        {
            trialDuration.Record(seconds, new KeyValuePair<string, object?>("method", method), new("status", s));
        }
    }

    /// <summary>A trial started running: its per-trial series appear (epoch 0, progress now).</summary>
    /// <param name="trial">The trial's labels.</param>
    public void TrialStarted(TrialLabels trial)
    {
        ArgumentNullException.ThrowIfNull(trial);
        SeeMethod(trial.Sweep, trial.Method);
        lock (gate)
        {
            Series(trial).LastProgressSeconds = Now();
        }
    }

    /// <summary>A running trial finished an epoch. A NaN or infinite loss also counts in
    /// <c>sweeps_trial_nonfinite_loss_total</c>.</summary>
    /// <param name="trial">The trial's labels.</param>
    /// <param name="epoch">The epoch just finished (1-based).</param>
    /// <param name="trainLoss">Mean training loss of the epoch.</param>
    /// <param name="testTop1">Test top-1 accuracy after the epoch, a fraction 0..1.</param>
    /// <param name="samplesPerSecond">Training throughput of the epoch.</param>
    public void EpochReported(TrialLabels trial, int epoch, double trainLoss, double testTop1, double samplesPerSecond)
    {
        ArgumentNullException.ThrowIfNull(trial);
        SeeMethod(trial.Sweep, trial.Method);
        lock (gate)
        {
            var series = Series(trial);
            series.Epoch = epoch;
            series.TrainLoss = trainLoss;
            series.TestTop1 = testTop1;
            series.SamplesPerSecond = samplesPerSecond;
            series.HasEpoch = true;
            series.LastProgressSeconds = Now();
        }

        if (!double.IsFinite(trainLoss))
        {
            NonFiniteLossReported(trial);
        }
    }

    /// <summary>A trial's loss turned NaN or infinite (inside an epoch; <see cref="EpochReported"/> counts
    /// a non-finite epoch loss itself). Call once per trial.</summary>
    /// <param name="trial">The trial's labels.</param>
    public void NonFiniteLossReported(TrialLabels trial)
    {
        ArgumentNullException.ThrowIfNull(trial);
        SeeMethod(trial.Sweep, trial.Method);
        nonFiniteLoss.Add(1, new KeyValuePair<string, object?>("sweep", trial.Sweep), new("method", trial.Method));
    }

    /// <summary>A trial stopped running on this process (finished, failed, cancelled or moved): its per-trial series disappear.</summary>
    /// <param name="trial">The trial's labels.</param>
    public void TrialEnded(TrialLabels trial)
    {
        ArgumentNullException.ThrowIfNull(trial);
        lock (gate)
        {
            trials.Remove(trial);
        }
    }

    /// <summary>A device slot became busy (runs a trial) or idle.</summary>
    /// <param name="node">The node's name (host name).</param>
    /// <param name="device">The device, e.g. <c>cpu</c> or <c>cuda:0</c>.</param>
    /// <param name="busy">True while it runs a trial.</param>
    public void SlotStateChanged(string node, string device, bool busy)
    {
        lock (gate)
        {
            slots[(node, device)] = busy;
        }
    }

    /// <summary>The results store received a trial event.</summary>
    /// <param name="deduplicated">True when it had applied the event before and dropped it.</param>
    public void EventRecorded(bool deduplicated)
    {
        (deduplicated ? eventsDeduplicated : eventsRecorded).Add(1);
    }

    /// <summary>
    /// The Akka cluster's membership as this node sees it now (cluster mode: call it on every membership or
    /// reachability event, with the whole current state). Each call replaces the previous one.
    /// </summary>
    /// <remarks>
    /// From the first call on, <c>sweeps_cluster_members{status}</c> has a series for each of
    /// <see cref="MemberStatuses"/> (0 when no member has it) and for any other status ever reported, and
    /// <c>sweeps_cluster_unreachable_members</c> has one; before it (embedded mode) both are absent. A status is
    /// written in snake case (<c>WeaklyUp</c> becomes <c>weakly_up</c>), so Akka's <c>MemberStatus.ToString()</c>
    /// can be passed as it is. With Akka.Cluster:
    /// <c>metrics.ClusterMembersReported(state.Members.Select(m => m.Status.ToString()), state.Unreachable.Count)</c>
    /// where <c>state</c> is <c>Cluster.Get(system).State</c>.
    /// </remarks>
    /// <param name="memberStatuses">The status of every member (one entry per member).</param>
    /// <param name="unreachable">How many members this node's failure detector marks unreachable.</param>
    public void ClusterMembersReported(IEnumerable<string> memberStatuses, int unreachable)
    {
        ArgumentNullException.ThrowIfNull(memberStatuses);
        var counts = memberStatuses.CountBy(SnakeCase, StringComparer.Ordinal).ToList();
        lock (gate)
        {
            foreach (var status in clusterMembers.Keys.ToList())
            {
                clusterMembers[status] = 0;
            }

            foreach (var status in MemberStatuses)
            {
                clusterMembers[status] = 0;
            }

            foreach (var (status, count) in counts)
            {
                clusterMembers[status] = count;
            }

            clusterUnreachable = Math.Max(0, unreachable);
        }
    }

    /// <summary>GPU memory of a CUDA device (call periodically on CUDA nodes; never on CPU-only nodes).</summary>
    /// <param name="node">The node's name.</param>
    /// <param name="device">The device, e.g. <c>cuda:0</c>.</param>
    /// <param name="usedBytes">Memory in use in bytes.</param>
    /// <param name="totalBytes">The device's memory in bytes.</param>
    public void GpuMemoryReported(string node, string device, long usedBytes, long totalBytes)
    {
        lock (gate)
        {
            gpuMemory[(node, device)] = (usedBytes, totalBytes);
        }
    }

    /// <summary>A sweep finished (every trial reached a final state, or it was cancelled).</summary>
    /// <param name="sweep">The sweep's name.</param>
    public void SweepFinished(string sweep)
    {
        lock (gate)
        {
            SeeSweep(sweep);
            sweepFinished[sweep] = true;
        }
    }

    /// <summary>Adds this instance's instruments to an OpenTelemetry meter provider (the one behind an endpoint):
    /// its meter, the histogram's buckets, the cardinality limit, and a view that drops the instruments of other
    /// instances in the same process (they share <see cref="MeterName"/>).</summary>
    internal MeterProviderBuilder AddTo(MeterProviderBuilder builder) => builder.AddMeter(MeterName).AddView(View);

    /// <inheritdoc />
    public void Dispose() => meter.Dispose();

    private MetricStreamConfiguration? View(Instrument instrument)
    {
        if (instrument.Meter.Name != MeterName)
        {
            return null;
        }

        if (!ReferenceEquals(instrument.Meter, meter))
        {
            return MetricStreamConfiguration.Drop;
        }

        if (instrument.Name == MetricNames.TrialDuration)
        {
            return new ExplicitBucketHistogramConfiguration
            {
                Boundaries = [.. TrialDurationBuckets],
                CardinalityLimit = CardinalityLimit,
            };
        }

        return new MetricStreamConfiguration { CardinalityLimit = CardinalityLimit };
    }

    private static string State(string state) => state.ToLowerInvariant();

    private double Now() => time.GetUtcNow().ToUnixTimeMilliseconds() / 1000.0;

    // Under gate.
    private TrialSeries Series(TrialLabels trial)
    {
        if (!trials.TryGetValue(trial, out var series))
        {
            series = new TrialSeries(trial.ToTags());
            trials.Add(trial, series);
        }

        return series;
    }

    // Under gate: the sweep's state gauges start at 0 (on the process that reports trial states: the coordinator).
    private void SeeSweep(string sweep)
    {
        if (sweepFinished.TryAdd(sweep, false))
        {
            foreach (var state in TrialStates)
            {
                trialCounts.TryAdd((sweep, state), 0);
            }
        }
    }

    // The counters an alert takes increase() of start at 0, so that the first failure is an increase.
    private void SeeMethod(string sweep, string method)
    {
        lock (gate)
        {
            if (!knownMethods.Add((sweep, method)))
            {
                return;
            }
        }

        foreach (var status in FinalStatuses)
        {
            trialsFinished.Add(0, new("sweep", sweep), new("method", method), new("status", status));
        }

        nonFiniteLoss.Add(0, new KeyValuePair<string, object?>("sweep", sweep), new("method", method));
    }

    private List<Measurement<double>> ObserveTrialCounts()
    {
        lock (gate)
        {
            var list = new List<Measurement<double>>(trialCounts.Count);
            foreach (var ((sweep, state), count) in trialCounts)
            {
                list.Add(new(count, new KeyValuePair<string, object?>("sweep", sweep), new("state", state)));
            }

            return list;
        }
    }

    private List<Measurement<double>> ObserveTrials(Func<TrialSeries, double> value, bool requireEpoch)
    {
        lock (gate)
        {
            var list = new List<Measurement<double>>(trials.Count);
            foreach (var series in trials.Values)
            {
                if (!requireEpoch || series.HasEpoch)
                {
                    list.Add(new(value(series), series.Tags));
                }
            }

            return list;
        }
    }

    private List<Measurement<double>> ObserveSlots()
    {
        lock (gate)
        {
            var list = new List<Measurement<double>>(slots.Count);
            foreach (var ((node, device), busy) in slots)
            {
                list.Add(new(busy ? 1 : 0, new KeyValuePair<string, object?>("node", node), new("device", device)));
            }

            return list;
        }
    }

    private List<Measurement<double>> ObserveClusterMembers()
    {
        lock (gate)
        {
            return [.. clusterMembers.Select(m => new Measurement<double>(m.Value, new KeyValuePair<string, object?>("status", m.Key)))];
        }
    }

    private List<Measurement<double>> ObserveClusterUnreachable()
    {
        lock (gate)
        {
            return clusterUnreachable is { } n ? [new(n)] : [];
        }
    }

    // WeaklyUp -> weakly_up, Up -> up, "weakly_up" stays.
    private static string SnakeCase(string status)
    {
        var builder = new StringBuilder(status.Length + 4);
        for (var i = 0; i < status.Length; i++)
        {
            var c = status[i];
            if (char.IsUpper(c) && i > 0 && status[i - 1] != '_')
            {
                builder.Append('_');
            }

            builder.Append(char.ToLowerInvariant(c));
        }

        return builder.ToString();
    }

    private List<Measurement<double>> ObserveSweepsFinished()
    {
        lock (gate)
        {
            return [.. sweepFinished.Select(s => new Measurement<double>(s.Value ? 1 : 0, new KeyValuePair<string, object?>("sweep", s.Key)))];
        }
    }

    private List<Measurement<double>> ObserveGpu(bool used)
    {
        lock (gate)
        {
            return [.. gpuMemory.Select(g => new Measurement<double>(
                used ? g.Value.Used : g.Value.Total,
                new KeyValuePair<string, object?>("node", g.Key.Node), new("device", g.Key.Device)))];
        }
    }

    private sealed class TrialSeries(KeyValuePair<string, object?>[] tags)
    {
        public KeyValuePair<string, object?>[] Tags { get; } = tags;

        public double Epoch { get; set; }

        public double TrainLoss { get; set; }

        public double TestTop1 { get; set; }

        public double SamplesPerSecond { get; set; }

        public bool HasEpoch { get; set; }

        public double LastProgressSeconds { get; set; }
    }
}
