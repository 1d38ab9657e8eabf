namespace Sweeps.Cluster.Configuration;

/// <summary>
/// A cluster's configuration (<c>cluster.yaml</c> with environment-variable and flag overrides; see
/// <see cref="ClusterConfigFile"/>): the broker, the folder of checkpoints every node can read, the
/// coordinator's store, where the coordinator serves metrics, and each node's devices.
/// </summary>
/// <param name="Broker">The broker.</param>
/// <param name="CheckpointDirectory">Absolute path of the shared checkpoint folder (same path on every node).</param>
/// <param name="StorePath">Absolute path of the coordinator's SQLite store.</param>
/// <param name="MetricsAddress">Where the coordinator serves /metrics (<c>address:port</c>, a port, or <c>off</c>).</param>
/// <param name="Devices">Devices of a worker whose node has no entry in <paramref name="Nodes"/>.</param>
/// <param name="Nodes">Devices per node (host name, case-insensitive).</param>
public sealed record ClusterConfig(
    BrokerSettings Broker,
    string CheckpointDirectory,
    string StorePath,
    string MetricsAddress,
    IReadOnlyList<string> Devices,
    IReadOnlyDictionary<string, IReadOnlyList<string>> Nodes)
{
    /// <summary>The devices of the worker on <paramref name="node"/>: its entry under <c>nodes</c>, else <see cref="Devices"/>.</summary>
    public IReadOnlyList<string> DevicesOf(string node)
    {
        ArgumentNullException.ThrowIfNull(node);
        return Nodes.TryGetValue(node, out var devices) ? devices : Devices;
    }
}
