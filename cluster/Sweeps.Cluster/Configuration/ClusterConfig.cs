using Akka.Configuration;

namespace Sweeps.Cluster.Configuration;

/// <summary>
/// A cluster's configuration (<c>cluster.hocon</c> with environment-variable and flag overrides; see
/// <see cref="ClusterConfigFile"/>): Akka's own settings and the <c>sweeps { }</c> block, validated.
/// </summary>
/// <param name="Akka">The whole configuration after overrides (Akka reads its <c>akka { }</c> part).</param>
/// <param name="Hostname">This node's address for the other nodes (<c>sweeps.hostname</c>).</param>
/// <param name="Port">This node's remoting port, 0 for any free one (<c>sweeps.port</c>).</param>
/// <param name="SeedNodes">The seed nodes as Akka addresses (<c>akka.tcp://sweeps@host:port</c>, with TLS
/// <c>akka.ssl.tcp://...</c>).</param>
/// <param name="Roles">Extra cluster roles of this node (the commands add <c>coordinator</c> or <c>worker</c>).</param>
/// <param name="CheckpointDirectory">Absolute path of the shared checkpoint folder (same path on every node).</param>
/// <param name="StorePath">Absolute path of the coordinator's SQLite store.</param>
/// <param name="MetricsAddress">Where the coordinator serves /metrics (<c>address:port</c>, a port, or <c>off</c>).</param>
/// <param name="Devices">Devices of a worker whose host has no entry in <paramref name="Nodes"/>.</param>
/// <param name="Nodes">Devices per host name (case-insensitive).</param>
/// <param name="Tls">TLS for remoting, or null for none.</param>
public sealed record ClusterConfig(
    Config Akka,
    string Hostname,
    int Port,
    IReadOnlyList<string> SeedNodes,
    IReadOnlyList<string> Roles,
    string CheckpointDirectory,
    string StorePath,
    string MetricsAddress,
    IReadOnlyList<string> Devices,
    IReadOnlyDictionary<string, IReadOnlyList<string>> Nodes,
    TlsSettings? Tls)
{
    /// <summary>The actor system's name on every node (part of every address).</summary>
    public const string SystemName = "sweeps";

    /// <summary>The devices of the worker on <paramref name="node"/>: its entry under <c>nodes</c>, else <see cref="Devices"/>.</summary>
    public IReadOnlyList<string> DevicesOf(string node)
    {
        ArgumentNullException.ThrowIfNull(node);
        return Nodes.TryGetValue(node, out var devices) ? devices : Devices;
    }
}
