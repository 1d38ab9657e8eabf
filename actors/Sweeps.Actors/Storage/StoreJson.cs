using System.Text.Json;
using Sweeps.Actors.Messages;
using Sweeps.Actors.Planning;

namespace Sweeps.Actors.Storage;

/// <summary>How stores serialise events, trial specs and the sweep record (JSON, snake_case, events with a <c>kind</c>).</summary>
public static class StoreJson
{
    /// <summary>The serializer options every store uses.</summary>
    public static JsonSerializerOptions Options { get; } = new(JsonSerializerDefaults.General)
    {
        PropertyNamingPolicy = JsonNamingPolicy.SnakeCaseLower,
        Converters = { new System.Text.Json.Serialization.JsonStringEnumConverter(JsonNamingPolicy.SnakeCaseLower) },
    };

    /// <summary>An event as JSON (with its kind).</summary>
    public static string Serialize(TrialEvent e) => JsonSerializer.Serialize(e, Options);

    /// <summary>An event from <see cref="Serialize(TrialEvent)"/>'s JSON.</summary>
    /// <exception cref="JsonException">The text is not an event.</exception>
    public static TrialEvent DeserializeEvent(string json) =>
        JsonSerializer.Deserialize<TrialEvent>(json, Options) ?? throw new JsonException("null event");

    /// <summary>A trial spec as JSON.</summary>
    public static string Serialize(TrialSpec spec) => JsonSerializer.Serialize(spec, Options);

    /// <summary>A trial spec from JSON.</summary>
    /// <exception cref="JsonException">The text is not a trial spec.</exception>
    public static TrialSpec DeserializeSpec(string json) =>
        JsonSerializer.Deserialize<TrialSpec>(json, Options) ?? throw new JsonException("null trial");

    /// <summary>The sweep record as JSON.</summary>
    public static string Serialize(SweepInfo info) => JsonSerializer.Serialize(info, Options);

    /// <summary>The sweep record from JSON.</summary>
    /// <exception cref="JsonException">The text is not a sweep record.</exception>
    public static SweepInfo DeserializeInfo(string json) =>
        JsonSerializer.Deserialize<SweepInfo>(json, Options) ?? throw new JsonException("null sweep");
}
