using System.Text.Json;
using Sweeps.Actors.Messages;
using Sweeps.Actors.Planning;
using Sweeps.Torch;
using Sweeps.Training.Data;
using Sweeps.Training.Quantization;
using Sweeps.Training.Teachers;
using Sweeps.Training.Training;

namespace Sweeps.Actors;

/// <summary>
/// Runs one trial, whatever carries it: <see cref="RunTrial"/> to <see cref="TrainerOptions"/> to
/// <see cref="Trainer.Run"/> (which checkpoints every epoch and resumes a checkpoint it finds in the trial's folder),
/// or the sleeping kind; then the trial's last event from the trainer's <c>final.json</c>. Events are numbered by the
/// trial's progress, not a counter (<see cref="StartSequence"/>, <see cref="EpochSequence"/>,
/// <see cref="FinalSequence"/>), so a resumed run reports its remaining epochs under the numbers the first run would
/// have used. Stateless and thread-safe.
/// </summary>
/// <remarks>
/// <para>FP teachers (method <c>fp</c>): a pretrained one (<see cref="TrialSpec.Pretrained"/>) is evaluated, not trained
/// (<see cref="Trainer.EvaluateCheckpoint"/>). With a <see cref="Teachers"/> cache, a teacher whose
/// <see cref="TeacherSpec"/> is cached is copied from the cache into the trial's folder instead of being trained (its
/// epochs are reported from the cached <c>metrics.jsonl</c>, its result from the cached <c>final.json</c>), and a teacher
/// that trains here is published to the cache when it completes. <see cref="TrialCompleted.Source"/> says which.</para>
/// <para>Training sets libtorch's process-wide thread count (the slot's) and global seed. With one slot per process every
/// trial is exactly reproducible; with several slots in one process each trial is still seeded by its own generator
/// (initialisation, data order, augmentation), but kernels that draw from libtorch's global generator are not.</para>
/// </remarks>
public class TrialRunner
{
    /// <summary>A runner without a teacher cache.</summary>
    public TrialRunner()
    {
    }

    /// <summary>A runner that reuses and publishes FP teachers in <paramref name="teachers"/> (null: no cache).</summary>
    public TrialRunner(TeacherCache? teachers)
    {
        Teachers = teachers;
    }

    /// <summary>The teacher cache, or null when teachers are always trained.</summary>
    public TeacherCache? Teachers { get; }

    /// <summary>The sequence of <see cref="TrialStarted"/>.</summary>
    public const int StartSequence = 1;

    /// <summary>The sequence of the event of epoch <paramref name="epoch"/> (1-based).</summary>
    public static int EpochSequence(int epoch) => StartSequence + epoch;

    /// <summary>The sequence of the trial's last event (completed, failed or cancelled).</summary>
    public static int FinalSequence(TrialSpec spec)
    {
        ArgumentNullException.ThrowIfNull(spec);
        return spec.Epochs + 2;
    }

    /// <summary>
    /// Runs <paramref name="trial"/> on <paramref name="slot"/>: training runs on a thread of its own (long-running),
    /// the sleeping kind sleeps. Never throws for the trial's own failure: the result is its last event,
    /// <see cref="TrialCompleted"/>, <see cref="TrialFailed"/> (with the reason) or, when
    /// <paramref name="cancellationToken"/> was cancelled, <see cref="TrialCancelled"/> (the last epoch checkpoint
    /// stays for a later resume).
    /// </summary>
    /// <param name="trial">The trial.</param>
    /// <param name="slot">Its device and threads.</param>
    /// <param name="epoch">Told of each epoch's event (on the training thread), or null.</param>
    /// <param name="step">Told of each training step (on the training thread), or null.</param>
    /// <param name="cancellationToken">Stops the trial at its next step.</param>
    public virtual async Task<TrialEvent> RunAsync(
        RunTrial trial, DeviceSlot slot, Action<TrialEpochCompleted>? epoch, Action<StepProgress>? step, CancellationToken cancellationToken)
    {
        ArgumentNullException.ThrowIfNull(trial);
        ArgumentNullException.ThrowIfNull(slot);
        var spec = trial.Trial;
        try
        {
            if (spec.Kind == TrialKind.Sleep)
            {
                try
                {
                    await Task.Delay(spec.SleepMilliseconds, cancellationToken).ConfigureAwait(false);
                }
                catch (OperationCanceledException) when (spec.SleepStopMilliseconds > 0)
                {
                    await Task.Delay(spec.SleepStopMilliseconds, CancellationToken.None).ConfigureAwait(false);
                    throw;
                }

                return new TrialCompleted(spec.Id, trial.Attempt, FinalSequence(spec), DateTimeOffset.UtcNow, null, null, null, null, null, null, null, null);
            }

            var options = Options(trial, slot);
            if (spec.Pretrained is { } pretrained)
            {
                var evaluated = await Task.Factory.StartNew(
                    () => new Trainer(options with { Epochs = 1 }).EvaluateCheckpoint(pretrained, cancellationToken), CancellationToken.None,
                    TaskCreationOptions.LongRunning, TaskScheduler.Default).ConfigureAwait(false);
                return Completed(trial, evaluated, RecipeJson(trial.Directory)) with { Source = $"pretrained, from {pretrained}" };
            }

            var teacherSpec = Teachers is not null && spec.Method == SweepPlanner.TeacherMethod ? TeacherSpec.For(options) : null;
            string? unusable = null;
            if (teacherSpec is not null)
            {
                var restored = await Task.Factory.StartNew(
                    () => Teachers!.Restore(teacherSpec, trial.Directory, reason => unusable = reason), CancellationToken.None,
                    TaskCreationOptions.LongRunning, TaskScheduler.Default).ConfigureAwait(false);
                if (restored is not null)
                {
                    foreach (var e in restored.Epochs)
                    {
                        epoch?.Invoke(new TrialEpochCompleted(
                            spec.Id, trial.Attempt, EpochSequence(e.Epoch), DateTimeOffset.UtcNow, e.Epoch, e.Epochs, e.TrainLoss, e.TestTop1, e.Seconds, e.SamplesPerSecond));
                    }

                    return Completed(trial, restored.Result, RecipeJson(trial.Directory)) with { Source = restored.Description };
                }
            }

            var trainer = new Trainer(options, new TrainingCallbacks
            {
                Step = step,
                Epoch = epoch is null
                    ? null
                    : e => epoch(new TrialEpochCompleted(
                        spec.Id, trial.Attempt, EpochSequence(e.Epoch), DateTimeOffset.UtcNow, e.Epoch, e.Epochs, e.TrainLoss, e.TestTop1, e.Seconds, e.SamplesPerSecond)),
            });
            var result = await Task.Factory.StartNew(
                () => trainer.Run(cancellationToken), CancellationToken.None, TaskCreationOptions.LongRunning, TaskScheduler.Default).ConfigureAwait(false);
            var completed = Completed(trial, result, RecipeJson(trial.Directory));
            return teacherSpec is null ? completed : completed with { Source = Publish(teacherSpec, trial, unusable) };
        }
        catch (OperationCanceledException) when (cancellationToken.IsCancellationRequested)
        {
            return new TrialCancelled(spec.Id, trial.Attempt, FinalSequence(spec), DateTimeOffset.UtcNow);
        }
#pragma warning disable CA1031 // any failure of one trial is reported as its failure; the sweep goes on
        catch (Exception ex)
#pragma warning restore CA1031
        {
            return new TrialFailed(spec.Id, trial.Attempt, FinalSequence(spec), DateTimeOffset.UtcNow, ex.Message);
        }
    }

    private static TrialCompleted Completed(RunTrial trial, TrainingResult result, string? recipe) => new(
        trial.Trial.Id, trial.Attempt, FinalSequence(trial.Trial), DateTimeOffset.UtcNow, result.BestTestTop1, result.BestEpoch, result.LastTestTop1,
        result.MeanLast5TestTop1, result.ModelSizeBits, result.EwgsDelta, recipe, result.ResumedAfterEpoch);

    /// <summary>Publishes the teacher just trained; the teacher's <see cref="TrialCompleted.Source"/>: null when it was
    /// published as usual, else what happened (a cache that cannot be written never fails the trial).</summary>
    private string? Publish(TeacherSpec spec, RunTrial trial, string? unusable)
    {
        try
        {
            Teachers!.Publish(spec, trial.Directory, new TeacherSource
            {
                Directory = Path.GetFullPath(trial.Directory), Sweep = trial.Sweep, Trial = trial.Trial.Id, Host = Environment.MachineName,
            });
            return unusable is null ? null : $"trained: {unusable}";
        }
#pragma warning disable CA1031 // the teacher trained and is usable by this sweep whatever the cache's trouble
        catch (Exception ex) when (ex is IOException or UnauthorizedAccessException or InvalidOperationException)
#pragma warning restore CA1031
        {
            return $"trained; not cached: {ex.Message}";
        }
    }

    /// <summary>The trainer's options for <paramref name="trial"/> on <paramref name="slot"/>.</summary>
    public static TrainerOptions Options(RunTrial trial, DeviceSlot slot)
    {
        ArgumentNullException.ThrowIfNull(trial);
        ArgumentNullException.ThrowIfNull(slot);
        var spec = trial.Trial;
        return new TrainerOptions
        {
            Method = spec.Method,
            Model = spec.Model,
            Dataset = spec.Dataset,
            DataDirectory = trial.DataDirectory,
            Images = new ImageFolderOptions { ImageSize = trial.ImageSize, SkipBadImages = trial.SkipBadImages },
            TrainLimit = spec.TrainLimit ?? trial.TrainLimit,
            TestLimit = trial.TestLimit,
            Bits = spec.IsFullPrecision ? BitWidths.FullPrecision : new BitWidths(spec.WeightBits, spec.ActivationBits),
            Quantizer = spec.Quantizer is null ? QuantizerKind.Ewgs : Enum.Parse<QuantizerKind>(spec.Quantizer, ignoreCase: true),
            Epochs = spec.Epochs,
            Seed = spec.Seed,
            Device = Device.Parse(slot.Device),
            Threads = slot.Threads,
            TeacherCheckpoint = trial.TeacherCheckpoint,
            OutputDirectory = trial.Directory,
        };
    }

    private static string? RecipeJson(string directory)
    {
        var path = Path.Combine(directory, Trainer.FinalFileName);
        if (!File.Exists(path))
        {
            return null;
        }

        using var doc = JsonDocument.Parse(File.ReadAllText(path));
        return doc.RootElement.TryGetProperty("recipe", out var recipe) ? recipe.GetRawText() : null;
    }
}
