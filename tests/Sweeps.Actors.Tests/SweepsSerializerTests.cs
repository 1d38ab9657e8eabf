using Akka.Actor;
using Akka.Configuration;
using Akka.Serialization;
using Sweeps.Actors.Messages;
using static Sweeps.Actors.Tests.Events;

namespace Sweeps.Actors.Tests;

/// <summary>Every message that crosses the wire goes through the bound System.Text.Json serializer and comes back equal.</summary>
public sealed class SweepsSerializerTests : IDisposable
{
    private readonly ActorSystem _system = ActorSystem.Create("ser", ConfigurationFactory.ParseString(SweepsSerializer.Hocon));

    public void Dispose() => _system.Dispose();

    public static TheoryData<object> Messages() =>
    [
        new SlotStatus("gpu01/42", 3, 4, "cuda:1", 7, true, new TrialAttempt("resnet20-synthetic-fp-s0", 2), null, []),
        new SlotStatus("gpu01/42", 3, 4, "cuda:1", 8, false, new TrialAttempt("resnet20-synthetic-fp-s0", 2), new TrialAttempt("resnet20-synthetic-fp-s1", 1), [new TrialAttempt("resnet20-synthetic-fp-s2", 3)]),
        new SlotStatus("gpu01/42", 0, 1, "cpu", 1, true, null, null, []),
        new RunTrial("t", Plan[1], 2, "/ck/t/trials/x", "/ck/t/trials/y/model.pt", "/data", 64, 32, Time, 5),
        new RecordEvent(Started(T)),
        new RecordEvent(Epoch(T, 1, 0.5)),
        new RecordEvent(Completed(T, 4)),
        new RecordEvent(Completed(T, 4) with { Began = Time.AddSeconds(-3) }),
        new RecordEvent(new TrialFailed(T, 1, 4, Time, "loss is NaN")),
        new RecordEvent(new TrialCancelled(T, 1, 4, Time)),
        new TrialEventRecorded(T, 1, 2, EventOutcome.Duplicate),
        new CancelSweep("t", Time),
        new StopTrial(T, 1),
    ];

    [Theory]
    [MemberData(nameof(Messages))]
    public void RoundTrip_BoundSerializer_GivesAnEqualMessage(object message)
    {
        var serializer = _system.Serialization.FindSerializerFor(message);
        Assert.IsType<SweepsSerializer>(serializer);
        var manifest = Serialization.ManifestFor(serializer, message);
        var back = _system.Serialization.Deserialize(serializer.ToBinary(message), serializer.Identifier, manifest);
        Assert.Equal(message, back);
    }

    [Fact]
    public void FromBinary_UnknownManifest_Refused()
    {
        var serializer = (SweepsSerializer)_system.Serialization.FindSerializerFor(new StopTrial(T, 1));
        Assert.Throws<System.Runtime.Serialization.SerializationException>(() => serializer.FromBinary("{}"u8.ToArray(), "System.IO.File"));
    }
}
