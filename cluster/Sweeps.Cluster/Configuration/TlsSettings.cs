namespace Sweeps.Cluster.Configuration;

/// <summary>TLS for remoting (<c>sweeps.tls</c>): every node presents the same certificate and accepts only peers that
/// present it (pinned by thumbprint), so a node without the certificate cannot join.</summary>
/// <param name="Certificate">Absolute path of the PKCS#12 (<c>.pfx</c>) file with the certificate and its key.</param>
/// <param name="Password">The file's password (printed as <c>***</c>).</param>
public sealed record TlsSettings(string Certificate, Secret Password);
