using Sweeps.Actors.Planning;

namespace Sweeps.Actors.Messages;

/// <summary>The coordinator's answer to a slot's request for work (<see cref="SlotStatus"/>): run (or resume) one
/// trial. Paths are absolute.</summary>
/// <param name="Sweep">The sweep's name.</param>
/// <param name="Trial">What to run.</param>
/// <param name="Attempt">The attempt number (events carry it).</param>
/// <param name="Directory">The trial's output folder (<c>trials/&lt;id&gt;</c>); a checkpoint there is resumed.</param>
/// <param name="TeacherCheckpoint">The teacher's <c>model.pt</c>, or null.</param>
/// <param name="DataDirectory">The dataset's folder, or null for its default.</param>
/// <param name="TrainLimit">Training subset size, or null.</param>
/// <param name="TestLimit">Test subset size, or null.</param>
/// <param name="SentAt">When the coordinator sent it.</param>
/// <param name="Ask">The slot's request this answers (<see cref="SlotStatus.Ask"/>): a slot runs only the answer to
/// its current request, so a repeated answer never runs a trial twice.</param>
public sealed record RunTrial(
    string Sweep, TrialSpec Trial, int Attempt, string Directory, string? TeacherCheckpoint, string? DataDirectory, int? TrainLimit, int? TestLimit,
    DateTimeOffset SentAt, int Ask = 0) : ISweepsMessage
{
    /// <summary>Image folders: the image size, or null for the images' own.</summary>
    public int? ImageSize { get; init; }

    /// <summary>Image folders: whether unreadable images are skipped.</summary>
    public bool SkipBadImages { get; init; }
}
