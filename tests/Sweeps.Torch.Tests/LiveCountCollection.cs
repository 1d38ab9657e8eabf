namespace Sweeps.Torch.Tests;

/// <summary>
/// Tests that compare <see cref="Tensor.LiveCount"/> (a process-wide counter) before and after some work: no
/// other test runs while one of them runs.
/// </summary>
[CollectionDefinition("LiveCount", DisableParallelization = true)]
public sealed class LiveCountCollection
{
}
