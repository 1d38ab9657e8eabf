using System.Text.Json;
using Sweeps.Torch;
using Sweeps.Torch.Tests;
using Sweeps.Training.Quantization;
using static Sweeps.Training.Tests.QuantTestData;

namespace Sweeps.Training.Tests;

/// <summary>Each quantizer's initialisation, forward and gradients against PyTorch (reference/quant_reference.py).</summary>
public sealed class QuantizerReferenceTests(QuantReferenceFixture fixture) : IClassFixture<QuantReferenceFixture>
{
    private readonly JsonElement _root = fixture.Root;

    [Theory]
    [InlineData("ewgs_w3_d0", QuantizationTarget.Weights, 3, 0.0, true)]
    [InlineData("ewgs_w3_d03", QuantizationTarget.Weights, 3, 0.3, true)]
    [InlineData("ewgs_a2_d02", QuantizationTarget.Activations, 2, 0.2, true)]
    [InlineData("ewgs_w3_d0", QuantizationTarget.Weights, 3, 0.0, false)]
    [InlineData("ewgs_w3_d03", QuantizationTarget.Weights, 3, 0.3, false)]
    [InlineData("ewgs_a2_d02", QuantizationTarget.Activations, 2, 0.2, false)]
    public void Ewgs_FirstInput_InitialisesAndDifferentiatesAsPyTorch(string key, QuantizationTarget target, int bits, double delta, bool fusedKernel)
    {
        var r = _root.GetProperty(key);
        using var scope = DisposeScope.Enter();
        using var q = new EwgsQuantizer(target, bits) { Delta = delta, UseFusedKernel = fusedKernel };
        var x = Tensor.From(target == QuantizationTarget.Weights ? Weights : Activations, N).WithRequiresGrad();
        var y = q.Forward(x);
        (y * Tensor.From(Upstream, N)).Sum().Backward();

        Assert.Equal(r.GetProperty("lower").GetDouble(), q.Lower.ToDouble(), 5);
        Assert.Equal(r.GetProperty("upper").GetDouble(), q.Upper.ToDouble(), 5);
        Assert.Equal(r.GetProperty("scale").GetDouble(), q.Scale.ToDouble(), 5);
        TestAssert.Close(PythonReference.Doubles(r.GetProperty("out")), Doubles(y), 1e-5, 1e-6, "out");
        TestAssert.Close(PythonReference.Doubles(r.GetProperty("gx")), Doubles(x.Grad!), 1e-4, 1e-5, "dx");
        TestAssert.Close([r.GetProperty("gl").GetDouble()], [q.Lower.Grad!.ToDouble()], 1e-4, 1e-5, "dl");
        TestAssert.Close([r.GetProperty("gu").GetDouble()], [q.Upper.Grad!.ToDouble()], 1e-4, 1e-5, "du");
        TestAssert.Close([r.GetProperty("gs").GetDouble()], [q.Scale.Grad!.ToDouble()], 1e-4, 1e-5, "ds");
    }

    [Fact]
    public void Lsq_Weights_InitialisesAndDifferentiatesAsPyTorch()
    {
        var r = _root.GetProperty("lsq_w3");
        using var scope = DisposeScope.Enter();
        using var q = new LsqQuantizer(QuantizationTarget.Weights, 3);
        var x = Tensor.From(Weights, N).WithRequiresGrad();
        var y = q.Forward(x);
        (y * Tensor.From(Upstream, N)).Sum().Backward();

        Assert.Equal(r.GetProperty("step").GetDouble(), q.Step.ToDouble(), 6);
        TestAssert.Close(PythonReference.Doubles(r.GetProperty("out")), Doubles(y), 1e-5, 1e-6, "out");
        TestAssert.Close(PythonReference.Doubles(r.GetProperty("gx")), Doubles(x.Grad!), 1e-5, 1e-6, "dx");
        TestAssert.Close([r.GetProperty("gs").GetDouble()], [q.Step.Grad!.ToDouble()], 1e-4, 1e-6, "ds");
    }

    [Fact]
    public void Lsq_ActivationsBatchOfTwo_UsesFeaturesPerSampleInGradientScale()
    {
        var r = _root.GetProperty("lsq_a2");
        using var scope = DisposeScope.Enter();
        using var q = new LsqQuantizer(QuantizationTarget.Activations, 2);
        var x = Functional.Relu(Tensor.From(Activations, 2, N / 2)).Detach().WithRequiresGrad();
        var y = q.Forward(x);
        (y * Tensor.From(Upstream, 2, N / 2)).Sum().Backward();

        Assert.Equal(1 / Math.Sqrt(12 * 3), q.GradientScale([2, 12]), 12);
        Assert.Equal(r.GetProperty("step").GetDouble(), q.Step.ToDouble(), 6);
        TestAssert.Close(PythonReference.Doubles(r.GetProperty("out")), Doubles(y), 1e-5, 1e-6, "out");
        TestAssert.Close(PythonReference.Doubles(r.GetProperty("gx")), Doubles(x.Grad!), 1e-5, 1e-6, "dx");
        TestAssert.Close([r.GetProperty("gs").GetDouble()], [q.Step.Grad!.ToDouble()], 1e-4, 1e-6, "ds");
    }

    [Fact]
    public void Pact_AlphaTwo_MatchesPactGradientFormula()
    {
        var r = _root.GetProperty("pact_a2");
        using var scope = DisposeScope.Enter();
        using var q = new PactQuantizer(2);
        Set(q.Alpha, 2);
        var x = Tensor.From(Activations, N).WithRequiresGrad();
        var y = q.Forward(x);
        (y * Tensor.From(Upstream, N)).Sum().Backward();

        TestAssert.Close(PythonReference.Doubles(r.GetProperty("out")), Doubles(y), 1e-5, 1e-6, "out");
        TestAssert.Close(PythonReference.Doubles(r.GetProperty("gx")), Doubles(x.Grad!), 1e-6, 1e-7, "dx");
        TestAssert.Close([r.GetProperty("galpha").GetDouble()], [q.Alpha.Grad!.ToDouble()], 1e-5, 1e-6, "dalpha");
    }

    [Fact]
    public void DoReFa_ThreeBits_MatchesPyTorch()
    {
        var r = _root.GetProperty("dorefa_w3");
        using var scope = DisposeScope.Enter();
        using var q = new DoReFaWeightQuantizer(3);
        var x = Tensor.From(Weights, N).WithRequiresGrad();
        var y = q.Forward(x);
        (y * Tensor.From(Upstream, N)).Sum().Backward();

        TestAssert.Close(PythonReference.Doubles(r.GetProperty("out")), Doubles(y), 1e-5, 1e-6, "out");
        TestAssert.Close(PythonReference.Doubles(r.GetProperty("gx")), Doubles(x.Grad!), 1e-4, 1e-5, "dx");
    }
}
