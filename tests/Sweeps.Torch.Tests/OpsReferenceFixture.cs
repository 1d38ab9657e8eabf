using System.Text.Json;

namespace Sweeps.Torch.Tests;

/// <summary>Runs reference/ops.py once per test class and serves its values by name.</summary>
public sealed class OpsReferenceFixture
{
    private readonly JsonElement _values = PythonReference.Run("ops.py");

    public double[] this[string name] =>
        _values.TryGetProperty(name, out var v) ? PythonReference.Doubles(v) : throw new KeyNotFoundException($"ops.py has no '{name}'");
}
