using Sweeps.Torch.Optim;

namespace Sweeps.Torch.Tests;

public sealed class ScheduleTests : IDisposable
{
    private readonly DisposeScope _scope = DisposeScope.Enter();

    public void Dispose() => _scope.Dispose();

    [Theory]
    [InlineData(0, 1.0)]
    [InlineData(2, 0.9045084971874737)] // (1 + cos(0.2 pi)) / 2 = (1 + 0.80901699437) / 2
    [InlineData(5, 0.5)]
    [InlineData(8, 0.0954915028125263)] // (1 + cos(0.8 pi)) / 2 = (1 - 0.80901699437) / 2
    [InlineData(10, 0.0)]
    [InlineData(13, 0.0)] // stays at 0 after the end
    public void CosineSchedule_Factor_MatchesHandValues(long step, double expected) =>
        Assert.Equal(expected, CosineSchedule.Instance.Factor(step, 10), 12);

    [Fact]
    public void CosineSchedule_Factor_MatchesTorchCosineAnnealingLR()
    {
        var expected = PythonReference.Doubles(OptimProblem.Reference.GetProperty("cosine_T10"));
        var actual = Enumerable.Range(0, 11).Select(t => CosineSchedule.Instance.Factor(t, 10)).ToArray();
        TestAssert.Close(expected, actual, rtol: 1e-9, atol: 1e-12, what: "cosine");
    }

    [Theory]
    [InlineData(0, 0.25)]
    [InlineData(1, 0.4375)] // 0.25 + 0.75 / 4
    [InlineData(2, 0.625)]
    [InlineData(3, 0.8125)]
    [InlineData(4, 1.0)] // cosine at its step 0 of 10
    [InlineData(9, 0.5)] // cosine at 5 of 10
    [InlineData(10, 0.3454915028125263)] // cosine at 6 of 10: (1 + cos(0.6 pi)) / 2 = (1 - 0.30901699437) / 2
    [InlineData(14, 0.0)]
    public void LinearWarmup_Factor_RampsThenHandsOverToInnerSchedule(long step, double expected) =>
        Assert.Equal(expected, new LinearWarmup(4, 0.25, CosineSchedule.Instance).Factor(step, 14), 12);

    [Fact]
    public void LinearWarmup_NoWarmupSteps_IsTheInnerSchedule()
    {
        var warmup = new LinearWarmup(0, 0.1, CosineSchedule.Instance);
        Assert.Equal(CosineSchedule.Instance.Factor(3, 10), warmup.Factor(3, 10));
        Assert.Equal(1.0, new LinearWarmup(3, 0.5, ConstantSchedule.Instance).Factor(7, 10));
    }

    [Fact]
    public void Schedules_InvalidArguments_Throw()
    {
        Assert.Throws<ArgumentOutOfRangeException>(() => new LinearWarmup(-1, 0.5, CosineSchedule.Instance));
        Assert.Throws<ArgumentOutOfRangeException>(() => new LinearWarmup(2, 1.5, CosineSchedule.Instance));
        Assert.Throws<ArgumentNullException>(() => new LinearWarmup(2, 0.5, null!));
        Assert.Throws<ArgumentOutOfRangeException>(() => new LinearWarmup(10, 0.5, CosineSchedule.Instance).Factor(0, 10));
        Assert.Throws<ArgumentOutOfRangeException>(() => CosineSchedule.Instance.Factor(-1, 10));
        Assert.Throws<ArgumentOutOfRangeException>(() => CosineSchedule.Instance.Factor(0, 0));
    }

    [Fact]
    public void Scheduler_SetPosition_ScalesEveryGroupFromItsInitialRate()
    {
        var ps = OptimProblem.Parameters();
        using var optimizer = new Adam(
            [new ParamGroup([ps[0], ps[1]], learningRate: 1e-3, weightDecay: 1e-4), new ParamGroup([ps[2]], learningRate: 1e-5, weightDecay: 0)],
            new AdamOptions());
        var scheduler = new LearningRateScheduler(optimizer, CosineSchedule.Instance, totalSteps: 10);

        Assert.Equal(0, scheduler.Position);
        Assert.Equal(1e-3, optimizer.GetLearningRate(0), 15);
        Assert.Equal(1e-5, optimizer.GetLearningRate(1), 15);

        scheduler.SetPosition(5);
        Assert.Equal(5e-4, optimizer.GetLearningRate(0), 15);
        Assert.Equal(5e-6, optimizer.GetLearningRate(1), 15);

        scheduler.SetPosition(2);
        Assert.Equal(0.9045084971874737e-3, optimizer.GetLearningRate(0), 15);
        Assert.Equal(0.9045084971874737e-5, optimizer.GetLearningRate(1), tolerance: 1e-18);

        scheduler.SetPosition(10);
        Assert.Equal(0, optimizer.GetLearningRate(0));
        Assert.Equal(0, optimizer.GetLearningRate(1));
        Assert.Equal(new[] { 1e-3, 1e-5 }, optimizer.InitialLearningRates);
    }

    [Fact]
    public void Scheduler_Advance_FollowsScheduleAndResumesFromSavedPosition()
    {
        var ps = OptimProblem.Parameters();
        var schedule = new LinearWarmup(2, 0.5, CosineSchedule.Instance);
        var seen = new List<double>();
        long saved;
        using (var optimizer = new Sgd([new ParamGroup([ps[0], ps[1]]), new ParamGroup([ps[2]], learningRate: 0.01)], new SgdOptions(0.1, Momentum: 0.9)))
        {
            var scheduler = new LearningRateScheduler(optimizer, schedule, totalSteps: 6);
            for (var i = 0; i < 4; i++)
            {
                seen.Add(optimizer.GetLearningRate(0));
                Assert.Equal(optimizer.GetLearningRate(0) / 10, optimizer.GetLearningRate(1), 15);
                scheduler.Advance();
            }

            saved = scheduler.Position;
        }

        // Warm-up 0.05, 0.075, then cosine over the 4 remaining steps: 0.1, 0.1 (1 + cos(pi/4)) / 2.
        TestAssert.Close([0.05, 0.075, 0.1, 0.1 * (1 + Math.Sqrt(0.5)) / 2], seen, rtol: 1e-12, atol: 0, what: "lr");
        Assert.Equal(4, saved);

        var copies = OptimProblem.CopiesOf(ps);
        using var resumed = new Sgd([new ParamGroup([copies[0], copies[1]]), new ParamGroup([copies[2]], learningRate: 0.01)], new SgdOptions(0.1, Momentum: 0.9));
        var again = new LearningRateScheduler(resumed, schedule, totalSteps: 6);
        again.SetPosition(saved);
        Assert.Equal(0.05, resumed.GetLearningRate(0), 15); // cosine at 2 of 4: 0.1 / 2
        Assert.Equal(0.005, resumed.GetLearningRate(1), 15);
        Assert.Equal(5, again.Advance());
    }
}
