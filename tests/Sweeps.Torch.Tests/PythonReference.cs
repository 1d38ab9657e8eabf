using System.Diagnostics;
using System.Text.Json;

namespace Sweeps.Torch.Tests;

/// <summary>
/// Runs a reference script of reference/ with Debian's python3-torch (/usr/bin/python3, PyTorch 1.13)
/// and returns the JSON it prints. The scripts are the record of how expected values are made:
/// they compute them independently of Sweeps.Torch, from the same inputs.
/// </summary>
internal static class PythonReference
{
    public const string Python = "/usr/bin/python3";

    public static string ScriptPath(string script) => Path.Combine(AppContext.BaseDirectory, "reference", script);

    /// <summary>Runs <c>python3 reference/script args...</c> and parses its standard output as JSON.</summary>
    public static JsonElement Run(string script, params string[] args)
    {
        var output = RunRaw(script, args);
        using var doc = JsonDocument.Parse(output);
        return doc.RootElement.Clone();
    }

    /// <summary>Runs the script and returns its standard output.</summary>
    public static string RunRaw(string script, params string[] args)
    {
        Assert.True(File.Exists(Python), $"{Python} is missing: run ./sweeps.sh setup (installs python3-torch)");
        var psi = new ProcessStartInfo(Python)
        {
            RedirectStandardOutput = true,
            RedirectStandardError = true,
            UseShellExecute = false,
        };
        psi.ArgumentList.Add(ScriptPath(script));
        foreach (var a in args)
        {
            psi.ArgumentList.Add(a);
        }

        psi.Environment["OMP_NUM_THREADS"] = "1";
        using var process = Process.Start(psi)!;
        var stdout = process.StandardOutput.ReadToEndAsync();
        var stderr = process.StandardError.ReadToEndAsync();
        Assert.True(process.WaitForExit(180_000), $"{script} did not finish in 180 s");
        Assert.True(process.ExitCode == 0, $"{script} failed ({process.ExitCode}): {stderr.Result}");
        return stdout.Result;
    }

    /// <summary>A JSON array of numbers as doubles.</summary>
    public static double[] Doubles(JsonElement e) => e.EnumerateArray().Select(x => x.GetDouble()).ToArray();
}
