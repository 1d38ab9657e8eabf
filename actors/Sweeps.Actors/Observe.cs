namespace Sweeps.Actors;

/// <summary>Calls an observer without letting its exceptions reach the sweep.</summary>
internal static class Observe
{
    public static void Safely(Action call)
    {
        try
        {
            call();
        }
#pragma warning disable CA1031 // an observer must not break the sweep (ISweepObserver's contract)
        catch (Exception)
#pragma warning restore CA1031
        {
        }
    }
}
