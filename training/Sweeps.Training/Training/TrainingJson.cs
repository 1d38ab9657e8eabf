using System.Text.Json;
using System.Text.Json.Serialization;

namespace Sweeps.Training.Training;

/// <summary>JSON settings of the trainer's files: snake_case properties, enums as snake_case strings, dictionary keys
/// as given; and durable writes.</summary>
internal static class TrainingJson
{
    public static JsonSerializerOptions Line { get; } = Create(indented: false);

    public static JsonSerializerOptions Indented { get; } = Create(indented: true);

    /// <summary>Writes <paramref name="text"/> to a temporary file next to <paramref name="path"/>, flushes it to disk and
    /// renames it over <paramref name="path"/>.</summary>
    public static void WriteAtomic(string path, string text)
    {
        var temp = path + ".tmp";
        using (var stream = new FileStream(temp, FileMode.Create, FileAccess.Write, FileShare.None))
        {
            var bytes = System.Text.Encoding.UTF8.GetBytes(text);
            stream.Write(bytes);
            stream.Flush(flushToDisk: true);
        }

        File.Move(temp, path, overwrite: true);
    }

    /// <summary>Appends one line to <paramref name="path"/> and flushes it to disk.</summary>
    public static void AppendLine(string path, string line)
    {
        using var stream = new FileStream(path, FileMode.Append, FileAccess.Write, FileShare.Read);
        var bytes = System.Text.Encoding.UTF8.GetBytes(line + "\n");
        stream.Write(bytes);
        stream.Flush(flushToDisk: true);
    }

    private static JsonSerializerOptions Create(bool indented)
    {
        var options = new JsonSerializerOptions
        {
            PropertyNamingPolicy = JsonNamingPolicy.SnakeCaseLower,
            WriteIndented = indented,
            NumberHandling = JsonNumberHandling.AllowNamedFloatingPointLiterals,
        };
        options.Converters.Add(new JsonStringEnumConverter(JsonNamingPolicy.SnakeCaseLower));
        return options;
    }
}
