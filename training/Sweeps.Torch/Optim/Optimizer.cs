using Sweeps.Torch.Native;

namespace Sweeps.Torch.Optim;

/// <summary>
/// A libtorch optimizer over one or more <see cref="ParamGroup"/>s. <see cref="Step"/> updates
/// every parameter that has a gradient, in place and without recording autograd history.
/// </summary>
/// <remarks>
/// <para>The optimizer holds its own native references to the parameters (disposing the C#
/// <see cref="Tensor"/> objects does not stop it) and its state (moments, step counts); it must
/// be disposed. Not thread-safe: use one optimizer from one thread at a time.</para>
/// <para>Groups are numbered from 0 in the order given to the constructor.</para>
/// </remarks>
public abstract class Optimizer : IDisposable
{
    private readonly OptimizerHandle _handle;
    private readonly double[] _initialLearningRates;

    /// <summary>Adds one group to the native optimizer: (handle, parameter handles, lr, weight decay) → status.</summary>
    private protected delegate int AddGroup(OptimizerHandle handle, IntPtr[] parameters, double learningRate, double weightDecay);

    /// <summary>Validates the groups, creates the native optimizer and adds every group to it.</summary>
    /// <param name="groups">The groups; at least one.</param>
    /// <param name="defaultLearningRate">The learning rate of a group that sets none.</param>
    /// <param name="defaultWeightDecay">The weight decay of a group that sets none.</param>
    /// <param name="create">Creates the native optimizer with no groups.</param>
    /// <param name="addGroup">Adds one group.</param>
    private protected Optimizer(
        IEnumerable<ParamGroup> groups,
        double defaultLearningRate,
        double defaultWeightDecay,
        Func<OptimizerHandle> create,
        AddGroup addGroup)
    {
        ArgumentNullException.ThrowIfNull(groups);
        ArgumentNullException.ThrowIfNull(create);
        ArgumentNullException.ThrowIfNull(addGroup);
        var list = groups.ToArray();
        Validate(list);

        Groups = list;
        _initialLearningRates = list.Select(g => g.LearningRate ?? defaultLearningRate).ToArray();
        _handle = create();
        if (_handle.IsInvalid)
        {
            var error = TorchException.FromNative();
            _handle.Dispose();
            throw error;
        }

        try
        {
            for (var g = 0; g < list.Length; g++)
            {
                var raw = list[g].Parameters.Select(p => p.Handle.DangerousGetHandle()).ToArray();
                NativeMethods.Check(addGroup(_handle, raw, _initialLearningRates[g], list[g].WeightDecay ?? defaultWeightDecay));
                GC.KeepAlive(list[g]);
            }
        }
        catch
        {
            _handle.Dispose();
            throw;
        }
    }

    /// <summary>The groups, as given to the constructor.</summary>
    public IReadOnlyList<ParamGroup> Groups { get; }

    /// <summary>Number of parameter groups.</summary>
    public int GroupCount => NativeMethods.Check(NativeMethods.swOptim_groupCount(Handle));

    /// <summary>The learning rate of every group at construction (the base of a <see cref="LearningRateScheduler"/>).</summary>
    public IReadOnlyList<double> InitialLearningRates => _initialLearningRates;

    private OptimizerHandle Handle =>
        _handle.IsClosed ? throw new ObjectDisposedException(GetType().Name, "the optimizer was disposed") : _handle;

    /// <summary>The current learning rate of a group.</summary>
    /// <exception cref="ArgumentOutOfRangeException">No such group.</exception>
    public double GetLearningRate(int group)
    {
        CheckGroup(group);
        NativeMethods.Check(NativeMethods.swOptim_getLr(Handle, group, out var lr));
        return lr;
    }

    /// <summary>Sets the learning rate of a group, used from the next <see cref="Step"/> on.</summary>
    /// <exception cref="ArgumentOutOfRangeException">No such group, or a negative or non-finite rate.</exception>
    public void SetLearningRate(int group, double learningRate)
    {
        CheckGroup(group);
        OptimizerChecks.NonNegative(learningRate, nameof(learningRate));
        NativeMethods.Check(NativeMethods.swOptim_setLr(Handle, group, learningRate));
    }

    /// <summary>Updates every parameter that has a gradient (parameters without one are skipped).</summary>
    /// <exception cref="TorchException">libtorch failed (e.g. a gradient of the wrong shape).</exception>
    public void Step() => NativeMethods.Check(NativeMethods.swOptim_step(Handle));

    /// <summary>Clears the gradient of every parameter.</summary>
    /// <param name="setToNone">True (the default, as in PyTorch 2): drop the gradients, so
    /// <see cref="Tensor.Grad"/> reads null and the next backward writes fresh ones. False: fill them
    /// with zeros, keeping their memory.</param>
    public void ZeroGrad(bool setToNone = true) =>
        NativeMethods.Check(NativeMethods.swOptim_zeroGrad(Handle, setToNone ? 1 : 0));

    /// <summary>
    /// Saves the optimizer's state (moments, momentum buffers, step counts) to a libtorch archive, for
    /// an exact resume with <see cref="Load"/>. The learning rates and other options are not saved:
    /// they come from the constructor (and from a <see cref="LearningRateScheduler"/>'s position).
    /// Atomic: the file is written next to <paramref name="path"/> and renamed over it.
    /// </summary>
    /// <exception cref="DirectoryNotFoundException">The folder of <paramref name="path"/> does not exist.</exception>
    /// <exception cref="TorchException">Writing failed; the message names the file.</exception>
    public void Save(string path)
    {
        ArgumentException.ThrowIfNullOrEmpty(path);
        var full = Path.GetFullPath(path);
        var folder = Path.GetDirectoryName(full);
        if (folder is not null && !Directory.Exists(folder))
        {
            throw new DirectoryNotFoundException($"cannot save optimizer state to '{full}': the folder does not exist");
        }

        if (NativeMethods.swOptim_save(Handle, full) < 0)
        {
            var error = TorchException.FromNative();
            throw new TorchException($"cannot save optimizer state to '{full}': {error.Message}", error);
        }
    }

    /// <summary>
    /// Restores the state saved by <see cref="Save"/> of an optimizer of the same kind with the same
    /// number of groups and of parameters per group (the parameters are matched by position). After
    /// it, steps continue exactly as the saved optimizer's would have, given the same learning rates.
    /// The state is loaded onto the device of this optimizer's parameters, whatever device it was saved
    /// from (a run checkpointed on <c>cuda:0</c> resumes on the CPU).
    /// </summary>
    /// <exception cref="FileNotFoundException">No such file.</exception>
    /// <exception cref="TorchException">The file is not an optimizer archive, or its groups do not
    /// match; the message names the file.</exception>
    public void Load(string path)
    {
        ArgumentException.ThrowIfNullOrEmpty(path);
        var full = Path.GetFullPath(path);
        if (!File.Exists(full))
        {
            throw new FileNotFoundException($"optimizer state file '{full}' does not exist", full);
        }

        NativeMethods.Check(NativeMethods.swOptim_load(Handle, full));
    }

    /// <summary>Frees the native optimizer and its state. Idempotent.</summary>
    public void Dispose()
    {
        Dispose(true);
        GC.SuppressFinalize(this);
    }

    /// <summary>Frees the native optimizer when <paramref name="disposing"/>.</summary>
    protected virtual void Dispose(bool disposing)
    {
        if (disposing)
        {
            _handle.Dispose();
        }
    }

    private void CheckGroup(int group)
    {
        if (group < 0 || group >= _initialLearningRates.Length)
        {
            throw new ArgumentOutOfRangeException(nameof(group), group, $"the optimizer has {_initialLearningRates.Length} groups");
        }
    }

    private static void Validate(ParamGroup[] groups)
    {
        if (groups.Length == 0)
        {
            throw new ArgumentException("an optimizer needs at least one parameter group", nameof(groups));
        }

        var seen = new Dictionary<long, (int Group, int Index)>();
        for (var g = 0; g < groups.Length; g++)
        {
            if (groups[g] is null)
            {
                throw new ArgumentNullException(nameof(groups), $"group {g} is null");
            }

            for (var i = 0; i < groups[g].Parameters.Count; i++)
            {
                var p = groups[g].Parameters[i];
                if (!p.IsLeaf || !p.RequiresGrad)
                {
                    throw new ArgumentException(
                        $"parameter {i} of group {g} ({p}) must be a leaf tensor that requires a gradient "
                        + $"(leaf: {p.IsLeaf}, requires grad: {p.RequiresGrad})",
                        nameof(groups));
                }

                NativeMethods.Check(NativeMethods.swOptim_tensorId(p.Handle, out var id));
                if (!seen.TryAdd(id, (g, i)))
                {
                    var first = seen[id];
                    throw new ArgumentException(
                        $"parameter {i} of group {g} is the same tensor as parameter {first.Index} of group {first.Group}: "
                        + "a tensor may appear only once in an optimizer",
                        nameof(groups));
                }
            }
        }
    }
}
