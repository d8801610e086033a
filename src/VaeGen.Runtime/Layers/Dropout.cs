using System;
using VaeGen.Runtime.Init;
using VaeGen.Runtime.Kernels;
using VaeGen.Runtime.Tensors;

namespace VaeGen.Runtime.Layers;

/// <summary>
/// Inverted dropout as <c>torch.nn.Dropout</c>: in training each element is zeroed with probability p
/// and survivors are scaled by 1/(1-p); in evaluation it is the identity. The mask comes from the
/// layer's own seeded stream, so runs repeat exactly (but do not reproduce PyTorch's masks).
/// </summary>
public sealed class Dropout : Layer
{
    private readonly Rng _rng;
    private Tensor? _mask;
    private Tensor? _output;
    private Tensor? _gradInput;
    private bool _identity;

    /// <summary>Creates the layer.</summary>
    /// <param name="p">Drop probability in [0, 1].</param>
    /// <param name="rng">The mask stream; the layer keeps and advances it.</param>
    public Dropout(double p, Rng rng)
    {
        ArgumentNullException.ThrowIfNull(rng);
        if (!(p >= 0 && p <= 1))
        {
            throw new ArgumentOutOfRangeException(nameof(p), p, "dropout probability has to be between 0 and 1");
        }

        P = p;
        _rng = rng;
    }

    /// <summary>Drop probability.</summary>
    public double P { get; }

    /// <summary>The mask stream, so a model can save and restore it for an exact resume.</summary>
    internal Rng Random => _rng;

    /// <inheritdoc />
    /// <remarks>In evaluation mode (or with p = 0) the input itself is returned.</remarks>
    public override Tensor Forward(Tensor input)
    {
        ArgumentNullException.ThrowIfNull(input);
        _identity = !Training || P == 0;
        if (_identity)
        {
            _output = input;
            return input;
        }

        _mask = Tensor.Reuse(_mask, input.Shape);
        _output = Tensor.Reuse(_output == input ? null : _output, input.Shape);
        float[] mask = _mask.Data;

        // p = 1 drops everything; PyTorch returns zeros rather than 0 * inf.
        float keepScale = P >= 1 ? 0f : (float)(1.0 / (1.0 - P));
        float p = (float)P;
        for (int i = 0; i < mask.Length; i++)
        {
            mask[i] = _rng.NextSingle() < p ? 0f : keepScale;
        }

        CachedElementwise.Multiply(input.Span, mask, _output.Span);
        return _output;
    }

    /// <inheritdoc />
    public override Tensor Backward(Tensor gradOutput) => Backward(gradOutput, inPlace: false);

    /// <inheritdoc />
    internal override Tensor BackwardConsuming(Tensor gradOutput) => Backward(gradOutput, inPlace: true);

    private Tensor Backward(Tensor gradOutput, bool inPlace)
    {
        if (!ComputeInputGradient)
        {
            return NoInputGradient;
        }

        RequireSameShape(gradOutput, RequireForward(_output));
        if (_identity)
        {
            return gradOutput;
        }

        Tensor mask = RequireForward(_mask);
        Tensor gradInput = inPlace ? gradOutput : _gradInput = Tensor.Reuse(_gradInput, gradOutput.Shape);
        CachedElementwise.Multiply(gradOutput.Span, mask.Span, gradInput.Span);
        return gradInput;
    }
}
