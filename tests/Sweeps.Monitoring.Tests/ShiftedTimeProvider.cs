namespace Sweeps.Monitoring.Tests;

/// <summary>The system clock shifted by <see cref="Offset"/> (to report progress "in the past").</summary>
internal sealed class ShiftedTimeProvider : TimeProvider
{
    public TimeSpan Offset { get; set; }

    public override DateTimeOffset GetUtcNow() => base.GetUtcNow() + Offset;
}
