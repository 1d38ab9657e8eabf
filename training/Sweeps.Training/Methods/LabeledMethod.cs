using Sweeps.Training.Data;
using Sweeps.Training.Models;

namespace Sweeps.Training.Methods;

/// <summary>A method trained on images with labels (fp, qat, MEC-Quant, FPQ).</summary>
public abstract class LabeledMethod : TrainingMethod
{
    /// <inheritdoc/>
    public sealed override MethodInput Input => MethodInput.Labeled;

    /// <summary>The named loss terms of one step; tensors stay in the current dispose scope.</summary>
    public abstract StepLoss Loss(LabeledStep step);

    internal sealed override IEnumerable<MethodBatch> Batches(DataLoader loader, int epoch) =>
        loader.Epoch(epoch).Select(b => new MethodBatch(b, b.Count, b.Labels));

    internal sealed override StepLoss Compute(MethodBatch batch, ClassifierModel student, ClassifierModel? teacher, StepInfo info)
    {
        var b = (Batch)batch.Batch;
        return Loss(new LabeledStep(b.Images, b.Labels, student, teacher, info));
    }
}
