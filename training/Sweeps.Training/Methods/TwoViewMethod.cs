using Sweeps.Training.Data;
using Sweeps.Training.Models;

namespace Sweeps.Training.Methods;

/// <summary>A method trained on two independently augmented views of each sample with labels (CR).</summary>
public abstract class TwoViewMethod : TrainingMethod
{
    /// <inheritdoc/>
    public sealed override MethodInput Input => MethodInput.TwoView;

    /// <summary>The named loss terms of one step; tensors stay in the current dispose scope. Return the student's logits
    /// on <see cref="TwoViewStep.View1"/> for training accuracy.</summary>
    public abstract StepLoss Loss(TwoViewStep step);

    internal sealed override IEnumerable<MethodBatch> Batches(DataLoader loader, int epoch) =>
        loader.TwoViewEpoch(epoch).Select(b => new MethodBatch(b, b.Count, b.Labels));

    internal sealed override StepLoss Compute(MethodBatch batch, ClassifierModel student, ClassifierModel? teacher, StepInfo info)
    {
        var b = (TwoViewBatch)batch.Batch;
        return Loss(new TwoViewStep(b.View1, b.View2, b.Labels, student, teacher, info));
    }
}
