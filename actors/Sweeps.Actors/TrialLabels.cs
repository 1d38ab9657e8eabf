using Sweeps.Actors.Planning;

namespace Sweeps.Actors;

/// <summary>The labels of a trial in progress reports and metrics.</summary>
/// <param name="Sweep">The sweep's name.</param>
/// <param name="TrialId">The trial id.</param>
/// <param name="Model">Model name.</param>
/// <param name="Dataset">Dataset name.</param>
/// <param name="Method">Method name.</param>
/// <param name="WeightBits">Weight bits (32 = full precision).</param>
/// <param name="ActivationBits">Activation bits (32 = full precision).</param>
/// <param name="Seed">The seed.</param>
public sealed record TrialLabels(string Sweep, string TrialId, string Model, string Dataset, string Method, int WeightBits, int ActivationBits, long Seed)
{
    /// <summary>The labels of <paramref name="spec"/> in <paramref name="sweep"/>.</summary>
    public static TrialLabels Of(string sweep, TrialSpec spec)
    {
        ArgumentNullException.ThrowIfNull(spec);
        return new(sweep, spec.Id, spec.Model, spec.Dataset, spec.Method, spec.WeightBits, spec.ActivationBits, spec.Seed);
    }
}
