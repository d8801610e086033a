using System;
using VaeGen.Runtime.Kernels;
using VaeGen.Runtime.Tensors;

namespace VaeGen.Runtime.Layers;

/// <summary>
/// Base of the parameter-free layers that map each [H, W] plane of an [N, C, H, W] input to an
/// [H', W'] plane on its own (pooling, upsampling, padding): it checks the input, owns the output and
/// input-gradient buffers, and hands the subclass flat planes to fill.
/// </summary>
/// <remarks>
/// The subclass writes every output element in <see cref="ForwardPlanes"/>; the input gradient is
/// cleared before <see cref="BackwardPlanes"/>, which only adds into it (several outputs may read one
/// input). Buffers are reused while the input shape stays the same, so a steady step allocates nothing.
/// </remarks>
public abstract class PlaneLayer : Layer
{
    private Tensor? _output;
    private Tensor? _gradInput;
    private int[]? _inputShape;

    /// <summary>The output (h, w) for an input of (h, w).</summary>
    /// <param name="inH">Input height.</param>
    /// <param name="inW">Input width.</param>
    public abstract Size2d OutputSize(int inH, int inW);

    /// <inheritdoc />
    public sealed override Tensor Forward(Tensor input)
    {
        ArgumentNullException.ThrowIfNull(input);
        if (input.Rank != 4)
        {
            throw new ArgumentException($"{GetType().Name} expects [N, C, H, W], got {input.ShapeString()}.", nameof(input));
        }

        int inH = input.Dim(2);
        int inW = input.Dim(3);
        Size2d o = OutputSize(inH, inW);
        CheckOutputSize(o, inH, inW);
        _output = Tensor.Reuse(_output, [input.Dim(0), input.Dim(1), o.H, o.W]);
        var planes = new PlaneShape(input.Dim(0) * input.Dim(1), inH, inW, o.H, o.W);
        if (_inputShape is null || !input.HasShape(_inputShape))
        {
            _inputShape = input.Shape.ToArray();
            OnInputShapeChanged(planes);
        }

        Run(new Pass(this, input.Data, _output.Data, planes, forward: true), planes);
        return _output;
    }

    /// <inheritdoc />
    public sealed override Tensor Backward(Tensor gradOutput)
    {
        if (!ComputeInputGradient)
        {
            return NoInputGradient;
        }

        Tensor output = RequireForward(_output);
        int[] inputShape = RequireForward(_inputShape);
        RequireSameShape(gradOutput, output);
        _gradInput = Tensor.Reuse(_gradInput, inputShape);
        _gradInput.Clear();
        var planes = new PlaneShape(inputShape[0] * inputShape[1], inputShape[2], inputShape[3], output.Dim(2), output.Dim(3));
        Run(new Pass(this, gradOutput.Data, _gradInput.Data, planes, forward: false), planes);
        return _gradInput;
    }

    /// <summary>
    /// Whether <see cref="ForwardPlanes"/> and <see cref="BackwardPlanes"/> process only the planes
    /// [<see cref="PlaneShape.First"/>, <see cref="PlaneShape.End"/>) and touch nothing of the others, so that the
    /// base may split a large batch's planes over the threads (default false: one call over every plane).
    /// </summary>
    protected virtual bool ProcessesPlaneRanges => false;

    /// <summary>
    /// One call over every plane, or, from <see cref="ForkJoin.ElementsPerPart"/> values per thread, contiguous ranges of
    /// planes on the threads. Each plane is computed by the same code either way, so the result does not depend on the
    /// thread count.
    /// </summary>
    private void Run(in Pass pass, PlaneShape planes)
    {
        long values = (long)planes.Count * Math.Max(planes.InArea, planes.OutArea);
        ForkJoin.Run(pass, ProcessesPlaneRanges ? Math.Min(planes.Count, ForkJoin.PartsForElements(values)) : 1);
    }

    /// <summary>The forward or backward over one part's planes.</summary>
    private readonly struct Pass : IForkJoinBody
    {
        private readonly PlaneLayer _layer;
        private readonly float[] _source;
        private readonly float[] _destination;
        private readonly PlaneShape _planes;
        private readonly bool _forward;

        public Pass(PlaneLayer layer, float[] source, float[] destination, PlaneShape planes, bool forward)
        {
            _layer = layer;
            _source = source;
            _destination = destination;
            _planes = planes;
            _forward = forward;
        }

        public void Run(int part, int parts)
        {
            (int first, int end) = ForkJoin.Share(_planes.Count, part, parts);
            PlaneShape range = _planes with { First = first, Count = end - first };
            if (_forward)
            {
                _layer.ForwardPlanes(_source, _destination, range);
            }
            else
            {
                _layer.BackwardPlanes(_source, _destination, range);
            }
        }
    }

    /// <summary>Throws when the output size is not valid for this input (the message PyTorch gives).</summary>
    /// <param name="output">The computed output size.</param>
    /// <param name="inH">Input height.</param>
    /// <param name="inW">Input width.</param>
    protected virtual void CheckOutputSize(Size2d output, int inH, int inW)
    {
        if (output.H < 1 || output.W < 1)
        {
            throw new ArgumentException($"{GetType().Name} output size {output} is empty for input {inH}x{inW}.");
        }
    }

    /// <summary>Called by Forward when the input shape differs from the last one, before <see cref="ForwardPlanes"/>: the place to rebuild per-size tables.</summary>
    /// <param name="planes">The new geometry.</param>
    protected virtual void OnInputShapeChanged(PlaneShape planes)
    {
    }

    /// <summary>Writes every element of <paramref name="y"/> ([planes, outH, outW]) from <paramref name="x"/> ([planes, inH, inW]).</summary>
    /// <param name="x">The input planes.</param>
    /// <param name="y">The output planes.</param>
    /// <param name="planes">The geometry.</param>
    protected abstract void ForwardPlanes(float[] x, float[] y, PlaneShape planes);

    /// <summary>Adds d loss / d x into <paramref name="gx"/> (cleared beforehand) from d loss / d y.</summary>
    /// <param name="gy">The output gradient planes.</param>
    /// <param name="gx">The input gradient planes.</param>
    /// <param name="planes">The geometry.</param>
    protected abstract void BackwardPlanes(float[] gy, float[] gx, PlaneShape planes);
}

/// <summary>The geometry a <see cref="PlaneLayer"/> works on: N*C planes of [InH, InW] mapped to [OutH, OutW].</summary>
/// <param name="Count">Planes (batch times channels).</param>
/// <param name="InH">Input height.</param>
/// <param name="InW">Input width.</param>
/// <param name="OutH">Output height.</param>
/// <param name="OutW">Output width.</param>
public readonly record struct PlaneShape(int Count, int InH, int InW, int OutH, int OutW)
{
    /// <summary>
    /// The first plane to process: a layer that overrides <see cref="PlaneLayer.ProcessesPlaneRanges"/> may be handed a
    /// range [First, First + Count) of the batch's planes (default 0, every plane).
    /// </summary>
    public int First { get; init; }

    /// <summary>One past the last plane to process: First + Count.</summary>
    public int End => First + Count;

    /// <summary>Elements in one input plane.</summary>
    public int InArea => InH * InW;

    /// <summary>Elements in one output plane.</summary>
    public int OutArea => OutH * OutW;
}
