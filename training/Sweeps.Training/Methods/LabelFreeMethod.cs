using Sweeps.Training.Data;
using Sweeps.Training.Models;

namespace Sweeps.Training.Methods;

/// <summary>
/// A method trained without labels (SQAKD). Its batches come from <c>DataLoader.UnlabeledEpoch</c> and reach
/// <see cref="Loss"/> as an <see cref="UnlabeledStep"/>: neither type has a labels member, so no label reaches the
/// method or the trainer's training loop (test accuracy still uses the test split's labels).
/// </summary>
public abstract class LabelFreeMethod : TrainingMethod
{
    /// <inheritdoc/>
    public sealed override MethodInput Input => MethodInput.Unlabeled;

    /// <summary>The named loss terms of one step; tensors stay in the current dispose scope.</summary>
    public abstract StepLoss Loss(UnlabeledStep step);

    internal sealed override IEnumerable<MethodBatch> Batches(DataLoader loader, int epoch) =>
        loader.UnlabeledEpoch(epoch).Select(b => new MethodBatch(b, b.Count, labels: null));

    internal sealed override StepLoss Compute(MethodBatch batch, ClassifierModel student, ClassifierModel? teacher, StepInfo info)
    {
        var b = (UnlabeledBatch)batch.Batch;
        return Loss(new UnlabeledStep(b.Images, student, teacher, info));
    }
}
