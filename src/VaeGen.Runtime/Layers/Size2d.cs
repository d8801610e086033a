using System;

namespace VaeGen.Runtime.Layers;

/// <summary>A per-axis (height, width) pair, like PyTorch's <c>_pair</c>; an int converts to (n, n).</summary>
/// <param name="H">The height component.</param>
/// <param name="W">The width component.</param>
public readonly record struct Size2d(int H, int W)
{
    /// <summary>The pair (n, n).</summary>
    /// <param name="n">The value for both axes.</param>
    public static implicit operator Size2d(int n) => new(n, n);

    /// <summary>The pair (n, n).</summary>
    /// <param name="n">The value for both axes.</param>
    public static Size2d FromInt32(int n) => new(n, n);

    /// <summary>(height, width), as PyTorch writes a pair: <c>kernelSize: (3, 5)</c>.</summary>
    /// <param name="pair">The height and width.</param>
    public static implicit operator Size2d((int H, int W) pair) => new(pair.H, pair.W);

    /// <summary>Creates a size from a (height, width) pair.</summary>
    /// <param name="pair">The height and width.</param>
    public static Size2d FromValueTuple((int H, int W) pair) => new(pair.H, pair.W);

    /// <inheritdoc />
    public override string ToString() => $"({H}, {W})";

    internal Size2d RequireAtLeast(int minimum, string name)
    {
        if (H < minimum || W < minimum)
        {
            throw new ArgumentOutOfRangeException(name, this, $"{name} must be at least {minimum} on both axes.");
        }

        return this;
    }
}
