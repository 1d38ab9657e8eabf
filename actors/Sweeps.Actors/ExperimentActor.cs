using System.Diagnostics;
using System.Text.Json;
using MassTransit;
using Sweeps.Actors.Messages;
using Sweeps.Actors.Planning;
using Sweeps.Torch;
using Sweeps.Training.Data;
using Sweeps.Training.Quantization;
using Sweeps.Training.Training;

namespace Sweeps.Actors;

/// <summary>
/// Runs one trial (<see cref="RunTrial"/>) on a device slot of its <see cref="ExperimentWorker"/> through the
/// <see cref="Trainer"/> (which checkpoints every epoch and resumes a checkpoint it finds in the trial's folder), and
/// publishes <see cref="TrialStarted"/>, one <see cref="TrialEpochCompleted"/> per epoch and then
/// <see cref="TrialCompleted"/>, <see cref="TrialFailed"/> or <see cref="TrialCancelled"/>, numbered 1, 2, ... within
/// the attempt. A delivery that arrives after the worker was cancelled is dropped without events (the trial stays
/// pending). The start and epoch events are sent again until the transport takes them (<see cref="Delivery"/>): a
/// broker outage delays a trial at its epoch boundary instead of failing it. With leases (cluster mode,
/// <see cref="ExperimentWorker.Leases"/>) a trial runs under a lease in its folder: a delivery of a trial that runs
/// elsewhere waits for that run (or takes the trial over when its runner is gone), one of a trial whose attempt ended
/// is dropped, and a delivery whose broker connection is lost before its trial started returns without running it.
/// One instance per delivery.
/// </summary>
/// <remarks>
/// Training sets libtorch's process-wide thread count (the slot's) and global seed. With one slot per process every
/// trial is exactly reproducible; with several slots in one process each trial is still seeded by its own generator
/// (initialisation, data order, augmentation), but kernels that draw from libtorch's global generator are not.
/// </remarks>
public sealed class ExperimentActor(ExperimentWorker worker) : IConsumer<RunTrial>
{
    private static readonly double StepReportSeconds = 0.5;

    /// <inheritdoc/>
    public async Task Consume(ConsumeContext<RunTrial> context)
    {
        ArgumentNullException.ThrowIfNull(context);
        var m = context.Message;
        if (worker.Stopping.IsCancellationRequested)
        {
            return;
        }

        // Cluster mode: the delivery's token is cancelled when the broker connection that delivered it is lost.
        var lost = worker.Leases is null ? CancellationToken.None : context.CancellationToken;
        using var either = CancellationTokenSource.CreateLinkedTokenSource(worker.Stopping, lost);
        if (worker.Leases is { } timing)
        {
            TrialLease.Verdict verdict;
            try
            {
                verdict = await TrialLease.WaitAsync(
                    m.Directory, m.Attempt, timing,
                    holder => worker.Log?.Invoke($"{m.Trial.Id} attempt {m.Attempt} was delivered again while {holder} runs it: waiting for that run (taken over if it stops)"),
                    either.Token).ConfigureAwait(false);
            }
            catch (OperationCanceledException) when (either.IsCancellationRequested)
            {
                return; // lost or stopped while waiting: a lost delivery comes back, a stopped one stays pending
            }

            if (verdict == TrialLease.Verdict.Done)
            {
                worker.Log?.Invoke($"{m.Trial.Id} attempt {m.Attempt} was delivered again after its end was recorded: nothing to run");
                return;
            }
        }

        DeviceSlot slot;
        try
        {
            slot = await worker.AcquireAsync(either.Token).ConfigureAwait(false);
        }
        catch (OperationCanceledException) when (either.IsCancellationRequested)
        {
            return;
        }

        if (either.IsCancellationRequested)
        {
            worker.Release(slot);
            return;
        }

        // A running trial keeps its delivery until its end is recorded, also when the delivery's connection is lost:
        // the delivery that the broker then makes again waits on the trial's lease (above) instead of running it twice.
        await RunAsync(context, m, slot).ConfigureAwait(false);
    }

    // Runs the trial on the slot (released at its end) and has its last event recorded. Under a lease (cluster mode)
    // the lease is held for the whole run and marked done once the last event is recorded.
    private async Task RunAsync(ConsumeContext context, RunTrial m, DeviceSlot slot)
    {
        worker.RunStarted();
        worker.Log?.Invoke($"{m.Trial.Id} attempt {m.Attempt} runs on {slot.Device}");
        using var lease = worker.Leases is { } timing ? TrialLease.Take(m.Directory, m.Attempt, worker.Node, timing) : null;
        try
        {
            await RunAndRecordAsync(context, m, slot).ConfigureAwait(false);
            lease?.Done();
        }
        finally
        {
            worker.RunEnded();
        }
    }

    private async Task RunAndRecordAsync(ConsumeContext context, RunTrial m, DeviceSlot slot)
    {
        var sequence = 0;
        var released = false;
        try
        {
            var started = new TrialStarted(m.Trial.Id, m.Attempt, ++sequence, DateTimeOffset.UtcNow, worker.Node, slot.Device);
            try
            {
                await Delivery.UntilSentAsync(() => worker.Publish?.Invoke(started) ?? context.Publish(started), Failed(m.Trial.Id), worker.Stopping).ConfigureAwait(false);
            }
            catch (OperationCanceledException) when (worker.Stopping.IsCancellationRequested)
            {
                return; // stopped before the trial started: dropped, as a delivery after the stop (the trial stays pending)
            }

            SlotChanged(slot, busy: true, m.Trial.Id);
            TrialEvent last;
            try
            {
                last = m.Trial.Kind == TrialKind.Sleep
                    ? await SleepAsync(m, sequence).ConfigureAwait(false)
                    : await TrainAsync(context, m, slot, s => sequence = Math.Max(sequence, s)).ConfigureAwait(false);
                sequence = last.Sequence;
            }
            catch (OperationCanceledException) when (worker.Stopping.IsCancellationRequested)
            {
                last = new TrialCancelled(m.Trial.Id, m.Attempt, Math.Max(++sequence, FinalSequence(m.Trial)), DateTimeOffset.UtcNow);
            }
#pragma warning disable CA1031 // any failure of one trial is reported as its failure; the sweep goes on
            catch (Exception ex)
#pragma warning restore CA1031
            {
                last = new TrialFailed(m.Trial.Id, m.Attempt, Math.Max(++sequence, FinalSequence(m.Trial)), DateTimeOffset.UtcNow, ex.Message);
            }

            // The slot is free before the last event goes out: a waiting delivery starts on it at once.
            SlotChanged(slot, busy: false, m.Trial.Id);
            released = true;
            worker.Release(slot);
            if (worker.RecordFinal is { } record)
            {
                await record(last, CancellationToken.None).ConfigureAwait(false);
            }
            else
            {
                await context.Publish(last, last.GetType(), CancellationToken.None).ConfigureAwait(false);
            }
        }
        finally
        {
            if (!released)
            {
                worker.Release(slot);
            }
        }
    }

    private Action<int, Exception>? Failed(string trial) => worker.SendFailed is { } told ? (attempt, ex) => told(trial, attempt, ex) : null;

    private void SlotChanged(DeviceSlot slot, bool busy, string trial) =>
        Observe.Safely(() => worker.Observer.SlotChanged(new SlotReport(worker.Node, slot.Device, slot.Index, busy, trial, Stopwatch.GetTimestamp())));

    private async Task<TrialEvent> SleepAsync(RunTrial m, int sequence)
    {
        await Task.Delay(m.Trial.SleepMilliseconds, worker.Stopping).ConfigureAwait(false);
        return new TrialCompleted(m.Trial.Id, m.Attempt, Math.Max(sequence + 1, FinalSequence(m.Trial)), DateTimeOffset.UtcNow, null, null, null, null, null, null, null, null);
    }

    // Sequences follow the trial's progress, not a counter: started 1, epoch e 1 + e, the last event epochs + 2. A
    // trial redelivered to another worker (its first worker died) resumes from its last checkpoint and reports
    // the remaining epochs under the sequences the first worker would have used; the store drops what the first
    // worker already reported (same trial, attempt and sequence).
    private static int EpochSequence(int epoch) => 1 + epoch;

    private static int FinalSequence(TrialSpec spec) => spec.Epochs + 2;

    private async Task<TrialEvent> TrainAsync(ConsumeContext context, RunTrial m, DeviceSlot slot, Action<int> used)
    {
        var spec = m.Trial;
        var labels = TrialLabels.Of(m.Sweep, spec);
        var options = new TrainerOptions
        {
            Method = spec.Method,
            Model = spec.Model,
            Dataset = spec.Dataset,
            DataDirectory = m.DataDirectory,
            Images = new ImageFolderOptions { ImageSize = m.ImageSize, SkipBadImages = m.SkipBadImages },
            TrainLimit = m.TrainLimit,
            TestLimit = m.TestLimit,
            Bits = spec.IsFullPrecision ? BitWidths.FullPrecision : new BitWidths(spec.WeightBits, spec.ActivationBits),
            Quantizer = spec.Quantizer is null ? QuantizerKind.Ewgs : Enum.Parse<QuantizerKind>(spec.Quantizer, ignoreCase: true),
            Epochs = spec.Epochs,
            Seed = spec.Seed,
            Device = Device.Parse(slot.Device),
            Threads = slot.Threads,
            TeacherCheckpoint = m.TeacherCheckpoint,
            OutputDirectory = m.Directory,
        };
        var lastStep = Stopwatch.GetTimestamp();
        var callbacks = new TrainingCallbacks
        {
            Step = p =>
            {
                if (Stopwatch.GetElapsedTime(lastStep).TotalSeconds >= StepReportSeconds || p.Step == 1)
                {
                    lastStep = Stopwatch.GetTimestamp();
                    Observe.Safely(() => worker.Observer.StepReported(labels, new StepReport(p.Epoch, p.Epochs, p.Step, p.StepsPerEpoch, p.Loss)));
                }
            },
            // The trainer waits here while the transport is down: the epoch is checkpointed, its event must not be lost.
            Epoch = e =>
            {
                var epoch = new TrialEpochCompleted(
                    spec.Id, m.Attempt, Used(used, EpochSequence(e.Epoch)), DateTimeOffset.UtcNow, e.Epoch, e.Epochs, e.TrainLoss, e.TestTop1, e.Seconds, e.SamplesPerSecond);
                Delivery.UntilSentAsync(() => worker.Publish?.Invoke(epoch) ?? context.Publish(epoch), Failed(spec.Id), worker.Stopping).GetAwaiter().GetResult();
            },
        };

        var trainer = new Trainer(options, callbacks);
        var result = await Task.Factory.StartNew(
            () => trainer.Run(worker.Stopping), CancellationToken.None, TaskCreationOptions.LongRunning, TaskScheduler.Default).ConfigureAwait(false);
        return new TrialCompleted(
            spec.Id, m.Attempt, Used(used, FinalSequence(spec)), DateTimeOffset.UtcNow, result.BestTestTop1, result.BestEpoch, result.LastTestTop1, result.MeanLast5TestTop1,
            result.ModelSizeBits, result.EwgsDelta, RecipeJson(m.Directory), result.ResumedAfterEpoch);
    }

    private static int Used(Action<int> used, int sequence)
    {
        used(sequence);
        return sequence;
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
