using Sweeps.Torch;

namespace Sweeps.Training.Methods;

/// <summary>
/// The coding-length (rate-distortion) regulariser of MEC (Liu et al., "Self-Supervised Learning via Maximum Entropy
/// Coding", NeurIPS 2022; public code xinliu20/MEC) as MEC-Quant uses it (METHODS.md; our reconstruction): for
/// features F [m, d], Z = the rows of F scaled to unit L2 norm, lambda = d / (m eps2) with eps2 = 64,
/// C = lambda Z Z^T [m, m]; the coding length (m + d)/2 logdet(I + C) is evaluated through the 4th-order Taylor
/// series tr(C - C^2/2 + C^3/3 - C^4/4), and the regulariser is R = -(1 / (m lambda)) tr(C - C^2/2 + C^3/3 - C^4/4)
/// (normalised so its gradient is O(1); its first term is the constant -1).
/// </summary>
public static class CodingLength
{
    /// <summary>MEC's eps^2.</summary>
    public const double EpsilonSquared = 64;

    /// <summary>
    /// tr(C - C^2/2 + C^3/3 - C^4/4) for a symmetric [m, m] matrix C: the 4th-order Taylor series of logdet(I + C),
    /// which converges when every eigenvalue of C lies in (-1, 1]. Computed as tr C - |C|^2/2 + &lt;C^2, C&gt;/3 -
    /// |C^2|^2/4 with one matrix product (valid for symmetric C). A scalar in the current scope.
    /// </summary>
    /// <exception cref="ArgumentException">C is not a square matrix.</exception>
    public static Tensor TaylorLogDet(Tensor c)
    {
        ArgumentNullException.ThrowIfNull(c);
        if (c.Dim != 2 || c.Size(0) != c.Size(1))
        {
            throw new ArgumentException($"expected a square matrix, got shape [{string.Join(", ", c.Shape)}]", nameof(c));
        }

        using var scope = DisposeScope.Enter();
        var c2 = c.Matmul(c);
        var series = c.Trace() - ((c * c).Sum() / 2) + ((c2 * c).Sum() / 3) - ((c2 * c2).Sum() / 4);
        return scope.MoveToOuter(series);
    }

    /// <summary>C = lambda Z Z^T with Z the L2-normalised rows of <paramref name="features"/> and lambda = d / (m eps2).
    /// A new [m, m] tensor in the current scope.</summary>
    /// <param name="features">[m, d] features.</param>
    /// <param name="lambda">Receives lambda.</param>
    /// <exception cref="ArgumentException">The features are not a 2-D tensor.</exception>
    public static Tensor Gram(Tensor features, out double lambda)
    {
        ArgumentNullException.ThrowIfNull(features);
        if (features.Dim != 2)
        {
            throw new ArgumentException($"expected features [m, d], got shape [{string.Join(", ", features.Shape)}]", nameof(features));
        }

        long m = features.Size(0);
        long d = features.Size(1);
        lambda = d / (m * EpsilonSquared);
        using var scope = DisposeScope.Enter();
        // F.normalize(f, dim=1): f / max(|f|, 1e-12).
        var z = features / features.Square().Sum([1], keepDim: true).Sqrt().Clamp(min: 1e-12);
        return scope.MoveToOuter(z.Matmul(z.T) * lambda);
    }

    /// <summary>R = -(1 / (m lambda)) tr(C - C^2/2 + C^3/3 - C^4/4) of the features [m, d] (see the class summary). A
    /// scalar in the current scope, differentiable with respect to the features.</summary>
    public static Tensor Regularizer(Tensor features)
    {
        using var scope = DisposeScope.Enter();
        var c = Gram(features, out var lambda);
        var r = TaylorLogDet(c) * (-1.0 / (features.Size(0) * lambda));
        return scope.MoveToOuter(r);
    }

    /// <summary>
    /// MEC-Quant's mixture of experts: the d channels of <paramref name="features"/> are split into K =
    /// <paramref name="gateLogits"/>.Size(0) contiguous groups (sizes differ by at most one when K does not divide d),
    /// <see cref="Regularizer"/> R_k is computed per group (each group normalised on its own, with its own lambda), and
    /// R_mec = sum_k g_k R_k with g = softmax(<paramref name="gateLogits"/>). A scalar in the current scope,
    /// differentiable with respect to the features and the gate logits.
    /// </summary>
    /// <param name="features">[m, d] features.</param>
    /// <param name="gateLogits">[K] gate logits, K &lt;= d.</param>
    /// <exception cref="ArgumentException">The gate is not a vector of 1..d entries.</exception>
    public static Tensor Mixture(Tensor features, Tensor gateLogits)
    {
        ArgumentNullException.ThrowIfNull(features);
        ArgumentNullException.ThrowIfNull(gateLogits);
        long d = features.Size(1);
        if (gateLogits.Dim != 1 || gateLogits.Size(0) < 1 || gateLogits.Size(0) > d)
        {
            throw new ArgumentException($"expected 1..{d} gate logits, got shape [{string.Join(", ", gateLogits.Shape)}]", nameof(gateLogits));
        }

        long k = gateLogits.Size(0);
        using var scope = DisposeScope.Enter();
        var experts = new List<Tensor>();
        for (long i = 0; i < k; i++)
        {
            long start = i * d / k;
            long end = (i + 1) * d / k;
            experts.Add(Regularizer(features.Narrow(1, start, end - start)));
        }

        var gate = Functional.Softmax(gateLogits, 0);
        return scope.MoveToOuter((gate * Tensor.Stack(experts)).Sum());
    }
}
