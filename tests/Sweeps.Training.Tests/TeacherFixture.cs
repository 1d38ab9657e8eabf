using Sweeps.Training.Training;

namespace Sweeps.Training.Tests;

/// <summary>One fp run (3 epochs of 16 batches of 16) shared by the trainer tests: the teacher of the qat runs.</summary>
public sealed class TeacherFixture : IDisposable
{
    private readonly TempDirectory _directory = new();

    public TeacherFixture()
    {
        Directory = _directory.Path;
        var options = TrainerTestData.Options(Directory, "fp", epochs: 3, trainLimit: 256);
        Result = TrainerTestData.Trainer(options, new TrainingCallbacks { Step = s => Steps.Add(s) }).Run();
    }

    public string Directory { get; }

    public string ModelPath => Path.Combine(Directory, Trainer.ModelFileName);

    public TrainingResult Result { get; }

    public List<StepProgress> Steps { get; } = [];

    public void Dispose() => _directory.Dispose();
}
