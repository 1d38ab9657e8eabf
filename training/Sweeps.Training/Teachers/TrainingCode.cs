using System.Security.Cryptography;
using System.Text;

namespace Sweeps.Training.Teachers;

/// <summary>
/// The version of the code that trains a model: a SHA-256 over the sources of Sweeps.Training, Sweeps.Torch and the
/// native shim (<c>training/native</c>), taken when Sweeps.Training is built. Any change to those sources gives a new
/// version, and a change anywhere else (the CLI, the actors, the docs) does not, so a cached teacher is reused exactly
/// as long as the code that would train it again is the same.
/// </summary>
public static class TrainingCode
{
    /// <summary>The embedded list of "path sha256" lines, one per source file, written by the build (see the project file).</summary>
    internal const string ManifestResource = "Sweeps.Training.training-code.txt";

    private static readonly Lazy<string> s_version = new(Compute);

    /// <summary>The version: <c>sha256:</c> and 16 hex digits (64 bits of the hash).</summary>
    /// <exception cref="InvalidOperationException">The assembly was built without its source manifest.</exception>
    public static string Version => s_version.Value;

    /// <summary>The version of a manifest of "path hash" lines, in any order (the build lists files in directory order).</summary>
    internal static string FromManifest(string manifest)
    {
        var lines = manifest.Split('\n', StringSplitOptions.RemoveEmptyEntries | StringSplitOptions.TrimEntries)
            .Select(l => l.Replace('\\', '/'))
            .Order(StringComparer.Ordinal);
        var hash = SHA256.HashData(Encoding.UTF8.GetBytes(string.Join('\n', lines)));
        return "sha256:" + Convert.ToHexStringLower(hash)[..16];
    }

    private static string Compute()
    {
        using var stream = typeof(TrainingCode).Assembly.GetManifestResourceStream(ManifestResource)
            ?? throw new InvalidOperationException($"Sweeps.Training was built without its source manifest ({ManifestResource})");
        using var reader = new StreamReader(stream, Encoding.UTF8);
        return FromManifest(reader.ReadToEnd());
    }
}
