using System.Text.Json;

namespace Sweeps.Training.Training;

/// <summary>
/// The run's checkpoint folder <c>DIR/checkpoint</c>, replaced atomically: a new checkpoint is written to
/// <c>checkpoint.tmp</c>, the old folder is renamed to <c>checkpoint.old</c>, the new one renamed into place and the
/// old one deleted. A crash at any point leaves either the previous or the new checkpoint readable
/// (<see cref="TryLoad"/> falls back to <c>checkpoint.old</c> when <c>checkpoint</c> is missing).
/// </summary>
internal sealed class CheckpointStore(string directory)
{
    public const string StateFile = "state.json";

    public string Current { get; } = Path.Combine(directory, "checkpoint");

    private string Temp => Current + ".tmp";

    private string Old => Current + ".old";

    /// <summary>Reads the current checkpoint's state; false when there is none.</summary>
    public bool TryLoad(out CheckpointState state)
    {
        if (!Directory.Exists(Current) && File.Exists(Path.Combine(Old, StateFile)))
        {
            Directory.Move(Old, Current);
        }

        var file = Path.Combine(Current, StateFile);
        if (!File.Exists(file))
        {
            state = null!;
            return false;
        }

        state = JsonSerializer.Deserialize<CheckpointState>(File.ReadAllText(file), TrainingJson.Line)
            ?? throw new InvalidDataException($"checkpoint state '{file}' is empty");
        return true;
    }

    /// <summary>Writes a new checkpoint: <paramref name="write"/> fills the given empty folder.</summary>
    public void Write(Action<string> write)
    {
        DeleteIfExists(Temp);
        Directory.CreateDirectory(Temp);
        write(Temp);
        DeleteIfExists(Old);
        if (Directory.Exists(Current))
        {
            Directory.Move(Current, Old);
        }

        Directory.Move(Temp, Current);
        DeleteIfExists(Old);
    }

    /// <summary>Removes every checkpoint folder.</summary>
    public void Clear()
    {
        DeleteIfExists(Temp);
        DeleteIfExists(Old);
        DeleteIfExists(Current);
    }

    private static void DeleteIfExists(string path)
    {
        if (Directory.Exists(path))
        {
            Directory.Delete(path, recursive: true);
        }
    }
}
