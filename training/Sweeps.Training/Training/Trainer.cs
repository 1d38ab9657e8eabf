using System.Diagnostics;
using System.Globalization;
using System.Reflection;
using System.Text.Json;
using Sweeps.Torch;
using Sweeps.Torch.NN;
using Sweeps.Torch.Optim;
using Sweeps.Torch.Serialization;
using Sweeps.Training.Data;
using Sweeps.Training.Methods;
using Sweeps.Training.Models;
using Sweeps.Training.Quantization;

namespace Sweeps.Training.Training;

/// <summary>
/// Runs one training trial: builds the student (and teacher) the method asks for, trains it for the given epochs with
/// the method's recipe (optimizer groups for weights, quantizer parameters and the method's own parameters; a
/// per-iteration cosine schedule to 0), evaluates on the test split after every epoch, and writes to
/// <see cref="TrainerOptions.OutputDirectory"/>: <c>metrics.jsonl</c> (one <see cref="EpochMetrics"/> per epoch),
/// <c>checkpoint/</c> after every epoch, <c>model.pt</c> (final state dict, opens with <c>torch.load</c>) and
/// <c>final.json</c> (<see cref="TrainingResult"/>, or a failure record).
/// </summary>
/// <remarks>
/// <para>Resume: when the directory holds a checkpoint (and <see cref="TrainerOptions.Resume"/>), the run continues
/// with the epoch after it; model, optimizer state, scheduler position, the run's random generator, the method's state
/// and the EWGS deltas are restored and <c>metrics.jsonl</c> is cut back to the checkpointed epochs. The data loader's
/// batches depend only on (seed, epoch), so on the CPU with a fixed seed and thread count a resumed run ends with the
/// same weights as an uninterrupted one. A checkpoint written by another configuration is refused.</para>
/// <para>Failure: a loss term that is NaN or infinite stops the run with <see cref="TrainingFailedException"/> naming
/// the epoch, step and term; <c>final.json</c> records the failure and the last epoch's checkpoint is untouched.</para>
/// <para>Cancellation: the token is checked before every step; a cancelled run throws
/// <see cref="OperationCanceledException"/> and keeps the checkpoint of its last completed epoch (the partial epoch
/// is lost and redone on resume).</para>
/// <para>EWGS: when the student has EWGS quantizers and <see cref="TrainerOptions.EwgsDeltaUpdate"/> is on, the deltas
/// are re-estimated (<see cref="HutchinsonDelta.Update"/>, the run's generator) before epochs 0, k, 2k, ...
/// (k = <see cref="Recipe.EwgsDeltaInterval"/>, counting from 0) over the first <see cref="Recipe.EwgsDeltaBatches"/>
/// batches of that epoch with the method's own loss, the student in training mode (those forwards also update
/// BatchNorm's running statistics). <c>final.json</c> records <c>ewgs_delta</c>: <c>hutchinson</c>, <c>ste</c> or
/// <c>none</c>.</para>
/// <para>Memory format (<see cref="MemoryFormat"/>): a CPU run trains in channels-last unless
/// <see cref="TrainerOptions.ChannelsLast"/> or <c>SWEEPS_CHANNELS_LAST=0</c> turns it off: the student, the teacher
/// and any model the method builds get channels-last 4-D weights once they are built and loaded, and the loaders write
/// batches in that layout. Files hold the standard layout either way, so checkpoints resume in either format;
/// <c>final.json</c> records <c>memory_format</c>. A CUDA run keeps NCHW.</para>
/// <para>Threads: <see cref="Run"/> sets libtorch's process-wide intra-op thread count. Not thread-safe; one run at a
/// time per output directory.</para>
/// </remarks>
public sealed class Trainer
{
    /// <summary>The per-epoch metrics file in the output directory.</summary>
    public const string MetricsFileName = "metrics.jsonl";

    /// <summary>The final summary file in the output directory.</summary>
    public const string FinalFileName = "final.json";

    /// <summary>The final model's state dict in the output directory.</summary>
    public const string ModelFileName = "model.pt";

    /// <summary>The checkpoint folder in the output directory.</summary>
    public const string CheckpointDirectoryName = "checkpoint";

    /// <summary>The environment variable read when <see cref="TrainerOptions.ChannelsLast"/> is null: <c>0</c> trains CPU
    /// runs in NCHW, <c>1</c> (or unset) in channels-last.</summary>
    public const string ChannelsLastVariable = "SWEEPS_CHANNELS_LAST";

    private const string WeightsGroup = "weights";
    private const string QuantizerGroup = "quantizer";
    private const string MethodGroup = "method";

    private readonly Func<TrainingMethod> _createMethod;
    private readonly TrainingCallbacks _callbacks;

    /// <summary>A trainer for the registered method <see cref="TrainerOptions.Method"/>.</summary>
    /// <exception cref="ArgumentException">The method or model name is unknown, or an option is invalid.</exception>
    public Trainer(TrainerOptions options, TrainingCallbacks? callbacks = null)
        : this(options, () => MethodRegistry.Create(options.Method), callbacks)
    {
        using var probe = MethodRegistry.Create(options.Method);
    }

    /// <summary>A trainer for a method created by <paramref name="createMethod"/> (one new instance per run; the trainer
    /// disposes it): for methods outside the registry, such as tests' own.</summary>
    /// <exception cref="ArgumentException">The model name is unknown, an option is invalid, or
    /// <c>SWEEPS_CHANNELS_LAST</c> is neither 0 nor 1.</exception>
    public Trainer(TrainerOptions options, Func<TrainingMethod> createMethod, TrainingCallbacks? callbacks = null)
    {
        ArgumentNullException.ThrowIfNull(options);
        ArgumentNullException.ThrowIfNull(createMethod);
        ArgumentOutOfRangeException.ThrowIfLessThan(options.Epochs, 1, nameof(options));
        ArgumentException.ThrowIfNullOrWhiteSpace(options.OutputDirectory, nameof(options));
        if (!ModelRegistry.Names.Contains(options.Model))
        {
            throw new ArgumentException($"unknown model '{options.Model}'; known models: {string.Join(", ", ModelRegistry.Names)}", nameof(options));
        }

        if (options.BatchSize is < 1 || options.EvaluationBatchSize is < 1 || options.Threads is < 1)
        {
            throw new ArgumentOutOfRangeException(nameof(options), "batch sizes and thread count must be at least 1");
        }

        Options = options;
        MemoryFormat = (options.ChannelsLast ?? ParseChannelsLast(Environment.GetEnvironmentVariable(ChannelsLastVariable))) && options.Device.Type == DeviceType.Cpu
            ? MemoryFormat.ChannelsLast
            : MemoryFormat.Contiguous;
        _createMethod = createMethod;
        _callbacks = callbacks ?? new TrainingCallbacks();
    }

    /// <summary>The run's options.</summary>
    public TrainerOptions Options { get; }

    /// <summary>The memory format the run trains in: <see cref="MemoryFormat.ChannelsLast"/> on the CPU unless
    /// <see cref="TrainerOptions.ChannelsLast"/> (or, when that is null, <c>SWEEPS_CHANNELS_LAST=0</c>) turns it off;
    /// <see cref="MemoryFormat.Contiguous"/> on CUDA.</summary>
    public MemoryFormat MemoryFormat { get; }

    private string MemoryFormatName => MemoryFormat == MemoryFormat.ChannelsLast ? "channels_last" : "contiguous";

    /// <summary>Replaces <c>Datasets.Load</c> (tests: small in-memory sets); the limits still apply.</summary>
    internal Func<DatasetSplit, ImageDataset>? DatasetSource { get; init; }

    /// <summary>Changes the method's recipe before the run (tests: the cheapest EWGS delta estimate); applied before
    /// <see cref="TrainerOptions.BatchSize"/>.</summary>
    internal Func<Recipe, Recipe>? AdjustRecipe { get; init; }

    /// <summary>Trains (or resumes) the run to its last epoch and writes its outputs.</summary>
    /// <param name="cancellationToken">Checked before every step (see the remarks on cancellation).</param>
    /// <returns>The summary also written to <c>final.json</c>.</returns>
    /// <exception cref="TrainingFailedException">A loss term was NaN or infinite.</exception>
    /// <exception cref="OperationCanceledException">The token was cancelled.</exception>
    /// <exception cref="CheckpointMismatchException">The teacher checkpoint does not fit the model (the message names the
    /// file and summarises the missing and unexpected keys and the shape mismatches).</exception>
    /// <exception cref="InvalidOperationException">The teacher checkpoint is missing, or the directory's checkpoint
    /// belongs to another configuration.</exception>
    /// <exception cref="DatasetException">The dataset cannot be loaded.</exception>
    public TrainingResult Run(CancellationToken cancellationToken = default)
    {
        try
        {
            return Train(cancellationToken);
        }
        finally
        {
            // Every tensor of the run is disposed by now: give the heap's free memory back (see ReleaseFreeMemory).
            Sweeps.Torch.Torch.ReleaseFreeMemory();
        }
    }

    private TrainingResult Train(CancellationToken cancellationToken)
    {
        var o = Options;
        var clock = Stopwatch.StartNew();
        Directory.CreateDirectory(o.OutputDirectory);
        Sweeps.Torch.Torch.SetNumThreads(o.Threads ?? Environment.ProcessorCount);
        Sweeps.Torch.Torch.ManualSeed(unchecked((ulong)o.Seed));

        var train = Load(DatasetSplit.Train, o.TrainLimit);
        var test = Load(DatasetSplit.Test, o.TestLimit);
        using var method = _createMethod();
        var recipe = AdjustRecipe?.Invoke(method.Recipe) ?? method.Recipe;
        recipe = o.BatchSize is { } batchSize ? recipe with { BatchSize = batchSize } : recipe;
        var requirements = method.Requirements;
        var bits = requirements.QuantizedStudent ? o.Bits : BitWidths.FullPrecision;
        var policy = o.Policy ?? QuantizationPolicy.Default;
        ILayerFactory factory = bits.IsFullPrecision ? FullPrecisionLayerFactory.Instance : new QuantizedLayerFactory(o.Quantizer, bits, policy);

        using var generator = new Generator(unchecked((ulong)o.Seed));
        var inputSize = Math.Min(train.Height, train.Width);
        using var student = ModelRegistry.Create(o.Model, train.Channels, train.ClassCount, factory, generator, inputSize);
        using var teacher = requirements.FrozenTeacher
            ? ModelRegistry.Create(o.Model, train.Channels, train.ClassCount, FullPrecisionLayerFactory.Instance, generator, inputSize)
            : null;
        LoadTeacher(o, requirements, student, teacher);
        student.To(o.Device).To(MemoryFormat);
        if (teacher is not null)
        {
            teacher.To(o.Device).To(MemoryFormat);
            teacher.Eval();
            foreach (var p in teacher.Parameters())
            {
                p.RequiresGrad = false;
            }
        }

        using var trainLoader = new DataLoader(train, new DataLoaderOptions
        {
            BatchSize = recipe.BatchSize, Seed = o.Seed, Device = o.Device, Shuffle = true, Augment = o.Augment, Prefetch = o.Prefetch,
            MemoryFormat = MemoryFormat,
        });
        using var testLoader = EvaluationLoader(test, recipe);
        var stepsPerEpoch = trainLoader.BatchesPerEpoch;
        if (stepsPerEpoch == 0 || test.Count == 0)
        {
            throw new InvalidOperationException($"the dataset '{o.Dataset}' has no training batch or no test sample");
        }

        ClassifierModel CreateStudentModel()
        {
            // Its weights are overwritten by the caller: a throw-away generator keeps the run's random streams untouched.
            using var scratch = new Generator(0);
            return ModelRegistry.Create(o.Model, train.Channels, train.ClassCount, factory, scratch, inputSize);
        }

        method.Initialize(new MethodSetup(student, teacher, o.Device, train.ClassCount, o.Epochs, stepsPerEpoch, generator, CreateStudentModel)
        {
            MemoryFormat = MemoryFormat,
        });
        var (groupNames, groups) = Groups(student, method, recipe);
        using var optimizer = CreateOptimizer(recipe, groups);
        var scheduler = new LearningRateScheduler(optimizer, CosineSchedule.Instance, (long)o.Epochs * stepsPerEpoch);

        var ewgs = student.NamedQuantizers().Where(q => q.Quantizer is EwgsQuantizer).Select(q => (q.Name, Quantizer: (EwgsQuantizer)q.Quantizer)).ToList();
        var ewgsMode = ewgs.Count == 0 ? "none" : o.EwgsDeltaUpdate ? "hutchinson" : "ste";
        var store = new CheckpointStore(o.OutputDirectory);
        var metricsPath = Path.Combine(o.OutputDirectory, MetricsFileName);
        var finalPath = Path.Combine(o.OutputDirectory, FinalFileName);
        var fingerprint = Fingerprint(o, method.Name, bits, recipe, train.Count, test.Count);

        var start = 0;
        int? resumedAfter = null;
        var history = new List<double>();
        if (o.Resume && store.TryLoad(out var saved))
        {
            if (!string.Equals(saved.Fingerprint, fingerprint, StringComparison.Ordinal))
            {
                throw new InvalidOperationException(
                    $"the checkpoint in '{store.Current}' belongs to another run ({saved.Fingerprint}); this run is {fingerprint}: use another output directory or Resume = false");
            }

            Restore(store.Current, saved, student, optimizer, scheduler, generator, method, ewgs);
            start = saved.Epoch;
            resumedAfter = start;
            history.AddRange(saved.TestTop1History);
            MetricsLog.Truncate(metricsPath, start);
        }
        else
        {
            store.Clear();
            File.Delete(metricsPath);
            File.Delete(finalPath);
            File.Delete(Path.Combine(o.OutputDirectory, ModelFileName));
        }

        var run = new RunContext(o, method, student, teacher, optimizer, scheduler, generator, groupNames, stepsPerEpoch, train.ClassCount);
        double? lastTop5 = null;
        for (var epoch = start; epoch < o.Epochs; epoch++)
        {
            cancellationToken.ThrowIfCancellationRequested();
            var epochClock = Stopwatch.StartNew();
            student.Train();
            var deltaUpdated = false;
            if (ewgsMode == "hutchinson" && epoch % recipe.EwgsDeltaInterval == 0)
            {
                UpdateDeltas(run, trainLoader, epoch, recipe.EwgsDeltaBatches, recipe.EwgsHutchinsonSamples, cancellationToken);
                deltaUpdated = true;
            }

            var learningRates = groupNames.Select((name, g) => (name, optimizer.GetLearningRate(g))).ToDictionary(x => x.name, x => x.Item2, StringComparer.Ordinal);
            var trained = TrainEpoch(run, trainLoader, epoch, finalPath, cancellationToken);
            var evaluation = Evaluate(student, testLoader, train.ClassCount);
            student.Train();
            history.Add(evaluation.Top1);
            lastTop5 = evaluation.Top5;
            var metrics = new EpochMetrics
            {
                Epoch = epoch + 1,
                Epochs = o.Epochs,
                TrainLoss = trained.Loss,
                LossTerms = trained.Terms,
                TrainTop1 = trained.Top1,
                TestTop1 = evaluation.Top1,
                TestTop5 = evaluation.Top5,
                TestLoss = evaluation.Loss,
                LearningRates = learningRates,
                QuantizerStatistics = QuantizationStatistics.MeanClipRanges(student),
                EwgsDeltaUpdated = deltaUpdated,
                EwgsMeanDelta = ewgs.Count == 0 ? null : ewgs.Average(q => q.Quantizer.Delta),
                Seconds = epochClock.Elapsed.TotalSeconds,
                SamplesPerSecond = trained.Samples / Math.Max(trained.Seconds, 1e-9),
            };
            MetricsLog.Append(metricsPath, metrics);
            WriteCheckpoint(store, run, new CheckpointState
            {
                Epoch = epoch + 1,
                SchedulerPosition = scheduler.Position,
                Fingerprint = fingerprint,
                Method = method.Name,
                EwgsDeltas = ewgs.ToDictionary(q => q.Name, q => q.Quantizer.Delta, StringComparer.Ordinal),
                TestTop1History = [.. history],
            });
            _callbacks.Epoch?.Invoke(metrics);
        }

        using (DisposeScope.Enter())
        {
            StateDictFile.Save(student.StateDict(), Path.Combine(o.OutputDirectory, ModelFileName));
        }

        var best = history.Select((top1, i) => (top1, i)).MaxBy(x => x.top1);
        var last5 = history.Skip(Math.Max(0, history.Count - 5)).ToList();
        var result = new TrainingResult
        {
            Status = "completed",
            Method = method.Name,
            Model = o.Model,
            Dataset = o.Dataset,
            Bits = bits.ToString(),
            Quantizer = bits.IsFullPrecision ? null : o.Quantizer.ToString().ToLowerInvariant(),
            EwgsDelta = ewgsMode,
            Epochs = o.Epochs,
            Seed = o.Seed,
            Device = o.Device.ToString(),
            MemoryFormat = MemoryFormatName,
            TrainSamples = train.Count,
            TestSamples = test.Count,
            Normalization = new NormalizationRecord(train.Normalization.Mean, train.Normalization.Std),
            SkippedImages = train.SkippedImages + test.SkippedImages > 0 || Datasets.ImageFolderNames.Contains(o.Dataset)
                ? new SkippedImagesRecord(train.SkippedImages, test.SkippedImages)
                : null,
            BestTestTop1 = best.top1,
            BestEpoch = best.i + 1,
            LastTestTop1 = history[^1],
            MeanLast5TestTop1 = last5.Average(),
            LastTestTop5 = start < o.Epochs ? lastTop5 : null,
            ModelSizeBits = ModelSize.WeightBits(student, layer => policy.BitsFor(layer.Role, bits).Weight),
            WeightCount = ModelSize.WeightCount(student),
            Recipe = recipe,
            Versions = Versions(),
            ResumedAfterEpoch = resumedAfter,
            Seconds = clock.Elapsed.TotalSeconds,
        };
        TrainingJson.WriteAtomic(finalPath, JsonSerializer.Serialize(result, TrainingJson.Indented));
        return result;
    }

    /// <summary>
    /// Evaluates a full-precision model from <paramref name="checkpoint"/> (a <c>torch.save</c>d state dict with PyTorch
    /// names, e.g. a pretrained teacher) on the test set, without training: writes <c>model.pt</c> (the checkpoint's
    /// weights, which a quantized student can start from) and <c>final.json</c> (epochs 0, its test top-1 as best, last
    /// and mean; <see cref="TrainingResult.Pretrained"/> names the file) to <see cref="TrainerOptions.OutputDirectory"/>;
    /// <c>metrics.jsonl</c> and any checkpoint there are removed. <see cref="TrainerOptions.Epochs"/> is ignored.
    /// </summary>
    /// <param name="checkpoint">The state-dict file.</param>
    /// <param name="cancellationToken">Checked before the evaluation.</param>
    /// <returns>The summary also written to <c>final.json</c>.</returns>
    /// <exception cref="CheckpointMismatchException">The checkpoint does not fit the model (names the file, summarises the
    /// missing and unexpected keys and the shape mismatches).</exception>
    /// <exception cref="InvalidOperationException">The checkpoint does not exist.</exception>
    /// <exception cref="DatasetException">The dataset cannot be loaded.</exception>
    public TrainingResult EvaluateCheckpoint(string checkpoint, CancellationToken cancellationToken = default)
    {
        ArgumentException.ThrowIfNullOrWhiteSpace(checkpoint);
        var o = Options with { TeacherCheckpoint = checkpoint };
        var clock = Stopwatch.StartNew();
        Directory.CreateDirectory(o.OutputDirectory);
        Sweeps.Torch.Torch.SetNumThreads(o.Threads ?? Environment.ProcessorCount);
        var train = Load(DatasetSplit.Train, o.TrainLimit);
        var test = Load(DatasetSplit.Test, o.TestLimit);
        using var method = MethodRegistry.Create(FullPrecisionMethod.MethodName);
        var recipe = o.BatchSize is { } batchSize ? method.Recipe with { BatchSize = batchSize } : method.Recipe;
        using var generator = new Generator(unchecked((ulong)o.Seed));
        var inputSize = Math.Min(train.Height, train.Width);
        using var model = ModelRegistry.Create(o.Model, train.Channels, train.ClassCount, FullPrecisionLayerFactory.Instance, generator, inputSize);
        // Loaded as a frozen teacher is: every key must fit, and a misfit is described against the FP model.
        LoadTeacher(o, new MethodRequirements { QuantizedStudent = false, StudentFromTeacher = false, FrozenTeacher = true }, model, model);
        model.To(o.Device).To(MemoryFormat);
        new CheckpointStore(o.OutputDirectory).Clear();
        File.Delete(Path.Combine(o.OutputDirectory, MetricsFileName));
        cancellationToken.ThrowIfCancellationRequested();
        using var testLoader = EvaluationLoader(test, recipe);
        var evaluation = Evaluate(model, testLoader, train.ClassCount);
        using (DisposeScope.Enter())
        {
            StateDictFile.Save(model.StateDict(), Path.Combine(o.OutputDirectory, ModelFileName));
        }

        var result = new TrainingResult
        {
            Status = "completed",
            Method = FullPrecisionMethod.MethodName,
            Model = o.Model,
            Dataset = o.Dataset,
            Bits = BitWidths.FullPrecision.ToString(),
            EwgsDelta = "none",
            MemoryFormat = MemoryFormatName,
            Epochs = 0,
            Seed = o.Seed,
            Device = o.Device.ToString(),
            TrainSamples = 0,
            TestSamples = test.Count,
            Normalization = new NormalizationRecord(train.Normalization.Mean, train.Normalization.Std),
            BestTestTop1 = evaluation.Top1,
            BestEpoch = 0,
            LastTestTop1 = evaluation.Top1,
            MeanLast5TestTop1 = evaluation.Top1,
            LastTestTop5 = evaluation.Top5,
            ModelSizeBits = ModelSize.WeightBits(model, _ => 32),
            WeightCount = ModelSize.WeightCount(model),
            Recipe = recipe,
            Versions = Versions(),
            Pretrained = Path.GetFullPath(checkpoint),
            Seconds = clock.Elapsed.TotalSeconds,
        };
        TrainingJson.WriteAtomic(Path.Combine(o.OutputDirectory, FinalFileName), JsonSerializer.Serialize(result, TrainingJson.Indented));
        return result;
    }

    /// <summary>The versions recorded in <c>final.json</c>: <c>sweeps</c>, <c>libtorch</c>, <c>dotnet</c>.</summary>
    public static IReadOnlyDictionary<string, string> Versions() => new Dictionary<string, string>(StringComparer.Ordinal)
    {
        ["sweeps"] = typeof(Trainer).Assembly.GetCustomAttribute<AssemblyInformationalVersionAttribute>()?.InformationalVersion
            ?? typeof(Trainer).Assembly.GetName().Version?.ToString() ?? "unknown",
        ["libtorch"] = Sweeps.Torch.Torch.LibTorchVersion,
        ["dotnet"] = Environment.Version.ToString(),
    };

    private EpochTotals TrainEpoch(RunContext run, DataLoader loader, int epoch, string finalPath, CancellationToken cancellationToken)
    {
        // Each loss term's sample-weighted sum, in the order the method first reported them.
        var terms = new OrderedDictionary<string, double>(StringComparer.Ordinal);
        double lossSum = 0;
        long samples = 0;
        long correct = 0;
        long labeled = 0;
        var step = 0;
        var clock = Stopwatch.StartNew();
        foreach (var batch in run.Method.Batches(loader, epoch))
        {
            using (batch)
            {
                cancellationToken.ThrowIfCancellationRequested();
                step++;
                var info = new StepInfo(epoch + 1, step, run.StepsPerEpoch, (double)run.Scheduler.Position / run.Scheduler.TotalSteps, run.Generator);
                double total;
                using (DisposeScope.Enter())
                {
                    run.Optimizer.ZeroGrad();
                    var loss = run.Method.Compute(batch, run.Student, run.Teacher, info);
                    foreach (var term in loss.Terms)
                    {
                        var value = term.Value.ToDouble();
                        if (!double.IsFinite(value))
                        {
                            throw Fail(finalPath, new TrainingFailedException(epoch + 1, step, term.Name, value));
                        }

                        terms[term.Name] = terms.GetValueOrDefault(term.Name) + (value * batch.Count);
                    }

                    var totalTensor = loss.Total();
                    total = totalTensor.ToDouble();
                    if (!double.IsFinite(total))
                    {
                        throw Fail(finalPath, new TrainingFailedException(epoch + 1, step, "total", total));
                    }

                    totalTensor.Backward();
                    run.Optimizer.Step();
                    run.Scheduler.Advance();
                    run.Method.AfterOptimizerStep(info);
                    if (batch.Labels is not null && loss.Logits is not null)
                    {
                        correct += Accuracy.Correct(loss.Logits, batch.Labels, 1);
                        labeled += batch.Count;
                    }
                }

                lossSum += total * batch.Count;
                samples += batch.Count;
                _callbacks.Step?.Invoke(new StepProgress(epoch + 1, run.Options.Epochs, step, run.StepsPerEpoch, total));
            }
        }

        return new EpochTotals(
            lossSum / samples,
            new OrderedDictionary<string, double>(terms.Select(t => KeyValuePair.Create(t.Key, t.Value / samples)), StringComparer.Ordinal),
            labeled > 0 ? (double)correct / labeled : null,
            samples,
            clock.Elapsed.TotalSeconds);
    }

    /// <summary>The value of <c>SWEEPS_CHANNELS_LAST</c>: unset, empty or <c>1</c> is on, <c>0</c> off.</summary>
    /// <exception cref="ArgumentException">Any other value; the message names the variable and what it expects.</exception>
    internal static bool ParseChannelsLast(string? value) =>
        value?.Trim() switch
        {
            null or "" or "1" => true,
            "0" => false,
            _ => throw new ArgumentException(
                $"the environment variable {ChannelsLastVariable} is '{value}': expected 0 (train CPU runs in NCHW) or 1 (channels-last, the default)"),
        };

    // The test set's loader of a run and of a checkpoint's evaluation: in order, in the run's memory format.
    private DataLoader EvaluationLoader(ImageDataset test, Recipe recipe) =>
        new(test, DataLoaderOptions.Evaluation(Options.EvaluationBatchSize ?? recipe.BatchSize, Options.Device) with { Prefetch = Options.Prefetch, MemoryFormat = MemoryFormat });

    private ImageDataset Load(DatasetSplit split, int? limit)
    {
        if (DatasetSource is null)
        {
            return Datasets.Load(Options.Dataset, split, Options.DataDirectory, limit, Options.Images);
        }

        var data = DatasetSource(split);
        return limit is { } n ? data.Take(n) : data;
    }

    private TrainingFailedException Fail(string finalPath, TrainingFailedException failure)
    {
        var record = new Dictionary<string, object?>(StringComparer.Ordinal)
        {
            ["status"] = "failed",
            ["reason"] = failure.Message,
            ["epoch"] = failure.Epoch,
            ["step"] = failure.Step,
            ["term"] = failure.Term,
            ["method"] = Options.Method,
            ["model"] = Options.Model,
            ["seed"] = Options.Seed,
            ["versions"] = Versions(),
        };
        TrainingJson.WriteAtomic(finalPath, JsonSerializer.Serialize(record, TrainingJson.Indented));
        return failure;
    }

    private static (double Top1, double? Top5, double Loss) Evaluate(ClassifierModel model, DataLoader loader, int classes)
    {
        model.Eval();
        long top1 = 0;
        long top5 = 0;
        long count = 0;
        double lossSum = 0;
        using (new NoGradScope())
        {
            foreach (var batch in loader.Epoch(0))
            {
                using (batch)
                using (DisposeScope.Enter())
                {
                    var logits = model.Forward(batch.Images);
                    lossSum += Functional.CrossEntropy(logits, batch.Labels, Reduction.Sum).ToDouble();
                    top1 += Accuracy.Correct(logits, batch.Labels, 1);
                    if (classes > 10)
                    {
                        top5 += Accuracy.Correct(logits, batch.Labels, 5);
                    }

                    count += batch.Count;
                }
            }
        }

        return ((double)top1 / count, classes > 10 ? (double)top5 / count : null, lossSum / count);
    }

    private static void UpdateDeltas(RunContext run, DataLoader loader, int epoch, int count, int samples, CancellationToken cancellationToken)
    {
        var batches = new List<MethodBatch>();
        try
        {
            foreach (var batch in run.Method.Batches(loader, epoch))
            {
                batches.Add(batch);
                if (batches.Count == count)
                {
                    break;
                }
            }

            var progress = (double)run.Scheduler.Position / run.Scheduler.TotalSteps;
            HutchinsonDelta.Update(
                run.Student,
                i =>
                {
                    // Each Hessian-vector product takes seconds on a CPU and the estimate dozens of them: a cancel is
                    // honoured between two of them, not only at the next training step.
                    cancellationToken.ThrowIfCancellationRequested();
                    return run.Method.Compute(batches[i], run.Student, run.Teacher, new StepInfo(epoch + 1, i + 1, run.StepsPerEpoch, progress, run.Generator)).Total();
                },
                batches.Count,
                run.Generator,
                samples);
        }
        finally
        {
            foreach (var batch in batches)
            {
                batch.Dispose();
            }
        }
    }

    private static void LoadTeacher(TrainerOptions o, MethodRequirements requirements, ClassifierModel student, ClassifierModel? teacher)
    {
        if (!requirements.StudentFromTeacher && !requirements.FrozenTeacher)
        {
            return;
        }

        if (o.TeacherCheckpoint is null || !File.Exists(o.TeacherCheckpoint))
        {
            throw new InvalidOperationException(
                $"method '{o.Method}' starts from a teacher: TeacherCheckpoint must name an fp run's {ModelFileName} (got '{o.TeacherCheckpoint}')");
        }

        using var scope = DisposeScope.Enter();
        var state = StateDictFile.Load(o.TeacherCheckpoint);
        try
        {
            // The full-precision teacher first (every key must fit), so that a file of another model is described
            // against the model it was meant to be, not against the quantized student.
            teacher?.LoadStateDict(state);
            if (requirements.StudentFromTeacher)
            {
                student.LoadTeacherState(state);
            }
        }
        catch (StateDictMismatchException ex)
        {
            var classes = student.ClassCount;
            // A torchvision model saved with its 1000 ImageNet classes: its classifier must be replaced first.
            var head = ex.ShapeMismatches.FirstOrDefault(m => m.Expected.Count <= 2 && m.Expected[0] == classes && m.Actual.Count == m.Expected.Count && m.Actual[0] != classes);
            var hint = head is null
                ? null
                : string.Create(CultureInfo.InvariantCulture, $"The classifier ({head.Key}) has {head.Actual[0]} outputs for {classes} classes: the checkpoint must come from a model built for {classes} classes (torchvision: num_classes={classes}) and trained on this data.");
            throw new CheckpointMismatchException(
                o.TeacherCheckpoint,
                string.Create(CultureInfo.InvariantCulture, $"{o.Model} ({student.InputChannels} input channel{(student.InputChannels == 1 ? "" : "s")}, {classes} classes; dataset {o.Dataset})"),
                ex,
                hint);
        }
    }

    private static (List<string> Names, List<ParamGroup> Groups) Groups(ClassifierModel student, TrainingMethod method, Recipe recipe)
    {
        var names = new List<string> { WeightsGroup };
        var groups = new List<ParamGroup> { new(student.WeightParameters(), recipe.LearningRate, recipe.WeightDecay) };
        var quantizer = student.QuantizerParameters();
        if (quantizer.Count > 0)
        {
            names.Add(QuantizerGroup);
            groups.Add(new ParamGroup(quantizer, recipe.QuantizerLearningRate, recipe.QuantizerWeightDecay));
        }

        var extra = method.ExtraParameters;
        if (extra.Count > 0)
        {
            names.Add(MethodGroup);
            groups.Add(new ParamGroup(extra, recipe.MethodLearningRate ?? recipe.LearningRate, recipe.MethodWeightDecay));
        }

        return (names, groups);
    }

    private static Optimizer CreateOptimizer(Recipe recipe, List<ParamGroup> groups) => recipe.Optimizer switch
    {
        OptimizerKind.Sgd => new Sgd(groups, new SgdOptions(recipe.LearningRate, recipe.Momentum, WeightDecay: recipe.WeightDecay, Nesterov: recipe.Nesterov)),
        OptimizerKind.Adam => new Adam(groups, new AdamOptions(recipe.LearningRate, recipe.Beta1, recipe.Beta2, WeightDecay: recipe.WeightDecay)),
        OptimizerKind.AdamW => new AdamW(groups, new AdamOptions(recipe.LearningRate, recipe.Beta1, recipe.Beta2, WeightDecay: recipe.WeightDecay)),
        _ => throw new ArgumentOutOfRangeException(nameof(recipe), recipe.Optimizer, "unknown optimizer"),
    };

    private static string Fingerprint(TrainerOptions o, string method, BitWidths bits, Recipe recipe, int trainCount, int testCount) =>
        string.Create(
            CultureInfo.InvariantCulture,
            $"method={method} model={o.Model} dataset={o.Dataset} train={trainCount} test={testCount} bits={bits} quantizer={o.Quantizer} epochs={o.Epochs} seed={o.Seed} batch={recipe.BatchSize} augment={o.Augment} ewgs_delta={o.EwgsDeltaUpdate}{(o.Images?.ImageSize is { } size ? $" image_size={size}" : string.Empty)}");

    private static void WriteCheckpoint(CheckpointStore store, RunContext run, CheckpointState state) =>
        store.Write(folder =>
        {
            using var scope = DisposeScope.Enter();
            StateDictFile.Save(run.Student.StateDict(), Path.Combine(folder, ModelFileName));
            run.Optimizer.Save(Path.Combine(folder, "optimizer.pt"));
            StateDictFile.Save([new KeyValuePair<string, Tensor>("generator", run.Generator.GetState())], Path.Combine(folder, "rng.pt"));
            var methodState = run.Method.StateDict();
            if (methodState.Count > 0)
            {
                StateDictFile.Save(methodState, Path.Combine(folder, "method.pt"));
            }

            TrainingJson.WriteAtomic(Path.Combine(folder, CheckpointStore.StateFile), JsonSerializer.Serialize(state, TrainingJson.Indented));
        });

    private static void Restore(
        string folder, CheckpointState state, ClassifierModel student, Optimizer optimizer, LearningRateScheduler scheduler,
        Generator generator, TrainingMethod method, List<(string Name, EwgsQuantizer Quantizer)> ewgs)
    {
        using var scope = DisposeScope.Enter();
        student.LoadStateDict(StateDictFile.Load(Path.Combine(folder, ModelFileName)));
        optimizer.Load(Path.Combine(folder, "optimizer.pt"));
        generator.SetState(StateDictFile.Load(Path.Combine(folder, "rng.pt"))["generator"]);
        var methodFile = Path.Combine(folder, "method.pt");
        if (File.Exists(methodFile))
        {
            method.LoadStateDict(StateDictFile.Load(methodFile));
        }

        scheduler.SetPosition(state.SchedulerPosition);
        foreach (var (name, quantizer) in ewgs)
        {
            quantizer.Delta = state.EwgsDeltas.TryGetValue(name, out var delta) ? delta : 0;
        }
    }

    private sealed record EpochTotals(double Loss, IReadOnlyDictionary<string, double> Terms, double? Top1, long Samples, double Seconds);

    private sealed record RunContext(
        TrainerOptions Options, TrainingMethod Method, ClassifierModel Student, ClassifierModel? Teacher, Optimizer Optimizer,
        LearningRateScheduler Scheduler, Generator Generator, List<string> GroupNames, int StepsPerEpoch, int ClassCount);
}
