using Sweeps.Torch;

namespace Sweeps.Training.Methods;

/// <summary>
/// <c>mec-quant</c>: <b>our reconstruction</b> of MEC-Quant (arXiv 2509.15514; no public code) from the paper's
/// abstract and its parent method MEC (Liu et al., NeurIPS 2022): quantization-aware training with a
/// maximum-entropy-coding regulariser on the student's penultimate features. loss = <c>ce</c> + <c>mec</c>, where
/// <c>ce</c> is the cross-entropy with labels and <c>mec</c> = sum_k g_k R_k is <see cref="CodingLength.Mixture"/>:
/// the feature channels split into K = 4 contiguous experts, R_k the 4th-order Taylor coding-length regulariser of
/// expert k, g = softmax of K learnable gate logits (initialised equal, i.e. 0).
/// </summary>
/// <remarks>
/// The gate logits are the method's own parameters (<see cref="TrainingMethod.ExtraParameters"/>): the trainer puts
/// them in the optimiser's third group, <c>method</c> (its learning rate is in <c>metrics.jsonl</c> as
/// <c>learning_rates.method</c>): Adam, lr 1e-3 (the weights' rate) with the same cosine schedule, no weight decay.
/// They are trained by the same loss (through <c>mec</c> only). They are checkpointed (<c>gate_logits</c> in the
/// checkpoint's <c>method.pt</c>; their Adam state is in <c>optimizer.pt</c>), so a resumed run continues exactly.
/// Otherwise the students' recipe, <see cref="Recipe.QuantizedStudent"/>.
/// </remarks>
public sealed class MecQuantMethod : LabeledMethod
{
    /// <summary>The registry name.</summary>
    public const string MethodName = "mec-quant";

    /// <summary>Number of experts K.</summary>
    public const int Experts = 4;

    private const string GateKey = "gate_logits";

    private Tensor? _gateLogits;

    /// <inheritdoc/>
    public override string Name => MethodName;

    /// <inheritdoc/>
    public override string Summary =>
        "reconstruction: cross-entropy + MEC coding-length regulariser (4th-order Taylor) as a mixture of 4 experts with learnable gate (loss terms: ce, mec)";

    /// <inheritdoc/>
    public override bool IsReconstruction => true;

    /// <inheritdoc/>
    public override Recipe Recipe { get; } = Recipe.QuantizedStudent with { MethodLearningRate = 1e-3, MethodWeightDecay = 0 };

    /// <inheritdoc/>
    public override MethodRequirements Requirements => MethodRequirements.QuantizedFromTeacher;

    /// <summary>The K gate logits [K] (the optimiser's <c>method</c> group) once <see cref="TrainingMethod.Initialize"/>
    /// has run; owned by the method.</summary>
    public Tensor? GateLogits => _gateLogits;

    /// <inheritdoc/>
    public override IReadOnlyList<Tensor> ExtraParameters => _gateLogits is null ? [] : [_gateLogits];

    /// <summary>Creates the gate logits, all 0 (equal weights), on the run's device.</summary>
    public override void Initialize(MethodSetup setup)
    {
        ArgumentNullException.ThrowIfNull(setup);
        _gateLogits?.Dispose();
        _gateLogits = DisposeScope.Detach(Tensor.Zeros([Experts], device: setup.Device));
        _gateLogits.RequiresGrad = true;
    }

    /// <summary>Two terms: <c>ce</c>, the cross-entropy of the student's logits, and <c>mec</c>, the gated coding-length
    /// regulariser of its penultimate features.</summary>
    /// <exception cref="InvalidOperationException">Called before <see cref="TrainingMethod.Initialize"/>.</exception>
    public override StepLoss Loss(LabeledStep step)
    {
        ArgumentNullException.ThrowIfNull(step);
        var gate = _gateLogits ?? throw new InvalidOperationException("mec-quant: Initialize was not called");
        var output = step.Student.ForwardWithFeatures(step.Images);
        var ce = Functional.CrossEntropy(output.Logits, step.Labels);
        var mec = CodingLength.Mixture(output.Features, gate);
        return new StepLoss([new LossTerm("ce", ce), new LossTerm("mec", mec)], output.Logits);
    }

    /// <summary><c>gate_logits</c>: a copy of the gate logits.</summary>
    public override OrderedDictionary<string, Tensor> StateDict()
    {
        var state = new OrderedDictionary<string, Tensor>(StringComparer.Ordinal);
        if (_gateLogits is not null)
        {
            using var scope = DisposeScope.Enter();
            state.Add(GateKey, scope.MoveToOuter(_gateLogits.Detach().Clone()));
        }

        return state;
    }

    /// <summary>Copies <c>gate_logits</c> into the gate.</summary>
    /// <exception cref="ArgumentException">The entry is missing or has another shape.</exception>
    /// <exception cref="InvalidOperationException">Called before <see cref="TrainingMethod.Initialize"/>.</exception>
    public override void LoadStateDict(IReadOnlyDictionary<string, Tensor> state)
    {
        ArgumentNullException.ThrowIfNull(state);
        var gate = _gateLogits ?? throw new InvalidOperationException("mec-quant: Initialize was not called");
        if (!state.TryGetValue(GateKey, out var saved) || saved.Dim != 1 || saved.Size(0) != Experts)
        {
            throw new ArgumentException($"mec-quant state: expected '{GateKey}' with {Experts} values", nameof(state));
        }

        using var noGrad = new NoGradScope();
        gate.CopyFrom(saved);
    }

    /// <inheritdoc/>
    protected override void Dispose(bool disposing)
    {
        if (disposing)
        {
            _gateLogits?.Dispose();
            _gateLogits = null;
        }

        base.Dispose(disposing);
    }
}
