using System.Diagnostics;
using System.Net;
using System.Net.Sockets;

namespace Sweeps.Monitoring.Tests;

/// <summary>The real Prometheus tools (Debian package <c>prometheus</c>); a missing tool fails the test that needs it.</summary>
internal static class PrometheusTools
{
    public static string Prometheus => Find("prometheus");

    public static string Promtool => Find("promtool");

    private static string Find(string tool)
    {
        var path = (Environment.GetEnvironmentVariable("PATH") ?? "").Split(':', StringSplitOptions.RemoveEmptyEntries)
            .Append("/usr/bin").Append("/usr/local/bin")
            .Select(dir => Path.Combine(dir, tool))
            .FirstOrDefault(File.Exists);
        return path ?? throw new InvalidOperationException(
            $"'{tool}' was not found on PATH or in /usr/bin: the monitoring tests need the real Prometheus. "
            + "Install the Debian package 'prometheus' (./sweeps.sh setup installs it: it is in APT_PACKAGES), "
            + "or run apt-get install -y --no-install-recommends prometheus.");
    }

    /// <summary>Runs a tool to completion; returns its exit code and output (stdout then stderr).</summary>
    public static async Task<(int ExitCode, string Output)> RunAsync(string tool, IEnumerable<string> args, string? stdin = null)
    {
        var start = new ProcessStartInfo(tool)
        {
            RedirectStandardOutput = true,
            RedirectStandardError = true,
            RedirectStandardInput = stdin is not null,
            UseShellExecute = false,
        };
        foreach (var arg in args)
        {
            start.ArgumentList.Add(arg);
        }

        using var process = Process.Start(start) ?? throw new InvalidOperationException($"cannot start {tool}");
        var stdout = process.StandardOutput.ReadToEndAsync();
        var stderr = process.StandardError.ReadToEndAsync();
        if (stdin is not null)
        {
            await process.StandardInput.WriteAsync(stdin);
            process.StandardInput.Close();
        }

        using var timeout = new CancellationTokenSource(TimeSpan.FromMinutes(2));
        await process.WaitForExitAsync(timeout.Token);
        return (process.ExitCode, await stdout + await stderr);
    }

    /// <summary>A TCP port that was free a moment ago on 127.0.0.1.</summary>
    public static int FreePort()
    {
        using var listener = new TcpListener(IPAddress.Loopback, 0);
        listener.Start();
        var port = ((IPEndPoint)listener.LocalEndpoint).Port;
        listener.Stop();
        return port;
    }
}
