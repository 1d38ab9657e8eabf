using System.Diagnostics;
using System.Globalization;
using System.Net;
using System.Net.Sockets;

namespace Sweeps.Cluster.Tests;

/// <summary>
/// A real RabbitMQ broker for a test, started with ops/rabbitmq/start-local.sh on 127.0.0.1 on free AMQP and
/// distribution ports, with its own data folder, node name, user <c>sweeps</c> and virtual host <c>sweeps</c>;
/// stopped and its folder deleted on dispose. Fails (never skips) when rabbitmq-server is not installed.
/// </summary>
internal sealed class RabbitMqBroker : IAsyncDisposable
{
    public const string ServerBinary = "/usr/lib/rabbitmq/bin/rabbitmq-server";

    private RabbitMqBroker(string directory, int port, int distPort)
    {
        Directory = directory;
        Port = port;
        DistPort = distPort;
    }

    /// <summary>The broker's data, logs, cookie and password file.</summary>
    public string Directory { get; }

    /// <summary>The AMQP port on 127.0.0.1.</summary>
    public int Port { get; }

    /// <summary>The Erlang distribution port (rabbitmqctl).</summary>
    public int DistPort { get; }

    public string User => "sweeps";

    public string VirtualHost => "sweeps";

    /// <summary>The file holding the user's password.</summary>
    public string PasswordFile => Path.Combine(Directory, "broker.password");

    public string Password => File.ReadAllText(PasswordFile).Trim();

    /// <summary>The broker as cluster mode's settings name it (no TLS).</summary>
    public Sweeps.Cluster.Configuration.BrokerSettings Settings =>
        new("127.0.0.1", Port, VirtualHost, User, new Sweeps.Cluster.Configuration.Secret(Password), Tls: false);

    public static string Script => Path.Combine(RepoRoot, "ops", "rabbitmq", "start-local.sh");

    public static string RepoRoot { get; } = FindRoot();

    /// <summary>Starts a broker (about 5-10 s).</summary>
    public static async Task<RabbitMqBroker> StartAsync()
    {
        if (!File.Exists(ServerBinary))
        {
            throw new InvalidOperationException(
                $"rabbitmq-server is not installed ({ServerBinary} is missing): the cluster tests need a real broker. Run ./sweeps.sh setup (APT_PACKAGES has rabbitmq-server) or apt-get install rabbitmq-server.");
        }

        var directory = System.IO.Directory.CreateTempSubdirectory("sweeps-rabbitmq-").FullName;
        var broker = new RabbitMqBroker(directory, FreePort(), FreeDistPort());
        await broker.RunScriptAsync("start", "--dir", directory, "--port", Inv(broker.Port), "--dist-port", Inv(broker.DistPort));
        return broker;
    }

    /// <summary>Stops the broker, keeping its data (messages in durable queues survive a <see cref="RestartAsync"/>).</summary>
    public Task StopAsync() => RunScriptAsync("stop", "--dir", Directory);

    /// <summary>Starts the stopped broker again on the same ports and data.</summary>
    public Task RestartAsync() =>
        RunScriptAsync("start", "--dir", Directory, "--port", Inv(Port), "--dist-port", Inv(DistPort));

    /// <summary>The broker's queues (ready, unacknowledged, consumers) and connections, for a failing test's message.</summary>
    public async Task<string> StatusAsync()
    {
        try
        {
            return await RunScriptAsync("status", "--dir", Directory);
        }
        catch (InvalidOperationException ex)
        {
            return ex.Message;
        }
    }

    /// <summary>Runs rabbitmqctl <paramref name="args"/> against this broker (start-local.sh ctl), with <paramref name="input"/> on its standard input.</summary>
    public Task<string> CtlAsync(string? input, params string[] args) => RunScriptAsync(input, ["ctl", "--dir", Directory, "--", .. args]);

    /// <summary>Deletes the broker's user: its connections are closed, and MassTransit gives up on the refused logins that follow.</summary>
    public Task DeleteUserAsync() => CtlAsync(null, "delete_user", User);

    /// <summary>Adds the user again with its password and full permissions on the virtual host.</summary>
    public async Task AddUserAsync()
    {
        await CtlAsync(Password, "add_user", User);
        await CtlAsync(null, "set_permissions", "-p", VirtualHost, User, ".*", ".*", ".*");
    }

    /// <summary>A cluster.yaml for this broker, with the given checkpoint folder and store.</summary>
    public string ClusterYaml(string checkpointDirectory, string storePath, string devices = "[cpu]") => $"""
        broker:
          host: 127.0.0.1
          port: {Port}
          virtualHost: {VirtualHost}
          user: {User}
          passwordFile: {PasswordFile}
        checkpointDirectory: {checkpointDirectory}
        storePath: {storePath}
        metricsAddress: off
        devices: {devices}
        """;

    public async ValueTask DisposeAsync()
    {
        try
        {
            await StopAsync();
        }
        finally
        {
            try
            {
                System.IO.Directory.Delete(Directory, recursive: true);
            }
            catch (IOException)
            {
            }
        }
    }

    private Task<string> RunScriptAsync(params string[] args) => RunScriptAsync(null, args);

    private async Task<string> RunScriptAsync(string? input, string[] args)
    {
        var start = new ProcessStartInfo("bash") { RedirectStandardOutput = true, RedirectStandardError = true, RedirectStandardInput = true, UseShellExecute = false };
        start.ArgumentList.Add(Script);
        foreach (var a in args)
        {
            start.ArgumentList.Add(a);
        }

        using var process = Process.Start(start) ?? throw new InvalidOperationException("cannot start bash");
        await process.StandardInput.WriteAsync(input ?? string.Empty);
        process.StandardInput.Close();
        var stdout = process.StandardOutput.ReadToEndAsync();
        var stderr = process.StandardError.ReadToEndAsync();
        using var timeout = new CancellationTokenSource(TimeSpan.FromMinutes(3));
        await process.WaitForExitAsync(timeout.Token);
        if (process.ExitCode != 0)
        {
            throw new InvalidOperationException($"start-local.sh {args[0]} failed ({process.ExitCode}): {await stdout}{await stderr}");
        }

        return await stdout;
    }

    private static string Inv(int value) => value.ToString(CultureInfo.InvariantCulture);

    private static int FreePort()
    {
        using var listener = new TcpListener(IPAddress.Loopback, 0);
        listener.Start();
        return ((IPEndPoint)listener.LocalEndpoint).Port;
    }

    // rabbitmqctl uses the 10 ports above the distribution port: pick one with room above it.
    private static int FreeDistPort()
    {
        for (var i = 0; i < 100; i++)
        {
            var candidate = Random.Shared.Next(20000, 30000);
            try
            {
                using var listener = new TcpListener(IPAddress.Loopback, candidate);
                listener.Start();
                return candidate;
            }
            catch (SocketException)
            {
            }
        }

        throw new InvalidOperationException("no free distribution port in 20000..30000");
    }

    private static string FindRoot()
    {
        for (var dir = new DirectoryInfo(AppContext.BaseDirectory); dir is not null; dir = dir.Parent)
        {
            if (File.Exists(Path.Combine(dir.FullName, "ops", "rabbitmq", "start-local.sh")))
            {
                return dir.FullName;
            }
        }

        throw new InvalidOperationException("repository root (ops/rabbitmq/start-local.sh) not found above " + AppContext.BaseDirectory);
    }
}
