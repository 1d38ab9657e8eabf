using System.CommandLine;
using Sweeps.Cluster.Configuration;

namespace Sweeps.Cli;

/// <summary>The options every cluster command shares: <c>--config</c> and <c>--set field=value</c>.</summary>
internal sealed class ClusterOptions
{
    public Option<string> Config { get; } = new("--config")
    {
        Description = "The cluster configuration (HOCON). Keys are overridden by environment variables (SWEEPS_PORT=2552, SWEEPS__akka__loglevel=DEBUG) and by --set.",
        DefaultValueFactory = _ => "cluster.hocon",
    };

    public Option<string[]> Set { get; } = new("--set")
    {
        Description = "Override a key of the configuration: --set port=2552 (the sweeps block) or --set akka.loglevel=DEBUG (repeatable).",
        AllowMultipleArgumentsPerToken = false,
    };

    /// <summary>Loads the configuration; on error writes it (never a password) and returns null.</summary>
    public ClusterConfig? Load(ParseResult result, TextWriter error, IDictionary<string, string>? extra = null)
    {
        try
        {
            var overrides = new Dictionary<string, string>(ClusterConfigFile.ParseOverrides(result.GetValue(Set) ?? []), StringComparer.OrdinalIgnoreCase);
            foreach (var (key, value) in extra ?? new Dictionary<string, string>())
            {
                overrides[key] = value;
            }

            return ClusterConfigFile.Load(result.GetValue(Config)!, environment: null, overrides);
        }
        catch (ClusterConfigException ex)
        {
            error.WriteLine($"error: {ex.Message}");
            return null;
        }
    }
}
