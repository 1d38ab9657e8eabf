namespace Sweeps.Actors.Messages;

/// <summary>
/// Marks the messages that travel between the nodes of a cluster (slot to coordinator and back). They are bound to
/// <see cref="SweepsSerializer"/> (System.Text.Json) in the actor system's configuration instead of Akka's default
/// serializer.
/// </summary>
public interface ISweepsMessage;
