using Sweeps.Torch.Native;

namespace Sweeps.Torch.NN;

/// <summary>
/// A layer or model (torch.nn.Module): owns parameters (trainable leaf tensors), buffers (state such as
/// running statistics) and child modules, each registered under a name, in registration order. Names of
/// nested members are dotted paths exactly as PyTorch writes them (<c>layer1.0.conv1.weight</c>), so state
/// dicts line up with those of the equivalent PyTorch model.
/// </summary>
/// <remarks>
/// Ownership: a module owns its parameters and buffers (they are detached from every
/// <see cref="DisposeScope"/>) and its children; <see cref="Dispose()"/> frees them all. Tensors returned by
/// <see cref="Forward(Tensor)"/> and <see cref="StateDict"/> are new handles that belong to the caller (to the
/// current scope, if any). Not thread-safe: use one module from one thread at a time.
/// </remarks>
public abstract class Module : IDisposable
{
    // Bumped by every registration anywhere, so cached flattenings of a module tree know when they are stale.
    private static long s_structureVersion;

    private readonly List<NamedTensor> _parameters = [];
    private readonly List<NamedTensor> _buffers = [];
    private readonly List<(string Name, Module Module)> _children = [];
    private bool _training = true;
    private bool _disposed;
    private Tensor[]? _zeroGradTensors;
    private IntPtr[]? _zeroGradHandles;
    private long _zeroGradVersion = -1;

    /// <summary>Whether the module is in training mode (the default); see <see cref="Train(bool)"/>.</summary>
    public bool IsTraining => _training;

    /// <summary>Computes the module's output for one input. The result is a new tensor owned by the caller.</summary>
    /// <param name="input">The input; not disposed by the module.</param>
    public abstract Tensor Forward(Tensor input);

    /// <summary>
    /// Registers a parameter: detaches <paramref name="tensor"/> from its <see cref="DisposeScope"/> (the module
    /// now owns it) and makes it require gradients. Returns the tensor, for field initialisers.
    /// </summary>
    /// <param name="name">A name unique among this module's parameters, buffers and children, without dots.</param>
    /// <param name="tensor">A leaf tensor (not produced by a recorded operation); floating point when it requires grad.</param>
    /// <param name="requiresGrad">False registers a frozen parameter.</param>
    /// <exception cref="ArgumentException">The name is empty, dotted or taken, or the tensor is not a leaf.</exception>
    public Tensor RegisterParameter(string name, Tensor tensor, bool requiresGrad = true)
    {
        ArgumentNullException.ThrowIfNull(tensor);
        CheckNewName(name);
        if (!tensor.IsLeaf)
        {
            throw new ArgumentException($"parameter '{name}' must be a leaf tensor: register t.Detach() instead of an op's result", nameof(tensor));
        }

        DisposeScope.Detach(tensor);
        tensor.RequiresGrad = requiresGrad;
        _parameters.Add(new NamedTensor(name, tensor, Persistent: true));
        Interlocked.Increment(ref s_structureVersion);
        return tensor;
    }

    /// <summary>
    /// Registers a buffer (state that is not trained, such as BatchNorm's running mean): detaches it from its
    /// <see cref="DisposeScope"/> (the module now owns it). Returns the tensor.
    /// </summary>
    /// <param name="name">A name unique among this module's parameters, buffers and children, without dots.</param>
    /// <param name="tensor">The buffer.</param>
    /// <param name="persistent">False keeps the buffer out of <see cref="StateDict"/> (PyTorch's persistent=False).</param>
    /// <exception cref="ArgumentException">The name is empty, dotted or taken.</exception>
    public Tensor RegisterBuffer(string name, Tensor tensor, bool persistent = true)
    {
        ArgumentNullException.ThrowIfNull(tensor);
        CheckNewName(name);
        DisposeScope.Detach(tensor);
        _buffers.Add(new NamedTensor(name, tensor, persistent));
        Interlocked.Increment(ref s_structureVersion);
        return tensor;
    }

    /// <summary>Registers a child module (this module now owns it). Returns the child, for field initialisers.</summary>
    /// <param name="name">A name unique among this module's parameters, buffers and children, without dots.</param>
    /// <param name="module">The child; not this module.</param>
    /// <exception cref="ArgumentException">The name is empty, dotted or taken, or the child is this module.</exception>
    public T RegisterModule<T>(string name, T module)
        where T : Module
    {
        ArgumentNullException.ThrowIfNull(module);
        CheckNewName(name);
        if (ReferenceEquals(module, this))
        {
            throw new ArgumentException("a module cannot be its own child", nameof(module));
        }

        _children.Add((name, module));
        Interlocked.Increment(ref s_structureVersion);
        return module;
    }

    /// <summary>This module and its descendants, pre-order, each once, with dotted names (this module's is <paramref name="prefix"/>).</summary>
    public IEnumerable<(string Name, Module Module)> NamedModules(string prefix = "")
    {
        ThrowIfDisposed();
        var seen = new HashSet<Module>(ReferenceEqualityComparer.Instance);
        return NamedModulesCore(prefix, seen);
    }

    /// <summary>This module and its descendants, pre-order, each once.</summary>
    public IEnumerable<Module> Modules() => NamedModules().Select(m => m.Module);

    /// <summary>The direct children in registration order, each once.</summary>
    public IEnumerable<(string Name, Module Module)> NamedChildren()
    {
        ThrowIfDisposed();
        var seen = new HashSet<Module>(ReferenceEqualityComparer.Instance);
        foreach (var child in _children)
        {
            if (seen.Add(child.Module))
            {
                yield return child;
            }
        }
    }

    /// <summary>The direct children in registration order, each once.</summary>
    public IEnumerable<Module> Children() => NamedChildren().Select(c => c.Module);

    /// <summary>
    /// Parameters with dotted names, in PyTorch's order (per module in <see cref="NamedModules"/> order, its own
    /// parameters in registration order); a tensor shared by several modules appears once. The tensors are the
    /// module's own: do not dispose them.
    /// </summary>
    /// <param name="recurse">False lists only this module's own parameters.</param>
    public IEnumerable<(string Name, Tensor Parameter)> NamedParameters(bool recurse = true) => NamedMembers(recurse, buffers: false);

    /// <summary>The parameters of <see cref="NamedParameters"/>, without names (the module's own tensors).</summary>
    public IEnumerable<Tensor> Parameters(bool recurse = true) => NamedParameters(recurse).Select(p => p.Parameter);

    /// <summary>Buffers with dotted names, in PyTorch's order, each tensor once (the module's own tensors).</summary>
    /// <param name="recurse">False lists only this module's own buffers.</param>
    public IEnumerable<(string Name, Tensor Buffer)> NamedBuffers(bool recurse = true) => NamedMembers(recurse, buffers: true);

    /// <summary>The buffers of <see cref="NamedBuffers"/>, without names.</summary>
    public IEnumerable<Tensor> Buffers(bool recurse = true) => NamedBuffers(recurse).Select(b => b.Buffer);

    /// <summary>Sets training mode (true) or evaluation mode (false) on this module and every descendant.</summary>
    /// <returns>This module.</returns>
    public virtual Module Train(bool mode = true)
    {
        ThrowIfDisposed();
        _training = mode;
        foreach (var (_, child) in _children)
        {
            child.Train(mode);
        }

        return this;
    }

    /// <summary>Evaluation mode: <c>Train(false)</c>.</summary>
    /// <returns>This module.</returns>
    public Module Eval() => Train(false);

    /// <summary>
    /// The state as PyTorch's <c>state_dict()</c>: for this module its parameters then its persistent buffers,
    /// then each child's entries under <c>childName.</c>, with the same keys in the same order as the equivalent
    /// PyTorch model. Values are new handles detached from autograd that share storage with the module's tensors;
    /// they belong to the caller (to the current <see cref="DisposeScope"/>, if any) and must be disposed.
    /// </summary>
    public OrderedDictionary<string, Tensor> StateDict()
    {
        ThrowIfDisposed();
        var entries = new List<(string Key, Tensor Tensor)>();
        CollectState(string.Empty, entries);
        var result = new OrderedDictionary<string, Tensor>(entries.Count, StringComparer.Ordinal);
        foreach (var (key, tensor) in entries)
        {
            result.Add(key, tensor.Detach());
        }

        return result;
    }

    /// <summary>
    /// Copies values from <paramref name="stateDict"/> into this module's parameters and buffers in place
    /// (without recording gradients; converting dtype and device as needed), keeping the tensor objects.
    /// Everything is checked before anything is copied: on error nothing changes.
    /// </summary>
    /// <param name="stateDict">Keys as produced by <see cref="StateDict"/>; not disposed.</param>
    /// <param name="strict">Whether missing and unexpected keys are errors (shape mismatches always are).</param>
    /// <returns>The keys this module expected but did not get, and the keys it did not expect.</returns>
    /// <exception cref="StateDictMismatchException">Keys are missing or unexpected (strict), or a shape differs; it holds
    /// every missing and unexpected key and every shape mismatch, and its message summarises them (the count and the
    /// first few of each).</exception>
    /// <exception cref="ArgumentException">An entry is null.</exception>
    public StateDictLoadResult LoadStateDict(IReadOnlyDictionary<string, Tensor> stateDict, bool strict = true)
    {
        ArgumentNullException.ThrowIfNull(stateDict);
        ThrowIfDisposed();
        var entries = new List<(string Key, Tensor Tensor)>();
        CollectState(string.Empty, entries);
        var expected = new HashSet<string>(StringComparer.Ordinal);
        var missing = new List<string>();
        var mismatches = new List<StateDictShapeMismatch>();
        var copies = new List<(Tensor Target, Tensor Source)>();
        foreach (var (key, target) in entries)
        {
            expected.Add(key);
            if (!stateDict.TryGetValue(key, out var source))
            {
                missing.Add(key);
                continue;
            }

            if (source is null)
            {
                throw new ArgumentException($"state dict entry '{key}' is null", nameof(stateDict));
            }

            var want = target.Shape;
            var got = source.Shape;
            if (!want.AsSpan().SequenceEqual(got))
            {
                mismatches.Add(new StateDictShapeMismatch(key, want, got));
                continue;
            }

            copies.Add((target, source));
        }

        var unexpected = stateDict.Keys.Where(k => !expected.Contains(k)).ToList();
        if (mismatches.Count > 0 || (strict && (missing.Count > 0 || unexpected.Count > 0)))
        {
            throw strict
                ? new StateDictMismatchException(GetType().Name, missing, unexpected, mismatches)
                : new StateDictMismatchException(GetType().Name, [], [], mismatches);
        }

        using (new NoGradScope())
        {
            foreach (var (target, source) in copies)
            {
                target.CopyFrom(source);
            }
        }

        return new StateDictLoadResult(missing, unexpected);
    }

    /// <summary>
    /// Moves every parameter and buffer (and existing gradient) to <paramref name="device"/> in place: the tensor
    /// objects stay the same (their data is replaced), so optimizers built over <see cref="Parameters"/> stay valid.
    /// </summary>
    /// <returns>This module.</returns>
    public Module To(Device device)
    {
        ThrowIfDisposed();
        using var noGrad = new NoGradScope();
        using var scope = DisposeScope.Enter();
        foreach (var tensor in DistinctTensors())
        {
            tensor.SetData(tensor.To(device));
            var grad = tensor.Grad;
            if (grad is not null)
            {
                tensor.Grad = grad.To(device);
            }
        }

        return this;
    }

    /// <summary>
    /// Gives every 4-D parameter and buffer (and its existing gradient) the strides of <paramref name="memoryFormat"/>
    /// in place, as torch's <c>module.to(memory_format=...)</c>: convolution kernels [out, in, kH, kW] and any other 4-D
    /// member, whatever module holds it; tensors of other ranks stay as they are. Values, shapes and state-dict keys
    /// do not change, and the tensor objects stay the same (their data is replaced), so optimizers built over
    /// <see cref="Parameters"/> stay valid (optimizer state that already exists keeps its layout and its values).
    /// </summary>
    /// <returns>This module.</returns>
    public Module To(MemoryFormat memoryFormat)
    {
        ThrowIfDisposed();
        using var noGrad = new NoGradScope();
        using var scope = DisposeScope.Enter();
        foreach (var tensor in DistinctTensors())
        {
            if (tensor.Dim != 4)
            {
                continue;
            }

            if (tensor.MemoryFormat != memoryFormat)
            {
                tensor.SetData(tensor.ToMemoryFormat(memoryFormat));
            }

            var grad = tensor.Grad;
            if (grad is not null && grad.MemoryFormat != memoryFormat)
            {
                tensor.Grad = grad.ToMemoryFormat(memoryFormat);
            }
        }

        return this;
    }

    /// <summary>
    /// Clears the gradients of every parameter: sets them to none (the default, as PyTorch 2 does; the next
    /// backward allocates fresh ones) or zeroes them in place (PyTorch 1.x's default).
    /// </summary>
    public unsafe void ZeroGrad(bool setToNone = true)
    {
        ThrowIfDisposed();
        var version = Interlocked.Read(ref s_structureVersion);
        if (_zeroGradHandles is null || _zeroGradVersion != version)
        {
            _zeroGradTensors = Parameters().ToArray();
            _zeroGradHandles = _zeroGradTensors.Select(t => t.Handle.DangerousGetHandle()).ToArray();
            _zeroGradVersion = version;
        }

        fixed (IntPtr* handles = _zeroGradHandles)
        {
            NativeMethods.Check(NativeMethods.swNN_zeroGrad(handles, _zeroGradHandles.Length, setToNone ? 1 : 0));
        }

        GC.KeepAlive(_zeroGradTensors);
    }

    /// <summary>Frees the parameters, buffers and children. Idempotent.</summary>
    public void Dispose()
    {
        Dispose(disposing: true);
        GC.SuppressFinalize(this);
    }

    /// <summary>Frees owned tensors and children; override to free more, calling the base.</summary>
    /// <param name="disposing">True when called from <see cref="Dispose()"/>.</param>
    protected virtual void Dispose(bool disposing)
    {
        if (_disposed)
        {
            return;
        }

        _disposed = true;
        if (!disposing)
        {
            return;
        }

        foreach (var (_, child) in _children)
        {
            child.Dispose();
        }

        foreach (var p in _parameters)
        {
            p.Tensor.Dispose();
        }

        foreach (var b in _buffers)
        {
            b.Tensor.Dispose();
        }

        _zeroGradTensors = null;
        _zeroGradHandles = null;
    }

    /// <summary>Throws <see cref="ObjectDisposedException"/> once the module is disposed.</summary>
    protected void ThrowIfDisposed() => ObjectDisposedException.ThrowIf(_disposed, this);

    private void CheckNewName(string name)
    {
        ArgumentException.ThrowIfNullOrEmpty(name);
        ThrowIfDisposed();
        if (name.Contains('.', StringComparison.Ordinal))
        {
            throw new ArgumentException($"member name '{name}' must not contain '.'", nameof(name));
        }

        if (_parameters.Exists(p => p.Name == name) || _buffers.Exists(b => b.Name == name) || _children.Exists(c => c.Name == name))
        {
            throw new ArgumentException($"{GetType().Name} already has a member named '{name}'", nameof(name));
        }
    }

    private IEnumerable<(string Name, Module Module)> NamedModulesCore(string prefix, HashSet<Module> seen)
    {
        if (!seen.Add(this))
        {
            yield break;
        }

        yield return (prefix, this);
        foreach (var (name, child) in _children)
        {
            foreach (var item in child.NamedModulesCore(prefix.Length == 0 ? name : prefix + "." + name, seen))
            {
                yield return item;
            }
        }
    }

    private IEnumerable<(string Name, Tensor Tensor)> NamedMembers(bool recurse, bool buffers)
    {
        ThrowIfDisposed();
        var seen = new HashSet<Tensor>(ReferenceEqualityComparer.Instance);
        IEnumerable<(string Name, Module Module)> modules = recurse ? NamedModules() : new[] { (string.Empty, this) };
        foreach (var (prefix, module) in modules)
        {
            foreach (var member in buffers ? module._buffers : module._parameters)
            {
                if (seen.Add(member.Tensor))
                {
                    yield return (prefix.Length == 0 ? member.Name : prefix + "." + member.Name, member.Tensor);
                }
            }
        }
    }

    // PyTorch's _save_to_state_dict order: own parameters, own persistent buffers, then each child (not de-duplicated).
    private void CollectState(string prefix, List<(string Key, Tensor Tensor)> entries)
    {
        foreach (var p in _parameters)
        {
            entries.Add((prefix + p.Name, p.Tensor));
        }

        foreach (var b in _buffers)
        {
            if (b.Persistent)
            {
                entries.Add((prefix + b.Name, b.Tensor));
            }
        }

        foreach (var (name, child) in _children)
        {
            child.CollectState(prefix + name + ".", entries);
        }
    }

    private IEnumerable<Tensor> DistinctTensors()
    {
        var seen = new HashSet<Tensor>(ReferenceEqualityComparer.Instance);
        foreach (var (_, module) in NamedModules())
        {
            foreach (var member in module._parameters.Concat(module._buffers))
            {
                if (seen.Add(member.Tensor))
                {
                    yield return member.Tensor;
                }
            }
        }
    }

    private readonly record struct NamedTensor(string Name, Tensor Tensor, bool Persistent);
}
