using System.CommandLine;
using Sweeps.Torch;
using Sweeps.Training.Data;
using Sweeps.Training.Methods;
using Sweeps.Training.Models;
using Sweeps.Training.Quantization;
using Sweeps.Training.Training;

namespace Sweeps.Cli;

/// <summary><c>sweeps train</c>: trains one trial (one method, model, dataset, bit-width and seed).</summary>
internal static class TrainCommand
{
    /// <summary>Exit code of a trial that failed (bad input, NaN loss, missing data).</summary>
    internal const int Failed = 1;

    /// <summary>The <c>--method</c> help, generated from the method registry.</summary>
    internal static readonly string MethodsHelp = BuildMethodsHelp();

    /// <summary>Builds the command.</summary>
    internal static Command Create()
    {
        var method = new Option<string>("--method") { Description = MethodsHelp, Required = true };
        var model = new Option<string>("--model") { Description = "Model: " + string.Join(", ", ModelRegistry.Names) + ".", DefaultValueFactory = _ => "resnet20" };
        var dataset = new Option<string>("--dataset") { Description = "Dataset: " + string.Join(", ", Datasets.Names) + ".", DefaultValueFactory = _ => "fashion-mnist" };
        var dataDir = new Option<string?>("--data-dir") { Description = "Folder of the dataset's files (default for fashion-mnist: /usr/share/datasets/fashion-mnist)." };
        var imageSize = new Option<int?>("--image-size") { Description = "Image folders: resize and centre-crop every image to this square size (default: the images' own size)." };
        var skipBad = new Option<bool>("--skip-bad-images") { Description = "Image folders: leave out unreadable images (and count them) instead of failing." };
        var bits = new Option<string>("--bits") { Description = "Bit-widths W<w>A<a>, 1..8 each (e.g. W4A4, W2A4); ignored by fp.", DefaultValueFactory = _ => "W4A4" };
        var quantizer = new Option<string>("--quantizer") { Description = "Quantizer: ewgs (default), lsq or pact.", DefaultValueFactory = _ => "ewgs" };
        var epochs = new Option<int>("--epochs") { Description = "Epochs to train.", Required = true };
        var teacher = new Option<string?>("--teacher") { Description = "The FP teacher's model.pt (from a --method fp run); needed by quantized methods." };
        var limit = new Option<int?>("--limit") { Description = "Train on the first N training samples only (quick runs)." };
        var testLimit = new Option<int?>("--test-limit") { Description = "Evaluate on the first N test samples only (quick runs)." };
        var seed = new Option<long>("--seed") { Description = "Trial seed (initialisation, data order, augmentation).", DefaultValueFactory = _ => 0 };
        var device = new Option<string>("--device") { Description = "cpu or cuda:N.", DefaultValueFactory = _ => "cpu" };
        var threads = new Option<int?>("--threads") { Description = "libtorch threads (default: all cores)." };
        var noDelta = new Option<bool>("--no-ewgs-delta") { Description = "Train EWGS with the plain straight-through estimator (delta = 0)." };
        var output = new Option<string>("--out") { Description = "Output folder: metrics.jsonl, final.json, model.pt, checkpoint/. An existing checkpoint there is resumed.", Required = true };

        var command = new Command("train", "Train one trial and write its metrics, final results and checkpoints.")
        {
            method, model, dataset, dataDir, imageSize, skipBad, bits, quantizer, epochs, teacher, limit, testLimit, seed, device, threads, noDelta, output,
        };
        command.SetAction(r =>
        {
            TrainerOptions options;
            try
            {
                options = new TrainerOptions
                {
                    Method = r.GetValue(method)!,
                    Model = r.GetValue(model)!,
                    Dataset = r.GetValue(dataset)!,
                    DataDirectory = r.GetValue(dataDir),
                    Images = new ImageFolderOptions { ImageSize = r.GetValue(imageSize), SkipBadImages = r.GetValue(skipBad) },
                    Bits = BitWidths.Parse(r.GetValue(bits)!),
                    Quantizer = ParseQuantizer(r.GetValue(quantizer)!),
                    Epochs = r.GetValue(epochs),
                    TeacherCheckpoint = r.GetValue(teacher),
                    TrainLimit = r.GetValue(limit),
                    TestLimit = r.GetValue(testLimit),
                    Seed = r.GetValue(seed),
                    Device = Device.Parse(r.GetValue(device)!),
                    Threads = r.GetValue(threads),
                    EwgsDeltaUpdate = !r.GetValue(noDelta),
                    OutputDirectory = r.GetValue(output)!,
                };
            }
            catch (FormatException ex)
            {
                Console.Error.WriteLine($"error: {ex.Message}");
                return SweepsCommand.UsageError;
            }

            return Run(options, Console.Out, Console.Error);
        });
        return command;
    }

    /// <summary>Runs the trial, printing progress; returns the exit code.</summary>
    internal static int Run(TrainerOptions options, TextWriter output, TextWriter error)
    {
        var lastReported = -1;
        var callbacks = new TrainingCallbacks
        {
            Step = p =>
            {
                // About ten progress lines per epoch, whatever the output is.
                var tenth = Math.Max(1, p.StepsPerEpoch / 10);
                if (p.Step % tenth == 0 && p.Step != lastReported)
                {
                    lastReported = p.Step;
                    output.WriteLine(FormattableString.Invariant($"  epoch {p.Epoch}/{p.Epochs} step {p.Step}/{p.StepsPerEpoch} loss {p.Loss:F4}"));
                }
            },
            Epoch = e =>
            {
                var terms = string.Join(", ", e.LossTerms.Select(t => FormattableString.Invariant($"{t.Key} {t.Value:F4}")));
                var train = e.TrainTop1 is { } tr ? FormattableString.Invariant($", train top-1 {tr:P2}") : string.Empty;
                var top5 = e.TestTop5 is { } t5 ? FormattableString.Invariant($", top-5 {t5:P2}") : string.Empty;
                output.WriteLine(FormattableString.Invariant(
                    $"epoch {e.Epoch}/{e.Epochs}: train loss {e.TrainLoss:F4} ({terms}){train}, test top-1 {e.TestTop1:P2}{top5}, {e.Seconds:F1} s, {e.SamplesPerSecond:F0} samples/s"));
            },
        };

        try
        {
            var result = new Trainer(options, callbacks).Run();
            output.WriteLine(FormattableString.Invariant(
                $"done: {result.Method} {result.Model} {result.Dataset} {result.Bits}: best test top-1 {result.BestTestTop1:P2} (epoch {result.BestEpoch}), last {result.LastTestTop1:P2}, mean of last 5 {result.MeanLast5TestTop1:P2}, model size {result.ModelSizeBits} bits"));
            if (result.SkippedImages is { } skipped && skipped.Train + skipped.Test > 0)
            {
                output.WriteLine(FormattableString.Invariant($"skipped unreadable images: {skipped.Train} in train/, {skipped.Test} in val/"));
            }

            output.WriteLine($"results: {Path.GetFullPath(Path.Combine(options.OutputDirectory, Trainer.FinalFileName))}");
            output.WriteLine($"metrics: {Path.GetFullPath(Path.Combine(options.OutputDirectory, Trainer.MetricsFileName))}");
            output.WriteLine($"model:   {Path.GetFullPath(Path.Combine(options.OutputDirectory, Trainer.ModelFileName))}");
            return 0;
        }
        catch (Exception ex) when (ex is TrainingFailedException or DatasetException or ArgumentException or IOException or TorchException
            or InvalidOperationException)
        {
            error.WriteLine($"error: {ex.Message}");
            return Failed;
        }
    }

    private static string BuildMethodsHelp()
    {
        var methods = MethodRegistry.Descriptions;
        var reconstructions = methods.Where(m => m.IsReconstruction).Select(m => m.Name).ToList();
        var lines = new List<string> { "Method, one of: " + string.Join(", ", methods.Select(m => m.Name)) + "." };
        lines.AddRange(methods.Select(m => $"  {m.Name}: {m.Summary}."));
        lines.Add("Each runs its one documented recipe (METHODS.md).");
        if (reconstructions.Count > 0)
        {
            lines.Add(string.Join(", ", reconstructions) + " are our reconstructions from the papers' abstracts and their parent "
                + "methods (no public code exists), not the authors' implementations.");
        }

        return string.Join(Environment.NewLine, lines);
    }

    private static QuantizerKind ParseQuantizer(string text) => text.ToLowerInvariant() switch
    {
        "ewgs" => QuantizerKind.Ewgs,
        "lsq" => QuantizerKind.Lsq,
        "pact" => QuantizerKind.Pact,
        _ => throw new FormatException($"--quantizer: '{text}' is not a quantizer; expected ewgs, lsq or pact"),
    };
}
