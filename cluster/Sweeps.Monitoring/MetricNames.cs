namespace Sweeps.Monitoring;

/// <summary>
/// The Prometheus names of Sweeps' own metrics (units in the name; counters end in <c>_total</c>), which are also
/// the names of their <see cref="System.Diagnostics.Metrics"/> instruments: the exporter adds no unit suffix to an
/// instrument without a unit, nor a second <c>_total</c>. Process and .NET runtime metrics come from OpenTelemetry's
/// instrumentation packages under their own names (docs/monitoring.md lists them).
/// </summary>
public static class MetricNames
{
    /// <summary>Gauge {sweep, state}: trials of a sweep in each state.</summary>
    public const string Trials = "sweeps_trials";

    /// <summary>Counter {sweep, method, status}: trials that finished.</summary>
    public const string TrialsFinished = "sweeps_trials_finished_total";

    /// <summary>Histogram {method, status}: duration of finished trials in seconds.</summary>
    public const string TrialDuration = "sweeps_trial_duration_seconds";

    /// <summary>Counter {sweep, method}: trials whose loss turned NaN or infinite.</summary>
    public const string NonFiniteLoss = "sweeps_trial_nonfinite_loss_total";

    /// <summary>Gauge per running trial: last reported epoch.</summary>
    public const string TrialEpoch = "sweeps_trial_epoch";

    /// <summary>Gauge per running trial: last epoch's mean training loss.</summary>
    public const string TrialTrainLoss = "sweeps_trial_train_loss";

    /// <summary>Gauge per running trial: test top-1 accuracy as a fraction 0..1.</summary>
    public const string TrialTestTop1 = "sweeps_trial_test_top1_ratio";

    /// <summary>Gauge per running trial: training samples per second.</summary>
    public const string TrialSamplesPerSecond = "sweeps_trial_samples_per_second";

    /// <summary>Gauge per running trial: Unix time of its start or last epoch, in seconds.</summary>
    public const string TrialLastProgress = "sweeps_trial_last_progress_timestamp_seconds";

    /// <summary>Gauge {node, device}: 1 busy, 0 idle.</summary>
    public const string SlotBusy = "sweeps_slot_busy";

    /// <summary>Counter: trial events applied to the results store.</summary>
    public const string EventsRecorded = "sweeps_events_recorded_total";

    /// <summary>Counter: trial events dropped as already applied.</summary>
    public const string EventsDeduplicated = "sweeps_events_deduplicated_total";

    /// <summary>Gauge {status}: members of the Akka cluster by status, as this node sees them (cluster mode only).</summary>
    public const string ClusterMembers = "sweeps_cluster_members";

    /// <summary>Gauge: members of the Akka cluster this node sees as unreachable (cluster mode only).</summary>
    public const string ClusterUnreachableMembers = "sweeps_cluster_unreachable_members";

    /// <summary>Gauge {sweep}: 1 once the sweep finished.</summary>
    public const string SweepFinished = "sweeps_sweep_finished";

    /// <summary>Gauge {node, device}: GPU memory in use in bytes (CUDA nodes only).</summary>
    public const string GpuMemoryUsed = "sweeps_gpu_memory_used_bytes";

    /// <summary>Gauge {node, device}: GPU memory of the device in bytes (CUDA nodes only).</summary>
    public const string GpuMemoryTotal = "sweeps_gpu_memory_total_bytes";
}
