using System.Diagnostics;
using System.Globalization;
using System.Text;
using System.Text.Json;

namespace Sweeps.Monitoring.Tests;

/// <summary>
/// A real Prometheus server started for a test on 127.0.0.1 on a free port, with its own data folder
/// and the given configuration; stopped (and its folder deleted) on dispose.
/// </summary>
internal sealed class PrometheusServer : IAsyncDisposable
{
    private readonly Process process;
    private readonly StringBuilder log = new();
    private readonly HttpClient http = new() { Timeout = TimeSpan.FromSeconds(10) };

    private PrometheusServer(Process process, Uri address, string directory)
    {
        this.process = process;
        Address = address;
        Directory = directory;
    }

    public Uri Address { get; }

    public string Directory { get; }

    /// <summary>What Prometheus wrote to stderr/stdout so far (for failure messages).</summary>
    public string Log
    {
        get
        {
            lock (log)
            {
                return log.ToString();
            }
        }
    }

    /// <summary>Writes <paramref name="configYaml"/> to <paramref name="directory"/>/prometheus.yml and starts Prometheus on it.</summary>
    public static async Task<PrometheusServer> StartAsync(string directory, string configYaml)
    {
        var binary = PrometheusTools.Prometheus;
        var configPath = Path.Combine(directory, "prometheus.yml");
        await File.WriteAllTextAsync(configPath, configYaml);
        Exception? last = null;
        for (var attempt = 0; attempt < 3; attempt++)
        {
            var port = PrometheusTools.FreePort();
            var start = new ProcessStartInfo(binary)
            {
                RedirectStandardOutput = true,
                RedirectStandardError = true,
                UseShellExecute = false,
                WorkingDirectory = directory,
            };
            foreach (var arg in new[]
            {
                "--config.file=" + configPath,
                "--storage.tsdb.path=" + Path.Combine(directory, "data"),
                "--web.listen-address=127.0.0.1:" + port.ToString(CultureInfo.InvariantCulture),
                "--log.level=warn",
            })
            {
                start.ArgumentList.Add(arg);
            }

            var process = Process.Start(start) ?? throw new InvalidOperationException($"cannot start {binary}");
            var server = new PrometheusServer(process, new Uri($"http://127.0.0.1:{port}/"), directory);
            process.OutputDataReceived += (_, e) => server.Append(e.Data);
            process.ErrorDataReceived += (_, e) => server.Append(e.Data);
            process.BeginOutputReadLine();
            process.BeginErrorReadLine();
            try
            {
                await server.WaitReadyAsync();
                return server;
            }
            catch (TimeoutException e)
            {
                last = e;
                await server.StopAsync();
            }
        }

        throw new InvalidOperationException("Prometheus did not start", last);
    }

    private void Append(string? line)
    {
        if (line is null)
        {
            return;
        }

        lock (log)
        {
            log.AppendLine(line);
        }
    }

    private async Task WaitReadyAsync()
    {
        var deadline = Stopwatch.StartNew();
        while (deadline.Elapsed < TimeSpan.FromSeconds(60))
        {
            if (process.HasExited)
            {
                throw new TimeoutException($"Prometheus exited with code {process.ExitCode}:\n{Log}");
            }

            try
            {
                using var response = await http.GetAsync(new Uri(Address, "-/ready"));
                if (response.IsSuccessStatusCode)
                {
                    return;
                }
            }
            catch (HttpRequestException)
            {
            }

            await Task.Delay(200);
        }

        throw new TimeoutException($"Prometheus was not ready after 60 s:\n{Log}");
    }

    /// <summary>GET /api/v1/{path}; returns the "data" element (throws unless status is "success").</summary>
    public async Task<JsonElement> ApiAsync(string pathAndQuery)
    {
        using var response = await http.GetAsync(new Uri(Address, "api/v1/" + pathAndQuery));
        var body = await response.Content.ReadAsStringAsync();
        using var json = JsonDocument.Parse(body);
        if (json.RootElement.GetProperty("status").GetString() != "success")
        {
            throw new InvalidOperationException($"Prometheus API {pathAndQuery} answered {(int)response.StatusCode}: {body}");
        }

        return json.RootElement.GetProperty("data").Clone();
    }

    /// <summary>An instant query; returns the result vector's elements (empty when no data).</summary>
    public async Task<List<JsonElement>> QueryAsync(string promql)
    {
        var data = await ApiAsync("query?query=" + Uri.EscapeDataString(promql));
        var result = data.GetProperty("result");
        return result.ValueKind == JsonValueKind.Array ? [.. result.EnumerateArray()] : [result];
    }

    /// <summary>Polls an instant query until it returns data (or the timeout; then the empty result).</summary>
    public async Task<List<JsonElement>> QueryUntilDataAsync(string promql, TimeSpan timeout)
    {
        var clock = Stopwatch.StartNew();
        while (true)
        {
            var result = await QueryAsync(promql);
            if (result.Count > 0 || clock.Elapsed > timeout)
            {
                return result;
            }

            await Task.Delay(250);
        }
    }

    private async Task StopAsync()
    {
        if (!process.HasExited)
        {
            process.Kill(entireProcessTree: true);
            await process.WaitForExitAsync();
        }

        process.Dispose();
    }

    public async ValueTask DisposeAsync()
    {
        await StopAsync();
        http.Dispose();
    }
}
