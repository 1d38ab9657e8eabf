using System.Net;
using System.Security.Cryptography;
using System.Security.Cryptography.X509Certificates;
using Akka.Actor;
using Akka.Cluster;
using Sweeps.Cluster.Configuration;

namespace Sweeps.Cluster.Tests;

/// <summary>
/// TLS for remoting with a self-signed certificate made here: two nodes with the cluster's certificate form a cluster;
/// a node with another certificate, and a node without TLS, are not let in; a wrong password is reported without
/// being printed.
/// </summary>
public sealed class ClusterTlsTests : IDisposable
{
    private const string Password = "Tls-s3cret-9";

    private readonly LocalNodes _nodes = new("sweeps-tls-");

    public void Dispose() => _nodes.Dispose();

    [Fact]
    public async Task Nodes_WithTheClusterCertificate_FormACluster_OthersCannotJoin()
    {
        var certificate = Certificate("cluster.pfx");
        var stranger = Certificate("stranger.pfx");
        var seedPort = LocalNodes.FreePort();
        var seed = Start(Config(seedPort, seedPort, certificate), ClusterNode.CoordinatorRole);
        var member = Start(Config(LocalNodes.FreePort(), seedPort, certificate), ClusterNode.WorkerRole);
        await UntilAsync(() => UpCount(seed) == 2 && UpCount(member) == 2, TimeSpan.FromSeconds(60), "the two nodes with the certificate forming a cluster");

        var withOther = Start(Config(LocalNodes.FreePort(), seedPort, stranger), ClusterNode.WorkerRole);
        var plain = Start(Config(LocalNodes.FreePort(), seedPort, null), ClusterNode.WorkerRole);
        await Task.Delay(TimeSpan.FromSeconds(15));
        Assert.Equal(2, Akka.Cluster.Cluster.Get(seed).State.Members.Count);
        Assert.DoesNotContain(Akka.Cluster.Cluster.Get(seed).State.Members, m => m.Address.Equals(Akka.Cluster.Cluster.Get(withOther).SelfAddress));
        Assert.DoesNotContain(Akka.Cluster.Cluster.Get(seed).State.Members, m => m.Address.Equals(Akka.Cluster.Cluster.Get(plain).SelfAddress));
        Assert.NotEqual(MemberStatus.Up, Akka.Cluster.Cluster.Get(withOther).SelfMember.Status);
        Assert.NotEqual(MemberStatus.Up, Akka.Cluster.Cluster.Get(plain).SelfMember.Status);
    }

    [Fact]
    public void Start_WrongCertificatePassword_ClearErrorWithoutThePassword()
    {
        var certificate = Certificate("cluster.pfx");
        var config = Config(LocalNodes.FreePort(), 2551, certificate, password: "not-the-Pa55word");
        var ex = Assert.Throws<ClusterConfigException>(() => ClusterNode.Start(config, ClusterNode.WorkerRole));
        Assert.Equal("sweeps.tls.certificate", ex.Field);
        Assert.DoesNotContain("not-the-Pa55word", ex.Message, StringComparison.Ordinal);
        Assert.DoesNotContain(Password, ex.Message, StringComparison.Ordinal);
    }

    private static int UpCount(ActorSystem system) => Akka.Cluster.Cluster.Get(system).State.Members.Count(m => m.Status == MemberStatus.Up);

    private static async Task UntilAsync(Func<bool> condition, TimeSpan timeout, string what)
    {
        var deadline = DateTime.UtcNow + timeout;
        while (!condition())
        {
            Assert.True(DateTime.UtcNow < deadline, $"timed out waiting for {what}");
            await Task.Delay(200);
        }
    }

    private ActorSystem Start(ClusterConfig config, string role)
    {
        return _nodes.Start(config, role);
    }

    private ClusterConfig Config(int port, int seedPort, string? certificate, string password = Password)
    {
        File.WriteAllText(Path.Combine(_nodes.Folder, "pw"), password);
        var tls = certificate is null ? string.Empty : $"sweeps.tls {{ certificate = \"{certificate}\", password-file = pw }}";
        return _nodes.Config(
            port,
            seedPort,
            $$"""
            {{tls}}
            akka.cluster.downing-provider-class = "Akka.Cluster.SBR.SplitBrainResolverProvider"
            """);
    }

    // A self-signed certificate for client and server authentication, as a PKCS#12 file with Password.
    private string Certificate(string name)
    {
        using var key = RSA.Create(2048);
        var request = new CertificateRequest("CN=sweeps-cluster", key, HashAlgorithmName.SHA256, RSASignaturePadding.Pkcs1);
        request.CertificateExtensions.Add(new X509EnhancedKeyUsageExtension([new Oid("1.3.6.1.5.5.7.3.1"), new Oid("1.3.6.1.5.5.7.3.2")], critical: false));
        request.CertificateExtensions.Add(new X509KeyUsageExtension(X509KeyUsageFlags.DigitalSignature | X509KeyUsageFlags.KeyEncipherment, critical: false));
        var san = new SubjectAlternativeNameBuilder();
        san.AddIpAddress(IPAddress.Loopback);
        san.AddDnsName("localhost");
        request.CertificateExtensions.Add(san.Build());
        using var certificate = request.CreateSelfSigned(DateTimeOffset.UtcNow.AddDays(-1), DateTimeOffset.UtcNow.AddDays(30));
        var path = Path.Combine(_nodes.Folder, name);
        File.WriteAllBytes(path, certificate.Export(X509ContentType.Pfx, Password));
        return path;
    }
}
