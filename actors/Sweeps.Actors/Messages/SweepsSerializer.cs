using System.Collections.Frozen;
using System.Text.Json;
using Akka.Actor;
using System.Runtime.Serialization;
using Akka.Serialization;
using Sweeps.Actors.Storage;

namespace Sweeps.Actors.Messages;

/// <summary>
/// Serializes the <see cref="ISweepsMessage"/> messages with System.Text.Json (the store's JSON options): the
/// manifest is the message's type name, and only the types listed here are ever deserialized. Bind it in HOCON:
/// <code>
/// akka.actor.serializers.sweeps = "Sweeps.Actors.Messages.SweepsSerializer, Sweeps.Actors"
/// akka.actor.serialization-bindings { "Sweeps.Actors.Messages.ISweepsMessage, Sweeps.Actors" = sweeps }
/// </code>
/// (<see cref="Hocon"/> holds exactly that).
/// </summary>
public sealed class SweepsSerializer : SerializerWithStringManifest
{
    /// <summary>The serializer's id in Akka's registry (ids up to 100 are Akka's own).</summary>
    public const int Id = 4713;

    /// <summary>The configuration that binds <see cref="ISweepsMessage"/> to this serializer.</summary>
    public const string Hocon = """
        akka.actor {
          serializers.sweeps = "Sweeps.Actors.Messages.SweepsSerializer, Sweeps.Actors"
          serialization-bindings { "Sweeps.Actors.Messages.ISweepsMessage, Sweeps.Actors" = sweeps }
        }
        """;

    private static readonly FrozenDictionary<string, Type> Types = new[]
    {
        typeof(SlotStatus), typeof(RunTrial), typeof(RecordEvent), typeof(TrialEventRecorded), typeof(CancelSweep), typeof(StopTrial),
    }.ToFrozenDictionary(t => t.Name, StringComparer.Ordinal);

    /// <summary>Created by Akka's serialization extension.</summary>
    public SweepsSerializer(ExtendedActorSystem system)
        : base(system)
    {
    }

    /// <inheritdoc/>
    public override int Identifier => Id;

    /// <inheritdoc/>
    public override string Manifest(object o)
    {
        ArgumentNullException.ThrowIfNull(o);
        var name = o.GetType().Name;
        return Types.ContainsKey(name) ? name : throw new ArgumentException($"{o.GetType()} is not a Sweeps message", nameof(o));
    }

    /// <inheritdoc/>
    public override byte[] ToBinary(object obj)
    {
        ArgumentNullException.ThrowIfNull(obj);
        return JsonSerializer.SerializeToUtf8Bytes(obj, Types[Manifest(obj)], StoreJson.Options);
    }

    /// <inheritdoc/>
    public override object FromBinary(byte[] bytes, string manifest)
    {
        if (!Types.TryGetValue(manifest, out var type))
        {
            throw new SerializationException($"unknown Sweeps message type '{manifest}'");
        }

        return JsonSerializer.Deserialize(bytes, type, StoreJson.Options) ?? throw new SerializationException($"a null {manifest}");
    }
}
