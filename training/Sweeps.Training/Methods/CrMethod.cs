using Sweeps.Torch;
using Sweeps.Training.Models;

namespace Sweeps.Training.Methods;

/// <summary>
/// <c>cr</c>: <b>our reconstruction</b> of CR (consistency regularisation for QAT, arXiv 2402.13497; no public code)
/// from the paper's abstract and its parent methods (mean teacher, Tarvainen and Valpola 2017; consistency
/// regularisation with a sigmoid ramp-up, Laine and Aila 2017). Every sample comes as two independently augmented
/// views x1, x2 (<see cref="TwoViewMethod"/>). The mean teacher is an exponential moving average of the student
/// (momentum 0.999, same architecture and quantizer, <see cref="ExponentialMovingAverage"/>), evaluated in eval mode
/// without gradients and updated after every optimiser step. loss = <c>ce</c> + <c>consistency</c>:
/// <c>ce</c> = CE(z_s(x1), y), <c>consistency</c> = w(t) T^2 KL(softmax(z_ema(x2)/T) || softmax(z_s(x1)/T)) with T = 1
/// and w(t) = exp(-5 (1 - min(1, t/0.3))^2), t the fraction of training done (<see cref="StepInfo.Progress"/>).
/// </summary>
/// <remarks>
/// The average starts as an exact copy of the student at the first step, after the student's first forward (so the
/// data-dependent quantizer ranges it copies are initialised). It is checkpointed (<c>ema.*</c> entries in the
/// checkpoint's <c>method.pt</c>), so a resumed run continues exactly. Recipe: <see cref="Recipe.QuantizedStudent"/>.
/// </remarks>
public sealed class CrMethod : TwoViewMethod
{
    /// <summary>The registry name.</summary>
    public const string MethodName = "cr";

    /// <summary>The EMA momentum of the mean teacher.</summary>
    public const double Momentum = 0.999;

    /// <summary>The temperature T of the consistency term.</summary>
    public const double Temperature = 1;

    /// <summary>The fraction of training after which the consistency weight reaches 1.</summary>
    public const double RampUpFraction = 0.3;

    private const string Prefix = "ema.";

    private ClassifierModel? _meanTeacher;
    private ExponentialMovingAverage? _average;

    /// <inheritdoc/>
    public override string Name => MethodName;

    /// <inheritdoc/>
    public override string Summary =>
        "reconstruction: cross-entropy on view 1 + ramped-up KL consistency with a mean teacher (EMA 0.999 of the student) on view 2 (loss terms: ce, consistency)";

    /// <inheritdoc/>
    public override bool IsReconstruction => true;

    /// <inheritdoc/>
    public override Recipe Recipe => Recipe.QuantizedStudent;

    /// <inheritdoc/>
    public override MethodRequirements Requirements => MethodRequirements.QuantizedFromTeacher;

    /// <summary>The mean teacher (EMA of the student) once <see cref="Initialize"/> has run; owned by the method.</summary>
    public ClassifierModel? MeanTeacher => _meanTeacher;

    /// <summary>Whether the mean teacher has been started from the student (at the first step, or by a resume).</summary>
    public bool IsStarted { get; private set; }

    /// <summary>The consistency weight w(t) = exp(-5 (1 - min(1, t / 0.3))^2) at training progress t in [0, 1]
    /// (the sigmoid-shaped ramp-up of Laine and Aila, 2017): exp(-5) at t = 0, 1 from t = 0.3 on.</summary>
    public static double ConsistencyWeight(double progress)
    {
        var phase = 1 - Math.Min(1, Math.Max(0, progress) / RampUpFraction);
        return Math.Exp(-5 * phase * phase);
    }

    /// <summary>Builds the mean teacher (a model like the student, on the run's device, in eval mode, no gradients).</summary>
    public override void Initialize(MethodSetup setup)
    {
        ArgumentNullException.ThrowIfNull(setup);
        _meanTeacher?.Dispose();
        _meanTeacher = setup.CreateStudentModel();
        _meanTeacher.To(setup.Device);
        _meanTeacher.Eval();
        foreach (var p in _meanTeacher.Parameters())
        {
            p.RequiresGrad = false;
        }

        _average = new ExponentialMovingAverage(setup.Student, _meanTeacher, Momentum);
        IsStarted = false;
    }

    /// <summary>Two terms: <c>ce</c> on view 1 and the weighted <c>consistency</c> between the student on view 1 and
    /// the mean teacher on view 2. Returns the student's logits on view 1.</summary>
    /// <exception cref="InvalidOperationException">Called before <see cref="Initialize"/>.</exception>
    public override StepLoss Loss(TwoViewStep step)
    {
        ArgumentNullException.ThrowIfNull(step);
        var meanTeacher = _meanTeacher ?? throw new InvalidOperationException("cr: Initialize was not called");
        var logits = step.Student.Forward(step.View1);
        var ce = Functional.CrossEntropy(logits, step.Labels);
        if (!IsStarted)
        {
            _average!.CopySource();
            IsStarted = true;
        }

        Tensor teacherLogits;
        using (new NoGradScope())
        {
            teacherLogits = meanTeacher.Forward(step.View2);
        }

        var consistency = Distillation.KlDivergence(teacherLogits, logits, Temperature) * ConsistencyWeight(step.Info.Progress);
        return new StepLoss([new LossTerm("ce", ce), new LossTerm("consistency", consistency)], logits);
    }

    /// <summary>Moves the mean teacher one EMA step towards the student.</summary>
    public override void AfterOptimizerStep(StepInfo info)
    {
        if (IsStarted)
        {
            _average!.Update();
        }
    }

    /// <summary>The mean teacher's state dict under <c>ema.</c> (empty before it has started).</summary>
    public override OrderedDictionary<string, Tensor> StateDict()
    {
        var state = new OrderedDictionary<string, Tensor>(StringComparer.Ordinal);
        if (_meanTeacher is not null && IsStarted)
        {
            foreach (var (key, value) in _meanTeacher.StateDict())
            {
                state.Add(Prefix + key, value);
            }
        }

        return state;
    }

    /// <summary>Restores the mean teacher from <c>ema.*</c> entries (all of them are required) and marks it started.</summary>
    /// <exception cref="ArgumentException">An entry is missing, unexpected or of another shape.</exception>
    /// <exception cref="InvalidOperationException">Called before <see cref="Initialize"/>.</exception>
    public override void LoadStateDict(IReadOnlyDictionary<string, Tensor> state)
    {
        ArgumentNullException.ThrowIfNull(state);
        var meanTeacher = _meanTeacher ?? throw new InvalidOperationException("cr: Initialize was not called");
        var entries = state.Where(kv => kv.Key.StartsWith(Prefix, StringComparison.Ordinal))
            .ToDictionary(kv => kv.Key[Prefix.Length..], kv => kv.Value, StringComparer.Ordinal);
        meanTeacher.LoadStateDict(entries, strict: true);
        IsStarted = true;
    }

    /// <inheritdoc/>
    protected override void Dispose(bool disposing)
    {
        if (disposing)
        {
            _meanTeacher?.Dispose();
            _meanTeacher = null;
            _average = null;
        }

        base.Dispose(disposing);
    }
}
