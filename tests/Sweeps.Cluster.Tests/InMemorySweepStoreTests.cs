using Sweeps.Actors.Storage;

namespace Sweeps.Cluster.Tests;

public sealed class InMemorySweepStoreTests : SweepStoreContract
{
    protected override ISweepStore Create() => new InMemorySweepStore();
}
