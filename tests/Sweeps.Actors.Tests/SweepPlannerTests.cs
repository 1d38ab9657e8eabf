using Sweeps.Actors.Planning;

namespace Sweeps.Actors.Tests;

public sealed class SweepPlannerTests
{
    private static SweepDefinition Sweep(IReadOnlyList<string> methods, IReadOnlyList<long>? seeds = null, IReadOnlyList<string>? models = null) => new()
    {
        Name = "t", Dataset = "fashion-mnist", Models = models ?? ["resnet20"], Methods = methods, Bits = ["W2A2", "W4A4"],
        Seeds = seeds ?? [0], TeacherEpochs = 3, StudentEpochs = 2, Quantizer = "ewgs",
    };

    [Fact]
    public void Plan_FpAndQat_TeacherFirstThenEachBits()
    {
        var plan = SweepPlanner.Plan(Sweep(["fp", "qat"]));
        Assert.Equal(
            ["resnet20-fashion-mnist-fp-s0", "resnet20-fashion-mnist-qat-W2A2-s0", "resnet20-fashion-mnist-qat-W4A4-s0"],
            plan.Select(t => t.Id));
        var teacher = plan[0];
        Assert.Equal(("fp", 32, 32, 3, null, null), (teacher.Method, teacher.WeightBits, teacher.ActivationBits, teacher.Epochs, teacher.Quantizer, teacher.Teacher));
        var w2 = plan[1];
        Assert.Equal(("qat", 2, 2, 2, "ewgs", "resnet20-fashion-mnist-fp-s0"), (w2.Method, w2.WeightBits, w2.ActivationBits, w2.Epochs, w2.Quantizer, w2.Teacher));
    }

    [Fact]
    public void Plan_PretrainedTeacher_ZeroEpochsNamingTheFile_StudentsStillUseIt()
    {
        var plan = SweepPlanner.Plan(Sweep(["fp", "qat"], models: ["resnet20", "vgg8"]) with
        {
            Teachers = new Dictionary<string, string> { ["resnet20"] = "/m/r20.pt" },
        });
        var r20 = Assert.Single(plan, t => t.Id == "resnet20-fashion-mnist-fp-s0");
        Assert.Equal(("/m/r20.pt", 0), (r20.Pretrained, r20.Epochs));
        var vgg = Assert.Single(plan, t => t.Id == "vgg8-fashion-mnist-fp-s0");
        Assert.Equal((null, 3), (vgg.Pretrained, vgg.Epochs));
        Assert.Equal(r20.Id, Assert.Single(plan, t => t.Id == "resnet20-fashion-mnist-qat-W4A4-s0").Teacher);
    }

    [Fact]
    public void Plan_StudentLimit_OnStudentsOnly()
    {
        var plan = SweepPlanner.Plan(Sweep(["fp", "qat"]) with { Limit = 16384, StudentLimit = 2048 });
        Assert.Null(plan[0].TrainLimit);
        Assert.All(plan.Skip(1), t => Assert.Equal(2048, t.TrainLimit));
        Assert.All(SweepPlanner.Plan(Sweep(["fp", "qat"]) with { Limit = 16384 }), t => Assert.Null(t.TrainLimit));
    }

    [Fact]
    public void Plan_QatWithoutFp_StillPlansTheTeacher()
    {
        var plan = SweepPlanner.Plan(Sweep(["qat"]));
        Assert.Equal(3, plan.Count);
        Assert.Equal("fp", plan[0].Method);
        Assert.All(plan.Skip(1), t => Assert.Equal(plan[0].Id, t.Teacher));
    }

    [Fact]
    public void Plan_FpOnly_OneTrialPerModelAndSeedIgnoringBits()
    {
        var plan = SweepPlanner.Plan(Sweep(["fp"], seeds: [0, 1], models: ["resnet20", "vgg8"]));
        Assert.Equal(
            ["resnet20-fashion-mnist-fp-s0", "resnet20-fashion-mnist-fp-s1", "vgg8-fashion-mnist-fp-s0", "vgg8-fashion-mnist-fp-s1"],
            plan.Select(t => t.Id));
    }

    [Fact]
    public void Plan_TwoSeedsTwoModels_OneTeacherPerModelAndSeedSharedByItsStudents()
    {
        var plan = SweepPlanner.Plan(Sweep(["fp", "qat"], seeds: [0, 1], models: ["resnet20", "vgg8"]));
        Assert.Equal(4 + (2 * 2 * 2), plan.Count);
        var teachers = plan.Where(t => t.Method == "fp").ToList();
        Assert.Equal(4, teachers.Count);
        Assert.True(plan.Take(4).All(t => t.Method == "fp"), "teachers come first");
        foreach (var s in plan.Where(t => t.Method == "qat"))
        {
            var teacher = Assert.Single(teachers, t => t.Id == s.Teacher);
            Assert.Equal((s.Model, s.Seed, s.Dataset), (teacher.Model, teacher.Seed, teacher.Dataset));
        }

        Assert.Equal(plan.Count, plan.Select(t => t.Id).Distinct().Count());
    }

    [Fact]
    public void Plan_SleepTrials_AddedLastWithoutTeacher()
    {
        var plan = SweepPlanner.Plan(Sweep(["fp"]) with { SleepTrials = 3, SleepMilliseconds = 50 });
        Assert.Equal(["resnet20-fashion-mnist-fp-s0", "sleep-0001", "sleep-0002", "sleep-0003"], plan.Select(t => t.Id));
        Assert.All(plan.Skip(1), t => Assert.Equal((TrialKind.Sleep, 50, null), (t.Kind, t.SleepMilliseconds, t.Teacher)));
    }
}
