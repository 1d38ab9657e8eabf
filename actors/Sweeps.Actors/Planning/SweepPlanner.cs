using System.Globalization;
using Sweeps.Training.Methods;

namespace Sweeps.Actors.Planning;

/// <summary>
/// Expands a sweep's grid into trials. One FP teacher (method <c>fp</c>, teacher epochs) per model x dataset x seed
/// is planned whenever the grid lists <c>fp</c> or a method that starts from or distils from a teacher; every such
/// trial names it in <see cref="TrialSpec.Teacher"/> and runs only after it completed. The FP row of the report is
/// that teacher. A model named in the sweep's <c>teachers:</c> gets a pretrained teacher instead
/// (<see cref="TrialSpec.Pretrained"/>, 0 epochs: its checkpoint is evaluated, not trained). Students train on the
/// sweep's student limit when it has one (<see cref="TrialSpec.TrainLimit"/>). Methods whose student is not quantized ignore the bits. Order: teachers first, then the other
/// trials by model, seed, method (file order) and bits (file order); the sleeping test trials last.
/// </summary>
public static class SweepPlanner
{
    /// <summary>The teacher method.</summary>
    public const string TeacherMethod = FullPrecisionMethod.MethodName;

    /// <summary>The method name of the sleeping test trials.</summary>
    public const string SleepMethod = "sleep";

    /// <summary>The trials of <paramref name="sweep"/>, teachers first.</summary>
    /// <exception cref="ArgumentException">A method is not registered.</exception>
    public static IReadOnlyList<TrialSpec> Plan(SweepDefinition sweep)
    {
        ArgumentNullException.ThrowIfNull(sweep);
        var teachers = new List<TrialSpec>();
        var students = new List<TrialSpec>();
        var needTeacher = sweep.Methods.Any(m => m == TeacherMethod || NeedsTeacher(m));
        foreach (var model in sweep.Models)
        {
            foreach (var seed in sweep.Seeds)
            {
                var teacherId = TrialSpec.TrialId(model, sweep.Dataset, TeacherMethod, null, seed);
                if (needTeacher)
                {
                    var pretrained = sweep.Teachers.GetValueOrDefault(model);
                    teachers.Add(new TrialSpec
                    {
                        Id = teacherId, Method = TeacherMethod, Model = model, Dataset = sweep.Dataset, Seed = seed,
                        Epochs = pretrained is null ? sweep.TeacherEpochs : 0, Pretrained = pretrained,
                    });
                }

                foreach (var method in sweep.Methods.Where(m => m != TeacherMethod))
                {
                    var teacher = NeedsTeacher(method) ? teacherId : null;
                    if (!IsQuantized(method))
                    {
                        students.Add(new TrialSpec
                        {
                            Id = TrialSpec.TrialId(model, sweep.Dataset, method, null, seed), Method = method, Model = model,
                            Dataset = sweep.Dataset, Seed = seed, Epochs = sweep.StudentEpochs, Teacher = teacher, TrainLimit = sweep.StudentLimit,
                        });
                        continue;
                    }

                    foreach (var bits in sweep.Bits)
                    {
                        var parsed = Sweeps.Training.Quantization.BitWidths.Parse(bits);
                        students.Add(new TrialSpec
                        {
                            Id = TrialSpec.TrialId(model, sweep.Dataset, method, parsed.ToString(), seed),
                            Method = method,
                            Model = model,
                            Dataset = sweep.Dataset,
                            WeightBits = parsed.Weight,
                            ActivationBits = parsed.Activation,
                            Seed = seed,
                            Quantizer = sweep.Quantizer,
                            Epochs = sweep.StudentEpochs,
                            Teacher = teacher,
                            TrainLimit = sweep.StudentLimit,
                        });
                    }
                }
            }
        }

        var sleepers = Enumerable.Range(1, sweep.SleepTrials).Select(i => Sleeping(i, sweep.Dataset, sweep.SleepMilliseconds) with { SleepStopMilliseconds = sweep.SleepStopMilliseconds });
        return [.. teachers, .. students, .. sleepers];
    }

    /// <summary>A trial that only sleeps (tests and the orchestration benchmark): id <c>sleep-0001</c>, ...</summary>
    public static TrialSpec Sleeping(int index, string dataset, int milliseconds) => new()
    {
        Id = string.Create(CultureInfo.InvariantCulture, $"sleep-{index:D4}"),
        Kind = TrialKind.Sleep,
        Method = SleepMethod,
        Model = "none",
        Dataset = dataset,
        SleepMilliseconds = milliseconds,
    };

    /// <summary>Whether the registered method trains a quantized student (and so uses the sweep's bits).</summary>
    /// <exception cref="ArgumentException">The method is not registered.</exception>
    public static bool IsQuantized(string method)
    {
        using var m = MethodRegistry.Create(method);
        return m.Requirements.QuantizedStudent;
    }

    /// <summary>Whether the registered method starts from, or distils from, the FP teacher.</summary>
    /// <exception cref="ArgumentException">The method is not registered.</exception>
    public static bool NeedsTeacher(string method)
    {
        using var m = MethodRegistry.Create(method);
        return m.Requirements.StudentFromTeacher || m.Requirements.FrozenTeacher;
    }
}
