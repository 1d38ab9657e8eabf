using System.Globalization;
using Sweeps.Torch;
using Sweeps.Training.Data;
using Sweeps.Training.Methods;
using Sweeps.Training.Models;
using Sweeps.Training.Quantization;
using Sweeps.Training.Training;

namespace Sweeps.Bench;

/// <summary>
/// Why a short quantized run ends far below its teacher (issue 15's quick sweep): trains one qat student through the
/// real trainer and, after every optimiser step, evaluates it on the test subset in evaluation mode (BatchNorm's running
/// statistics, what the report shows) and in training mode (each test batch's own statistics), restoring every buffer
/// afterwards so the run is unchanged. <c>--lr X</c> replaces the recipe's weight learning rate (a diagnosis of the
/// optimiser's first steps, never a setting of the tool).
/// </summary>
internal static class ShortRunDiagnosis
{
    public static int Run(string[] args)
    {
        var o = CrDiagnosis.Parse(args);
        if (!o.TryGetValue("teacher", out var teacherPath) || !o.TryGetValue("out", out var outDir))
        {
            Console.Error.WriteLine("usage: Sweeps.Bench short-run --teacher MODEL.pt --out DIR [--bits W4A4] [--quantizer lsq|ewgs] [--limit N] "
                + "[--test-limit N] [--epochs N] [--seed S] [--threads T] [--lr X]");
            return 2;
        }

        var options = CrDiagnosis.Options(o, QatMethod.MethodName, "W4A4", 1, teacherPath, outDir);
        double? lr = o.TryGetValue("lr", out var text) ? double.Parse(text, CultureInfo.InvariantCulture) : null;
        var test = Datasets.Load(options.Dataset, DatasetSplit.Test, null, options.TestLimit);
        using var testLoader = new DataLoader(test, DataLoaderOptions.Evaluation(500, Device.Cpu));
        var method = new ProbedQat(lr);
        var rows = new List<string>();
        var callbacks = new TrainingCallbacks
        {
            Step = p =>
            {
                var (eval, train) = Probe(method.Student!, testLoader);
                var row = string.Create(CultureInfo.InvariantCulture, $"| {((p.Epoch - 1) * p.StepsPerEpoch) + p.Step} | {p.Loss:F3} | {eval:F2} | {train:F2} |");
                rows.Add(row);
                Console.WriteLine(row);
            },
        };

        var result = new Trainer(options, () => method, callbacks).Run();
        Console.WriteLine();
        Console.WriteLine(string.Create(CultureInfo.InvariantCulture,
            $"short-run: qat {options.Bits} {options.Quantizer.ToString().ToLowerInvariant()}, {options.TrainLimit} images, {options.Epochs} epoch(s), "
            + $"weight lr {lr?.ToString(CultureInfo.InvariantCulture) ?? "recipe"}, test {options.TestLimit}; final test top-1 {100 * result.LastTestTop1:F2} %"));
        Console.WriteLine("| step | train loss | student top-1, eval mode (%) | student top-1, batch statistics (%) |");
        Console.WriteLine("|---:|---:|---:|---:|");
        rows.ForEach(Console.WriteLine);
        return 0;
    }

    private static (double Eval, double Train) Probe(ClassifierModel student, DataLoader loader)
    {
        long count = 0;
        long eval = 0;
        long train = 0;
        CrDiagnosis.ForEachBatch([student], loader, batch =>
        {
            student.Eval();
            eval += Accuracy.Correct(student.Forward(batch.Images), batch.Labels, 1);
            student.Train();
            train += Accuracy.Correct(student.Forward(batch.Images), batch.Labels, 1);
            count += batch.Count;
        });

        student.Train();
        return (100.0 * eval / count, 100.0 * train / count);
    }

    /// <summary>qat, with the student kept for probing and optionally another weight learning rate.</summary>
    private sealed class ProbedQat(double? learningRate) : LabeledMethod
    {
        private readonly QatMethod _qat = new();

        public ClassifierModel? Student { get; private set; }

        public override string Name => _qat.Name;

        public override string Summary => _qat.Summary;

        public override Recipe Recipe => learningRate is { } lr ? _qat.Recipe with { LearningRate = lr } : _qat.Recipe;

        public override MethodRequirements Requirements => _qat.Requirements;

        public override void Initialize(MethodSetup setup)
        {
            base.Initialize(setup);
            Student = setup.Student;
        }

        public override StepLoss Loss(LabeledStep step) => _qat.Loss(step);
    }
}
