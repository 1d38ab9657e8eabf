using System.Globalization;
using System.Text.Json;
using Sweeps.Torch;
using Sweeps.Training.Data;
using Sweeps.Training.Methods;
using Sweeps.Training.Models;
using Sweeps.Training.Quantization;
using Sweeps.Training.Training;

namespace Sweeps.Bench;

/// <summary>
/// The CR diagnosis (issue 17): trains one <c>cr</c> student through the real trainer with a chosen mean-teacher
/// momentum schedule (or with the consistency term off) and, at about ten points of the run, evaluates the mean
/// teacher and the student on the test subset: top-1 of each, KL(teacher || student) on the same images, the
/// teacher-student parameter distance and the student's distance from where it was after its first step. Probing
/// draws nothing from the run's generator, so it does not change the run.
/// </summary>
internal static class CrDiagnosis
{
    /// <summary>The variants: name, momentum after n optimiser steps at progress t, consistency factor, whether the
    /// teacher's training-time forward runs in training mode (batch statistics) or in evaluation mode.</summary>
    private static readonly Dictionary<string, (Func<long, double, double> Momentum, double Consistency, bool TrainMode)> Variants = new(StringComparer.Ordinal)
    {
        // The recipe before issue 17: 0.999 from the first step, the teacher in evaluation mode.
        ["constant"] = (Constant, 1, false),
        // The consistency term off (the teacher is still updated as in "constant", and probed).
        ["off"] = (Constant, 0, false),
        // Mean Teacher's TensorFlow code: 0.99 during the ramp-up, 0.999 after.
        ["rampup"] = (RampUp, 1, false),
        // Mean Teacher's PyTorch code: the true average until it is older than the EMA's horizon.
        ["average"] = (Average, 1, false),
        // The ramp-up values capped by the step-count warm-up (1 + n) / (10 + n) (CrMethod.TeacherMomentum).
        ["warmup"] = (CrMethod.TeacherMomentum, 1, false),
        // The same four schedules with the teacher's forward in training mode, as in Mean Teacher's code.
        ["train-constant"] = (Constant, 1, true),
        ["train-rampup"] = (RampUp, 1, true),
        ["train-average"] = (Average, 1, true),
        ["train-warmup"] = (CrMethod.TeacherMomentum, 1, true),
    };

    public static int Run(string[] args)
    {
        var o = Parse(args);
        var variant = o.GetValueOrDefault("variant", "constant");
        if (!Variants.TryGetValue(variant, out var v))
        {
            Console.Error.WriteLine($"cr-diagnose: unknown variant '{variant}'; known: {string.Join(", ", Variants.Keys)}");
            return 2;
        }

        if (!o.TryGetValue("teacher", out var teacherPath) || !o.TryGetValue("out", out var outDir))
        {
            Console.Error.WriteLine("usage: Sweeps.Bench cr-diagnose --teacher MODEL.pt --out DIR [--variant constant|rampup|average|warmup|off] "
                + "[--method qat] [--bits W2A2] [--quantizer lsq|ewgs] [--limit N] [--test-limit N] [--epochs N] [--seed S] [--threads T] [--probes P]");
            return 2;
        }

        var probes = Int(o, "probes", 10);
        var options = Options(o, CrMethod.MethodName, "W2A2", 2, teacherPath, outDir);

        if (o.TryGetValue("method", out var other) && other != CrMethod.MethodName)
        {
            // A reference run of another method (e.g. qat) on the same subsets, without probes.
            var reference = new Trainer(options with { Method = other }).Run();
            Console.WriteLine(string.Create(CultureInfo.InvariantCulture, $"cr-diagnose reference {other}: final student test top-1 {100 * reference.LastTestTop1:F2} %"));
            return 0;
        }

        var test = Datasets.Load(options.Dataset, DatasetSplit.Test, null, options.TestLimit);
        using var testLoader = new DataLoader(test, DataLoaderOptions.Evaluation(500, Device.Cpu));
        var cr = new CrMethod { MomentumSchedule = v.Momentum, ConsistencyScale = v.Consistency, TeacherInTrainingMode = v.TrainMode };
        var totalSteps = -1;
        var probeSteps = new HashSet<int>();
        var rows = new List<Dictionary<string, object>>();
        float[]? firstStudent = null;
        var global = 0;
        var callbacks = new TrainingCallbacks
        {
            Step = p =>
            {
                global = ((p.Epoch - 1) * p.StepsPerEpoch) + p.Step;
                if (totalSteps < 0)
                {
                    totalSteps = p.Epochs * p.StepsPerEpoch;
                    probeSteps.Add(1);
                    for (var k = 1; k <= probes; k++)
                    {
                        probeSteps.Add(Math.Max(1, (int)Math.Round((double)k * totalSteps / probes)));
                    }
                }

                var student = cr.Student!;
                if (global == 1)
                {
                    firstStudent = Flatten(student);
                }

                if (!probeSteps.Contains(global))
                {
                    return;
                }

                var progress = (double)(global - 1) / totalSteps;
                var row = Probe(cr.MeanTeacher!, v.TrainMode, student, testLoader);
                var studentNow = Flatten(student);
                row["step"] = global;
                row["progress_done"] = Math.Round((double)global / totalSteps, 4);
                row["momentum"] = Math.Round(v.Momentum(global, progress), 5);
                row["consistency_weight"] = Math.Round(CrMethod.ConsistencyWeight(progress) * v.Consistency, 5);
                row["teacher_student_distance"] = Math.Round(Distance(Flatten(cr.MeanTeacher!), studentNow), 4);
                row["student_travel_since_step1"] = Math.Round(Distance(studentNow, firstStudent!), 4);
                rows.Add(row);
                Console.WriteLine(JsonSerializer.Serialize(row));
            },
        };

        var result = new Trainer(options, () => cr, callbacks).Run();
        File.WriteAllLines(Path.Combine(outDir, "probes.jsonl"), rows.Select(r => JsonSerializer.Serialize(r)));
        Console.WriteLine();
        Console.WriteLine($"cr-diagnose {variant}: {options.Bits} {options.Quantizer.ToString().ToLowerInvariant()}, {options.TrainLimit} images, {options.Epochs} epochs "
            + $"({totalSteps} steps), test {options.TestLimit}, seed {options.Seed}");
        Console.WriteLine("| step | done | momentum | w(t) | teacher top-1 | teacher eval | student eval | student train-mode | KL(t||s) | |t - s| | |s - s1| |");
        Console.WriteLine("|---:|---:|---:|---:|---:|---:|---:|---:|---:|---:|---:|");
        foreach (var r in rows)
        {
            Console.WriteLine(string.Create(CultureInfo.InvariantCulture,
                $"| {r["step"]} | {r["progress_done"]:P0} | {r["momentum"]} | {r["consistency_weight"]} | {r["teacher_top1"]:F2} | {r["teacher_eval_top1"]:F2} | {r["student_top1"]:F2} | {r["student_train_mode_top1"]:F2} | {r["kl_teacher_student"]:F3} | {r["teacher_student_distance"]:F3} | {r["student_travel_since_step1"]:F3} |"));
        }

        var terms = string.Join(", ", File.ReadLines(Path.Combine(outDir, Trainer.MetricsFileName))
            .Select(l => JsonDocument.Parse(l).RootElement)
            .Select(e => $"epoch {e.GetProperty("epoch").GetInt32()}: " + string.Join(" ", e.GetProperty("loss_terms").EnumerateObject()
                .Select(t => string.Create(CultureInfo.InvariantCulture, $"{t.Name} {t.Value.GetDouble():F4}")))));
        Console.WriteLine($"train loss terms per epoch: {terms}");
        Console.WriteLine(string.Create(CultureInfo.InvariantCulture, $"cr-diagnose {variant}: final student test top-1 {100 * result.LastTestTop1:F2} %"));
        return 0;
    }

    // Top-1 on the test subset of the teacher in the mode its training-time forward uses, of the teacher and the
    // student in evaluation mode (what the trainer reports), and of the student in training mode (batch statistics);
    // KL(teacher || student) between the two models as the consistency term compares them. Forwards in training mode
    // update BatchNorm's running statistics: every buffer is restored afterwards.
    private static Dictionary<string, object> Probe(ClassifierModel teacher, bool teacherTrainMode, ClassifierModel student, DataLoader loader)
    {
        long count = 0;
        long teacherUsed = 0;
        long teacherEval = 0;
        long studentEval = 0;
        long studentTrain = 0;
        double kl = 0;
        ForEachBatch([teacher, student], loader, batch =>
        {
            teacher.Eval();
            student.Eval();
            var te = teacher.Forward(batch.Images);
            var se = student.Forward(batch.Images);
            teacher.Train();
            student.Train();
            var tt = teacher.Forward(batch.Images);
            var st = student.Forward(batch.Images);
            var used = teacherTrainMode ? tt : te;
            teacherUsed += Accuracy.Correct(used, batch.Labels, 1);
            teacherEval += Accuracy.Correct(te, batch.Labels, 1);
            studentEval += Accuracy.Correct(se, batch.Labels, 1);
            studentTrain += Accuracy.Correct(st, batch.Labels, 1);
            kl += Distillation.KlDivergence(used, st, CrMethod.Temperature).ToDouble() * batch.Count;
            count += batch.Count;
        });

        if (!teacherTrainMode)
        {
            teacher.Eval();
        }

        return new Dictionary<string, object>(StringComparer.Ordinal)
        {
            ["teacher_top1"] = Math.Round(100.0 * teacherUsed / count, 2),
            ["teacher_eval_top1"] = Math.Round(100.0 * teacherEval / count, 2),
            ["student_top1"] = Math.Round(100.0 * studentEval / count, 2),
            ["student_train_mode_top1"] = Math.Round(100.0 * studentTrain / count, 2),
            ["kl_teacher_student"] = Math.Round(kl / count, 4),
        };
    }

    /// <summary>Visits every batch of <paramref name="loader"/> without gradients, each in its own dispose scope, and
    /// afterwards restores every buffer of <paramref name="models"/> (forwards in training mode update BatchNorm's running
    /// statistics), so that probing does not change the run.</summary>
    internal static void ForEachBatch(IReadOnlyList<ClassifierModel> models, DataLoader loader, Action<Batch> visit)
    {
        var saved = models.SelectMany(m => m.NamedBuffers().Select(b => (b.Buffer, Copy: DisposeScope.Detach(b.Buffer.Clone())))).ToList();
        try
        {
            using var noGrad = new NoGradScope();
            foreach (var batch in loader.Epoch(0))
            {
                using (batch)
                using (DisposeScope.Enter())
                {
                    visit(batch);
                }
            }

            foreach (var (buffer, copy) in saved)
            {
                buffer.CopyFrom(copy);
            }
        }
        finally
        {
            saved.ForEach(s => s.Copy.Dispose());
        }
    }

    private static float[] Flatten(ClassifierModel model)
    {
        using var scope = DisposeScope.Enter();
        return model.Parameters().SelectMany(p => p.Detach().Contiguous().ToArray<float>()).ToArray();
    }

    private static double Distance(float[] a, float[] b)
    {
        double sum = 0;
        for (var i = 0; i < a.Length; i++)
        {
            var d = (double)a[i] - b[i];
            sum += d * d;
        }

        return Math.Sqrt(sum);
    }

    /// <summary>The trainer options of a diagnosis run from its command-line options: resnet20 on fashion-mnist, LSQ, the
    /// first 2048 training and 1000 test images, seed 0, all cores, unless given; never resumed.</summary>
    internal static TrainerOptions Options(Dictionary<string, string> o, string method, string bits, int epochs, string teacher, string outDir) => new()
    {
        Model = o.GetValueOrDefault("model", "resnet20"),
        Dataset = o.GetValueOrDefault("dataset", "fashion-mnist"),
        Method = method,
        Bits = BitWidths.Parse(o.GetValueOrDefault("bits", bits)),
        Quantizer = Enum.Parse<QuantizerKind>(o.GetValueOrDefault("quantizer", "lsq"), ignoreCase: true),
        Epochs = Int(o, "epochs", epochs),
        Seed = Int(o, "seed", 0),
        TrainLimit = Int(o, "limit", 2048),
        TestLimit = Int(o, "test-limit", 1000),
        Threads = Int(o, "threads", Environment.ProcessorCount),
        TeacherCheckpoint = teacher,
        OutputDirectory = outDir,
        Resume = false,
    };

    internal static int Int(Dictionary<string, string> o, string key, int fallback) =>
        o.TryGetValue(key, out var text) ? int.Parse(text, CultureInfo.InvariantCulture) : fallback;

    private static double Constant(long updates, double progress) => 0.999;

    private static double RampUp(long updates, double progress) => progress < CrMethod.RampUpFraction ? 0.99 : 0.999;

    private static double Average(long updates, double progress) => Math.Min(RampUp(updates, progress), 1 - (1.0 / (updates + 1)));

    internal static Dictionary<string, string> Parse(string[] args)
    {
        var o = new Dictionary<string, string>(StringComparer.Ordinal);
        for (var i = 1; i + 1 < args.Length; i += 2)
        {
            o[args[i].TrimStart('-')] = args[i + 1];
        }

        return o;
    }
}
