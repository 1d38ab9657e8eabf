using System.Net;
using System.Net.Sockets;
using Akka.Actor;
using Sweeps.Cluster.Configuration;

namespace Sweeps.Cluster.Tests;

/// <summary>Cluster nodes a test starts in its own process on 127.0.0.1, with a temporary folder for their files:
/// every node is terminated and the folder deleted on dispose.</summary>
internal sealed class LocalNodes : IDisposable
{
    private readonly List<ActorSystem> _systems = [];

    /// <summary>Nodes whose folder's name starts with <paramref name="prefix"/>.</summary>
    public LocalNodes(string prefix) => Folder = Directory.CreateTempSubdirectory(prefix).FullName;

    /// <summary>The temporary folder (relative paths of the nodes' configurations resolve against it).</summary>
    public string Folder { get; }

    /// <summary>A free TCP port on 127.0.0.1.</summary>
    public static int FreePort()
    {
        using var listener = new TcpListener(IPAddress.Loopback, 0);
        listener.Start();
        return ((IPEndPoint)listener.LocalEndpoint).Port;
    }

    /// <summary>The configuration of a node on 127.0.0.1:<paramref name="port"/> whose seed node is
    /// 127.0.0.1:<paramref name="seedPort"/>, with checkpoints and store in <see cref="Folder"/>, Akka's cluster
    /// provider, warnings only, unbatched remoting, and <paramref name="more"/> (HOCON: more of Akka's settings, TLS).</summary>
    public ClusterConfig Config(int port, int seedPort, string more = "") => Config(port, [seedPort], more);

    /// <summary>As <see cref="Config(int, int, string)"/> with the seed nodes on 127.0.0.1 at
    /// <paramref name="seedPorts"/>, in that order.</summary>
    public ClusterConfig Config(int port, IEnumerable<int> seedPorts, string more = "") =>
        ClusterConfigFile.Parse(
            $$"""
            sweeps {
              port = {{port}}
              seed-nodes = [{{string.Join(", ", seedPorts.Select(p => $"\"127.0.0.1:{p}\""))}}]
              checkpoint-dir = ck
              store-path = store.db
            }
            akka {
              loglevel = WARNING
              actor.provider = cluster
              remote.dot-netty.tcp.batching.enabled = false
            }
            {{more}}
            """,
            "cluster.hocon",
            Folder,
            new Dictionary<string, string>());

    /// <summary>Starts a node of <paramref name="role"/>; it is terminated on dispose.</summary>
    public ActorSystem Start(ClusterConfig config, string role)
    {
        var system = ClusterNode.Start(config, role);
        _systems.Add(system);
        return system;
    }

    /// <inheritdoc/>
    public void Dispose()
    {
        foreach (var system in _systems)
        {
            system.Terminate().Wait(TimeSpan.FromSeconds(10));
        }

        Directory.Delete(Folder, recursive: true);
    }
}
