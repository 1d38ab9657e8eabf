namespace Sweeps.Training.Methods;

/// <summary>The optimizer of a <see cref="Recipe"/>.</summary>
public enum OptimizerKind
{
    /// <summary>SGD with momentum (optionally Nesterov), L2 weight decay.</summary>
    Sgd,

    /// <summary>Adam with L2 weight decay (PyTorch's <c>torch.optim.Adam</c>).</summary>
    Adam,

    /// <summary>AdamW (decoupled weight decay).</summary>
    AdamW,
}
