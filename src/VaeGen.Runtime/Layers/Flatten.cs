using System;
using VaeGen.Runtime.Tensors;

namespace VaeGen.Runtime.Layers;

/// <summary>
/// <c>torch.nn.Flatten(start_dim, end_dim)</c>: merges a range of dimensions (default all but the
/// batch). Returns a view sharing the input's storage; nothing is copied.
/// </summary>
public sealed class Flatten : ViewLayer
{
    /// <summary>Creates the layer.</summary>
    /// <param name="startDim">First dimension to merge (negative counts from the end).</param>
    /// <param name="endDim">Last dimension to merge (negative counts from the end).</param>
    public Flatten(int startDim = 1, int endDim = -1)
    {
        StartDim = startDim;
        EndDim = endDim;
    }

    /// <summary>First merged dimension.</summary>
    public int StartDim { get; }

    /// <summary>Last merged dimension.</summary>
    public int EndDim { get; }

    /// <inheritdoc />
    protected override int[] OutputShape(Tensor input)
    {
        ArgumentNullException.ThrowIfNull(input);
        int rank = input.Rank;
        int start = StartDim < 0 ? StartDim + rank : StartDim;
        int end = EndDim < 0 ? EndDim + rank : EndDim;
        if (start < 0 || end >= rank || start > end)
        {
            throw new ArgumentException($"Flatten({StartDim}, {EndDim}) does not fit input {input.ShapeString()}.", nameof(input));
        }

        int[] shape = new int[rank - (end - start)];
        int merged = 1;
        for (int i = start; i <= end; i++)
        {
            merged *= input.Dim(i);
        }

        for (int i = 0, j = 0; i < rank; i++)
        {
            if (i < start || i > end)
            {
                shape[j++] = input.Dim(i);
            }
            else if (i == start)
            {
                shape[j++] = merged;
            }
        }

        return shape;
    }
}
