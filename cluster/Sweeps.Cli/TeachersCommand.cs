using System.CommandLine;
using System.Globalization;
using Sweeps.Training.Teachers;

namespace Sweeps.Cli;

/// <summary><c>sweeps teachers list|remove [--cache DIR]</c>: the cached FP teachers (<see cref="TeacherCache"/>).</summary>
internal static class TeachersCommand
{
    /// <summary>Exit code when a teacher to remove is not in the cache, or the cache cannot be read or written.</summary>
    internal const int Failed = 1;

    /// <summary>Builds the command and its subcommands.</summary>
    internal static Command Create()
    {
        var cache = new Option<string?>("--cache")
        {
            Description = $"The teacher cache folder (default: ${TeacherCache.EnvironmentVariable}, else $XDG_CACHE_HOME/sweeps/teachers, else ~/.cache/sweeps/teachers).",
            Recursive = true,
        };
        var list = new Command("list", "List the cached teachers: key, model, dataset, data, epochs, seed, test top-1, where each was trained.");
        list.SetAction(r => List(Cache(r.GetValue(cache)), Console.Out, Console.Error));

        var keys = new Argument<string[]>("key") { Description = "Keys as `sweeps teachers list` prints them.", Arity = ArgumentArity.ZeroOrMore };
        var all = new Option<bool>("--all") { Description = "Remove every cached teacher." };
        var remove = new Command("remove", "Remove cached teachers by key (or --all); a later sweep trains them again.") { keys, all };
        remove.SetAction(r => Remove(Cache(r.GetValue(cache)), r.GetValue(keys) ?? [], r.GetValue(all), Console.Out, Console.Error));

        return new Command("teachers", "The cache of trained FP teachers that sweeps share: list or remove them.") { cache, list, remove };
    }

    /// <summary>Prints the entries; returns the exit code.</summary>
    internal static int List(TeacherCache cache, TextWriter output, TextWriter error)
    {
        IReadOnlyList<CachedTeacher> entries;
        try
        {
            entries = cache.List();
        }
        catch (Exception ex) when (ex is IOException or UnauthorizedAccessException)
        {
            error.WriteLine($"error: cannot read the teacher cache '{cache.Root}': {ex.Message}");
            return Failed;
        }

        output.WriteLine($"teacher cache {cache.Root}: {entries.Count} teacher(s)");
        if (entries.Count == 0)
        {
            return 0;
        }

        var width = Math.Max(3, entries.Max(e => e.Key.Length));
        output.WriteLine($"{"key".PadRight(width)}  {"train",6}  {"test",6}  {"epochs",6}  {"seed",4}  {"top-1",7}  {"size",8}  published         trained in");
        foreach (var e in entries)
        {
            if (e.Spec is not { } s)
            {
                output.WriteLine($"{e.Key.PadRight(width)}  unusable: {e.Problem}");
                continue;
            }

            output.WriteLine(string.Create(CultureInfo.InvariantCulture,
                $"{e.Key.PadRight(width)}  {Limit(s.TrainLimit),6}  {Limit(s.TestLimit),6}  {s.Epochs,6}  {s.Seed,4}  {(e.TestTop1 is { } t ? (t * 100).ToString("F2", CultureInfo.InvariantCulture) + "%" : "-"),7}  "
                + $"{Size(e.SizeBytes),8}  {e.PublishedAt?.ToString("yyyy-MM-dd HH:mm", CultureInfo.InvariantCulture) ?? "-",-16}  {e.Source?.ToString() ?? "-"}"));
        }

        return 0;
    }

    /// <summary>Removes the entries; returns the exit code (<see cref="Failed"/> when a key is not in the cache).</summary>
    internal static int Remove(TeacherCache cache, IReadOnlyList<string> keys, bool all, TextWriter output, TextWriter error)
    {
        if (all == (keys.Count > 0))
        {
            error.WriteLine("error: teachers remove: give the keys to remove (from `sweeps teachers list`) or --all, not both");
            return SweepsCommand.UsageError;
        }

        try
        {
            if (all)
            {
                output.WriteLine($"removed {cache.RemoveAll()} teacher(s) from {cache.Root}");
                return 0;
            }

            var code = 0;
            foreach (var key in keys)
            {
                if (cache.Remove(key))
                {
                    output.WriteLine($"removed {key}");
                }
                else
                {
                    error.WriteLine($"error: no teacher '{key}' in {cache.Root} (see `sweeps teachers list`)");
                    code = Failed;
                }
            }

            return code;
        }
        catch (ArgumentException ex)
        {
            error.WriteLine($"error: {ex.Message}");
            return Failed;
        }
        catch (Exception ex) when (ex is IOException or UnauthorizedAccessException)
        {
            error.WriteLine($"error: cannot remove from the teacher cache '{cache.Root}': {ex.Message}");
            return Failed;
        }
    }

    private static TeacherCache Cache(string? root) => new(root ?? TeacherCache.DefaultRoot());

    private static string Limit(int? n) => n?.ToString(CultureInfo.InvariantCulture) ?? "all";

    private static string Size(long bytes) => bytes >= 1 << 20
        ? (bytes / 1048576.0).ToString("F1", CultureInfo.InvariantCulture) + " MB"
        : (bytes / 1024.0).ToString("F1", CultureInfo.InvariantCulture) + " kB";
}
