using System;
using VaeGen.Runtime.Tensors;

namespace VaeGen.Runtime.Layers;

/// <summary>
/// <c>torch.nn.Unflatten(dim, sizes)</c>: splits one dimension into several. Returns a view
/// sharing the input's storage; nothing is copied.
/// </summary>
public sealed class Unflatten : ViewLayer
{
    private readonly int[] _sizes;

    /// <summary>Creates the layer.</summary>
    /// <param name="dim">The dimension to split (negative counts from the end).</param>
    /// <param name="sizes">The new dimensions; their product must equal the split dimension.</param>
    public Unflatten(int dim, params int[] sizes)
    {
        ArgumentNullException.ThrowIfNull(sizes);
        if (sizes.Length == 0)
        {
            throw new ArgumentException("Unflatten needs at least one size.", nameof(sizes));
        }

        Dim = dim;
        _sizes = (int[])sizes.Clone();
    }

    /// <summary>The split dimension.</summary>
    public int Dim { get; }

    /// <summary>The new dimensions.</summary>
    public ReadOnlySpan<int> Sizes => _sizes;

    /// <inheritdoc />
    protected override int[] OutputShape(Tensor input)
    {
        ArgumentNullException.ThrowIfNull(input);
        int rank = input.Rank;
        int dim = Dim < 0 ? Dim + rank : Dim;
        int product = 1;
        foreach (int s in _sizes)
        {
            product *= s;
        }

        if (dim < 0 || dim >= rank || input.Dim(dim) != product)
        {
            throw new ArgumentException($"Unflatten({Dim}, {Tensor.FormatShape(_sizes)}) does not fit input {input.ShapeString()}.", nameof(input));
        }

        int[] shape = new int[rank - 1 + _sizes.Length];
        int j = 0;
        for (int i = 0; i < rank; i++)
        {
            if (i == dim)
            {
                foreach (int s in _sizes)
                {
                    shape[j++] = s;
                }
            }
            else
            {
                shape[j++] = input.Dim(i);
            }
        }

        return shape;
    }
}
