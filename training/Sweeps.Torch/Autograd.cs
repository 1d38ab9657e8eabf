using Sweeps.Torch.Native;

namespace Sweeps.Torch;

/// <summary>Autograd entry points beyond <see cref="Tensor.Backward"/>.</summary>
public static class Autograd
{
    /// <summary>
    /// Gradients of <paramref name="outputs"/> with respect to <paramref name="inputs"/>
    /// (torch.autograd.grad), without touching <see cref="Tensor.Grad"/>.
    /// </summary>
    /// <param name="outputs">Differentiated tensors.</param>
    /// <param name="inputs">Tensors to differentiate with respect to.</param>
    /// <param name="gradOutputs">d(loss)/d(output) per output; null entries (or a null list) for one-element outputs.</param>
    /// <param name="retainGraph">Keep the graph for later passes.</param>
    /// <param name="createGraph">Record this pass, for Hessian-vector products.</param>
    /// <param name="allowUnused">Return null for inputs the outputs do not depend on, instead of failing.</param>
    /// <returns>One gradient per input (null only with <paramref name="allowUnused"/>).</returns>
    public static unsafe Tensor?[] Grad(
        IReadOnlyList<Tensor> outputs,
        IReadOnlyList<Tensor> inputs,
        IReadOnlyList<Tensor?>? gradOutputs = null,
        bool retainGraph = false,
        bool createGraph = false,
        bool allowUnused = false)
    {
        ArgumentNullException.ThrowIfNull(outputs);
        ArgumentNullException.ThrowIfNull(inputs);
        var outs = outputs.Select(t => t.Handle.DangerousGetHandle()).ToArray();
        var gouts = outputs.Select((_, i) => Tensor.RawOrZero(gradOutputs?[i])).ToArray();
        var ins = inputs.Select(t => t.Handle.DangerousGetHandle()).ToArray();
        var result = new IntPtr[ins.Length];
        fixed (IntPtr* o = outs)
        fixed (IntPtr* g = gouts)
        fixed (IntPtr* i = ins)
        fixed (IntPtr* r = result)
        {
            NativeMethods.Check(NativeMethods.swAutograd_grad(
                o, g, outs.Length, i, ins.Length, retainGraph ? 1 : 0, createGraph ? 1 : 0, allowUnused ? 1 : 0, r));
        }

        GC.KeepAlive(outputs);
        GC.KeepAlive(inputs);
        GC.KeepAlive(gradOutputs);
        return result.Select(p => p == IntPtr.Zero ? null : new Tensor(p)).ToArray();
    }

    /// <summary>Whether operations are recorded for autograd on this thread.</summary>
    public static bool IsGradEnabled => NativeMethods.swAutograd_isGradEnabled() == 1;
}
