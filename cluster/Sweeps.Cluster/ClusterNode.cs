using System.Security.Cryptography.X509Certificates;
using Akka.Actor;
using Akka.Actor.Setup;
using Akka.Cluster;
using Akka.Cluster.Tools.Singleton;
using Akka.Configuration;
using Akka.Remote.Transport.DotNetty;
using Sweeps.Actors.Messages;
using Sweeps.Cluster.Configuration;

namespace Sweeps.Cluster;

/// <summary>
/// Starts this process's node of the cluster: an actor system named <see cref="ClusterConfig.SystemName"/> with the
/// configuration's remoting address, seed nodes, roles (plus the command's), the split brain resolver and failure
/// detector of <c>cluster.hocon</c>, the Sweeps serializer, and TLS when configured. The coordinator runs as the
/// cluster singleton <see cref="SingletonManagerName"/>/<see cref="SingletonName"/> on the node with role
/// <see cref="CoordinatorRole"/>; every node reaches it through a singleton proxy.
/// </summary>
internal static class ClusterNode
{
    /// <summary>The coordinator's role.</summary>
    public const string CoordinatorRole = "coordinator";

    /// <summary>The workers' role.</summary>
    public const string WorkerRole = "worker";

    /// <summary>The singleton manager's actor name (under /user).</summary>
    public const string SingletonManagerName = "coordinator";

    /// <summary>The coordinator singleton's name under its manager.</summary>
    public const string SingletonName = "sweep";

    /// <summary>The actor system of a node with <paramref name="role"/>.</summary>
    /// <exception cref="ClusterConfigException">The TLS certificate cannot be loaded (its password is not printed).</exception>
    public static ActorSystem Start(ClusterConfig config, string role)
    {
        var tls = config.Tls is null ? string.Empty : "akka.remote.dot-netty.tcp.enable-ssl = true";
        var node = ConfigurationFactory.ParseString($$"""
            akka.remote.dot-netty.tcp {
              hostname = "{{config.Hostname}}"
              port = {{config.Port}}
            }
            akka.cluster.seed-nodes = [{{string.Join(", ", config.SeedNodes.Select(s => $"\"{s}\""))}}]
            akka.cluster.roles = [{{string.Join(", ", config.Roles.Append(role).Distinct().Select(r => $"\"{r}\""))}}]
            # SIGTERM is ours: a worker hands its trials back before it leaves (Akka would leave at once).
            akka.coordinated-shutdown.run-by-clr-shutdown-hook = off
            # Akka 1.5.75's proxy warns "failed to find ... after 30 seconds" the moment it starts looking (and at every
            # membership change); a worker's CoordinatorWatch tells the wait instead.
            akka.cluster.singleton-proxy.log-singleton-identification-failure = off
            {{tls}}
            """)
            .WithFallback(ConfigurationFactory.ParseString(SweepsSerializer.Hocon))
            .WithFallback(config.Akka)
            .WithFallback(ClusterSingleton.DefaultConfig());
        var setup = BootstrapSetup.Create().WithConfig(node);
        ActorSystemSetup all = config.Tls is { } t ? setup.And(Ssl(t)) : ActorSystemSetup.Create(setup);
        return ActorSystem.Create(ClusterConfig.SystemName, all);
    }

    /// <summary>A proxy to the coordinator singleton, wherever it runs (it buffers messages while there is none).</summary>
    public static IActorRef CoordinatorProxy(ActorSystem system) =>
        system.ActorOf(
            ClusterSingletonProxy.Props(
                $"/user/{SingletonManagerName}",
                ClusterSingletonProxySettings.Create(system).WithRole(CoordinatorRole).WithSingletonName(SingletonName)),
            "coordinator-proxy");

    /// <summary>Feeds this node's view of the membership to <paramref name="metrics"/> (nothing when null).</summary>
    public static void ReportMembership(ActorSystem system, Monitoring.SweepMetrics? metrics)
    {
        if (metrics is not null)
        {
            system.ActorOf(Props.Create(() => new MembershipReporter(metrics)), "membership-metrics");
        }
    }

    /// <summary>Leaves the cluster gracefully and stops the actor system (bounded by <paramref name="timeout"/>).</summary>
    public static async Task LeaveAsync(ActorSystem system, TimeSpan timeout)
    {
        var leave = CoordinatedShutdown.Get(system).Run(CoordinatedShutdown.ClusterLeavingReason.Instance);
        await Task.WhenAny(leave, Task.Delay(timeout)).ConfigureAwait(false);
        if (!system.WhenTerminated.IsCompleted)
        {
            await system.Terminate().ConfigureAwait(false);
        }
    }

    /// <summary>This node's address as the others see it.</summary>
    public static string Address(ActorSystem system) => Akka.Cluster.Cluster.Get(system).SelfAddress.ToString();

    private static DotNettySslSetup Ssl(TlsSettings tls)
    {
        X509Certificate2 certificate;
        try
        {
            certificate = X509CertificateLoader.LoadPkcs12FromFile(tls.Certificate, tls.Password.Reveal(), X509KeyStorageFlags.EphemeralKeySet);
        }
        catch (System.Security.Cryptography.CryptographicException ex)
        {
            throw new ClusterConfigException(tls.Certificate, "sweeps.tls.certificate", $"cannot be loaded as a PKCS#12 file with the configured password ({ex.Message})");
        }

        // Every node presents the cluster's certificate, and only a peer presenting that same certificate is accepted
        // (pinned by thumbprint, mutual authentication): a self-signed certificate made for the cluster is enough.
        return new DotNettySslSetup(certificate, suppressValidation: true, requireMutualAuthentication: true, CertificateValidation.PinnedCertificate(certificate.Thumbprint));
    }
}
