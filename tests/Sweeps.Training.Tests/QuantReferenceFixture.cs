using System.Text.Json;
using Sweeps.Torch.Tests;

namespace Sweeps.Training.Tests;

/// <summary>Runs reference/quant_reference.py once for <see cref="QuantizerReferenceTests"/>.</summary>
public sealed class QuantReferenceFixture
{
    public QuantReferenceFixture() => Root = PythonReference.Run("quant_reference.py");

    public JsonElement Root { get; }
}
