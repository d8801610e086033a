using System;
using TensorPrimitives = System.Numerics.Tensors.TensorPrimitives;

namespace VaeGen.Runtime.Kernels;

/// <summary>
/// TensorPrimitives' elementwise operations over a long span, run in <see cref="ForkJoin.Chunks"/> so that its results
/// stay in cache for the layer that reads them next (see there). Each element gets the operations of one whole-span
/// call, so the bits are the same.
/// </summary>
internal static class CachedElementwise
{
    /// <summary>destination = x + y, as <see cref="TensorPrimitives.Add(ReadOnlySpan{float}, ReadOnlySpan{float}, Span{float})"/>.</summary>
    public static void Add(ReadOnlySpan<float> x, ReadOnlySpan<float> y, Span<float> destination)
    {
        int length = Length(x, y, destination);
        foreach ((int start, int end) in ForkJoin.ChunksOf(length))
        {
            TensorPrimitives.Add(x[start..end], y[start..end], destination[start..end]);
        }
    }

    /// <summary>destination = x * y, as <see cref="TensorPrimitives.Multiply(ReadOnlySpan{float}, ReadOnlySpan{float}, Span{float})"/>.</summary>
    public static void Multiply(ReadOnlySpan<float> x, ReadOnlySpan<float> y, Span<float> destination)
    {
        int length = Length(x, y, destination);
        foreach ((int start, int end) in ForkJoin.ChunksOf(length))
        {
            TensorPrimitives.Multiply(x[start..end], y[start..end], destination[start..end]);
        }
    }

    /// <summary>destination = 1 / (1 + e^-x), as <see cref="TensorPrimitives.Sigmoid(ReadOnlySpan{float}, Span{float})"/>.</summary>
    public static void Sigmoid(ReadOnlySpan<float> x, Span<float> destination)
    {
        int length = Length(x, x, destination);
        foreach ((int start, int end) in ForkJoin.ChunksOf(length))
        {
            TensorPrimitives.Sigmoid(x[start..end], destination[start..end]);
        }
    }

    /// <summary>The operands' length; TensorPrimitives' own checks, made once for the whole span.</summary>
    private static int Length(ReadOnlySpan<float> x, ReadOnlySpan<float> y, Span<float> destination) =>
        x.Length == y.Length && destination.Length >= x.Length
            ? x.Length
            : throw new ArgumentException($"Elementwise operands of {x.Length} and {y.Length} elements into {destination.Length}: the inputs must be as long, the destination at least as long.");
}
