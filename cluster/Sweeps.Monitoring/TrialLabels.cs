using System.Globalization;

namespace Sweeps.Monitoring;

/// <summary>
/// The labels of one trial's series in Prometheus: which sweep it belongs to and which grid point it is.
/// Together they identify a running trial (a grid has one trial per method x bit-width x model x
/// dataset x seed). They are bounded: a sweep file names them; no per-step or per-sample value is a label.
/// </summary>
/// <param name="Sweep">The sweep's name (label <c>sweep</c>).</param>
/// <param name="Model">The model, e.g. <c>resnet20</c> (label <c>model</c>).</param>
/// <param name="Dataset">The dataset, e.g. <c>fashion-mnist</c> (label <c>dataset</c>).</param>
/// <param name="Method">The method, e.g. <c>fp</c>, <c>qat</c>, <c>sqakd</c> (label <c>method</c>).</param>
/// <param name="WeightBits">Weight bit-width; 32 for full precision (label <c>wbits</c>).</param>
/// <param name="ActivationBits">Activation bit-width; 32 for full precision (label <c>abits</c>).</param>
/// <param name="Seed">The trial's seed, any 64-bit value the sweep file accepts (label <c>seed</c>).</param>
public sealed record TrialLabels(
    string Sweep, string Model, string Dataset, string Method, int WeightBits, int ActivationBits, long Seed)
{
    /// <summary>The seven labels as (name, value) pairs in the order they are exported.</summary>
    internal KeyValuePair<string, object?>[] ToTags() =>
    [
        new("sweep", Sweep),
        new("model", Model),
        new("dataset", Dataset),
        new("method", Method),
        new("wbits", WeightBits.ToString(CultureInfo.InvariantCulture)),
        new("abits", ActivationBits.ToString(CultureInfo.InvariantCulture)),
        new("seed", Seed.ToString(CultureInfo.InvariantCulture)),
    ];
}
