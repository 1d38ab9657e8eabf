namespace Sweeps.Training.Data;

/// <summary>
/// A small deterministic random generator (SplitMix64, Steele, Lea and Flood 2014). Used instead of
/// <see cref="Random"/> so that shuffles, augmentations and synthetic data are bit-for-bit the same
/// on every .NET version and machine.
/// </summary>
internal struct SplitMix64
{
    private const ulong Gamma = 0x9E3779B97F4A7C15UL;
    private ulong _state;

    public SplitMix64(ulong seed) => _state = seed;

    /// <summary>The SplitMix64 finaliser: a bijective mix of 64 bits.</summary>
    public static ulong Mix(ulong z)
    {
        z = (z ^ (z >> 30)) * 0xBF58476D1CE4E5B9UL;
        z = (z ^ (z >> 27)) * 0x94D049BB133111EBUL;
        return z ^ (z >> 31);
    }

    /// <summary>A hash of several values, order-sensitive; used to derive independent streams.</summary>
    public static ulong Hash(ulong a, ulong b, ulong c = 0, ulong d = 0)
    {
        unchecked
        {
            var h = Mix(a + Gamma);
            h = Mix(h ^ (b + (2 * Gamma)));
            h = Mix(h ^ (c + (3 * Gamma)));
            return Mix(h ^ (d + (4 * Gamma)));
        }
    }

    public ulong Next()
    {
        _state += Gamma;
        return Mix(_state);
    }

    /// <summary>A uniform integer in [0, bound) (Lemire's multiply-shift; bias below 2^-32 for small bounds).</summary>
    public int NextInt(int bound) => (int)Math.BigMul(Next(), (ulong)bound, out _);

    /// <summary>True with probability 1/2.</summary>
    public bool NextBool() => (Next() >> 63) != 0;

    /// <summary>A uniformly random permutation of 0..n-1 (Fisher-Yates).</summary>
    public int[] Permutation(int n)
    {
        var order = new int[n];
        for (var i = 0; i < n; i++)
        {
            order[i] = i;
        }

        for (var i = n - 1; i > 0; i--)
        {
            var j = NextInt(i + 1);
            (order[i], order[j]) = (order[j], order[i]);
        }

        return order;
    }
}
