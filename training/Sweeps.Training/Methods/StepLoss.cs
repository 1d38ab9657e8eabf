using Sweeps.Torch;

namespace Sweeps.Training.Methods;

/// <summary>
/// What a method computes for one step: its named loss terms, whose sum is the loss the trainer minimises, and
/// optionally the student's logits on the labelled images (the trainer then counts training top-1 when it has labels).
/// Every tensor belongs to the step's <see cref="DisposeScope"/>.
/// </summary>
public sealed class StepLoss
{
    /// <summary>Creates the result.</summary>
    /// <param name="terms">At least one term; names must be distinct.</param>
    /// <param name="logits">Student logits [N, classes] for the batch's (first view's) images, or null.</param>
    /// <exception cref="ArgumentException">No term, or two terms with one name.</exception>
    public StepLoss(IEnumerable<LossTerm> terms, Tensor? logits = null)
    {
        ArgumentNullException.ThrowIfNull(terms);
        var list = terms.ToList();
        if (list.Count == 0)
        {
            throw new ArgumentException("a step loss needs at least one term", nameof(terms));
        }

        var names = new HashSet<string>(StringComparer.Ordinal);
        foreach (var term in list)
        {
            ArgumentNullException.ThrowIfNull(term, nameof(terms));
            if (!names.Add(term.Name))
            {
                throw new ArgumentException($"two loss terms are named '{term.Name}'", nameof(terms));
            }
        }

        Terms = list;
        Logits = logits;
    }

    /// <summary>The terms, in the method's order.</summary>
    public IReadOnlyList<LossTerm> Terms { get; }

    /// <summary>Student logits on the batch's images, or null.</summary>
    public Tensor? Logits { get; }

    /// <summary>The loss: the sum of the terms (a new tensor in the current scope).</summary>
    public Tensor Total()
    {
        var total = Terms[0].Value;
        for (var i = 1; i < Terms.Count; i++)
        {
            total = total + Terms[i].Value;
        }

        return Terms.Count == 1 ? total.Alias() : total;
    }
}
