using Sweeps.Torch;
using Sweeps.Torch.NN;

namespace Sweeps.Training.Methods;

/// <summary>
/// Keeps a module (the average) an exponential moving average of another of the same structure (the source), as the
/// mean teacher of Tarvainen and Valpola (NeurIPS 2017) that CR uses: after each <see cref="Update"/>, every parameter
/// and every BatchNorm running statistic (buffers named <c>running_mean</c> / <c>running_var</c>) of the average is
/// a = m a + (1 - m) s, with the momentum m of that update; every other buffer (BatchNorm's <c>num_batches_tracked</c>,
/// quantizers' <c>initialized</c> flags) is copied from the source. Entries are matched by name.
/// </summary>
/// <remarks>Neither module is owned. Updates run without gradient recording. Not thread-safe.</remarks>
public sealed class ExponentialMovingAverage
{
    private readonly List<(string Name, Tensor Average, Tensor Source)> _averaged = [];
    private readonly List<(string Name, Tensor Average, Tensor Source)> _copied = [];

    /// <summary>Pairs the average's parameters and buffers with the source's.</summary>
    /// <param name="source">The module averaged over time (e.g. the student).</param>
    /// <param name="average">The module holding the average; same structure.</param>
    /// <exception cref="ArgumentException">The structures differ (an entry is missing or has another shape).</exception>
    public ExponentialMovingAverage(Module source, Module average)
    {
        ArgumentNullException.ThrowIfNull(source);
        ArgumentNullException.ThrowIfNull(average);
        var parameters = source.NamedParameters().ToDictionary(p => p.Name, p => p.Parameter, StringComparer.Ordinal);
        var buffers = source.NamedBuffers().ToDictionary(b => b.Name, b => b.Buffer, StringComparer.Ordinal);
        foreach (var (name, tensor) in average.NamedParameters())
        {
            _averaged.Add((name, tensor, Match(parameters, name, tensor)));
        }

        foreach (var (name, tensor) in average.NamedBuffers())
        {
            var matched = Match(buffers, name, tensor);
            var statistic = name.EndsWith("running_mean", StringComparison.Ordinal) || name.EndsWith("running_var", StringComparison.Ordinal);
            (statistic ? _averaged : _copied).Add((name, tensor, matched));
        }

        if (_averaged.Count + _copied.Count != parameters.Count + buffers.Count)
        {
            throw new ArgumentException("the source has entries the average lacks", nameof(average));
        }
    }

    /// <summary>The names of the averaged entries (parameters and BatchNorm statistics), in order.</summary>
    public IReadOnlyList<string> AveragedNames => _averaged.Select(e => e.Name).ToList();

    /// <summary>The names of the copied buffers, in order.</summary>
    public IReadOnlyList<string> CopiedNames => _copied.Select(e => e.Name).ToList();

    /// <summary>Sets every entry of the average to the source's value (the start of the average).</summary>
    public void CopySource()
    {
        using var noGrad = new NoGradScope();
        foreach (var (_, average, source) in _averaged.Concat(_copied))
        {
            average.CopyFrom(source);
        }
    }

    /// <summary>One step of the average: a = m a + (1 - m) s for parameters and BatchNorm statistics, copies for the
    /// other buffers.</summary>
    /// <param name="momentum">m in [0, 1): the weight kept on the average (0 copies the source).</param>
    /// <exception cref="ArgumentOutOfRangeException">The momentum is outside [0, 1).</exception>
    public void Update(double momentum)
    {
        if (!(momentum is >= 0 and < 1))
        {
            throw new ArgumentOutOfRangeException(nameof(momentum), momentum, "the momentum must lie in [0, 1)");
        }

        using var noGrad = new NoGradScope();
        foreach (var (_, average, source) in _averaged)
        {
            average.MulInPlace(momentum).AddInPlace(source, 1 - momentum);
        }

        foreach (var (_, average, source) in _copied)
        {
            average.CopyFrom(source);
        }
    }

    private static Tensor Match(Dictionary<string, Tensor> source, string name, Tensor tensor)
    {
        if (!source.TryGetValue(name, out var match))
        {
            throw new ArgumentException($"the source has no entry '{name}'", nameof(source));
        }

        if (!match.Shape.SequenceEqual(tensor.Shape))
        {
            throw new ArgumentException(
                $"'{name}' has shape [{string.Join(", ", match.Shape)}] in the source and [{string.Join(", ", tensor.Shape)}] in the average", nameof(source));
        }

        return match;
    }
}
