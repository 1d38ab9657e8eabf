using Sweeps.Torch;
using Sweeps.Torch.Tests;
using Sweeps.Training.Quantization;
using static Sweeps.Training.Tests.QuantTestData;

namespace Sweeps.Training.Tests;

/// <summary>
/// The fused EWGS kernel (<see cref="Functional.EwgsQuantize"/>) against the composed tensor ops it replaces on the
/// CPU: the same values bit for bit, and the same gradients for the input and for lower, upper and scale, over inputs
/// large enough to be split across threads, in each mode (weights, activations, signed activations).
/// </summary>
public sealed class EwgsKernelTests
{
    public static TheoryData<QuantizationTarget, bool, int, double> Cases() => new()
    {
        { QuantizationTarget.Weights, false, 2, 0.0 },
        { QuantizationTarget.Weights, false, 4, 0.3 },
        { QuantizationTarget.Activations, false, 2, 0.2 },
        { QuantizationTarget.Activations, false, 3, 0.0 },
        { QuantizationTarget.Activations, true, 2, 0.25 },
        { QuantizationTarget.Activations, true, 8, 0.0 },
    };

    [Theory]
    [MemberData(nameof(Cases))]
    public void Fused_RandomInputAcrossThreads_SameValuesAndGradientsAsTheComposedOps(
        QuantizationTarget target, bool signed, int bits, double delta)
    {
        using var scope = DisposeScope.Enter();
        using var generator = new Generator(7);
        // 3 x 64 x 12 x 12 = 27,648 values: more than one chunk of the kernel's parallel loop (16,384).
        var raw = Tensor.Randn([3, 64, 12, 12], generator) * (target == QuantizationTarget.Weights ? 0.1 : 1.5);
        var upstream = Tensor.Randn([3, 64, 12, 12], generator);
        var (fused, fq) = Run(true);
        var (composed, cq) = Run(false);

        Assert.Equal(Values64(composed.Y), Values64(fused.Y));
        TestAssert.Close(Values64(composed.Gx), Values64(fused.Gx), 1e-6, 1e-9, "dx");
        TestAssert.Close([cq.Lower.Grad!.ToDouble()], [fq.Lower.Grad!.ToDouble()], 1e-4, 1e-6, "dl");
        TestAssert.Close([cq.Upper.Grad!.ToDouble()], [fq.Upper.Grad!.ToDouble()], 1e-4, 1e-6, "du");
        TestAssert.Close([cq.Scale.Grad!.ToDouble()], [fq.Scale.Grad!.ToDouble()], 1e-4, 1e-6, "ds");
        Assert.NotEqual(0, fq.Lower.Grad!.ToDouble());
        Assert.NotEqual(0, fq.Upper.Grad!.ToDouble());
        fq.Dispose();
        cq.Dispose();

        ((Tensor Y, Tensor Gx), EwgsQuantizer) Run(bool useFused)
        {
            var q = new EwgsQuantizer(target, bits, signed) { Delta = delta, UseFusedKernel = useFused };
            var x = raw.Clone().WithRequiresGrad();
            using (new NoGradScope())
            {
                q.Forward(x); // initialises lower, upper and scale from x (no gradient)
                // Inputs exactly on the clip bounds (clamp's inclusive mask) and half-way between two levels (a tie).
                var l = q.Lower.ToDouble();
                var u = q.Upper.ToDouble();
                var flat = x.Flatten();
                flat[0].FillInPlace(l);
                flat[1].FillInPlace(u);
                flat[2].FillInPlace(l + ((u - l) * 0.5 / ((1 << bits) - 1))); // a tie between two levels
            }

            var y = q.Forward(x);
            (y * upstream).Sum().Backward();
            return ((y.Detach(), x.Grad!.Detach()), q);
        }
    }

    [Fact]
    public void Fused_DifferentiatedTwice_FailsWithAClearError()
    {
        using var scope = DisposeScope.Enter();
        using var q = new EwgsQuantizer(QuantizationTarget.Activations, 2) { UseFusedKernel = true };
        var x = Tensor.From(Activations, N).WithRequiresGrad();
        var y = q.Forward(x);
        // A backward that records its own graph (create_graph) would give wrong second derivatives: it fails at once.
        var error = Assert.Throws<TorchException>(() => Autograd.Grad([(y * y).Sum()], [x], retainGraph: true, createGraph: true));
        Assert.Contains("ewgsQuantize: its backward is not differentiable", error.Message, StringComparison.Ordinal);
        Assert.NotNull(Autograd.Grad([(y * y).Sum()], [x])[0]); // a plain backward still works
    }

    [Fact]
    public void Quantizer_CapturingForTheDeltaUpdate_UsesTheComposedOpsThatDifferentiateTwice()
    {
        using var scope = DisposeScope.Enter();
        using var q = new EwgsQuantizer(QuantizationTarget.Activations, 2) { UseFusedKernel = true, CaptureDiscretized = true };
        var x = Tensor.From(Activations, N).WithRequiresGrad();
        var y = q.Forward(x);
        Assert.NotNull(q.Captured);
        var g = Autograd.Grad([(y * y).Sum()], [q.Captured!], retainGraph: true, createGraph: true)[0]!;
        var hv = Autograd.Grad([g.Sum()], [q.Captured!], allowUnused: true)[0];
        // d/dxq of sum(2 y s) = 2 s^2 per element: the second derivative exists and is positive.
        Assert.NotNull(hv);
        var s = q.Scale.ToDouble();
        Assert.All(Doubles(hv!), v => Assert.Equal(2 * s * s, v, 4));
    }

    private static double[] Values64(Tensor t) => t.Detach().Contiguous().To(ScalarType.Float64).ToArray<double>();
}
