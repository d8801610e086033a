using System;
using VaeGen.Runtime.Tensors;

namespace VaeGen.Runtime.Layers;

/// <summary>
/// Base of the layers that only reshape (<see cref="Flatten"/>, <see cref="Unflatten"/>): the output is a
/// view of the input's storage and the input gradient a view of the output gradient; nothing is copied.
/// </summary>
public abstract class ViewLayer : Layer
{
    private Tensor? _inputView;
    private Tensor? _outputView;
    private Tensor? _gradInputView;
    private Tensor? _gradOutputSeen;

    /// <inheritdoc />
    public sealed override Tensor Forward(Tensor input)
    {
        ArgumentNullException.ThrowIfNull(input);

        // The same upstream buffer arrives every step, so the view object is cached with it.
        if (ReferenceEquals(input, _inputView) && _outputView is not null)
        {
            return _outputView;
        }

        int[] shape = OutputShape(input);
        _inputView = input;
        _outputView = input.View(shape);
        _gradOutputSeen = null;
        return _outputView;
    }

    /// <inheritdoc />
    public sealed override Tensor Backward(Tensor gradOutput)
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

    /// <summary>The output shape for an input, or an <see cref="ArgumentException"/> when it does not fit.</summary>
    /// <param name="input">The input.</param>
    protected abstract int[] OutputShape(Tensor input);
}
