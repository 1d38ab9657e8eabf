using System.Diagnostics;
using Akka.Actor;
using Sweeps.Actors.Messages;

namespace Sweeps.Actors;

/// <summary>
/// One trial's events on their way to the coordinator: sent one at a time, in order, the oldest sent again every
/// resend interval until the coordinator answers it (<see cref="TrialEventRecorded"/>). Used by an actor, on its
/// thread only.
/// </summary>
internal sealed class EventOutbox(IActorRef coordinator, TimeSpan resendInterval)
{
    private readonly Queue<TrialEvent> _events = new();
    private long? _sentAt;

    /// <summary>Events not answered yet, oldest first.</summary>
    public IReadOnlyCollection<TrialEvent> Pending => _events;

    /// <summary>Adds an event; sends it when nothing else is waiting for an answer.</summary>
    public void Enqueue(TrialEvent e, IActorRef self)
    {
        _events.Enqueue(e);
        if (_sentAt is null)
        {
            SendHead(self);
        }
    }

    /// <summary>The event <paramref name="answer"/> answers, removed (the next one is sent), or null for the answer to
    /// an earlier repeat.</summary>
    public TrialEvent? Answered(TrialEventRecorded answer, IActorRef self)
    {
        if (_events.Count == 0 || _events.Peek().Key != answer.Key)
        {
            return null;
        }

        var done = _events.Dequeue();
        _sentAt = null;
        SendHead(self);
        return done;
    }

    /// <summary>Sends the oldest event again when its answer is overdue.</summary>
    public void ResendIfDue(IActorRef self)
    {
        if (_sentAt is { } at && Stopwatch.GetElapsedTime(at) >= resendInterval)
        {
            SendHead(self);
        }
    }

    private void SendHead(IActorRef self)
    {
        if (_events.Count > 0)
        {
            coordinator.Tell(new RecordEvent(_events.Peek()), self);
            _sentAt = Stopwatch.GetTimestamp();
        }
    }
}
