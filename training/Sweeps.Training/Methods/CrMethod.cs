using Sweeps.Torch;
using Sweeps.Training.Models;

namespace Sweeps.Training.Methods;

/// <summary>
/// <c>cr</c>: <b>our reconstruction</b> of CR (consistency regularisation for QAT, arXiv 2402.13497; no public code)
/// from the paper's abstract and its parent methods (mean teacher, Tarvainen and Valpola 2017; consistency
/// regularisation with a sigmoid ramp-up, Laine and Aila 2017). Every sample comes as two independently augmented
/// views x1, x2 (<see cref="TwoViewMethod"/>). The mean teacher is an exponential moving average of the student (same
/// architecture and quantizer, <see cref="ExponentialMovingAverage"/>), updated after every optimiser step with the
/// momentum <see cref="TeacherMomentum"/>: min(m(t), (1 + n) / (10 + n)) after the n-th step, m(t) = 0.99 during the
/// consistency ramp-up and 0.999 after it. Its forward runs without gradients in training mode (BatchNorm normalises
/// with the batch's statistics), as in Mean Teacher's code. loss = <c>ce</c> + <c>consistency</c>:
/// <c>ce</c> = CE(z_s(x1), y), <c>consistency</c> = w(t) T^2 KL(softmax(z_ema(x2)/T) || softmax(z_s(x1)/T)) with T = 1
/// and w(t) = exp(-5 (1 - min(1, t/0.3))^2), t the fraction of training done (<see cref="StepInfo.Progress"/>).
/// </summary>
/// <remarks>
/// <para>The average starts as an exact copy of the student at the first step, after the student's first forward (so
/// the data-dependent quantizer ranges it copies are initialised). It is checkpointed (<c>ema.*</c> entries in the
/// checkpoint's <c>method.pt</c>), and its momentum depends only on the step count and progress, so a resumed run
/// continues exactly. Recipe: <see cref="Recipe.QuantizedStudent"/>.</para>
/// <para>Revised in issue 17 (docs/benchmarks.md, "CR at W2A2: the mean teacher"). The teacher used to be an EMA with
/// momentum 0.999 from the first step, run in evaluation mode. In runs of tens to hundreds of steps that teacher stayed
/// at the initial quantized student, and at W2A2 that student in evaluation mode (BatchNorm running statistics from
/// the FP teacher, mismatched to 2-bit activations) is at chance level: the teacher's test top-1 stayed at 9-11 % for
/// the whole run while the consistency term pulled the student towards it (quick-sweep scale: 18.4 % against 48.6 %
/// with the term off). A warm-up alone (a teacher that tracks the student, still in evaluation mode) gave 22.9 %; the
/// training-mode forward alone 36.7 %; both together, as Mean Teacher does, 54.8 %. The warm-up makes the teacher
/// average the last ~(10 + n) / 9 students, a fixed fraction of the run so far, whatever the run's length.</para>
/// </remarks>
public sealed class CrMethod : TwoViewMethod
{
    /// <summary>The registry name.</summary>
    public const string MethodName = "cr";

    /// <summary>The mean teacher's EMA momentum during the consistency ramp-up (Mean Teacher's value).</summary>
    public const double RampUpMomentum = 0.99;

    /// <summary>The mean teacher's EMA momentum after the consistency ramp-up (Mean Teacher's value).</summary>
    public const double Momentum = 0.999;

    /// <summary>The offset of the EMA warm-up: after n optimiser steps the momentum is at most (1 + n) / (10 + n).</summary>
    public const double WarmUpOffset = 10;

    /// <summary>The temperature T of the consistency term.</summary>
    public const double Temperature = 1;

    /// <summary>The fraction of training after which the consistency weight reaches 1.</summary>
    public const double RampUpFraction = 0.3;

    private const string Prefix = "ema.";

    private ClassifierModel? _meanTeacher;
    private ClassifierModel? _student;
    private ExponentialMovingAverage? _average;

    /// <inheritdoc/>
    public override string Name => MethodName;

    /// <inheritdoc/>
    public override string Summary =>
        "reconstruction: cross-entropy on view 1 + ramped-up KL consistency with a mean teacher (EMA of the student: momentum 0.99 during the ramp-up, 0.999 after, warmed up over the first steps) on view 2 (loss terms: ce, consistency)";

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

    /// <summary>Diagnostics only: the momentum of the update after n optimiser steps at progress t (default
    /// <see cref="TeacherMomentum"/>).</summary>
    internal Func<long, double, double> MomentumSchedule { get; init; } = TeacherMomentum;

    /// <summary>Diagnostics only: whether the mean teacher's training-time forward runs in training mode (BatchNorm
    /// with the batch's statistics; default) or in evaluation mode (BatchNorm with its running statistics).</summary>
    internal bool TeacherInTrainingMode { get; init; } = true;

    /// <summary>Diagnostics only: a factor on the consistency term (default 1; 0 trains with the term off).</summary>
    internal double ConsistencyScale { get; init; } = 1;

    /// <summary>Diagnostics only: the student the method was initialised with.</summary>
    internal ClassifierModel? Student => _student;

    /// <summary>The mean teacher's EMA momentum for the update after the n-th optimiser step of the run (n &gt;= 1) at
    /// training progress t in [0, 1] (t before that step): min(m(t), (1 + n) / (10 + n)), with m(t) = 0.99 during the
    /// consistency ramp-up (t &lt; 0.3) and 0.999 after it (Mean Teacher, Tarvainen and Valpola 2017), capped by the
    /// step-count warm-up (1 + n) / (10 + n) of common EMA code (TensorFlow's <c>ExponentialMovingAverage</c> with
    /// <c>num_updates</c>). The cap binds until n = 890 during the ramp-up and n = 8990 after it: until then the teacher
    /// averages about the last (10 + n) / 9 students (1 / (1 - momentum)), so it lags the student by a fixed fraction of
    /// the steps done, in a run of 16 steps as in one of 10,000, instead of staying at the first student.</summary>
    public static double TeacherMomentum(long updates, double progress)
    {
        var target = progress < RampUpFraction ? RampUpMomentum : Momentum;
        var n = Math.Max(0, updates);
        return Math.Min(target, (1.0 + n) / (WarmUpOffset + n));
    }

    /// <summary>The consistency weight w(t) = exp(-5 (1 - min(1, t / 0.3))^2) at training progress t in [0, 1]
    /// (the sigmoid-shaped ramp-up of Laine and Aila, 2017): exp(-5) at t = 0, 1 from t = 0.3 on.</summary>
    public static double ConsistencyWeight(double progress)
    {
        var phase = 1 - Math.Min(1, Math.Max(0, progress) / RampUpFraction);
        return Math.Exp(-5 * phase * phase);
    }

    /// <summary>Builds the mean teacher (a model like the student, on the run's device and in its memory format, in
    /// training mode, no gradients).</summary>
    public override void Initialize(MethodSetup setup)
    {
        ArgumentNullException.ThrowIfNull(setup);
        _meanTeacher?.Dispose();
        _meanTeacher = setup.Place(setup.CreateStudentModel());
        _meanTeacher.Train(TeacherInTrainingMode);
        foreach (var p in _meanTeacher.Parameters())
        {
            p.RequiresGrad = false;
        }

        _student = setup.Student;
        _average = new ExponentialMovingAverage(setup.Student, _meanTeacher);
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
            if (meanTeacher.IsTraining != TeacherInTrainingMode)
            {
                meanTeacher.Train(TeacherInTrainingMode);
            }

            teacherLogits = meanTeacher.Forward(step.View2);
        }

        var consistency = Distillation.KlDivergence(teacherLogits, logits, Temperature) * (ConsistencyWeight(step.Info.Progress) * ConsistencyScale);
        return new StepLoss([new LossTerm("ce", ce), new LossTerm("consistency", consistency)], logits);
    }

    /// <summary>Moves the mean teacher one EMA step towards the student, with momentum
    /// <see cref="TeacherMomentum"/>(n, t) for the n-th optimiser step of the run at progress t.</summary>
    public override void AfterOptimizerStep(StepInfo info)
    {
        ArgumentNullException.ThrowIfNull(info);
        if (IsStarted)
        {
            var updates = ((long)(info.Epoch - 1) * info.StepsPerEpoch) + info.Step;
            _average!.Update(MomentumSchedule(updates, info.Progress));
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
            _student = null;
            _average = null;
        }

        base.Dispose(disposing);
    }
}
