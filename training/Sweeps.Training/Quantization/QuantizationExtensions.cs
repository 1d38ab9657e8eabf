using Sweeps.Torch;
using Sweeps.Torch.NN;

namespace Sweeps.Training.Quantization;

/// <summary>Helpers over a model that contains quantizers: parameter groups and loading a teacher's checkpoint.</summary>
public static class QuantizationExtensions
{
    /// <summary>Every <see cref="Quantizer"/> in the model with its dotted name, pre-order.</summary>
    public static IEnumerable<(string Name, Quantizer Quantizer)> NamedQuantizers(this Module model)
    {
        ArgumentNullException.ThrowIfNull(model);
        return model.NamedModules().Where(m => m.Module is Quantizer).Select(m => (m.Name, (Quantizer)m.Module));
    }

    /// <summary>
    /// The learnable quantizer parameters (l, u, s, alpha, output scale): the optimiser's quantizer group. The
    /// tensors are the model's own: do not dispose them.
    /// </summary>
    public static IReadOnlyList<Tensor> QuantizerParameters(this Module model)
    {
        ArgumentNullException.ThrowIfNull(model);
        var seen = new HashSet<Tensor>(ReferenceEqualityComparer.Instance);
        var result = new List<Tensor>();
        foreach (var (_, quantizer) in model.NamedQuantizers())
        {
            foreach (var p in quantizer.Parameters())
            {
                if (seen.Add(p))
                {
                    result.Add(p);
                }
            }
        }

        return result;
    }

    /// <summary>Every other parameter (weights, biases, BatchNorm affine): the optimiser's weight group, in
    /// <see cref="Module.Parameters"/> order. The tensors are the model's own.</summary>
    public static IReadOnlyList<Tensor> WeightParameters(this Module model)
    {
        ArgumentNullException.ThrowIfNull(model);
        var quantizer = new HashSet<Tensor>(model.QuantizerParameters(), ReferenceEqualityComparer.Instance);
        return model.Parameters().Where(p => !quantizer.Contains(p)).ToList();
    }

    /// <summary>
    /// Loads a full-precision teacher's state dict into a quantized student of the same architecture: every
    /// teacher entry must match a student entry, and the student entries left missing must all belong to
    /// quantizers (they keep their values and initialise from the first forward).
    /// </summary>
    /// <returns>The load result (its missing keys are the quantizers' entries).</returns>
    /// <exception cref="StateDictMismatchException">A teacher key is unknown to the student, a shape differs, or a
    /// non-quantizer student entry is missing; it holds every such key and its message summarises them. Nothing is
    /// loaded.</exception>
    public static StateDictLoadResult LoadTeacherState(this Module student, IReadOnlyDictionary<string, Tensor> teacherState)
    {
        ArgumentNullException.ThrowIfNull(student);
        ArgumentNullException.ThrowIfNull(teacherState);
        var prefixes = student.NamedQuantizers().Select(q => q.Name + ".").ToList();
        var expected = student.StateDict();
        try
        {
            var unexpected = teacherState.Keys.Where(k => !expected.ContainsKey(k)).ToList();
            var missing = expected.Keys
                .Where(k => !teacherState.ContainsKey(k) && !prefixes.Exists(p => k.StartsWith(p, StringComparison.Ordinal)))
                .ToList();
            var shapes = expected
                .Where(e => teacherState.TryGetValue(e.Key, out var t) && t is not null && !e.Value.Shape.AsSpan().SequenceEqual(t.Shape))
                .Select(e => new StateDictShapeMismatch(e.Key, e.Value.Shape, teacherState[e.Key].Shape))
                .ToList();
            if (unexpected.Count > 0 || missing.Count > 0 || shapes.Count > 0)
            {
                throw new StateDictMismatchException(student.GetType().Name, missing, unexpected, shapes);
            }
        }
        finally
        {
            foreach (var t in expected.Values)
            {
                t.Dispose();
            }
        }

        return student.LoadStateDict(teacherState, strict: false);
    }
}
