using Sweeps.Torch.Native;

namespace Sweeps.Torch;

public sealed partial class Tensor
{
    /// <summary>Whether autograd records operations on this tensor; setting it is only allowed on leaves.</summary>
    public bool RequiresGrad
    {
        get => NativeMethods.Check(NativeMethods.swTensor_requiresGrad(Handle)) == 1;
        set => NativeMethods.Check(NativeMethods.swTensor_setRequiresGrad(Handle, value ? 1 : 0));
    }

    /// <summary>Whether this tensor is a leaf of the autograd graph (created by the user, not by an op).</summary>
    public bool IsLeaf => NativeMethods.Check(NativeMethods.swTensor_isLeaf(Handle)) == 1;

    /// <summary>Sets <see cref="RequiresGrad"/> and returns this tensor.</summary>
    public Tensor WithRequiresGrad(bool value = true)
    {
        RequiresGrad = value;
        return this;
    }

    /// <summary>
    /// The gradient accumulated by <see cref="Backward"/>, or null. Each read returns a new handle
    /// (disposed by the current scope) sharing storage with the gradient; setting null clears it.
    /// </summary>
    public Tensor? Grad
    {
        get
        {
            NativeMethods.Check(NativeMethods.swTensor_grad(Handle, out var g));
            return g == IntPtr.Zero ? null : new Tensor(g);
        }

        set
        {
            NativeMethods.Check(NativeMethods.swTensor_setGrad(Handle, RawOrZero(value)));
            GC.KeepAlive(value);
        }
    }

    /// <summary>Backpropagates from this tensor, accumulating gradients into leaves that require them.</summary>
    /// <param name="gradient">d(output)/d(this); omitted for a one-element tensor (taken as 1).</param>
    /// <param name="retainGraph">Keep the graph for another backward pass.</param>
    /// <param name="createGraph">Record the backward pass itself (for higher-order gradients).</param>
    public void Backward(Tensor? gradient = null, bool retainGraph = false, bool createGraph = false)
    {
        NativeMethods.Check(NativeMethods.swAutograd_backward(Handle, RawOrZero(gradient), retainGraph ? 1 : 0, createGraph ? 1 : 0));
        GC.KeepAlive(gradient);
    }

    /// <summary>A new tensor sharing storage, cut from the autograd graph.</summary>
    public Tensor Detach() => Wrap(NativeMethods.swTensor_detach(Handle));

    /// <summary>Cuts this tensor from the autograd graph in place; returns this tensor.</summary>
    public Tensor DetachInPlace()
    {
        NativeMethods.Check(NativeMethods.swTensor_detach_(Handle));
        return this;
    }
}
