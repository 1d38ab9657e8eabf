using Sweeps.Actors.Messages;
using Sweeps.Actors.Storage;

namespace Sweeps.Cluster.Tests;

public sealed class SqliteSweepStoreTests : SweepStoreContract
{
    private readonly string _dir = Directory.CreateTempSubdirectory("sweeps-store-").FullName;

    protected override ISweepStore Create() => SqliteSweepStore.InDirectory(_dir);

    public override void Dispose()
    {
        base.Dispose();
        Directory.Delete(_dir, recursive: true);
    }

    [Fact]
    public void Reopen_EventsTrialsAndCancelRequestSurvive()
    {
        using (var first = SqliteSweepStore.InDirectory(_dir))
        {
            first.Record(new TrialStarted("a", 1, 1, DateTimeOffset.UnixEpoch, "n", "cpu"));
            first.RequestCancel();
        }

        using var second = SqliteSweepStore.InDirectory(_dir);
        Assert.Single(second.LoadEvents());
        Assert.False(second.Record(new TrialStarted("a", 1, 1, DateTimeOffset.UnixEpoch, "n", "cpu")));
        Assert.True(second.IsCancelRequested());
    }

    [Fact]
    public void SecondConnection_SeesWritesAndItsCancelRequestReachesTheWriter()
    {
        using var writer = SqliteSweepStore.InDirectory(_dir);
        using var reader = SqliteSweepStore.InDirectory(_dir);
        writer.Record(new TrialStarted("a", 1, 1, DateTimeOffset.UnixEpoch, "n", "cpu"));
        Assert.Single(reader.LoadEvents());
        reader.RequestCancel();
        Assert.True(writer.IsCancelRequested());
    }

    [Fact]
    public void Open_NotADatabase_StoreExceptionNamingTheFile()
    {
        var path = Path.Combine(_dir, "bad.db");
        File.WriteAllText(path, new string('x', 4096));
        var ex = Assert.Throws<StoreException>(() => new SqliteSweepStore(path));
        Assert.Contains(path, ex.Message, StringComparison.Ordinal);
    }

    [Fact]
    public void Load_CorruptEventRow_StoreException()
    {
        Store.Record(new TrialStarted("a", 1, 1, DateTimeOffset.UnixEpoch, "n", "cpu"));
        using (var connection = new Microsoft.Data.Sqlite.SqliteConnection($"Data Source={Path.Combine(_dir, SqliteSweepStore.FileName)};Pooling=False"))
        {
            connection.Open();
            using var command = connection.CreateCommand();
            command.CommandText = "UPDATE events SET body = '{\"kind\":\"nonsense\"}'";
            command.ExecuteNonQuery();
        }

        Assert.Throws<StoreException>(() => Store.LoadEvents());
    }
}
