namespace Sweeps.Cluster.Configuration;

/// <summary>The RabbitMQ broker every node of a cluster connects to.</summary>
/// <param name="Host">Host name or address of the broker.</param>
/// <param name="Port">AMQP port (5672; 5671 with TLS).</param>
/// <param name="VirtualHost">The RabbitMQ virtual host of this cluster's queues.</param>
/// <param name="User">The broker user (never <c>guest</c> by default).</param>
/// <param name="Password">The user's password (printed as <c>***</c>).</param>
/// <param name="Tls">Whether the connection uses TLS (AMQPS).</param>
public sealed record BrokerSettings(string Host, int Port, string VirtualHost, string User, Secret Password, bool Tls)
{
    /// <summary>The broker's address for messages: <c>rabbitmq[s]://user@host:port/vhost</c>, no password.</summary>
    public override string ToString() => $"{(Tls ? "rabbitmqs" : "rabbitmq")}://{User}@{Host}:{Port}/{Uri.EscapeDataString(VirtualHost)}";
}
