using Sweeps.Torch;
using Sweeps.Training.Quantization;
using static Sweeps.Training.Tests.QuantTestData;

namespace Sweeps.Training.Tests;

/// <summary>The Hutchinson trace and EWGS's delta update on losses whose Hessian is known.</summary>
public sealed class QuantHutchinsonTests
{
    [Fact]
    public void Trace_DiagonalQuadratic_IsExact()
    {
        using var scope = DisposeScope.Enter();
        var c = Seq(i => 1 + i, 10);
        var x = Tensor.From(Seq(i => Math.Sin(i), 10), 10).WithRequiresGrad();
        var loss = (Tensor.From(c, 10) * x * x).Sum() * 0.5;
        var g = Autograd.Grad([loss], [x], createGraph: true)[0]!;

        Assert.Equal(55, HutchinsonDelta.Trace(g, x, new Generator(1)), 4);
    }

    [Fact]
    public void Trace_DenseQuadratic_IsCloseToTheTrace()
    {
        using var scope = DisposeScope.Enter();
        const int n = 20;
        var a = new float[n * n];
        for (var i = 0; i < n; i++)
        {
            for (var j = 0; j < n; j++)
            {
                a[(i * n) + j] = i == j ? i + 1 : (float)(0.1 * Math.Sin(i + j)); // symmetric
            }
        }

        var matrix = Tensor.From(a, n, n);
        var x = Tensor.From(Seq(i => Math.Cos(i), n), n, 1).WithRequiresGrad();
        var loss = x.T.Matmul(matrix).Matmul(x).Sum() * 0.5;
        var g = Autograd.Grad([loss], [x], createGraph: true)[0]!;

        var trace = HutchinsonDelta.Trace(g, x, new Generator(7), maxSamples: 200);

        Assert.InRange(trace, 210 * 0.97, 210 * 1.03);
    }

    [Fact]
    public void Traces_TwoCoupledInputs_EstimateEachDiagonalBlock()
    {
        // L = 1/2 sum c1 x1^2 + 1/2 sum c2 x2^2 + sum x1 x2: H_11 = diag(c1) (trace 55), H_22 = diag(c2) (trace 20),
        // H_12 = I. One joint sample gives v1.(H v)_1 = 55 + v1.v2, whose cross term has mean 0 and sd sqrt(10):
        // over 4000 samples the estimate is within 4 sd (0.2) of the block trace.
        using var scope = DisposeScope.Enter();
        var x1 = Tensor.From(Seq(i => Math.Sin(i), 10), 10).WithRequiresGrad();
        var x2 = Tensor.From(Seq(i => Math.Cos(i), 10), 10).WithRequiresGrad();
        var c1 = Tensor.From(Seq(i => 1 + i, 10), 10);
        var c2 = Tensor.From(Seq(_ => 2, 10), 10);
        var loss = ((c1 * x1 * x1).Sum() * 0.5) + ((c2 * x2 * x2).Sum() * 0.5) + (x1 * x2).Sum();
        var g = Autograd.Grad([loss], [x1, x2], createGraph: true);

        var traces = HutchinsonDelta.Traces([g[0]!, g[1]!], [x1, x2], new Generator(5), maxSamples: 4000, tolerance: 0);

        Assert.InRange(traces[0], 55 - 0.2, 55 + 0.2);
        Assert.InRange(traces[1], 20 - 0.2, 20 + 0.2);
        Assert.NotEqual(55, traces[0], 6); // the cross term is really there (the estimate is not the exact diagonal)
    }

    [Fact]
    public void Traces_UncoupledInputs_AreExactAndStopAtOnce()
    {
        using var scope = DisposeScope.Enter();
        var x1 = Tensor.From(Seq(i => Math.Sin(i), 10), 10).WithRequiresGrad();
        var x2 = Tensor.From(Seq(i => Math.Cos(i), 6), 6).WithRequiresGrad();
        var loss = ((Tensor.From(Seq(i => 1 + i, 10), 10) * x1 * x1).Sum() * 0.5) + (x2 * x2).Sum() + (x2 * 5).Sum();
        var g = Autograd.Grad([loss], [x1, x2], createGraph: true);

        var traces = HutchinsonDelta.Traces([g[0]!, g[1]!], [x1, x2], new Generator(2));

        Assert.Equal(55, traces[0], 4);
        Assert.Equal(12, traces[1], 4);
    }

    [Fact]
    public void Trace_LossLinearInInput_IsZero()
    {
        using var scope = DisposeScope.Enter();
        var x = Tensor.From(new[] { 1f, 2f }, 2).WithRequiresGrad();
        var g = Autograd.Grad([(x * 3).Sum()], [x], createGraph: true)[0]!;

        Assert.Equal(0, HutchinsonDelta.Trace(g, x));
    }

    [Fact]
    public void Update_QuadraticInQuantizerOutput_SetsDeltaFromTraceAndGradientSpread()
    {
        // loss = 1/2 sum c_i y_i^2 with y = 2 (x_q - 1/2) s: d2L/dx_q^2 = 4 s^2 c_i (diagonal), dL/dx_q = 2 s c_i y_i.
        using var scope = DisposeScope.Enter();
        using var q = new EwgsQuantizer(QuantizationTarget.Weights, 3);
        var w = Tensor.From(Weights, N);
        var c = Tensor.From(Seq(i => 1 + (0.5 * Math.Sin(i))), N);
        float[] y = [];
        var deltas = HutchinsonDelta.Update(q, _ =>
        {
            var output = q.Forward(w);
            y = Values(output);
            return (c * output * output).Sum() * 0.5;
        }, batches: 2, generator: new Generator(3));

        var s = q.Scale.ToDouble();
        var cv = Values(c);
        var g = cv.Zip(y, (ci, yi) => 2 * s * ci * yi).ToArray();
        var mean = g.Average();
        var sd = Math.Sqrt(g.Sum(v => (v - mean) * (v - mean)) / (g.Length - 1));
        var expected = 4 * s * s * cv.Average() / (3 * sd);
        Assert.Equal(expected, deltas[""], 4);
        Assert.Equal(expected, q.Delta, 4);
        Assert.Null(q.Captured);
    }

    [Fact]
    public void Update_NegativeCurvature_ClampsDeltaAtZero()
    {
        using var scope = DisposeScope.Enter();
        using var q = new EwgsQuantizer(QuantizationTarget.Activations, 2) { Delta = 0.7 };
        var x = Tensor.From(Activations, N);
        HutchinsonDelta.Update(q, _ =>
        {
            var y = q.Forward(x);
            return (y * y).Sum() * -0.5;
        }, batches: 1);

        Assert.Equal(0, q.Delta);
    }
}
