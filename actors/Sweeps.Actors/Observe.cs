namespace Sweeps.Actors;

/// <summary>Calls an observer without letting its exceptions reach the sweep; they go to <see cref="ObserverFailures"/>.</summary>
internal static class Observe
{
    public static void Safely(Action call) => Safely(call, ObserverFailures.Default);

    public static void Safely(Action call, ObserverFailures failures)
    {
        try
        {
            call();
        }
#pragma warning disable CA1031 // an observer must not break the sweep (ISweepObserver's contract); the failure is logged
        catch (Exception e)
#pragma warning restore CA1031
        {
            failures.Report(e);
        }
    }
}
