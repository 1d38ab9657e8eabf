using Sweeps.Torch;
using Sweeps.Training.Quantization;

namespace Sweeps.Training.Methods;

/// <summary>
/// <c>fpq</c>: <b>our reconstruction</b> of FPQ (arXiv 2503.11159; no public code) from the paper's abstract and its
/// parent methods (feature perturbation and feature distillation): the quantized student, initialised from the
/// teacher, trains with
/// <list type="bullet">
/// <item>stochastic feature perturbation: in training mode only, each quantized layer's input x becomes
/// x + sigma sd(x) e, e ~ N(0, 1), sigma = 0.1, with probability 0.5 per layer per step, drawn from the trial's
/// generator (<see cref="FeaturePerturbation"/>, installed on every <see cref="IQuantizedLayer"/>); evaluation is
/// unperturbed;</item>
/// <item>channel-wise standardisation distillation against the frozen FP teacher's block outputs
/// (<see cref="Models.ModelOutput.StageOutputs"/>: every residual stage / conv block), <see cref="ChannelStandardization"/>.</item>
/// </list>
/// loss = <c>ce</c> (cross-entropy with labels) + <c>csd</c>. Recipe: <see cref="Recipe.QuantizedStudent"/>.
/// </summary>
public sealed class FpqMethod : LabeledMethod
{
    /// <summary>The registry name.</summary>
    public const string MethodName = "fpq";

    /// <summary>The perturbation's noise level.</summary>
    public const double Sigma = 0.1;

    /// <summary>The probability that a layer's input is perturbed in a step.</summary>
    public const double PerturbationProbability = 0.5;

    private readonly List<IQuantizedLayer> _layers = [];

    /// <summary>The installed perturbation, once <see cref="Initialize"/> has run.</summary>
    public FeaturePerturbation? Perturbation { get; private set; }

    /// <inheritdoc/>
    public override string Name => MethodName;

    /// <inheritdoc/>
    public override string Summary =>
        "reconstruction: cross-entropy with random feature perturbation of quantized layers' inputs (sigma 0.1, p 0.5) + channel-wise standardised distillation of the teacher's block outputs (loss terms: ce, csd)";

    /// <inheritdoc/>
    public override bool IsReconstruction => true;

    /// <inheritdoc/>
    public override Recipe Recipe => Recipe.QuantizedStudent;

    /// <inheritdoc/>
    public override MethodRequirements Requirements => MethodRequirements.QuantizedWithTeacher;

    /// <summary>Installs the perturbation (sigma 0.1, probability 0.5, the run's generator) on every quantized layer of
    /// the student.</summary>
    public override void Initialize(MethodSetup setup)
    {
        ArgumentNullException.ThrowIfNull(setup);
        Uninstall();
        Perturbation = new FeaturePerturbation(Sigma, PerturbationProbability, setup.Generator);
        foreach (var layer in setup.Student.Modules().OfType<IQuantizedLayer>())
        {
            layer.InputPerturbation = Perturbation;
            _layers.Add(layer);
        }
    }

    /// <summary>Two terms: <c>ce</c>, the cross-entropy of the (perturbed) student's logits, and <c>csd</c>, the
    /// channel-wise standardisation distillation of its stage outputs against the teacher's.</summary>
    /// <exception cref="InvalidOperationException">The step has no teacher.</exception>
    public override StepLoss Loss(LabeledStep step)
    {
        ArgumentNullException.ThrowIfNull(step);
        var teacher = step.Teacher ?? throw new InvalidOperationException("fpq needs the frozen teacher in every step");
        var output = step.Student.ForwardWithFeatures(step.Images);
        IReadOnlyList<Tensor> teacherStages;
        using (new NoGradScope())
        {
            teacherStages = teacher.ForwardWithFeatures(step.Images).StageOutputs;
        }

        var ce = Functional.CrossEntropy(output.Logits, step.Labels);
        var csd = ChannelStandardization.Loss(output.StageOutputs, teacherStages);
        return new StepLoss([new LossTerm("ce", ce), new LossTerm("csd", csd)], output.Logits);
    }

    /// <summary>Removes the perturbation from the student's layers (it refers to the run's generator).</summary>
    protected override void Dispose(bool disposing)
    {
        if (disposing)
        {
            Uninstall();
        }

        base.Dispose(disposing);
    }

    private void Uninstall()
    {
        foreach (var layer in _layers.Where(l => ReferenceEquals(l.InputPerturbation, Perturbation)))
        {
            layer.InputPerturbation = null;
        }

        _layers.Clear();
    }
}
