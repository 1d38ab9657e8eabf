using System.Diagnostics;
using MassTransit;

namespace Sweeps.Cluster.Tests;

/// <summary>
/// The receiving bus of a cluster node (<see cref="ReceivingBus"/>): replaced when it has not consumed for the limit
/// while the broker answers, left alone while it consumes or while the broker is away. In-memory buses stand in for
/// RabbitMQ ones and the broker's consumer count is scripted; the process tests cover RabbitMQ (a worker whose login
/// was refused recovers).
/// </summary>
public sealed class ReceivingBusTests
{
    private static readonly TimeSpan Poll = TimeSpan.FromMilliseconds(20);
    private static readonly TimeSpan Limit = TimeSpan.FromMilliseconds(300);

    [Fact]
    public async Task Consuming_IsNeverReplaced()
    {
        var created = new List<IBusControl>();
        await using var receiving = await Start(created, () => 1u, _ => true);
        await Task.Delay(Limit * 4);
        Assert.Equal(1, receiving.Generation);
        Assert.Single(created);
        Assert.True(ReceivingBus.IsHealthy(created[0]));
    }

    [Fact]
    public async Task StartedInMemoryBus_IsHealthy_AndUnhealthyOnceStopped()
    {
        var bus = Bus.Factory.CreateUsingInMemory(_ => { });
        await bus.StartAsync();
        Assert.True(ReceivingBus.IsHealthy(bus));
        await bus.StopAsync();
        Assert.False(ReceivingBus.IsHealthy(bus));
    }

    [Theory]
    [InlineData(true, 0u, "the broker counts 0 consumers on its queue")]
    [InlineData(false, 1u, "MassTransit reports it unhealthy")]
    public async Task NotConsuming_WhileTheBrokerAnswers_IsReplacedAfterTheLimit_AndTheOldBusStopped(bool healthy, uint consumers, string why)
    {
        var created = new List<IBusControl>();
        var log = new StringWriter();
        var first = Stopwatch.StartNew();
        // The first bus does not consume; its replacement does.
        await using var receiving = await Start(created, () => created.Count == 1 ? consumers : 1u, b => ReferenceEquals(b, created[0]) ? healthy : true, log);
        await Until(() => receiving.Generation == 2);
        Assert.True(first.Elapsed >= Limit, $"replaced after {first.Elapsed}, before the limit {Limit}");
        Assert.Equal(2, created.Count);
        Assert.False(ReceivingBus.IsHealthy(created[0]));
        Assert.True(ReceivingBus.IsHealthy(created[1]));
        Assert.Contains($"({why}); receiving on a new connection", log.ToString(), StringComparison.Ordinal);

        // The new bus consumes: it stays.
        await Task.Delay(Limit * 3);
        Assert.Equal(2, receiving.Generation);
    }

    [Fact]
    public async Task BrokerAway_IsNotReplaced_ThenReplacedOnceItAnswersWithoutConsumers()
    {
        var created = new List<IBusControl>();
        uint? answer = null;
        await using var receiving = await Start(created, () => answer, _ => false);
        await Task.Delay(Limit * 4);
        Assert.Equal(1, receiving.Generation);

        var back = Stopwatch.StartNew();
        answer = 0;
        await Until(() => receiving.Generation >= 2);
        Assert.True(back.Elapsed >= Limit, $"replaced {back.Elapsed} after the broker answered, before the limit {Limit}");
    }

    [Fact]
    public async Task AskingTheBrokerThrows_CountsAsAway()
    {
        var created = new List<IBusControl>();
        await using var receiving = await Start(created, () => throw new IOException("connection reset"), _ => false);
        await Task.Delay(Limit * 4);
        Assert.Equal(1, receiving.Generation);
    }

    [Fact]
    public async Task StopAsync_StopsTheBus_AndTheWatch()
    {
        var created = new List<IBusControl>();
        var receiving = await Start(created, () => 0u, _ => true);
        await receiving.StopAsync(CancellationToken.None);
        Assert.False(ReceivingBus.IsHealthy(created[0]));
        await Task.Delay(Limit * 3);
        Assert.Single(created);
        await receiving.DisposeAsync();
    }

    private static Task<ReceivingBus> Start(List<IBusControl> created, Func<uint?> consumers, Func<IBusControl, bool> healthy, TextWriter? log = null) =>
        ReceivingBus.StartAsync(
            () =>
            {
                var bus = Bus.Factory.CreateUsingInMemory(_ => { });
                lock (created)
                {
                    created.Add(bus);
                }

                return bus;
            },
            _ => Task.FromResult(consumers()),
            log ?? TextWriter.Null,
            CancellationToken.None,
            healthy,
            Poll,
            Limit);

    private static async Task Until(Func<bool> condition)
    {
        var clock = Stopwatch.StartNew();
        while (!condition())
        {
            Assert.True(clock.Elapsed < TimeSpan.FromSeconds(20), "not within 20 s");
            await Task.Delay(10);
        }
    }
}
