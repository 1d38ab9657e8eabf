using Sweeps.Torch;
using Sweeps.Training.Methods;

namespace Sweeps.Training.Tests;

/// <summary>Wraps a registered method, changing only its recipe's EWGS delta estimate to the cheapest (one batch, one
/// Rademacher vector per quantizer), so the Hutchinson path runs through the method's own loss in test time.</summary>
internal static class CheapDeltaMethod
{
    public static TrainingMethod Wrap(string name) => MethodRegistry.Create(name) switch
    {
        LabeledMethod m => new Labeled(m),
        LabelFreeMethod m => new LabelFree(m),
        TwoViewMethod m => new TwoView(m),
        var m => throw new ArgumentException($"unexpected method type {m.GetType()}", nameof(name)),
    };

    private static Recipe Cheap(Recipe recipe) => recipe with { EwgsDeltaBatches = 1, EwgsHutchinsonSamples = 1 };

    private sealed class Labeled(LabeledMethod inner) : LabeledMethod
    {
        public override string Name => inner.Name;

        public override string Summary => inner.Summary;

        public override Recipe Recipe => Cheap(inner.Recipe);

        public override MethodRequirements Requirements => inner.Requirements;

        public override IReadOnlyList<Tensor> ExtraParameters => inner.ExtraParameters;

        public override void Initialize(MethodSetup setup) => inner.Initialize(setup);

        public override StepLoss Loss(LabeledStep step) => inner.Loss(step);

        public override void AfterOptimizerStep(StepInfo info) => inner.AfterOptimizerStep(info);

        public override OrderedDictionary<string, Tensor> StateDict() => inner.StateDict();

        public override void LoadStateDict(IReadOnlyDictionary<string, Tensor> state) => inner.LoadStateDict(state);

        protected override void Dispose(bool disposing)
        {
            if (disposing)
            {
                inner.Dispose();
            }
        }
    }

    private sealed class LabelFree(LabelFreeMethod inner) : LabelFreeMethod
    {
        public override string Name => inner.Name;

        public override string Summary => inner.Summary;

        public override Recipe Recipe => Cheap(inner.Recipe);

        public override MethodRequirements Requirements => inner.Requirements;

        public override IReadOnlyList<Tensor> ExtraParameters => inner.ExtraParameters;

        public override void Initialize(MethodSetup setup) => inner.Initialize(setup);

        public override StepLoss Loss(UnlabeledStep step) => inner.Loss(step);

        public override void AfterOptimizerStep(StepInfo info) => inner.AfterOptimizerStep(info);

        public override OrderedDictionary<string, Tensor> StateDict() => inner.StateDict();

        public override void LoadStateDict(IReadOnlyDictionary<string, Tensor> state) => inner.LoadStateDict(state);

        protected override void Dispose(bool disposing)
        {
            if (disposing)
            {
                inner.Dispose();
            }
        }
    }

    private sealed class TwoView(TwoViewMethod inner) : TwoViewMethod
    {
        public override string Name => inner.Name;

        public override string Summary => inner.Summary;

        public override Recipe Recipe => Cheap(inner.Recipe);

        public override MethodRequirements Requirements => inner.Requirements;

        public override IReadOnlyList<Tensor> ExtraParameters => inner.ExtraParameters;

        public override void Initialize(MethodSetup setup) => inner.Initialize(setup);

        public override StepLoss Loss(TwoViewStep step) => inner.Loss(step);

        public override void AfterOptimizerStep(StepInfo info) => inner.AfterOptimizerStep(info);

        public override OrderedDictionary<string, Tensor> StateDict() => inner.StateDict();

        public override void LoadStateDict(IReadOnlyDictionary<string, Tensor> state) => inner.LoadStateDict(state);

        protected override void Dispose(bool disposing)
        {
            if (disposing)
            {
                inner.Dispose();
            }
        }
    }
}
