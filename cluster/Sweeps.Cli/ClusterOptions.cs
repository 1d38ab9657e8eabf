using System.CommandLine;
using Sweeps.Cluster.Configuration;

namespace Sweeps.Cli;

/// <summary>The options every cluster command shares: <c>--config</c> and <c>--set field=value</c>.</summary>
internal sealed class ClusterOptions
{
    public Option<string> Config { get; } = new("--config")
    {
        Description = "The cluster configuration (YAML). Fields are overridden by SWEEPS__Broker__Host style environment variables and by --set.",
        DefaultValueFactory = _ => "cluster.yaml",
    };

    public Option<string[]> Set { get; } = new("--set")
    {
        Description = "Override a field of the configuration: --set broker.host=rabbit01 (repeatable).",
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
