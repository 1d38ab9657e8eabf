using System.Diagnostics;

namespace Sweeps.Reports.Tests;

/// <summary>report.html rendered by a real browser: headless Chromium (Debian package <c>chromium</c>, installed by
/// <c>./sweeps.sh setup</c>) takes a screenshot, and the test decodes the PNG and checks what is on it.</summary>
public sealed class ChromiumRenderTests : IDisposable
{
    private const int Width = 1200;
    private const int Height = 2000;
    private readonly FixtureSweep _sweep = new FixtureSweep().WriteDefault();

    public void Dispose() => _sweep.Dispose();

    /// <summary>The Chromium binary: $SWEEPS_CHROMIUM, or chromium / chromium-browser on the PATH.</summary>
    private static string FindChromium()
    {
        if (Environment.GetEnvironmentVariable("SWEEPS_CHROMIUM") is { Length: > 0 } configured)
        {
            return configured;
        }

        var path = Environment.GetEnvironmentVariable("PATH") ?? "";
        foreach (var name in new[] { "chromium", "chromium-browser" })
        {
            foreach (var dir in path.Split(':', StringSplitOptions.RemoveEmptyEntries))
            {
                var candidate = Path.Combine(dir, name);
                if (File.Exists(candidate))
                {
                    return candidate;
                }
            }
        }

        throw new Xunit.Sdk.XunitException(
            "Chromium was not found (looked for 'chromium' and 'chromium-browser' on the PATH, and $SWEEPS_CHROMIUM). "
            + "The report test renders report.html in a real browser: install it with `./sweeps.sh setup` "
            + "(Debian package 'chromium', in APT_PACKAGES) or `apt-get install -y chromium`.");
    }

    [Fact]
    public async Task Render_ReportHtml_ScreenshotShowsTablesAndCharts()
    {
        var chromium = FindChromium();
        var files = ReportGenerator.Write(_sweep.Directory, ReportOptions.Default);
        var screenshot = Path.Combine(_sweep.Directory, "screenshot.png");
        var profile = Path.Combine(_sweep.Directory, "chromium-profile");
        var start = new ProcessStartInfo(chromium)
        {
            RedirectStandardOutput = true,
            RedirectStandardError = true,
            UseShellExecute = false,
        };
        foreach (var argument in new[]
                 {
                     "--headless", "--no-sandbox", "--disable-gpu", "--disable-dev-shm-usage", "--no-first-run",
                     "--hide-scrollbars", "--disable-extensions", "--force-device-scale-factor=1",
                     $"--user-data-dir={profile}", $"--screenshot={screenshot}", $"--window-size={Width},{Height}",
                     new Uri(files.Html).AbsoluteUri,
                 })
        {
            start.ArgumentList.Add(argument);
        }

        using var process = Process.Start(start)!;
        var stderrTask = process.StandardError.ReadToEndAsync();
        var stdoutTask = process.StandardOutput.ReadToEndAsync();
        using var timeout = new CancellationTokenSource(TimeSpan.FromMinutes(2));
        try
        {
            await process.WaitForExitAsync(timeout.Token);
        }
        catch (OperationCanceledException)
        {
            process.Kill(entireProcessTree: true);
            Assert.Fail($"chromium did not finish within 2 minutes; stderr: {await stderrTask}");
        }

        var stderr = await stderrTask;
        var stdout = await stdoutTask;
        Assert.True(File.Exists(screenshot), $"chromium (exit {process.ExitCode}) wrote no screenshot; stderr: {stderr} {stdout}");
        if (Environment.GetEnvironmentVariable("SWEEPS_REPORT_TEST_KEEP") is { Length: > 0 } keep)
        {
            // For looking at the result: SWEEPS_REPORT_TEST_KEEP=/tmp/report-view dotnet test --filter Render_
            Directory.CreateDirectory(keep);
            foreach (var file in new[] { screenshot, files.Html, files.Markdown, files.Csv })
            {
                File.Copy(file, Path.Combine(keep, Path.GetFileName(file)), overwrite: true);
            }
        }

        var image = PngImage.Decode(File.ReadAllBytes(screenshot));
        Assert.Equal(Width, image.Width);
        Assert.Equal(Height, image.Height);

        // Non-blank: a good share of the page is text, table borders and charts, not background.
        var counts = new Dictionary<(byte, byte, byte), int>();
        for (var y = 0; y < image.Height; y++)
        {
            for (var x = 0; x < image.Width; x++)
            {
                var pixel = image[x, y];
                counts[pixel] = counts.GetValueOrDefault(pixel) + 1;
            }
        }

        var white = counts.GetValueOrDefault(((byte)255, (byte)255, (byte)255));
        var nonWhite = image.Width * image.Height - white;
        Assert.True(nonWhite > image.Width * image.Height / 50, $"only {nonWhite} non-white pixels: the page rendered (nearly) blank");
        Assert.True(counts.Count > 50, $"only {counts.Count} distinct colours: no text or charts rendered");

        // The tables rendered: the best-cell green and the failed-row red backgrounds (CSS) are on the page.
        Assert.True(Near(counts, 0xdf, 0xf3, 0xdf) > 500, "no best-cell background (#dff3df) in the screenshot");
        Assert.True(Near(counts, 0xfd, 0xe2, 0xe2) > 500, "no failed-trial background (#fde2e2) in the screenshot");

        // The accuracy chart rendered: the method colours of its lines and points (QAT blue, SQAKD red, MEC-Quant green).
        foreach (var (r, g, b) in new[] { (0x1f, 0x77, 0xb4), (0xd6, 0x27, 0x28), (0x2c, 0xa0, 0x2c) })
        {
            Assert.True(Near(counts, r, g, b) > 40, $"colour #{r:x2}{g:x2}{b:x2} (a chart series) is not in the screenshot");
        }
    }

    private static int Near(Dictionary<(byte R, byte G, byte B), int> counts, int r, int g, int b) =>
        counts.Where(c => Math.Abs(c.Key.R - r) <= 2 && Math.Abs(c.Key.G - g) <= 2 && Math.Abs(c.Key.B - b) <= 2).Sum(c => c.Value);
}
