using System.Collections;
using System.Globalization;
using System.Text;
using System.Text.RegularExpressions;
using Akka.Configuration;
using Akka.Configuration.Hocon;
using Sweeps.Monitoring;

namespace Sweeps.Cluster.Configuration;

/// <summary>
/// Loads <c>cluster.hocon</c>: Akka's own settings (<c>akka { }</c>) and the <c>sweeps { }</c> block. Every key can be
/// overridden, in increasing priority, by an environment variable and by a flag:
/// <list type="bullet">
/// <item><c>SWEEPS_PORT=2552</c>: a key of the <c>sweeps</c> block, upper case, <c>_</c> for <c>-</c> and
/// <c>.</c> (<c>SWEEPS_SEED_NODES</c>, <c>SWEEPS_CHECKPOINT_DIR</c>, <c>SWEEPS_TLS_CERTIFICATE</c>); variables that name
/// no such key are ignored.</item>
/// <item><c>SWEEPS__akka__cluster__split_brain_resolver__stable_after=10s</c>: any key, <c>__</c> for <c>.</c> and
/// <c>_</c> for <c>-</c>.</item>
/// <item><c>--set port=2552</c> (a key of the <c>sweeps</c> block) or <c>--set akka.loglevel=DEBUG</c> (any key).</item>
/// </list>
/// A key whose value in the file is a list (seed nodes, devices, roles) takes a comma-separated list. Relative paths in
/// the file are relative to the file's folder; in variables and flags, to the current folder. Errors name the file (or
/// the variable or flag), the key path and what was expected, never a password.
/// </summary>
public static partial class ClusterConfigFile
{
    /// <summary>The prefix of environment variables that override a key of the <c>sweeps</c> block.</summary>
    public const string EnvironmentPrefix = "SWEEPS_";

    /// <summary>The prefix of environment variables that override any key.</summary>
    public const string PathEnvironmentPrefix = "SWEEPS__";

    /// <summary>The keys of the <c>sweeps</c> block (besides <c>nodes.NAME.devices</c>).</summary>
    public static IReadOnlyList<string> Keys { get; } =
    [
        "hostname", "port", "seed-nodes", "roles", "checkpoint-dir", "store-path", "metrics-address", "devices",
        "tls.certificate", "tls.password", "tls.password-file", "tls.password-env",
    ];

    private static readonly string[] ListKeys = ["sweeps.seed-nodes", "sweeps.roles", "sweeps.devices"];

    // Akka's own keys for what the sweeps block sets: an override of one sets the sweeps key (the node's address,
    // seeds and roles are built from the sweeps block).
    private static readonly Dictionary<string, string> Aliases = new(StringComparer.Ordinal)
    {
        ["akka.remote.dot-netty.tcp.hostname"] = "sweeps.hostname",
        ["akka.remote.dot-netty.tcp.port"] = "sweeps.port",
        ["akka.cluster.seed-nodes"] = "sweeps.seed-nodes",
        ["akka.cluster.roles"] = "sweeps.roles",
    };

    /// <summary>
    /// Loads <paramref name="path"/> with the overrides of <paramref name="environment"/> (null: this process's
    /// environment) and <paramref name="overrides"/> (key path to value, from <c>--set</c>).
    /// </summary>
    /// <exception cref="ClusterConfigException">The file is missing or invalid, or a key has a bad value.</exception>
    public static ClusterConfig Load(
        string path, IReadOnlyDictionary<string, string>? environment = null, IReadOnlyDictionary<string, string>? overrides = null)
    {
        ArgumentNullException.ThrowIfNull(path);
        if (!File.Exists(path))
        {
            throw new ClusterConfigException(path, "(file)", $"not found ({Path.GetFullPath(path)}); expected a cluster configuration such as the repository's cluster.hocon");
        }

        var directory = Path.GetDirectoryName(Path.GetFullPath(path))!;
        return Parse(File.ReadAllText(path), path, directory, environment, overrides);
    }

    /// <summary>
    /// Parses configuration text; <paramref name="fileName"/> names it in errors and relative paths in it are
    /// resolved against <paramref name="baseDirectory"/>. See <see cref="Load"/>.
    /// </summary>
    /// <exception cref="ClusterConfigException">The text is invalid or a key has a bad value.</exception>
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
        var config = ParseHocon(text, fileName, "(syntax)");
        var origins = new Dictionary<string, (string Origin, string BaseDirectory)>(StringComparer.Ordinal);
        var layers = new List<(string Key, string Value, string Origin)>();
        foreach (var (name, value) in env.OrderBy(e => e.Key, StringComparer.Ordinal))
        {
            if (name.StartsWith(PathEnvironmentPrefix, StringComparison.OrdinalIgnoreCase))
            {
                var key = string.Join('.', name[PathEnvironmentPrefix.Length..].Split("__").Select(p => p.Replace('_', '-')));
                layers.Add((Canonical(key, $"environment variable {name}"), value, $"environment variable {name}"));
            }
            else if (name.StartsWith(EnvironmentPrefix, StringComparison.OrdinalIgnoreCase)
                && ShortKey(name[EnvironmentPrefix.Length..]) is { } key)
            {
                layers.Add(("sweeps." + key, value, $"environment variable {name}"));
            }
        }

        foreach (var (key, value) in overrides ?? new Dictionary<string, string>())
        {
            var full = key.StartsWith("akka.", StringComparison.Ordinal) || key.StartsWith("sweeps.", StringComparison.Ordinal) ? key : "sweeps." + key;
            layers.Add((Canonical(full, $"flag --set {key}"), value, $"flag --set {key}"));
        }

        foreach (var (key, value, origin) in layers)
        {
            var isList = ListKeys.Contains(key, StringComparer.Ordinal) || NodeDevices().IsMatch(key)
                || (config.HasPath(key) && IsList(config.GetValue(key)));
            var line = $"{Quote(key)} = {Value(value, isList)}";
            config = ParseHocon(line, origin, key).WithFallback(config);
            origins[key] = (origin, Directory.GetCurrentDirectory());
        }

        return Build(config, fileName, baseDirectory, origins, env);
    }

    /// <summary>Parses <c>--set</c> flags (<c>key=value</c>) into overrides for <see cref="Load"/>.</summary>
    /// <exception cref="ClusterConfigException">A flag has no <c>=</c>.</exception>
    public static IReadOnlyDictionary<string, string> ParseOverrides(IEnumerable<string> flags)
    {
        ArgumentNullException.ThrowIfNull(flags);
        var result = new Dictionary<string, string>(StringComparer.Ordinal);
        foreach (var flag in flags)
        {
            var eq = flag.IndexOf('=', StringComparison.Ordinal);
            if (eq <= 0)
            {
                var shown = flag.Contains("password", StringComparison.OrdinalIgnoreCase) ? "(value hidden)" : $"'{flag}'";
                throw new ClusterConfigException("flag --set", "(flag)", $"{shown} is not key=value; expected e.g. --set port=2552 or --set akka.loglevel=DEBUG");
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

    private static Config ParseHocon(string text, string origin, string key)
    {
        try
        {
            return ConfigurationFactory.ParseString(text);
        }
#pragma warning disable CA1031 // the HOCON parser throws several exception types for bad text; each becomes one clear error
        catch (Exception ex)
#pragma warning restore CA1031
        {
            throw new ClusterConfigException(origin, key, $"not valid HOCON: {ex.Message}");
        }
    }

    // A sweeps key from the part of a SWEEPS_ variable after the prefix (PORT, SEED_NODES, TLS_CERTIFICATE), or null.
    private static string? ShortKey(string name)
    {
        var wanted = name.ToUpperInvariant();
        var key = Keys.FirstOrDefault(k => k.Replace('-', '_').Replace('.', '_').ToUpperInvariant() == wanted);
        if (key is not null)
        {
            return key;
        }

        var node = Regex.Match(name, "^NODES_(.+)_DEVICES$", RegexOptions.IgnoreCase);
        return node.Success ? $"nodes.{node.Groups[1].Value.ToLowerInvariant()}.devices" : null;
    }

    private static string Canonical(string key, string origin)
    {
        if (Aliases.TryGetValue(key, out var alias))
        {
            return alias;
        }

        if (key.StartsWith("akka.", StringComparison.Ordinal) || NodeDevices().IsMatch(key))
        {
            return key;
        }

        return key.StartsWith("sweeps.", StringComparison.Ordinal) && Keys.Contains(key["sweeps.".Length..], StringComparer.Ordinal)
            ? key
            : throw new ClusterConfigException(origin, key, $"unknown key; expected akka.<any Akka setting> or sweeps.<one of {string.Join(", ", Keys)}, nodes.NAME.devices>");
    }

    private static string Quote(string path) =>
        string.Join('.', path.Split('.').Select(p => KeyPart().IsMatch(p) ? p : "\"" + p.Replace("\"", "\\\"", StringComparison.Ordinal) + "\""));

    private static string Value(string value, bool list)
    {
        var trimmed = value.Trim();
        if (trimmed.StartsWith('[') || trimmed.StartsWith('{'))
        {
            return trimmed;
        }

        return list
            ? "[" + string.Join(", ", trimmed.Split(',', StringSplitOptions.TrimEntries | StringSplitOptions.RemoveEmptyEntries).Select(Text)) + "]"
            : Text(value);
    }

    private static string Text(string value)
    {
        var b = new StringBuilder("\"");
        foreach (var c in value)
        {
            b.Append(c switch
            {
                '"' => "\\\"",
                '\\' => "\\\\",
                '\n' => "\\n",
                _ => c.ToString(),
            });
        }

        return b.Append('"').ToString();
    }

    private static ClusterConfig Build(
        Config config, string fileName, string baseDirectory, Dictionary<string, (string Origin, string BaseDirectory)> origins, IReadOnlyDictionary<string, string> env)
    {
        var read = new Reader(config, fileName, baseDirectory, origins);
        var hostname = read.String("sweeps.hostname", "127.0.0.1");
        if (hostname.Length == 0)
        {
            throw read.Error("sweeps.hostname", "is empty; expected this node's host name or address as the other nodes reach it");
        }

        var port = read.Int("sweeps.port", 2551, 0, 65535, "a port");
        var tls = Tls(read, env);
        var scheme = tls is null ? "akka.tcp" : "akka.ssl.tcp";
        var seeds = read.List("sweeps.seed-nodes", [$"{hostname}:{port}"]).Select(s => $"{scheme}://{ClusterConfig.SystemName}@{SeedNode(s, read)}").ToList();
        if (seeds.Count == 0)
        {
            throw read.Error("sweeps.seed-nodes", "is empty; expected at least one seed node (host:port), the coordinator's first");
        }

        var roles = read.List("sweeps.roles", []);
        if (roles.FirstOrDefault(r => !RoleName().IsMatch(r)) is { } badRole)
        {
            throw read.Error("sweeps.roles", $"'{badRole}' is not a role name; expected letters, digits, '-' or '_'");
        }

        var devices = Devices(read, "sweeps.devices", read.List("sweeps.devices", ["cpu"]));
        var nodes = new Dictionary<string, IReadOnlyList<string>>(StringComparer.OrdinalIgnoreCase);
        if (config.HasPath("sweeps.nodes"))
        {
            if (!config.GetValue("sweeps.nodes").IsObject())
            {
                throw read.Error("sweeps.nodes", "expected an object of hosts, e.g. nodes { gpu01 { devices = [\"cuda:0\", \"cuda:1\"] } }");
            }

            foreach (var (host, value) in config.GetValue("sweeps.nodes").GetObject().Items)
            {
                var key = $"sweeps.nodes.{host}.devices";
                if (!value.IsObject() || value.GetObject().Items.Keys.Any(k => k != "devices") || !value.GetObject().Items.ContainsKey("devices"))
                {
                    throw read.Error($"sweeps.nodes.{host}", "expected an object with one key, devices (e.g. gpu01 { devices = [\"cuda:0\", \"cuda:1\"] })");
                }

                nodes[host] = Devices(read, key, read.List(key, []));
            }
        }

        return new ClusterConfig(
            config,
            hostname,
            port,
            seeds,
            roles,
            read.Path("sweeps.checkpoint-dir", "a folder every node can read and write at the same path (a shared file system on real clusters)"),
            read.Path("sweeps.store-path", "the coordinator's SQLite file, e.g. runs/cluster/store.db"),
            Metrics(read),
            devices,
            nodes,
            tls);
    }

    private static string SeedNode(string text, Reader read)
    {
        var match = SeedPattern().Match(text.Trim());
        if (!match.Success)
        {
            throw read.Error("sweeps.seed-nodes", $"'{text}' is not a node address; expected host:port (e.g. gpu01:2551) or akka.tcp://{ClusterConfig.SystemName}@host:port");
        }

        if (match.Groups["system"].Success && match.Groups["system"].Value != ClusterConfig.SystemName)
        {
            throw read.Error("sweeps.seed-nodes", $"'{text}' names the actor system '{match.Groups["system"].Value}'; expected '{ClusterConfig.SystemName}'");
        }

        if (!int.TryParse(match.Groups["port"].Value, NumberStyles.None, CultureInfo.InvariantCulture, out var port) || port is < 1 or > 65535)
        {
            throw read.Error("sweeps.seed-nodes", $"'{text}' has no valid port; expected 1..65535");
        }

        return $"{match.Groups["host"].Value}:{port}";
    }

    private static IReadOnlyList<string> Devices(Reader read, string key, IReadOnlyList<string> devices)
    {
        if (devices.Count == 0)
        {
            throw read.Error(key, "is empty; expected devices such as [cpu, cpu] or [\"cuda:0\", \"cuda:1\"] (one slot each)");
        }

        return devices.FirstOrDefault(d => !DevicePattern().IsMatch(d)) is { } bad
            ? throw read.Error(key, $"'{bad}' is not a device; expected cpu or cuda:N (one slot each)")
            : devices;
    }

    private static string Metrics(Reader read)
    {
        var text = read.String("sweeps.metrics-address", MetricsEndpointOptions.Default.ToString());
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
            throw read.Error("sweeps.metrics-address", $"{ex.Message}, or off");
        }
    }

    private static TlsSettings? Tls(Reader read, IReadOnlyDictionary<string, string> env)
    {
        var certificate = read.String("sweeps.tls.certificate", string.Empty);
        if (certificate.Length == 0)
        {
            return null;
        }

        var file = read.Path("sweeps.tls.certificate", "a PKCS#12 (.pfx) file");
        if (!File.Exists(file))
        {
            throw read.Error("sweeps.tls.certificate", $"{file} does not exist; expected the cluster's PKCS#12 (.pfx) certificate file, the same on every node");
        }

        string[] sources = ["sweeps.tls.password", "sweeps.tls.password-file", "sweeps.tls.password-env"];
        var set = sources.Where(s => read.String(s, string.Empty).Length > 0).ToList();
        if (set.Count > 1)
        {
            throw read.Error(set[1], $"conflicts with {set[0]}; expected at most one of {string.Join(", ", sources)}");
        }

        var password = string.Empty;
        if (set.Count == 1)
        {
            var key = set[0];
            var value = read.String(key, string.Empty);
            switch (key)
            {
                case "sweeps.tls.password-file":
                    var path = read.Path(key, "a file holding the certificate's password");
                    if (!File.Exists(path))
                    {
                        throw read.Error(key, $"{path} does not exist; expected a file holding the certificate's password");
                    }

                    password = File.ReadAllText(path).TrimEnd('\r', '\n');
                    break;
                case "sweeps.tls.password-env":
                    password = env.TryGetValue(value, out var fromEnv)
                        ? fromEnv
                        : throw read.Error(key, $"environment variable {value} is not set; expected it to hold the certificate's password");
                    break;
                default:
                    password = value;
                    break;
            }
        }

        return new TlsSettings(file, new Secret(password));
    }

    // HoconValue.IsArray() is false for an empty list, and a list inside an object may be followed by a whitespace literal.
    private static bool IsList(HoconValue value) => value.Values.Any(e => e.IsArray());

    [GeneratedRegex(@"^sweeps\.nodes\.[A-Za-z0-9._-]+\.devices$")]
    private static partial Regex NodeDevices();

    [GeneratedRegex(@"^[A-Za-z0-9_-]+$")]
    private static partial Regex KeyPart();

    [GeneratedRegex(@"^[A-Za-z0-9_-]+$")]
    private static partial Regex RoleName();

    [GeneratedRegex(@"^(cpu|cuda:[0-9]+)$")]
    private static partial Regex DevicePattern();

    [GeneratedRegex(@"^(akka(\.ssl)?\.tcp://(?<system>[A-Za-z0-9_-]+)@)?(?<host>[A-Za-z0-9._-]+|\[[0-9A-Fa-f:]+\]):(?<port>[0-9]+)$")]
    private static partial Regex SeedPattern();

    // Reads typed values and names where a bad one came from: the flag, the variable, or the file.
    private sealed class Reader(Config config, string fileName, string baseDirectory, Dictionary<string, (string Origin, string BaseDirectory)> origins)
    {
        public ClusterConfigException Error(string key, string problem) =>
            new(origins.TryGetValue(key, out var o) ? o.Origin : fileName, key, problem);

        public string String(string key, string fallback)
        {
            if (!config.HasPath(key))
            {
                return fallback;
            }

            var value = config.GetValue(key);
            return value.IsString() ? value.GetString().Trim() : throw Error(key, "expected a single value, not a list or object");
        }

        public int Int(string key, int fallback, int min, int max, string what)
        {
            var text = String(key, fallback.ToString(CultureInfo.InvariantCulture));
            return int.TryParse(text, NumberStyles.None, CultureInfo.InvariantCulture, out var v) && v >= min && v <= max
                ? v
                : throw Error(key, $"'{text}' is not {what}; expected an integer {min}..{max}");
        }

        public IReadOnlyList<string> List(string key, IReadOnlyList<string> fallback)
        {
            if (!config.HasPath(key))
            {
                return fallback;
            }

            var value = config.GetValue(key);
            if (IsList(value))
            {
                return [.. value.GetArray().Select(v => v.IsString() ? v.GetString().Trim() : throw Error(key, "expected a list of values"))];
            }

            return value.IsString()
                ? value.GetString().Split(',', StringSplitOptions.TrimEntries | StringSplitOptions.RemoveEmptyEntries)
                : throw Error(key, "expected a list, e.g. [a, b]");
        }

        public string Path(string key, string expected)
        {
            var text = String(key, string.Empty);
            if (text.Length == 0)
            {
                throw Error(key, $"missing or empty; expected {expected} (in the file, SWEEPS_{key["sweeps.".Length..].Replace('-', '_').Replace('.', '_').ToUpperInvariant()}, or --set {key["sweeps.".Length..]}=...)");
            }

            var relativeTo = origins.TryGetValue(key, out var o) ? o.BaseDirectory : baseDirectory;
            return System.IO.Path.GetFullPath(text, relativeTo);
        }
    }
}
