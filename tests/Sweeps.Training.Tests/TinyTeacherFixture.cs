using Sweeps.Training.Training;

namespace Sweeps.Training.Tests;

/// <summary>A tiny FP teacher checkpoint for the method tests: one fp epoch of 4 batches of 16 on the 12x12 synthetic
/// set.</summary>
public sealed class TinyTeacherFixture : IDisposable
{
    private readonly TempDirectory _directory = new();

    public TinyTeacherFixture()
    {
        var options = TrainerTestData.Options(_directory.Path, "fp", epochs: 1, trainLimit: 64);
        TrainerTestData.Trainer(options).Run();
    }

    public string ModelPath => Path.Combine(_directory.Path, Trainer.ModelFileName);

    public void Dispose() => _directory.Dispose();
}
