using System.Collections;
using System.Globalization;
using System.Text.RegularExpressions;
using Sweeps.Monitoring;
using YamlDotNet.Core;
using YamlDotNet.RepresentationModel;

namespace Sweeps.Cluster.Configuration;

/// <summary>
/// Loads <c>cluster.yaml</c>. Every field can be overridden, in increasing priority, by an environment
/// variable (<c>SWEEPS__Broker__Host</c>: <c>SWEEPS__</c> then the field's path with <c>__</c> between the
/// parts, case-insensitive) and by a flag (<c>--set broker.host=VALUE</c>). Lists (devices) are
/// comma-separated in variables and flags. Relative paths in the file are relative to the file's folder;
/// in variables and flags, to the current folder. A password set by a higher layer replaces the lower
/// layers' <c>password</c>, <c>passwordFile</c> and <c>passwordEnv</c>.
/// </summary>
public static partial class ClusterConfigFile
{
    /// <summary>The prefix of environment variables that override fields.</summary>
    public const string EnvironmentPrefix = "SWEEPS__";

    private const string PasswordField = "broker.password";
    private const string PasswordFileField = "broker.passwordFile";
    private const string PasswordEnvField = "broker.passwordEnv";

    /// <summary>The fields (dotted paths) that can be set, besides <c>nodes.NAME.devices</c>.</summary>
    public static IReadOnlyList<string> Fields { get; } =
    [
        "broker.host", "broker.port", "broker.virtualHost", "broker.user", PasswordField, PasswordFileField, PasswordEnvField, "broker.tls",
        "checkpointDirectory", "storePath", "metricsAddress", "devices",
    ];

    /// <summary>
    /// Loads <paramref name="path"/> with the overrides of <paramref name="environment"/> (null: this
    /// process's environment) and <paramref name="overrides"/> (field path to value, from <c>--set</c>).
    /// </summary>
    /// <exception cref="ClusterConfigException">The file is missing or invalid, or a field has a bad value.</exception>
    public static ClusterConfig Load(
        string path, IReadOnlyDictionary<string, string>? environment = null, IReadOnlyDictionary<string, string>? overrides = null)
    {
        ArgumentNullException.ThrowIfNull(path);
        if (!File.Exists(path))
        {
            throw new ClusterConfigException(path, "(file)", $"not found ({Path.GetFullPath(path)}); expected a cluster configuration such as the repository's cluster.yaml");
        }

        var directory = Path.GetDirectoryName(Path.GetFullPath(path))!;
        return Parse(File.ReadAllText(path), path, directory, environment, overrides);
    }

    /// <summary>
    /// Parses configuration text; <paramref name="fileName"/> names it in errors and relative paths in it are
    /// resolved against <paramref name="baseDirectory"/>. See <see cref="Load"/>.
    /// </summary>
    /// <exception cref="ClusterConfigException">The text is invalid or a field has a bad value.</exception>
    public static ClusterConfig Parse(
        string text,
        string fileName,
        string baseDirectory,
        IReadOnlyDictionary<string, string>? environment = null,
        IReadOnlyDictionary<string, string>? overrides = null)
    {
        ArgumentNullException.ThrowIfNull(text);
        ArgumentNullException.ThrowIfNull(fileName);
        ArgumentNullException.ThrowIfNull(baseDirectory);
        var env = environment ?? ProcessEnvironment();
        var values = new Dictionary<string, Entry>(StringComparer.OrdinalIgnoreCase);
        ReadFile(text, fileName, baseDirectory, values);
        foreach (var (name, value) in env.Where(e => e.Key.StartsWith(EnvironmentPrefix, StringComparison.OrdinalIgnoreCase)).OrderBy(e => e.Key, StringComparer.Ordinal))
        {
            var origin = $"environment variable {name}";
            var field = Canonical(name[EnvironmentPrefix.Length..].Replace("__", ".", StringComparison.Ordinal), origin);
            Set(values, new Entry(field, value, origin, Directory.GetCurrentDirectory()));
        }

        foreach (var (key, value) in overrides ?? new Dictionary<string, string>())
        {
            var origin = $"flag --set {key}";
            Set(values, new Entry(Canonical(key, origin), value, origin, Directory.GetCurrentDirectory()));
        }

        return Build(values, env);
    }

    /// <summary>Parses <c>--set</c> flags (<c>field=value</c>) into overrides for <see cref="Load"/>.</summary>
    /// <exception cref="ClusterConfigException">A flag has no <c>=</c>.</exception>
    public static IReadOnlyDictionary<string, string> ParseOverrides(IEnumerable<string> flags)
    {
        ArgumentNullException.ThrowIfNull(flags);
        var result = new Dictionary<string, string>(StringComparer.OrdinalIgnoreCase);
        foreach (var flag in flags)
        {
            var eq = flag.IndexOf('=', StringComparison.Ordinal);
            if (eq <= 0)
            {
                var shown = flag.Contains("password", StringComparison.OrdinalIgnoreCase) ? "(value hidden)" : $"'{flag}'";
                throw new ClusterConfigException("flag --set", "(flag)", $"{shown} is not field=value; expected e.g. --set broker.host=rabbit01");
            }

            result[flag[..eq].Trim()] = flag[(eq + 1)..];
        }

        return result;
    }

    private static Dictionary<string, string> ProcessEnvironment()
    {
        var result = new Dictionary<string, string>(StringComparer.Ordinal);
        foreach (DictionaryEntry e in Environment.GetEnvironmentVariables())
        {
            result[(string)e.Key] = (string?)e.Value ?? string.Empty;
        }

        return result;
    }

    private static void ReadFile(string text, string fileName, string baseDirectory, Dictionary<string, Entry> values)
    {
        var stream = new YamlStream();
        try
        {
            stream.Load(new StringReader(text));
        }
        catch (YamlException ex)
        {
            // YamlDotNet's messages name the position and the kind of token, not the file's text.
            throw new ClusterConfigException($"{fileName}:{ex.Start.Line}", "(syntax)", $"not valid YAML: {ex.Message}");
        }

        if (stream.Documents.Count == 0)
        {
            return;
        }

        if (stream.Documents[0].RootNode is not YamlMappingNode root)
        {
            throw new ClusterConfigException($"{fileName}:1", "(file)", "expected a mapping of keys (broker:, checkpointDirectory:, storePath:, metricsAddress:, devices:, nodes:)");
        }

        foreach (var (keyNode, valueNode) in root.Children)
        {
            var key = ((YamlScalarNode)keyNode).Value ?? string.Empty;
            var origin = $"{fileName}:{keyNode.Start.Line}";
            if (key.Equals("broker", StringComparison.OrdinalIgnoreCase) || key.Equals("nodes", StringComparison.OrdinalIgnoreCase))
            {
                if (valueNode is not YamlMappingNode map)
                {
                    throw new ClusterConfigException(origin, key, "expected a mapping of keys");
                }

                foreach (var (innerKey, innerValue) in map.Children)
                {
                    var name = ((YamlScalarNode)innerKey).Value ?? string.Empty;
                    var innerOrigin = $"{fileName}:{innerKey.Start.Line}";
                    if (key.Equals("nodes", StringComparison.OrdinalIgnoreCase))
                    {
                        if (innerValue is not YamlMappingNode node || node.Children.Count != 1
                            || node.Children.Single().Key is not YamlScalarNode { Value: { } devicesKey }
                            || !devicesKey.Equals("devices", StringComparison.OrdinalIgnoreCase))
                        {
                            throw new ClusterConfigException(innerOrigin, $"nodes.{name}", "expected a mapping with one key, devices: (e.g. devices: [cuda:0, cuda:1])");
                        }

                        Set(values, new Entry($"nodes.{name}.devices", ScalarOrList(node.Children.Single().Value, innerOrigin, $"nodes.{name}.devices"), innerOrigin, baseDirectory));
                    }
                    else
                    {
                        var field = Canonical($"broker.{name}", innerOrigin);
                        Set(values, new Entry(field, Scalar(innerValue, innerOrigin, field), innerOrigin, baseDirectory));
                    }
                }
            }
            else
            {
                var field = Canonical(key, origin);
                var value = field == "devices" ? ScalarOrList(valueNode, origin, field) : Scalar(valueNode, origin, field);
                Set(values, new Entry(field, value, origin, baseDirectory));
            }
        }
    }

    private static string Scalar(YamlNode node, string origin, string field) =>
        node is YamlScalarNode scalar
            ? scalar.Value ?? string.Empty
            : throw new ClusterConfigException(origin, field, "expected a single value, not a list or mapping");

    private static string ScalarOrList(YamlNode node, string origin, string field) => node switch
    {
        YamlScalarNode scalar => scalar.Value ?? string.Empty,
        YamlSequenceNode list => string.Join(',', list.Children.Select(c => Scalar(c, origin, field))),
        _ => throw new ClusterConfigException(origin, field, "expected a list of devices (e.g. [cpu, cpu] or [cuda:0, cuda:1])"),
    };

    private static string Canonical(string field, string origin)
    {
        var nodeMatch = NodeField().Match(field);
        if (nodeMatch.Success)
        {
            return $"nodes.{nodeMatch.Groups[1].Value}.devices";
        }

        return Fields.FirstOrDefault(f => f.Equals(field, StringComparison.OrdinalIgnoreCase))
            ?? throw new ClusterConfigException(origin, field, $"unknown field; expected one of {string.Join(", ", Fields)}, nodes.NAME.devices");
    }

    private static void Set(Dictionary<string, Entry> values, Entry entry)
    {
        if (entry.Field is PasswordField or PasswordFileField or PasswordEnvField)
        {
            // A password from a higher layer replaces every password source of the lower layers.
            foreach (var other in new[] { PasswordField, PasswordFileField, PasswordEnvField })
            {
                if (values.TryGetValue(other, out var existing) && existing.Origin != entry.Origin && !SameFile(existing, entry))
                {
                    values.Remove(other);
                }
            }
        }

        values[entry.Field] = entry;
    }

    private static bool SameFile(Entry a, Entry b) =>
        !a.Origin.StartsWith("environment variable ", StringComparison.Ordinal) && !a.Origin.StartsWith("flag ", StringComparison.Ordinal)
        && !b.Origin.StartsWith("environment variable ", StringComparison.Ordinal) && !b.Origin.StartsWith("flag ", StringComparison.Ordinal);

    private static ClusterConfig Build(Dictionary<string, Entry> values, IReadOnlyDictionary<string, string> env)
    {
        var tls = Get(values, "broker.tls") is { } tlsEntry ? Bool(tlsEntry) : false;
        var broker = new BrokerSettings(
            Host: Get(values, "broker.host") is { } host ? NonEmpty(host) : "localhost",
            Port: Get(values, "broker.port") is { } port ? Int(port, 1, 65535) : tls ? 5671 : 5672,
            VirtualHost: Get(values, "broker.virtualHost") is { } vhost ? NonEmpty(vhost) : "sweeps",
            User: Get(values, "broker.user") is { } user ? NonEmpty(user) : "sweeps",
            Password: Password(values, env),
            Tls: tls);
        var metrics = Get(values, "metricsAddress") is { } m ? Metrics(m) : MetricsEndpointOptions.Default.ToString();
        var nodes = values.Values
            .Where(e => e.Field.StartsWith("nodes.", StringComparison.Ordinal))
            .ToDictionary(e => e.Field["nodes.".Length..^".devices".Length], Devices, StringComparer.OrdinalIgnoreCase);
        return new ClusterConfig(
            broker,
            Get(values, "checkpointDirectory") is { } ck ? FullPath(ck) : throw Missing("checkpointDirectory", "a folder every node can read and write (a shared file system on real clusters)"),
            Get(values, "storePath") is { } store ? FullPath(store) : throw Missing("storePath", "the coordinator's SQLite file, e.g. runs/cluster.db"),
            metrics,
            Get(values, "devices") is { } devices ? Devices(devices) : ["cpu"],
            nodes);
    }

    private static ClusterConfigException Missing(string field, string expected) =>
        new("(cluster config)", field, $"missing; expected {expected} (in the file, SWEEPS__{field}, or --set {field}=...)");

    private static Entry? Get(Dictionary<string, Entry> values, string field) => values.GetValueOrDefault(field);

    private static string NonEmpty(Entry e) =>
        string.IsNullOrWhiteSpace(e.Value) ? throw new ClusterConfigException(e.Origin, e.Field, "is empty; expected a value") : e.Value.Trim();

    private static int Int(Entry e, int min, int max) =>
        int.TryParse(e.Value.Trim(), NumberStyles.None, CultureInfo.InvariantCulture, out var v) && v >= min && v <= max
            ? v
            : throw new ClusterConfigException(e.Origin, e.Field, $"'{e.Value}' is not a port; expected an integer {min}..{max}");

    private static bool Bool(Entry e) => e.Value.Trim().ToUpperInvariant() switch
    {
        "TRUE" or "ON" or "YES" or "1" => true,
        "FALSE" or "OFF" or "NO" or "0" => false,
        _ => throw new ClusterConfigException(e.Origin, e.Field, $"'{e.Value}' is not on/off; expected true or false"),
    };

    private static string FullPath(Entry e) => Path.GetFullPath(NonEmpty(e), e.BaseDirectory);

    private static string Metrics(Entry e)
    {
        var text = NonEmpty(e);
        if (text.Equals("off", StringComparison.OrdinalIgnoreCase))
        {
            return "off";
        }

        try
        {
            return MetricsEndpointOptions.Parse(text).ToString();
        }
        catch (FormatException ex)
        {
            throw new ClusterConfigException(e.Origin, e.Field, $"{ex.Message}, or off");
        }
    }

    private static IReadOnlyList<string> Devices(Entry e)
    {
        var devices = e.Value.Split(',', StringSplitOptions.TrimEntries | StringSplitOptions.RemoveEmptyEntries);
        if (devices.Length == 0)
        {
            throw new ClusterConfigException(e.Origin, e.Field, "is empty; expected devices such as cpu,cpu or cuda:0,cuda:1 (one slot each)");
        }

        return devices.FirstOrDefault(d => !DevicePattern().IsMatch(d)) is { } bad
            ? throw new ClusterConfigException(e.Origin, e.Field, $"'{bad}' is not a device; expected cpu or cuda:N (one slot each)")
            : devices;
    }

    private static Secret Password(Dictionary<string, Entry> values, IReadOnlyDictionary<string, string> env)
    {
        var set = new[] { PasswordField, PasswordFileField, PasswordEnvField }.Select(f => Get(values, f)).OfType<Entry>().ToList();
        if (set.Count == 0)
        {
            throw new ClusterConfigException("(cluster config)", "broker.password", "missing; expected one of broker.password, broker.passwordFile (a file holding it) or broker.passwordEnv (the name of an environment variable holding it)");
        }

        if (set.Count > 1)
        {
            throw new ClusterConfigException(set[1].Origin, set[1].Field, $"conflicts with {set[0].Field} ({set[0].Origin}); expected only one of broker.password, broker.passwordFile, broker.passwordEnv");
        }

        var e = set[0];
        string password;
        switch (e.Field)
        {
            case PasswordFileField:
                var file = FullPath(e);
                if (!File.Exists(file))
                {
                    throw new ClusterConfigException(e.Origin, e.Field, $"{file} does not exist; expected a file holding the broker password (ops/rabbitmq/start-local.sh writes one)");
                }

                password = File.ReadAllText(file).TrimEnd('\r', '\n');
                break;
            case PasswordEnvField:
                var name = NonEmpty(e);
                if (!env.TryGetValue(name, out var fromEnv))
                {
                    throw new ClusterConfigException(e.Origin, e.Field, $"environment variable {name} is not set; expected it to hold the broker password");
                }

                password = fromEnv;
                break;
            default:
                password = e.Value;
                break;
        }

        return password.Length == 0
            ? throw new ClusterConfigException(e.Origin, e.Field, "the password is empty; expected a non-empty password")
            : new Secret(password);
    }

    [GeneratedRegex(@"^nodes\.([A-Za-z0-9._-]+)\.devices$", RegexOptions.IgnoreCase)]
    private static partial Regex NodeField();

    [GeneratedRegex(@"^(cpu|cuda:[0-9]+)$")]
    private static partial Regex DevicePattern();

    private sealed record Entry(string Field, string Value, string Origin, string BaseDirectory)
    {
        // The value may be a password: records print it, so this one prints only where it came from.
        public override string ToString() => $"{Field} from {Origin}";
    }
}
