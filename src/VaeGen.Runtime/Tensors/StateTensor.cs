using System;

namespace VaeGen.Runtime.Tensors;

/// <summary>
/// One named entry of a model's state dict: a live reference to a parameter's or buffer's storage,
/// so saving reads the model directly and loading writes into it in place.
/// </summary>
/// <remarks>PyTorch keeps <c>num_batches_tracked</c> as int64, hence the two storage kinds.</remarks>
public sealed class StateTensor
{
    private readonly int[] _shape;

    /// <summary>Creates a float32 entry.</summary>
    /// <param name="name">The full dotted name, e.g. <c>encoder.0.weight</c>.</param>
    /// <param name="shape">The dimensions.</param>
    /// <param name="data">The storage (not copied).</param>
    public StateTensor(string name, int[] shape, float[] data)
        : this(name, shape, data.Length)
    {
        Float32 = data;
    }

    /// <summary>Creates an int64 entry.</summary>
    /// <param name="name">The full dotted name.</param>
    /// <param name="shape">The dimensions; empty for a scalar.</param>
    /// <param name="data">The storage (not copied).</param>
    public StateTensor(string name, int[] shape, long[] data)
        : this(name, shape, data.Length)
    {
        Int64 = data;
    }

    private StateTensor(string name, int[] shape, int dataLength)
    {
        ArgumentException.ThrowIfNullOrEmpty(name);
        ArgumentNullException.ThrowIfNull(shape);
        long count = 1;
        foreach (int d in shape)
        {
            count *= d;
        }

        if (count != dataLength)
        {
            throw new ArgumentException($"State tensor '{name}' has {dataLength} values but shape {Tensor.FormatShape(shape)}.");
        }

        Name = name;
        _shape = (int[])shape.Clone();
    }

    /// <summary>The full dotted name.</summary>
    public string Name { get; }

    /// <summary>The dimensions.</summary>
    public ReadOnlySpan<int> Shape => _shape;

    /// <summary>The float32 storage, or null for an int64 entry.</summary>
    public float[]? Float32 { get; }

    /// <summary>The int64 storage, or null for a float32 entry.</summary>
    public long[]? Int64 { get; }

    /// <summary>The number of elements.</summary>
    public int Length => Float32?.Length ?? Int64!.Length;

    /// <summary>Creates an entry viewing a tensor's storage.</summary>
    /// <param name="name">The full dotted name.</param>
    /// <param name="tensor">The tensor.</param>
    public static StateTensor Of(string name, Tensor tensor) => new(name, tensor.Shape.ToArray(), tensor.Data);
}
