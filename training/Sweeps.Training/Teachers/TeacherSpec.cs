using System.Security.Cryptography;
using System.Text;
using System.Text.Json;
using System.Text.Json.Serialization;
using Sweeps.Training.Methods;
using Sweeps.Training.Training;

namespace Sweeps.Training.Teachers;

/// <summary>
/// Everything that decides what an FP teacher's training produces: model, dataset (its folder, image size and bad-image
/// policy), the data subset
/// (training and evaluation sample limits), seed, epochs, the recipe, augmentation, and the versions of the training
/// code and of libtorch. Two teachers with equal specs are interchangeable, so the spec's <see cref="Key"/> addresses
/// the teacher in a <see cref="TeacherCache"/>. Not in the spec: the device and thread count (they change the
/// numerics a little, not what was trained).
/// </summary>
public sealed record TeacherSpec
{
    /// <summary>Model name (<c>resnet20</c>, ...).</summary>
    public required string Model { get; init; }

    /// <summary>Dataset name (<c>fashion-mnist</c>, ...).</summary>
    public required string Dataset { get; init; }

    /// <summary>The dataset's folder as a full path; null for the dataset's default. The same data in another folder
    /// is another spec.</summary>
    public string? DataDirectory { get; init; }

    /// <summary>Image folders: the side images were resized to (null: their own size).</summary>
    public int? ImageSize { get; init; }

    /// <summary>Image folders: whether unreadable images were left out.</summary>
    public bool SkipBadImages { get; init; }

    /// <summary>Trained on the first N training samples (null: all).</summary>
    public int? TrainLimit { get; init; }

    /// <summary>Evaluated on the first N test samples (null: all); part of the spec because the teacher's recorded
    /// accuracy (its metrics.jsonl and final.json) is measured on them.</summary>
    public int? TestLimit { get; init; }

    /// <summary>The trial seed.</summary>
    public required long Seed { get; init; }

    /// <summary>Epochs trained.</summary>
    public required int Epochs { get; init; }

    /// <summary>The recipe the teacher trained with (the fp method's, with the run's batch size).</summary>
    public required Recipe Recipe { get; init; }

    /// <summary>Whether the training batches were augmented.</summary>
    public required bool Augment { get; init; }

    /// <summary><see cref="TrainingCode.Version"/> of the code that trained it.</summary>
    public required string CodeVersion { get; init; }

    /// <summary>The libtorch version it trained with.</summary>
    public required string LibTorchVersion { get; init; }

    /// <summary>The spec's address: <c>model-dataset-</c> and 16 hex digits of the SHA-256 of <see cref="ToJson"/>.</summary>
    [JsonIgnore]
    public string Key
    {
        get
        {
            var hash = Convert.ToHexStringLower(SHA256.HashData(Encoding.UTF8.GetBytes(ToJson())));
            return $"{Model}-{Dataset}-{hash[..16]}";
        }
    }

    /// <summary>The spec of the FP teacher that <paramref name="options"/> trains (method <c>fp</c>).</summary>
    /// <exception cref="ArgumentException">The options train another method.</exception>
    public static TeacherSpec For(TrainerOptions options)
    {
        ArgumentNullException.ThrowIfNull(options);
        if (options.Method != FullPrecisionMethod.MethodName)
        {
            throw new ArgumentException($"a teacher is trained by method '{FullPrecisionMethod.MethodName}', not '{options.Method}'", nameof(options));
        }

        using var method = MethodRegistry.Create(options.Method);
        var recipe = options.BatchSize is { } batch ? method.Recipe with { BatchSize = batch } : method.Recipe;
        return new TeacherSpec
        {
            Model = options.Model,
            Dataset = options.Dataset,
            DataDirectory = options.DataDirectory is null ? null : Path.GetFullPath(options.DataDirectory),
            ImageSize = options.Images?.ImageSize,
            SkipBadImages = options.Images?.SkipBadImages ?? false,
            TrainLimit = options.TrainLimit,
            TestLimit = options.TestLimit,
            Seed = options.Seed,
            Epochs = options.Epochs,
            Recipe = recipe,
            Augment = options.Augment,
            CodeVersion = TrainingCode.Version,
            LibTorchVersion = Sweeps.Torch.Torch.LibTorchVersion,
        };
    }

    /// <summary>The spec as compact JSON with snake_case names, in declaration order (what <see cref="Key"/> hashes).</summary>
    public string ToJson() => JsonSerializer.Serialize(this, TrainingJson.Line);

    /// <summary>A spec read from <see cref="ToJson"/>'s form.</summary>
    /// <exception cref="JsonException">The JSON is not a spec.</exception>
    public static TeacherSpec FromJson(JsonElement json) =>
        json.Deserialize<TeacherSpec>(TrainingJson.Line) ?? throw new JsonException("expected a teacher spec object, found null");
}
