namespace Sweeps.Cluster.Configuration;

/// <summary>
/// A credential (the TLS certificate's password). Its text is reachable only through <see cref="Reveal"/>:
/// <see cref="ToString"/>, records that hold it and logs print <c>***</c>.
/// </summary>
public sealed class Secret : IEquatable<Secret>
{
    private readonly string _value;

    /// <summary>Wraps <paramref name="value"/>.</summary>
    public Secret(string value)
    {
        ArgumentNullException.ThrowIfNull(value);
        _value = value;
    }

    /// <summary>The credential's text, for the one place that needs it (loading the certificate).</summary>
    public string Reveal() => _value;

    /// <summary>Always <c>***</c>: a secret never appears in logs or messages.</summary>
    public override string ToString() => "***";

    /// <inheritdoc />
    public bool Equals(Secret? other) => other is not null && string.Equals(_value, other._value, StringComparison.Ordinal);

    /// <inheritdoc />
    public override bool Equals(object? obj) => obj is Secret other && Equals(other);

    /// <inheritdoc />
    public override int GetHashCode() => StringComparer.Ordinal.GetHashCode(_value);
}
