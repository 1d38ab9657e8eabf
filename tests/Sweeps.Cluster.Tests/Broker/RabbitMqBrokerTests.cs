using RabbitMQ.Client;
using RabbitMQ.Client.Exceptions;
using Sweeps.Cluster.Configuration;

namespace Sweeps.Cluster.Tests;

public sealed class RabbitMqBrokerTests
{
    [Fact]
    public async Task StartLocal_ConfiguredUser_CanPublishAndGetOnItsVirtualHostAndGuestCannotLogIn()
    {
        await using var broker = await RabbitMqBroker.StartAsync();
        var dir = Directory.CreateTempSubdirectory("sweeps-broker-test-").FullName;
        try
        {
            File.WriteAllText(Path.Combine(dir, "cluster.yaml"), broker.ClusterYaml(Path.Combine(dir, "ck"), Path.Combine(dir, "s.db")));
            var config = ClusterConfigFile.Load(Path.Combine(dir, "cluster.yaml"), new Dictionary<string, string>());
            var factory = new ConnectionFactory
            {
                HostName = config.Broker.Host,
                Port = config.Broker.Port,
                VirtualHost = config.Broker.VirtualHost,
                UserName = config.Broker.User,
                Password = config.Broker.Password.Reveal(),
            };
            await using (var connection = await factory.CreateConnectionAsync())
            await using (var channel = await connection.CreateChannelAsync())
            {
                await channel.QueueDeclareAsync("probe", durable: false, exclusive: false, autoDelete: false);
                await channel.BasicPublishAsync(string.Empty, "probe", "hello"u8.ToArray());
                BasicGetResult? got = null;
                for (var i = 0; i < 50 && got is null; i++)
                {
                    got = await channel.BasicGetAsync("probe", autoAck: true);
                    await Task.Delay(20);
                }

                Assert.NotNull(got);
                Assert.Equal("hello", System.Text.Encoding.UTF8.GetString(got.Body.Span));
            }

            var guest = new ConnectionFactory { HostName = "127.0.0.1", Port = broker.Port, UserName = "guest", Password = "guest" };
            await Assert.ThrowsAsync<BrokerUnreachableException>(() => guest.CreateConnectionAsync());
            var wrong = new ConnectionFactory { HostName = "127.0.0.1", Port = broker.Port, VirtualHost = "sweeps", UserName = "sweeps", Password = "wrong" };
            await Assert.ThrowsAsync<BrokerUnreachableException>(() => wrong.CreateConnectionAsync());
        }
        finally
        {
            Directory.Delete(dir, recursive: true);
        }
    }

    [Fact]
    public async Task Consumers_OfAQueue_CountedByTheBroker_ZeroWhenGone_NullWhenTheBrokerCannotBeAsked()
    {
        // What a node's receiving-bus watch asks the broker (RabbitMqTransport.ConsumersAsync).
        await using var broker = await RabbitMqBroker.StartAsync();
        var settings = broker.Settings;
        Assert.Equal(0u, await RabbitMqTransport.ConsumersAsync(settings, "never-declared"));

        var factory = new ConnectionFactory { HostName = "127.0.0.1", Port = broker.Port, VirtualHost = "sweeps", UserName = "sweeps", Password = broker.Password };
        await using (var connection = await factory.CreateConnectionAsync())
        await using (var channel = await connection.CreateChannelAsync())
        {
            await channel.QueueDeclareAsync("watched", durable: false, exclusive: false, autoDelete: false);
            Assert.Equal(0u, await RabbitMqTransport.ConsumersAsync(settings, "watched"));
            await channel.BasicConsumeAsync("watched", autoAck: true, new RabbitMQ.Client.Events.AsyncEventingBasicConsumer(channel));
            Assert.Equal(1u, await RabbitMqTransport.ConsumersAsync(settings, "watched"));
        }

        Assert.Equal(0u, await RabbitMqTransport.ConsumersAsync(settings, "watched"));
        await broker.DeleteUserAsync();
        Assert.Null(await RabbitMqTransport.ConsumersAsync(settings, "watched"));
        await broker.AddUserAsync();
        Assert.Equal(0u, await RabbitMqTransport.ConsumersAsync(settings, "watched"));
        await broker.StopAsync();
        Assert.Null(await RabbitMqTransport.ConsumersAsync(settings, "watched"));
    }

    [Fact]
    public async Task StopLocal_RunningBroker_FreesItsPortAndRestartKeepsUser()
    {
        await using var broker = await RabbitMqBroker.StartAsync();
        await broker.StopAsync();
        using (var probe = new System.Net.Sockets.TcpClient())
        {
            await Assert.ThrowsAnyAsync<System.Net.Sockets.SocketException>(() => probe.ConnectAsync("127.0.0.1", broker.Port));
        }

        await broker.RestartAsync();
        var factory = new ConnectionFactory { HostName = "127.0.0.1", Port = broker.Port, VirtualHost = "sweeps", UserName = "sweeps", Password = broker.Password };
        await using var connection = await factory.CreateConnectionAsync();
        Assert.True(connection.IsOpen);
    }
}
