using Sweeps.Torch;
using Sweeps.Training.Data;
using Sweeps.Training.Models;

namespace Sweeps.Training.Methods;

/// <summary>
/// A training method (fp, qat, SQAKD, MEC-Quant, FPQ, CR): it declares what it needs (<see cref="Requirements"/>, its
/// <see cref="Recipe"/>, and through its base class the batches it receives) and computes named loss terms per step.
/// Derive from <see cref="LabeledMethod"/>, <see cref="LabelFreeMethod"/> or <see cref="TwoViewMethod"/> (the only
/// subclasses: the batch kind is a type, so a label-free method's loss cannot receive labels), then register it in
/// <see cref="MethodRegistry"/>.
/// </summary>
/// <remarks>
/// The trainer creates one instance per run and calls, in order: <see cref="Initialize"/> once; per step the loss
/// (inside a dispose scope) and after the optimizer step <see cref="AfterOptimizerStep"/>; <see cref="StateDict"/> at
/// every checkpoint and <see cref="LoadStateDict"/> on resume; finally <see cref="Dispose()"/>. Not thread-safe.
/// </remarks>
public abstract class TrainingMethod : IDisposable
{
    private protected TrainingMethod()
    {
    }

    /// <summary>The registry name (e.g. <c>fp</c>, <c>qat</c>).</summary>
    public abstract string Name { get; }

    /// <summary>One line for help texts: what the method trains and with which loss (e.g. "plain QAT: cross-entropy").</summary>
    public abstract string Summary { get; }

    /// <summary>Whether the method is our reconstruction from a paper's abstract and its parent methods (no public code
    /// exists), rather than an implementation of a paper's published method or code. Default false.</summary>
    public virtual bool IsReconstruction => false;

    /// <summary>The method's one recipe.</summary>
    public abstract Recipe Recipe { get; }

    /// <summary>What the trainer builds for the method.</summary>
    public abstract MethodRequirements Requirements { get; }

    /// <summary>The batches the method's loss receives (fixed by its base class).</summary>
    public abstract MethodInput Input { get; }

    /// <summary>The method's own learnable parameters (e.g. MEC-Quant's gating logits), valid after
    /// <see cref="Initialize"/>; they form the optimizer's third group (<see cref="Recipe.MethodLearningRate"/>). Owned by
    /// the method. Default none.</summary>
    public virtual IReadOnlyList<Tensor> ExtraParameters => [];

    /// <summary>Called once before training (and before a resume's <see cref="LoadStateDict"/>): create extra parameters
    /// or auxiliary models here (on <see cref="MethodSetup.Device"/>). Default nothing.</summary>
    public virtual void Initialize(MethodSetup setup)
    {
    }

    /// <summary>Called after every optimizer step (e.g. CR's EMA teacher update), without a gradient-recording
    /// requirement: wrap updates in a <see cref="NoGradScope"/>. Default nothing.</summary>
    public virtual void AfterOptimizerStep(StepInfo info)
    {
    }

    /// <summary>State to checkpoint besides the student and the optimizer (extra parameters, EMA weights), as new
    /// tensors owned by the caller. Default empty.</summary>
    public virtual OrderedDictionary<string, Tensor> StateDict() => new(StringComparer.Ordinal);

    /// <summary>Restores what <see cref="StateDict"/> returned (values are copied; the caller keeps the tensors).
    /// Default nothing.</summary>
    public virtual void LoadStateDict(IReadOnlyDictionary<string, Tensor> state)
    {
    }

    /// <summary>Frees what the method owns. Idempotent.</summary>
    public void Dispose()
    {
        Dispose(true);
        GC.SuppressFinalize(this);
    }

    /// <summary>Frees owned tensors and models when <paramref name="disposing"/>. Default nothing.</summary>
    protected virtual void Dispose(bool disposing)
    {
    }

    /// <summary>The batches of an epoch in the method's kind, wrapped for the trainer.</summary>
    internal abstract IEnumerable<MethodBatch> Batches(DataLoader loader, int epoch);

    /// <summary>The method's loss on one of its own batches.</summary>
    internal abstract StepLoss Compute(MethodBatch batch, ClassifierModel student, ClassifierModel? teacher, StepInfo info);
}
