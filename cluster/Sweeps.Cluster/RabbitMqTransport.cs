using System.Security.Authentication;
using MassTransit;
using RabbitMQ.Client;
using RabbitMQ.Client.Exceptions;
using Sweeps.Cluster.Configuration;

namespace Sweeps.Cluster;

/// <summary>The RabbitMQ side of cluster mode: queue names, the bus of a node, purging the trials queue.</summary>
internal static class RabbitMqTransport
{
    /// <summary>The queue workers take trials from (competing consumers; durable).</summary>
    public const string TrialsQueue = "sweeps-trials";

    /// <summary>The coordinator's queue: trial events (durable: they wait there while the coordinator is down).</summary>
    public const string CoordinatorQueue = "sweeps-coordinator";

    /// <summary>Heartbeat a node asks for: a dead node's connection (and its unacknowledged trials) is released after about two missed ones.</summary>
    public static readonly TimeSpan Heartbeat = TimeSpan.FromSeconds(5);

    public static Uri TrialsAddress => new("queue:" + TrialsQueue);

    public static Uri CoordinatorAddress => new("queue:" + CoordinatorQueue);

    /// <summary>
    /// A bus on the broker of <paramref name="broker"/>, with the endpoints <paramref name="configure"/> adds. Its own
    /// warnings (connection lost, endpoint faulted) go where the node's <see cref="BusLog.Attach"/> sent them.
    /// </summary>
    public static IBusControl CreateBus(BrokerSettings broker, Action<IRabbitMqBusFactoryConfigurator> configure) =>
        Bus.Factory.CreateUsingRabbitMq(cfg =>
        {
            cfg.Host(broker.Host, (ushort)broker.Port, broker.VirtualHost, h =>
            {
                h.Username(broker.User);
                h.Password(broker.Password.Reveal());
                h.Heartbeat(Heartbeat);
                if (broker.Tls)
                {
                    h.UseSsl(s =>
                    {
                        s.ServerName = broker.Host;
                        s.Protocol = SslProtocols.Tls12 | SslProtocols.Tls13;
                    });
                }
            });
            configure(cfg);
        });

    /// <summary>
    /// Logs a failed attempt to send (the 1st, then every 10th: one line per ~10 s while the broker is down), e.g.
    /// "worker: an event of fp-s0 is not sent yet (try 11: BrokerUnreachableException: ...); retrying".
    /// </summary>
    public static void LogRetry(TextWriter log, string what, int attempt, Exception ex)
    {
        if (attempt % 10 == 1)
        {
            log.WriteLine($"{what} (try {attempt}: {ex.GetType().Name}: {ex.Message}); retrying");
        }
    }

    /// <summary>
    /// Removes the trials that wait in the trials queue (not those a worker holds): a restarting coordinator sends
    /// every ready trial again, and would otherwise queue some twice.
    /// </summary>
    public static async Task<uint> PurgeTrialsAsync(BrokerSettings broker, CancellationToken cancellationToken = default)
    {
        await using var connection = await Factory(broker).CreateConnectionAsync(cancellationToken).ConfigureAwait(false);
        await using var channel = await connection.CreateChannelAsync(cancellationToken: cancellationToken).ConfigureAwait(false);
        try
        {
            return await channel.QueuePurgeAsync(TrialsQueue, cancellationToken).ConfigureAwait(false);
        }
        catch (OperationInterruptedException ex) when (ex.ShutdownReason?.ReplyCode == 404)
        {
            return 0;
        }
    }

    /// <summary>
    /// The consumers the broker counts on <paramref name="queue"/> (0 when the queue does not exist), asked on a
    /// connection of its own; null when the broker cannot be asked (down, starting, refusing the login).
    /// </summary>
    public static async Task<uint?> ConsumersAsync(BrokerSettings broker, string queue, CancellationToken cancellationToken = default)
    {
        try
        {
            var factory = Factory(broker);
            factory.RequestedConnectionTimeout = TimeSpan.FromSeconds(5);
            await using var connection = await factory.CreateConnectionAsync(cancellationToken).ConfigureAwait(false);
            await using var channel = await connection.CreateChannelAsync(cancellationToken: cancellationToken).ConfigureAwait(false);
            try
            {
                return (await channel.QueueDeclarePassiveAsync(queue, cancellationToken).ConfigureAwait(false)).ConsumerCount;
            }
            catch (OperationInterruptedException ex) when (ex.ShutdownReason?.ReplyCode == 404)
            {
                return 0;
            }
        }
        catch (Exception ex) when (ex is BrokerUnreachableException or OperationInterruptedException or IOException or System.Net.Sockets.SocketException or TimeoutException)
        {
            return null;
        }
    }

    private static ConnectionFactory Factory(BrokerSettings broker) => new()
    {
        HostName = broker.Host,
        Port = broker.Port,
        VirtualHost = broker.VirtualHost,
        UserName = broker.User,
        Password = broker.Password.Reveal(),
        Ssl = new SslOption { Enabled = broker.Tls, ServerName = broker.Host },
    };
}
