using System;
using VaeGen.Runtime.Kernels;
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
        Run(Pass.Forward(this, input.Data, _output.Data), input.Length);
        return _output;
    }

    /// <inheritdoc />
    public sealed override Tensor Backward(Tensor gradOutput) => Backward(gradOutput, inPlace: false);

    /// <inheritdoc />
    internal sealed override Tensor BackwardConsuming(Tensor gradOutput) => Backward(gradOutput, DerivesInPlace);

    /// <summary>
    /// Whether <see cref="Derive"/> may write gx over gy: it reads gy[i] before it writes gx[i], and no other element.
    /// GELU and SiLU fill gx with a factor before they read gy, so they say no.
    /// </summary>
    private protected virtual bool DerivesInPlace => true;

    private Tensor Backward(Tensor gradOutput, bool inPlace)
    {
        if (!ComputeInputGradient)
        {
            return NoInputGradient;
        }

        Tensor output = RequireForward(_output);
        RequireSameShape(gradOutput, output);
        Tensor gradInput = inPlace ? gradOutput : _gradInput = Tensor.Reuse(_gradInput, output.Shape);

        // After a forward that the batch norm before this layer ran (FusedOutput) there is no input: the derivative is
        // read from the output, with the same bits (DerivesFromOutput).
        Run(Pass.Backward(this, _input?.Data, output.Data, gradOutput.Data, gradInput.Data), output.Length);
        return gradInput;
    }

    /// <summary>
    /// Whether <see cref="Apply"/> gives each element the same bits wherever it lies in the span (an exact operation per
    /// element, with no separate tail), so a convolution may apply it to each sample of its output as soon as that
    /// sample is done (<see cref="InferenceEpilogue"/>) and match this layer's own forward.
    /// </summary>
    internal virtual bool SameBitsAnywhere => false;

    /// <summary>y = f(x) over one span, for a fused forward; see <see cref="SameBitsAnywhere"/>.</summary>
    /// <param name="x">Input.</param>
    /// <param name="y">Output, same length (may be <paramref name="x"/>).</param>
    internal void ApplyTo(ReadOnlySpan<float> x, Span<float> y) => Apply(x, y);

    /// <summary>The output buffer a forward of <paramref name="shape"/> writes, for a fused forward to write instead.</summary>
    /// <param name="shape">The output's shape.</param>
    internal Tensor ReuseOutput(ReadOnlySpan<int> shape) => _output = Tensor.Reuse(_output, shape);

    /// <summary>
    /// Whether gx = gy * f'(x) can be formed from the output y alone, with the bits <see cref="Derive"/> gives: a batch
    /// norm before this layer may then run this layer's forward in its own pass (<see cref="BatchNorm.ForwardWithActivation"/>),
    /// where this layer's input is never written.
    /// </summary>
    internal virtual bool DerivesFromOutput => false;

    /// <summary>gx = gy * f'(x) read from y = f(x); see <see cref="DerivesFromOutput"/>.</summary>
    /// <param name="y">The forward output.</param>
    /// <param name="gy">Gradient w.r.t. y.</param>
    /// <param name="gx">Gradient w.r.t. x (written; may be <paramref name="gy"/>).</param>
    internal virtual void DeriveFromOutput(ReadOnlySpan<float> y, ReadOnlySpan<float> gy, Span<float> gx) =>
        throw new NotSupportedException($"{GetType().Name} does not form its derivative from its output.");

    /// <summary>
    /// The output buffer for a forward that a batch norm before this layer runs in its own pass: there is no input to
    /// keep (it was never written), and the backward reads the output alone (<see cref="DerivesFromOutput"/>).
    /// </summary>
    /// <param name="shape">The output's shape.</param>
    internal Tensor FusedOutput(ReadOnlySpan<int> shape)
    {
        _input = null;
        return _output = Tensor.Reuse(_output, shape);
    }

    /// <summary>
    /// Runs a pass on one thread, or, from <see cref="ForkJoin.ElementsPerPart"/> elements per thread, on contiguous ranges
    /// cut on whole vectors (<see cref="ForkJoin.ShareBlocks"/>), each in cache-sized chunks (<see cref="ForkJoin.Chunks"/>):
    /// every element goes through the same operations either way, so the result does not depend on the thread count.
    /// </summary>
    private static void Run(in Pass pass, int length)
    {
        ForkJoin.Run(pass, ForkJoin.PartsForElements(length));
    }

    /// <summary>The forward (y = f(x)) or backward (gx = gy * f'(x)) over one part of the elements.</summary>
    private readonly struct Pass : IForkJoinBody
    {
        private readonly ElementwiseActivation _layer;
        private readonly float[]? _x;
        private readonly float[] _y;
        private readonly float[]? _gy;
        private readonly float[] _result;

        private Pass(ElementwiseActivation layer, float[]? x, float[] y, float[]? gy, float[] result)
        {
            _layer = layer;
            _x = x;
            _y = y;
            _gy = gy;
            _result = result;
        }

        /// <summary>The forward: <paramref name="y"/> = f(x).</summary>
        public static Pass Forward(ElementwiseActivation layer, float[] x, float[] y) => new(layer, x, y, null, y);

        /// <summary>The backward: <paramref name="gx"/> = gy * f'(x), given the forward's x (null: read f' from y) and y.</summary>
        public static Pass Backward(ElementwiseActivation layer, float[]? x, float[] y, float[] gy, float[] gx) => new(layer, x, y, gy, gx);

        public void Run(int part, int parts)
        {
            (int lo, int hi) = ForkJoin.ShareBlocks(_result.Length, part, parts);
            foreach ((int start, int end) in ForkJoin.ChunksOf(hi - lo))
            {
                int at = lo + start, n = end - start;
                if (_gy is null)
                {
                    _layer.Apply(_x.AsSpan(at, n), _result.AsSpan(at, n));
                }
                else if (_x is null)
                {
                    _layer.DeriveFromOutput(_y.AsSpan(at, n), _gy.AsSpan(at, n), _result.AsSpan(at, n));
                }
                else
                {
                    _layer.Derive(_x.AsSpan(at, n), _y.AsSpan(at, n), _gy.AsSpan(at, n), _result.AsSpan(at, n));
                }
            }
        }
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
