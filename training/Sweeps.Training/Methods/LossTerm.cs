using Sweeps.Torch;

namespace Sweeps.Training.Methods;

/// <summary>One named term of a method's loss (e.g. <c>ce</c>, <c>kl</c>): a scalar tensor in the step's dispose scope.</summary>
/// <param name="Name">The name the metrics log uses.</param>
/// <param name="Value">A scalar (one-element) tensor with its autograd graph.</param>
public sealed record LossTerm(string Name, Tensor Value);
