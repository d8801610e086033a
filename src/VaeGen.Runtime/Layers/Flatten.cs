using System;
using VaeGen.Runtime.Tensors;

namespace VaeGen.Runtime.Layers;

/// <summary>
/// <c>torch.nn.Flatten(start_dim, end_dim)</c>: merges a range of dimensions (default all but the
/// batch). Returns a view sharing the input's storage; nothing is copied.
/// </summary>
public sealed class Flatten : Layer
{
    private Tensor? _inputView;
    private Tensor? _outputView;
    private Tensor? _gradInputView;
    private Tensor? _gradOutputSeen;

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
    public override Tensor Forward(Tensor input)
    {
        ArgumentNullException.ThrowIfNull(input);
        if (ReferenceEquals(input, _inputView) && _outputView is not null)
        {
            return _outputView;
        }

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

        // The same upstream buffer arrives every step, so the view object is cached with it.
        _inputView = input;
        _outputView = input.View(shape);
        _gradOutputSeen = null;
        return _outputView;
    }

    /// <inheritdoc />
    public override Tensor Backward(Tensor gradOutput)
    {
        if (!ComputeInputGradient)
        {
            return NoInputGradient;
        }

        Tensor input = RequireForward(_inputView);
        RequireSameShape(gradOutput, RequireForward(_outputView));
        if (!ReferenceEquals(gradOutput, _gradOutputSeen) || _gradInputView is null)
        {
            _gradOutputSeen = gradOutput;
            _gradInputView = gradOutput.View(input.Shape.ToArray());
        }

        return _gradInputView;
    }
}
