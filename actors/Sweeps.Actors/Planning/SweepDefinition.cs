namespace Sweeps.Actors.Planning;

/// <summary>A validated sweep file (see <see cref="SweepFile"/> for the format): what to compare, on what, how long.</summary>
public sealed record SweepDefinition
{
    /// <summary>The sweep's name (letters, digits, <c>.</c>, <c>_</c>, <c>-</c>); the default output is <c>runs/&lt;name&gt;</c>.</summary>
    public required string Name { get; init; }

    /// <summary>Dataset name (<c>fashion-mnist</c>, <c>mnist</c>, <c>cifar10</c>, <c>cifar100</c>, <c>synthetic</c>,
    /// <c>imagefolder</c>, <c>tiny-imagenet</c>).</summary>
    public required string Dataset { get; init; }

    /// <summary>Folder of the dataset's files; null for the dataset's default.</summary>
    public string? DataDirectory { get; init; }

    /// <summary>Image folders: the side images are resized and centre-cropped to; null keeps their own size.</summary>
    public int? ImageSize { get; init; }

    /// <summary>Image folders: whether unreadable images are left out (and counted) instead of failing the trial.</summary>
    public bool SkipBadImages { get; init; }

    /// <summary>Model names, in file order.</summary>
    public required IReadOnlyList<string> Models { get; init; }

    /// <summary>Method names, in file order.</summary>
    public required IReadOnlyList<string> Methods { get; init; }

    /// <summary>Bit-widths as <c>W&lt;w&gt;A&lt;a&gt;</c> (normalised to upper case), in file order; full-precision methods ignore them.</summary>
    public required IReadOnlyList<string> Bits { get; init; }

    /// <summary>Seeds, in file order.</summary>
    public required IReadOnlyList<long> Seeds { get; init; }

    /// <summary>Epochs of each FP teacher.</summary>
    public required int TeacherEpochs { get; init; }

    /// <summary>Epochs of each quantized student.</summary>
    public required int StudentEpochs { get; init; }

    /// <summary>Train on the first N training samples only (null: all); the teachers' budget when
    /// <see cref="StudentLimit"/> is set.</summary>
    public int? Limit { get; init; }

    /// <summary>The students' training subset when it differs from the teachers' (<c>limit: {teacher: N, student: M}</c>):
    /// they train on the first M training samples; null: <see cref="Limit"/>.</summary>
    public int? StudentLimit { get; init; }

    /// <summary>Evaluate on the first N test samples only (null: all).</summary>
    public int? TestLimit { get; init; }

    /// <summary>Quantizer family of the quantized students: <c>ewgs</c> (default), <c>lsq</c> or <c>pact</c>.</summary>
    public string Quantizer { get; init; } = "ewgs";

    /// <summary>Devices to run on (<c>cpu</c>, <c>cuda:N</c>); null for every local device.</summary>
    public IReadOnlyList<string>? Devices { get; init; }

    /// <summary>Trials run at the same time on each device (default 1).</summary>
    public int TrialsPerDevice { get; init; } = 1;

    /// <summary>Pretrained FP teachers: model name to the full path of its checkpoint (a <c>torch.save</c>d state dict
    /// with PyTorch names), from the sweep file's <c>teachers:</c>; empty when the file has none. Every model is one of
    /// <see cref="Models"/> and every file existed when the sweep file was read. Such a model's FP teacher is the
    /// checkpoint, evaluated, not trained (<see cref="TrialSpec.Pretrained"/>).</summary>
    public IReadOnlyDictionary<string, string> Teachers { get; init; } = new Dictionary<string, string>(StringComparer.Ordinal);

    /// <summary>The teacher cache's folder (full path) from the sweep file's <c>teacher_cache</c>, <c>off</c> for none,
    /// or null for the default (<c>$SWEEPS_TEACHER_CACHE</c>, else the user's cache folder; see
    /// <c>TeacherCache.Open</c>).</summary>
    public string? TeacherCache { get; init; }

    /// <summary>Sleeping trials added to the plan (the hidden <c>_sleep_trials</c> key; tests only).</summary>
    public int SleepTrials { get; init; }

    /// <summary>Milliseconds each sleeping trial sleeps.</summary>
    public int SleepMilliseconds { get; init; }

    /// <summary>Milliseconds a cancelled sleeping trial takes to stop (<c>stop_ms</c>; default 0), as a training step
    /// that must end before its trial can stop.</summary>
    public int SleepStopMilliseconds { get; init; }
}
