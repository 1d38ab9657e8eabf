using System.Globalization;
using System.Net;

namespace Sweeps.Monitoring;

/// <summary>Where <see cref="MetricsEndpoint"/> listens.</summary>
/// <param name="Address">The IP address (default <c>127.0.0.1</c>: only this machine; <c>0.0.0.0</c> for every interface).</param>
/// <param name="Port">The TCP port (default 9464); 0 picks a free one (see <see cref="MetricsEndpoint.Port"/>).</param>
public sealed record MetricsEndpointOptions(IPAddress Address, int Port)
{
    /// <summary>The default port.</summary>
    public const int DefaultPort = 9464;

    /// <summary>127.0.0.1:9464.</summary>
    public static MetricsEndpointOptions Default { get; } = new(IPAddress.Loopback, DefaultPort);

    /// <summary>Parses <c>address:port</c> (<c>127.0.0.1:9464</c>, <c>0.0.0.0:0</c>, <c>[::1]:9464</c>) or a port alone (<c>9464</c>, on 127.0.0.1).</summary>
    /// <param name="text">The text, e.g. from a config file or a flag.</param>
    /// <returns>The options.</returns>
    /// <exception cref="FormatException">The text is not an address and a port 0..65535.</exception>
    public static MetricsEndpointOptions Parse(string text)
    {
        ArgumentNullException.ThrowIfNull(text);
        var t = text.Trim();
        if (int.TryParse(t, NumberStyles.None, CultureInfo.InvariantCulture, out var portOnly) && portOnly <= IPEndPoint.MaxPort)
        {
            return new(IPAddress.Loopback, portOnly);
        }

        if (IPEndPoint.TryParse(t, out var endPoint) && t.Contains(':', StringComparison.Ordinal)
            && (endPoint.Address.AddressFamily != System.Net.Sockets.AddressFamily.InterNetworkV6 || t.StartsWith('[')))
        {
            return new(endPoint.Address, endPoint.Port);
        }

        throw new FormatException(
            $"'{text}' is not a metrics address: expected address:port (e.g. 127.0.0.1:9464, 0.0.0.0:0, [::1]:9464) or a port 0..65535");
    }

    /// <inheritdoc />
    public override string ToString() => new IPEndPoint(Address, Port).ToString();
}
