using System;
using System.Collections.Generic;
using VaeGen.Runtime.Kernels;
using VaeGen.Runtime.Tensors;

namespace VaeGen.Runtime.Layers;

/// <summary>
/// A skip connection, output = x + body(x), as spec 1.1's <c>residual</c> and the PyTorch module
/// <c>class Residual(nn.Module)</c> with <c>self.body = nn.Sequential(...)</c>: its only child is the
/// Sequential named <c>body</c>, so parameters are <c>body.{j}.weight</c> under the block's own name.
/// Backward: d loss / d x = g + body.Backward(g), since x reaches the output twice.
/// </summary>
public sealed class Residual : Layer
{
    private Tensor? _output;
    private Tensor? _gradInput;

    /// <summary>Creates the block around <paramref name="body"/>.</summary>
    /// <param name="body">The layers whose output is added to their input; it must keep the shape.</param>
    public Residual(Sequential body)
    {
        ArgumentNullException.ThrowIfNull(body);
        Body = body;
        Body.SetTraining(Training);
    }

    /// <summary>The body, the child named <c>body</c>.</summary>
    public Sequential Body { get; }

    /// <inheritdoc />
    /// <remarks>
    /// The body's parameters need d loss / d body output whatever this says; only the body's own input
    /// gradient becomes useless when the block's input needs none, so the setting passes to the body.
    /// </remarks>
    public override bool ComputeInputGradient
    {
        get => base.ComputeInputGradient;
        set
        {
            base.ComputeInputGradient = value;
            Body.ComputeInputGradient = value;
        }
    }

    /// <inheritdoc />
    public override Tensor Forward(Tensor input)
    {
        ArgumentNullException.ThrowIfNull(input);
        Tensor body = Body.Forward(input);
        if (!body.HasShape(input.Shape))
        {
            throw new InvalidOperationException($"Residual: the body turns {input.ShapeString()} into {body.ShapeString()}; x + body(x) needs the same shape.");
        }

        _output = Tensor.Reuse(_output, input.Shape);
        CachedElementwise.Add(input.Data, body.Data, _output.Data);
        return _output;
    }

    /// <inheritdoc />
    public override Tensor Backward(Tensor gradOutput)
    {
        RequireSameShape(gradOutput, RequireForward(_output));
        Tensor throughBody = Body.Backward(gradOutput);
        if (!ComputeInputGradient)
        {
            return NoInputGradient;
        }

        _gradInput = Tensor.Reuse(_gradInput, gradOutput.Shape);
        CachedElementwise.Add(gradOutput.Data, throughBody.Data, _gradInput.Data);
        return _gradInput;
    }

    /// <inheritdoc />
    public override IEnumerable<Layer> Modules()
    {
        yield return this;
        foreach (Layer inner in Body.Modules())
        {
            yield return inner;
        }
    }

    /// <inheritdoc />
    public override void SetTraining(bool training)
    {
        base.SetTraining(training);
        Body.SetTraining(training);
    }

    /// <inheritdoc />
    public override void CollectParameters(string prefix, List<NamedParameter> into) => Body.CollectParameters(prefix + "body.", into);

    /// <inheritdoc />
    public override void CollectState(string prefix, List<StateTensor> into) => Body.CollectState(prefix + "body.", into);

    /// <inheritdoc />
    public override void ZeroGrad() => Body.ZeroGrad();
}
