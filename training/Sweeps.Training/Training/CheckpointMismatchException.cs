using System.Globalization;
using System.Text;
using Sweeps.Torch.NN;

namespace Sweeps.Training.Training;

/// <summary>
/// A checkpoint file that does not fit the model it is loaded into. The message names the file and the model and
/// summarises the difference: the counts of missing and unexpected keys with the first few of each, and the shape
/// mismatches (see <see cref="StateDictMismatchException"/>). A derived <see cref="InvalidOperationException"/>, as
/// the trainer's other teacher-checkpoint errors.
/// </summary>
public sealed class CheckpointMismatchException : InvalidOperationException
{
    /// <summary>The checkpoint at <paramref name="file"/> does not fit <paramref name="model"/>.</summary>
    /// <param name="file">The checkpoint file (named in the message as given).</param>
    /// <param name="model">The model, as the message names it (e.g. <c>resnet20 (1 input channel, 10 classes)</c>).</param>
    /// <param name="mismatch">What does not fit.</param>
    /// <param name="hint">A last line saying what to do, when the caller can tell (e.g. a classifier for other classes).</param>
    public CheckpointMismatchException(string file, string model, StateDictMismatchException mismatch, string? hint = null)
        : base(Describe(file, model, mismatch, hint), mismatch)
    {
        File = file;
        Model = model;
        Mismatch = mismatch;
    }

    /// <summary>A mismatch described only by a message.</summary>
    public CheckpointMismatchException()
        : this("a checkpoint does not fit the model")
    {
    }

    /// <summary>A mismatch described only by a message.</summary>
    public CheckpointMismatchException(string message)
        : this(message, new StateDictMismatchException(message))
    {
    }

    /// <summary>A mismatch described only by a message, with its cause.</summary>
    public CheckpointMismatchException(string message, Exception innerException)
        : base(message, innerException)
    {
        File = string.Empty;
        Model = string.Empty;
        Mismatch = innerException as StateDictMismatchException ?? new StateDictMismatchException(message, innerException);
    }

    /// <summary>The checkpoint file.</summary>
    public string File { get; }

    /// <summary>The model it was loaded into.</summary>
    public string Model { get; }

    /// <summary>The keys and shapes that differ.</summary>
    public StateDictMismatchException Mismatch { get; }

    private static string Describe(string file, string model, StateDictMismatchException m, string? hint)
    {
        var counts = new List<string>();
        if (m.MissingKeys.Count > 0)
        {
            counts.Add(Count(m.MissingKeys.Count, "missing key"));
        }

        if (m.UnexpectedKeys.Count > 0)
        {
            counts.Add(Count(m.UnexpectedKeys.Count, "unexpected key"));
        }

        if (m.ShapeMismatches.Count > 0)
        {
            counts.Add(Count(m.ShapeMismatches.Count, "shape mismatch", "shape mismatches"));
        }

        var text = new StringBuilder()
            .Append(CultureInfo.InvariantCulture, $"checkpoint '{file}' does not fit {model}: {string.Join(", ", counts)}")
            .Append(StateDictMismatchException.Summarize(m.MissingKeys, m.UnexpectedKeys, m.ShapeMismatches));
        const string wrapper = "module.";
        if (m.UnexpectedKeys.Count > 0 && m.UnexpectedKeys.All(k => k.StartsWith(wrapper, StringComparison.Ordinal)))
        {
            text.Append("\n  Every unexpected key starts with 'module.': the file was saved from a wrapped model "
                + "(nn.DataParallel or DistributedDataParallel); save model.module.state_dict() instead.");
        }

        if (hint is not null)
        {
            text.Append("\n  ").Append(hint);
        }

        return text.ToString();
    }

    private static string Count(int n, string one, string? many = null) =>
        string.Create(CultureInfo.InvariantCulture, $"{n} {(n == 1 ? one : many ?? one + "s")}");
}
