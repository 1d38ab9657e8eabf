using System.Text.Json;
using Sweeps.Torch.Tests;

namespace Sweeps.Training.Tests;

/// <summary>Runs reference/methods_reference.py once for the method loss tests.</summary>
public sealed class MethodReferenceFixture
{
    public MethodReferenceFixture() => Root = PythonReference.Run("methods_reference.py");

    public JsonElement Root { get; }
}
