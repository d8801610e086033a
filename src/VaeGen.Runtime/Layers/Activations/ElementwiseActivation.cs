using System;
using VaeGen.Runtime.Tensors;

namespace VaeGen.Runtime.Layers.Activations;

/// <summary>
/// Base of pointwise activations: keeps the input and output of Forward so each subclass can
/// write its derivative from whichever is cheaper.
/// </summary>
public abstract class ElementwiseActivation : Layer
{
    private Tensor? _input;
    private Tensor? _output;
    private Tensor? _gradInput;

    /// <inheritdoc />
    public sealed override Tensor Forward(Tensor input)
    {
        ArgumentNullException.ThrowIfNull(input);
        _input = input;
        _output = Tensor.Reuse(_output, input.Shape);
        Apply(input.Data, _output.Data);
        return _output;
    }

    /// <inheritdoc />
    public sealed override Tensor Backward(Tensor gradOutput)
    {
        if (!ComputeInputGradient)
        {
            return NoInputGradient;
        }

        Tensor input = RequireForward(_input);
        Tensor output = RequireForward(_output);
        RequireSameShape(gradOutput, output);
        _gradInput = Tensor.Reuse(_gradInput, input.Shape);
        Derive(input.Data, output.Data, gradOutput.Data, _gradInput.Data);
        return _gradInput;
    }

    /// <summary>Computes y = f(x).</summary>
    /// <param name="x">Input.</param>
    /// <param name="y">Output, same length.</param>
    protected abstract void Apply(ReadOnlySpan<float> x, Span<float> y);

    /// <summary>Computes gx = gy * f'(x).</summary>
    /// <param name="x">The forward input.</param>
    /// <param name="y">The forward output.</param>
    /// <param name="gy">Gradient w.r.t. y.</param>
    /// <param name="gx">Gradient w.r.t. x (written).</param>
    protected abstract void Derive(ReadOnlySpan<float> x, ReadOnlySpan<float> y, ReadOnlySpan<float> gy, Span<float> gx);
}
