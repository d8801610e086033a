using System;

namespace VaeGen.Runtime.Tensors;

/// <summary>
/// A dense, contiguous, row-major float32 tensor: a <see cref="float"/> array plus a shape.
/// Images are NCHW and feature matrices are (N, F); the batch is always the first dimension.
/// </summary>
/// <remarks>
/// There are no strides: every tensor is contiguous, so a reshape is a view that shares
/// <see cref="Data"/>, and kernels can treat any tensor as a flat span. Layers own their
/// output tensors and reuse them while the input shape stays the same.
/// </remarks>
public sealed class Tensor
{
    private readonly int[] _shape;

    /// <summary>Creates a zero-filled tensor of the given shape.</summary>
    /// <param name="shape">The dimensions; an empty shape is a scalar.</param>
    public Tensor(params int[] shape)
        : this(new float[CheckedLength(shape)], shape)
    {
    }

    /// <summary>Wraps existing storage without copying it.</summary>
    /// <param name="data">Storage; its length must equal the product of <paramref name="shape"/>.</param>
    /// <param name="shape">The dimensions.</param>
    public Tensor(float[] data, params int[] shape)
    {
        ArgumentNullException.ThrowIfNull(data);
        int length = CheckedLength(shape);
        if (data.Length != length)
        {
            throw new ArgumentException(
                $"Storage holds {data.Length} values but shape [{string.Join(", ", shape)}] needs {length}.",
                nameof(data));
        }

        Data = data;
        _shape = (int[])shape.Clone();
    }

    /// <summary>The storage, shared with every view of this tensor.</summary>
    public float[] Data { get; }

    /// <summary>The dimensions (a copy-free read-only view).</summary>
    public ReadOnlySpan<int> Shape => _shape;

    /// <summary>The number of dimensions.</summary>
    public int Rank => _shape.Length;

    /// <summary>The number of elements.</summary>
    public int Length => Data.Length;

    /// <summary>The storage as a span.</summary>
    public Span<float> Span => Data;

    /// <summary>Returns dimension <paramref name="axis"/>; negative values count from the end.</summary>
    /// <param name="axis">The axis.</param>
    public int Dim(int axis) => _shape[axis < 0 ? axis + _shape.Length : axis];

    /// <summary>A tensor of the same storage seen with another shape of the same element count.</summary>
    /// <param name="shape">The new dimensions.</param>
    public Tensor View(params int[] shape) => new(Data, shape);

    /// <summary>Whether the shape equals <paramref name="shape"/>.</summary>
    /// <param name="shape">The dimensions to compare with.</param>
    public bool HasShape(ReadOnlySpan<int> shape) => shape.SequenceEqual(_shape);

    /// <summary>Sets every element to zero.</summary>
    public void Clear() => Array.Clear(Data);

    /// <summary>The shape as text, for error messages.</summary>
    public string ShapeString() => FormatShape(_shape);

    /// <inheritdoc />
    public override string ToString() => $"Tensor{ShapeString()}";

    /// <summary>Formats a shape as <c>[a, b, c]</c>.</summary>
    /// <param name="shape">The dimensions.</param>
    public static string FormatShape(ReadOnlySpan<int> shape) => "[" + string.Join(", ", shape.ToArray()) + "]";

    /// <summary>Returns <paramref name="existing"/> when it already has <paramref name="shape"/>, else a new zeroed tensor.</summary>
    /// <remarks>The single place where layers allocate: once per distinct input shape.</remarks>
    /// <param name="existing">The cached buffer, or null.</param>
    /// <param name="shape">The shape needed.</param>
    public static Tensor Reuse(Tensor? existing, ReadOnlySpan<int> shape)
    {
        if (existing is not null && existing.HasShape(shape))
        {
            return existing;
        }

        return new Tensor(shape.ToArray());
    }

    private static int CheckedLength(int[] shape)
    {
        ArgumentNullException.ThrowIfNull(shape);
        long length = 1;
        foreach (int d in shape)
        {
            if (d < 0)
            {
                throw new ArgumentException($"Negative dimension in shape {FormatShape(shape)}.", nameof(shape));
            }

            length *= d;
            if (length > Array.MaxLength)
            {
                throw new ArgumentException($"Shape {FormatShape(shape)} is too large for one array.", nameof(shape));
            }
        }

        return (int)length;
    }
}
