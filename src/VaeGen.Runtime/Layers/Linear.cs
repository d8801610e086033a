using System;
using System.Collections.Generic;
using TensorPrimitives = System.Numerics.Tensors.TensorPrimitives;
using VaeGen.Runtime.Init;
using VaeGen.Runtime.Kernels;
using VaeGen.Runtime.Tensors;

namespace VaeGen.Runtime.Layers;

/// <summary>
/// Affine map as <c>torch.nn.Linear</c>: y = x W^T + b with weight [out, in] and bias [out].
/// Input (*, in), output (*, out); leading dimensions are flattened into rows.
/// </summary>
public sealed class Linear : Layer
{
    private readonly Parameter[] _parameters;
    private Tensor? _input;
    private Tensor? _output;
    private Tensor? _gradInput;

    /// <summary>W^T packed for the forward product while the weights are held constant, else null.</summary>
    private Sgemm.PackedOperand? _packedWeight;

    /// <summary>Creates the layer; with <paramref name="rng"/> the parameters are initialised by <paramref name="init"/>, else zeros.</summary>
    /// <param name="inFeatures">Input features.</param>
    /// <param name="outFeatures">Output features.</param>
    /// <param name="bias">Whether to add a learned bias.</param>
    /// <param name="rng">The initialisation stream, or null to leave zeros.</param>
    /// <param name="init">How the parameters are drawn from <paramref name="rng"/> (spec 1.1 <c>init:</c>); PyTorch's default unless said.</param>
    public Linear(int inFeatures, int outFeatures, bool bias = true, Rng? rng = null, InitScheme init = InitScheme.PyTorch)
    {
        ArgumentOutOfRangeException.ThrowIfLessThan(inFeatures, 1);
        ArgumentOutOfRangeException.ThrowIfLessThan(outFeatures, 1);
        InFeatures = inFeatures;
        OutFeatures = outFeatures;
        var parameters = new WeightAndBias([outFeatures, inFeatures], outFeatures, bias, rng, init);
        (Weight, Bias, _parameters) = (parameters.Weight, parameters.Bias, parameters.All);
    }

    /// <summary>Input features.</summary>
    public int InFeatures { get; }

    /// <summary>Output features.</summary>
    public int OutFeatures { get; }

    /// <summary>The weight [out, in].</summary>
    public Parameter Weight { get; }

    /// <summary>The bias [out], or null.</summary>
    public Parameter? Bias { get; }

    /// <inheritdoc />
    public override IReadOnlyList<Parameter> Parameters => _parameters;

    /// <inheritdoc />
    public override Tensor Forward(Tensor input)
    {
        int rows = BeginForward(input);
        if (_output is null || _output.Length != rows * OutFeatures || !SameLeadingDims(_output, input))
        {
            int[] shape = input.Shape.ToArray();
            shape[^1] = OutFeatures;
            _output = new Tensor(shape);
        }

        Multiply(input, rows, _output, epilogue: null);
        return _output;
    }

    /// <summary>
    /// The forward pass with the evaluation-mode activation after it applied by each thread of the product to its part of
    /// the output, in the buffer the activation would have returned (see <see cref="InferenceEpilogue"/>). The layer's own
    /// output buffer is left alone.
    /// </summary>
    /// <param name="input">The input.</param>
    /// <param name="epilogue">The activation fused into the pass.</param>
    internal Tensor Forward(Tensor input, InferenceEpilogue epilogue)
    {
        int rows = BeginForward(input);
        Span<int> shape = stackalloc int[input.Rank];
        input.Shape.CopyTo(shape);
        shape[^1] = OutFeatures;
        Tensor destination = epilogue.Prepare(shape);
        Multiply(input, rows, destination, epilogue);
        return destination;
    }

    /// <summary>The input of the last forward pass, for <see cref="InferenceEpilogue.RunLayers"/>.</summary>
    internal Tensor LastInput => RequireForward(_input);

    /// <summary>Checks the input, keeps it for the backward and returns how many rows of features it holds.</summary>
    private int BeginForward(Tensor input)
    {
        ArgumentNullException.ThrowIfNull(input);
        if (input.Rank < 1 || input.Dim(-1) != InFeatures)
        {
            throw new ArgumentException($"Linear expects (*, {InFeatures}), got {input.ShapeString()}.", nameof(input));
        }

        _input = input;
        return input.Length / InFeatures;
    }

    /// <summary>y[rows, out] = x[rows, in] * W[out, in]^T (+ b in the product's own store, on the threads that own y's tiles), then the epilogue on each thread's part.</summary>
    private void Multiply(Tensor input, int rows, Tensor output, IProductEpilogue? epilogue)
    {
        float[] y = output.Data;
        if (WeightsConstant)
        {
            // Null whenever the weights may change: letting them change drops it (DropWeightPacks).
            _packedWeight ??= new();
        }

        if (Bias is null)
        {
            Sgemm.Multiply(false, true, rows, OutFeatures, InFeatures, input.Data, InFeatures, Weight.Value.Data, InFeatures, y, OutFeatures, accumulate: false, Sgemm.Parallelism.Default, packedB: _packedWeight, epilogue: epilogue, rowsAreSamples: true);
        }
        else
        {
            Sgemm.MultiplyAddBias(false, true, rows, OutFeatures, InFeatures, input.Data, InFeatures, Weight.Value.Data, InFeatures, Bias.Value.Data, y, OutFeatures, _packedWeight, epilogue);
        }
    }

    /// <inheritdoc />
    public override Tensor Backward(Tensor gradOutput)
    {
        Tensor input = RequireForward(_input);
        RequireSameShape(gradOutput, RequireForward(_output));
        int rows = input.Length / InFeatures;

        // dW[out, in] += gy[rows, out]^T * x[rows, in]
        Sgemm.Multiply(true, false, OutFeatures, InFeatures, rows, gradOutput.Data, OutFeatures, input.Data, InFeatures, Weight.Grad.Data, InFeatures, accumulate: true);
        if (Bias is not null)
        {
            Span<float> gb = Bias.Grad.Data;
            for (int r = 0; r < rows; r++)
            {
                TensorPrimitives.Add(gb, gradOutput.Data.AsSpan(r * OutFeatures, OutFeatures), gb);
            }
        }

        if (!ComputeInputGradient)
        {
            return NoInputGradient;
        }

        // dX[rows, in] = gy[rows, out] * W[out, in]
        _gradInput = Tensor.Reuse(_gradInput, input.Shape);
        Sgemm.Multiply(false, false, rows, InFeatures, OutFeatures, gradOutput.Data, OutFeatures, Weight.Value.Data, InFeatures, _gradInput.Data, InFeatures, accumulate: false);
        return _gradInput;
    }

    /// <inheritdoc />
    private protected override void DropWeightPacks() => _packedWeight = null;

    private static bool SameLeadingDims(Tensor output, Tensor input)
    {
        if (output.Rank != input.Rank)
        {
            return false;
        }

        for (int i = 0; i < input.Rank - 1; i++)
        {
            if (output.Dim(i) != input.Dim(i))
            {
                return false;
            }
        }

        return true;
    }
}
