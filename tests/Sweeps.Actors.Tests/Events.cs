using Sweeps.Actors.Messages;
using Sweeps.Actors.Planning;

namespace Sweeps.Actors.Tests;

/// <summary>Event factories for tests: the plan teacher T -> student S, and events with fixed times.</summary>
internal static class Events
{
    public const string T = "resnet20-synthetic-fp-s0";
    public const string S = "resnet20-synthetic-qat-W4A4-s0";
    public static readonly DateTimeOffset Time = new(2026, 11, 22, 10, 0, 0, TimeSpan.Zero);

    public static IReadOnlyList<TrialSpec> Plan { get; } = SweepPlanner.Plan(new SweepDefinition
    {
        Name = "t", Dataset = "synthetic", Models = ["resnet20"], Methods = ["fp", "qat"], Bits = ["W4A4"], Seeds = [0], TeacherEpochs = 2, StudentEpochs = 2,
    });

    public static TrialStarted Started(string id, int attempt = 1, double at = 0) => new(id, attempt, 1, Time.AddSeconds(at), "node", "cpu");

    public static TrialEpochCompleted Epoch(string id, int epoch, double top1, int attempt = 1, int? sequence = null, double at = 0) =>
        new(id, attempt, sequence ?? epoch + 1, Time.AddSeconds(at), epoch, 2, 1.0 / epoch, top1, 10, 100);

    public static TrialCompleted Completed(string id, int sequence, int attempt = 1, double at = 0) =>
        new(id, attempt, sequence, Time.AddSeconds(at), 0.8, 2, 0.8, 0.75, 1000, "hutchinson", "{\"optimizer\":\"sgd\"}", null);
}
