using System.Text.Json;
using Microsoft.Data.Sqlite;
using Sweeps.Actors.Messages;
using Sweeps.Actors.Planning;
using Sweeps.Actors.Storage;

namespace Sweeps.Cluster;

/// <summary>
/// The durable <see cref="ISweepStore"/>: one SQLite file (<c>store.db</c> in the sweep's output folder), WAL mode,
/// one connection serialised by a lock. Events are unique on (trial, attempt, sequence): a second insert of the same
/// key is ignored and reported as a duplicate. Other processes may open the same file at the same time (readers such
/// as <c>sweeps status</c>, and <c>sweeps cancel</c>, which writes only the cancel request).
/// </summary>
public sealed class SqliteSweepStore : ISweepStore
{
    /// <summary>The store's file name in a sweep's output folder.</summary>
    public const string FileName = "store.db";

    private const string Schema = """
        CREATE TABLE IF NOT EXISTS meta (key TEXT PRIMARY KEY, value TEXT NOT NULL);
        CREATE TABLE IF NOT EXISTS trials (position INTEGER PRIMARY KEY AUTOINCREMENT, id TEXT NOT NULL UNIQUE, spec TEXT NOT NULL);
        CREATE TABLE IF NOT EXISTS events (
            position INTEGER PRIMARY KEY AUTOINCREMENT,
            trial TEXT NOT NULL, attempt INTEGER NOT NULL, sequence INTEGER NOT NULL,
            kind TEXT NOT NULL, body TEXT NOT NULL,
            UNIQUE (trial, attempt, sequence));
        """;

    private readonly Lock _lock = new();
    private readonly SqliteConnection _connection;
    private bool _disposed;

    static SqliteSweepStore() => SQLitePCL.Batteries_V2.Init();

    /// <summary>Opens (creating if needed) the store file at <paramref name="path"/>.</summary>
    /// <exception cref="StoreException">The file cannot be opened or is not a Sweeps store.</exception>
    public SqliteSweepStore(string path)
    {
        ArgumentNullException.ThrowIfNull(path);
        Path = System.IO.Path.GetFullPath(path);
        try
        {
            _connection = new SqliteConnection(new SqliteConnectionStringBuilder { DataSource = Path, Pooling = false }.ToString());
            _connection.Open();
            Execute("PRAGMA busy_timeout = 10000; PRAGMA journal_mode = WAL; PRAGMA synchronous = NORMAL;");
            Execute(Schema);
        }
        catch (SqliteException ex)
        {
            _connection?.Dispose();
            throw new StoreException($"cannot open the results store '{Path}': {ex.Message}", ex);
        }
    }

    /// <summary>The store file (absolute).</summary>
    public string Path { get; }

    /// <summary>Opens the store of the sweep output folder <paramref name="directory"/>.</summary>
    public static SqliteSweepStore InDirectory(string directory) => new(System.IO.Path.Combine(directory, FileName));

    /// <inheritdoc/>
    public SweepInfo? LoadSweep()
    {
        var json = Locked(() => Scalar("SELECT value FROM meta WHERE key = 'sweep'"));
        return json is null ? null : Read(() => StoreJson.DeserializeInfo(json));
    }

    /// <inheritdoc/>
    public void SaveSweep(SweepInfo info)
    {
        ArgumentNullException.ThrowIfNull(info);
        var json = StoreJson.Serialize(info);
        Locked(() => Execute("INSERT INTO meta (key, value) VALUES ('sweep', $v) ON CONFLICT (key) DO UPDATE SET value = excluded.value", ("$v", json)));
    }

    /// <inheritdoc/>
    public int AddTrials(IEnumerable<TrialSpec> trials)
    {
        ArgumentNullException.ThrowIfNull(trials);
        var rows = trials.Select(t => (t.Id, Json: StoreJson.Serialize(t))).ToList();
        return Locked(() =>
        {
            using var tx = _connection.BeginTransaction();
            var added = 0;
            foreach (var (id, json) in rows)
            {
                added += Execute("INSERT OR IGNORE INTO trials (id, spec) VALUES ($id, $spec)", ("$id", id), ("$spec", json));
            }

            tx.Commit();
            return added;
        });
    }

    /// <inheritdoc/>
    public IReadOnlyList<TrialSpec> LoadTrials() =>
        Read(() => Locked(() => Query("SELECT spec FROM trials ORDER BY position")).Select(StoreJson.DeserializeSpec).ToList());

    /// <inheritdoc/>
    public bool Record(TrialEvent e)
    {
        ArgumentNullException.ThrowIfNull(e);
        var json = StoreJson.Serialize(e);
        var kind = e.GetType().Name;
        return Locked(() => Execute(
            "INSERT OR IGNORE INTO events (trial, attempt, sequence, kind, body) VALUES ($t, $a, $s, $k, $b)",
            ("$t", e.TrialId), ("$a", e.Attempt), ("$s", e.Sequence), ("$k", kind), ("$b", json)) == 1);
    }

    /// <inheritdoc/>
    public bool Contains(TrialEventKey key) =>
        Locked(() => Scalar(
            "SELECT 1 FROM events WHERE trial = $t AND attempt = $a AND sequence = $s",
            ("$t", key.TrialId), ("$a", key.Attempt), ("$s", key.Sequence)) is not null);

    /// <inheritdoc/>
    public IReadOnlyList<TrialEvent> LoadEvents() =>
        Read(() => Locked(() => Query("SELECT body FROM events ORDER BY position")).Select(StoreJson.DeserializeEvent).ToList());

    /// <inheritdoc/>
    public void RequestCancel() =>
        Locked(() => Execute("INSERT INTO meta (key, value) VALUES ('cancel', '1') ON CONFLICT (key) DO UPDATE SET value = '1'"));

    /// <inheritdoc/>
    public bool IsCancelRequested() => Locked(() => Scalar("SELECT value FROM meta WHERE key = 'cancel'")) == "1";

    /// <inheritdoc/>
    public void ClearCancelRequest() => Locked(() => Execute("DELETE FROM meta WHERE key = 'cancel'"));

    /// <inheritdoc/>
    public void Dispose()
    {
        lock (_lock)
        {
            if (_disposed)
            {
                return;
            }

            _disposed = true;
            _connection.Dispose();
        }
    }

    private T Read<T>(Func<T> read)
    {
        try
        {
            return read();
        }
        catch (Exception ex) when (ex is JsonException or NotSupportedException)
        {
            throw new StoreException($"the results store '{Path}' holds a record it cannot read: {ex.Message}", ex);
        }
    }

    private T Locked<T>(Func<T> action)
    {
        lock (_lock)
        {
            ObjectDisposedException.ThrowIf(_disposed, this);
            try
            {
                return action();
            }
            catch (SqliteException ex)
            {
                throw new StoreException($"the results store '{Path}' failed: {ex.Message}", ex);
            }
        }
    }

    private void Locked(Action action) => Locked(() =>
    {
        action();
        return 0;
    });

    private SqliteCommand Command(string sql, (string Name, object Value)[] parameters)
    {
        var command = _connection.CreateCommand();
        command.CommandText = sql;
        foreach (var (name, value) in parameters)
        {
            command.Parameters.AddWithValue(name, value);
        }

        return command;
    }

    private int Execute(string sql, params (string Name, object Value)[] parameters)
    {
        using var command = Command(sql, parameters);
        return command.ExecuteNonQuery();
    }

    private string? Scalar(string sql, params (string Name, object Value)[] parameters)
    {
        using var command = Command(sql, parameters);
        return command.ExecuteScalar() switch
        {
            null or DBNull => null,
            var v => Convert.ToString(v, System.Globalization.CultureInfo.InvariantCulture),
        };
    }

    private List<string> Query(string sql)
    {
        using var command = Command(sql, []);
        using var reader = command.ExecuteReader();
        var rows = new List<string>();
        while (reader.Read())
        {
            rows.Add(reader.GetString(0));
        }

        return rows;
    }
}
