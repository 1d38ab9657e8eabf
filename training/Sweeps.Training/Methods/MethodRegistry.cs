namespace Sweeps.Training.Methods;

/// <summary>
/// Creates training methods by name (case-sensitive). Adding a method = one class deriving from
/// <see cref="LabeledMethod"/>, <see cref="LabelFreeMethod"/> or <see cref="TwoViewMethod"/>, plus one line in the
/// table below; the CLI's help and the error for an unknown name are generated from this table.
/// </summary>
public static class MethodRegistry
{
    private static readonly (string Name, Func<TrainingMethod> Create)[] s_methods =
    [
        (FullPrecisionMethod.MethodName, () => new FullPrecisionMethod()),
        (QatMethod.MethodName, () => new QatMethod()),
        (SqakdMethod.MethodName, () => new SqakdMethod()),
        (MecQuantMethod.MethodName, () => new MecQuantMethod()),
        (FpqMethod.MethodName, () => new FpqMethod()),
        (CrMethod.MethodName, () => new CrMethod()),
    ];

    /// <summary>The known method names, in registration order.</summary>
    public static IReadOnlyList<string> Names { get; } = s_methods.Select(m => m.Name).ToArray();

    /// <summary>Every known method's name, summary and whether it is a reconstruction, in registration order.</summary>
    public static IReadOnlyList<MethodDescription> Descriptions { get; } = s_methods.Select(m =>
    {
        using var method = m.Create();
        return new MethodDescription(m.Name, method.Summary, method.IsReconstruction);
    }).ToArray();

    /// <summary>A new instance of the method <paramref name="name"/> (one per run; the caller disposes it).</summary>
    /// <exception cref="ArgumentException">The name is unknown; the message lists the known names.</exception>
    public static TrainingMethod Create(string name)
    {
        ArgumentNullException.ThrowIfNull(name);
        foreach (var (known, create) in s_methods)
        {
            if (string.Equals(known, name, StringComparison.Ordinal))
            {
                return create();
            }
        }

        // No parameter name: the message is shown to users as it is.
        throw new ArgumentException($"unknown method '{name}'; known methods: {string.Join(", ", Names)}");
    }
}
