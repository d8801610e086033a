using System;
using System.Collections.Generic;
using System.Runtime.InteropServices;
using System.Runtime.Intrinsics;
using VaeGen.Runtime.Kernels;
using VaeGen.Runtime.Layers.Activations;
using VaeGen.Runtime.Tensors;
using TensorPrimitives = System.Numerics.Tensors.TensorPrimitives;

namespace VaeGen.Runtime.Layers;

/// <summary>
/// Batch normalisation over all axes but the channel axis (1), shared by <see cref="BatchNorm1d"/>
/// and <see cref="BatchNorm2d"/>. Affine weight/bias and running statistics as PyTorch.
/// </summary>
/// <remarks>
/// Training normalises with the batch's biased variance and moves running_var toward the unbiased
/// one (var * M / (M - 1)), with running = (1 - momentum) running + momentum batch. Per-plane
/// sums are vectorised in float and combined across planes in double.
/// </remarks>
public abstract class BatchNorm : Layer
{
    private readonly Parameter[] _parameters;
    private readonly double[] _mean;
    private readonly double[] _invStd;
    private readonly float[] _scale;
    private readonly float[] _shift;
    private readonly float[] _xCoef;
    private Tensor? _input;
    private Tensor? _output;
    private Tensor? _gradInput;
    private bool _usedBatchStats;

    /// <summary>Creates the layer with weight 1, bias 0, running_mean 0, running_var 1.</summary>
    /// <param name="numFeatures">Channels C.</param>
    /// <param name="eps">Added to the variance.</param>
    /// <param name="momentum">Running-statistics update factor.</param>
    protected BatchNorm(int numFeatures, double eps, double momentum)
    {
        ArgumentOutOfRangeException.ThrowIfLessThan(numFeatures, 1);
        NumFeatures = numFeatures;
        Eps = eps;
        Momentum = momentum;
        Weight = new Parameter("weight", numFeatures);
        Bias = new Parameter("bias", numFeatures);
        Weight.Value.Span.Fill(1f);
        RunningMean = new Tensor(numFeatures);
        RunningVar = new Tensor(numFeatures);
        RunningVar.Span.Fill(1f);
        _parameters = [Weight, Bias];
        _mean = new double[numFeatures];
        _invStd = new double[numFeatures];
        _scale = new float[numFeatures];
        _shift = new float[numFeatures];
        _xCoef = new float[numFeatures];
    }

    /// <summary>Channels C.</summary>
    public int NumFeatures { get; }

    /// <summary>Variance epsilon (PyTorch default 1e-5).</summary>
    public double Eps { get; }

    /// <summary>Running-statistics momentum (PyTorch default 0.1).</summary>
    public double Momentum { get; }

    /// <summary>Scale gamma [C].</summary>
    public Parameter Weight { get; }

    /// <summary>Shift beta [C].</summary>
    public Parameter Bias { get; }

    /// <summary>Buffer running_mean [C].</summary>
    public Tensor RunningMean { get; }

    /// <summary>Buffer running_var [C] (unbiased).</summary>
    public Tensor RunningVar { get; }

    /// <summary>Buffer num_batches_tracked: training forward passes so far (int64 scalar in PyTorch).</summary>
    public long[] NumBatchesTracked { get; } = new long[1];

    /// <inheritdoc />
    public override IReadOnlyList<Parameter> Parameters => _parameters;

    /// <inheritdoc />
    public override void CollectState(string prefix, List<StateTensor> into)
    {
        base.CollectState(prefix, into);
        into.Add(StateTensor.Of(prefix + "running_mean", RunningMean));
        into.Add(StateTensor.Of(prefix + "running_var", RunningVar));
        into.Add(new StateTensor(prefix + "num_batches_tracked", Array.Empty<int>(), NumBatchesTracked));
    }

    /// <summary>
    /// Whether an evaluation-mode forward of this layer may be fused into the convolution before it
    /// (<see cref="InferenceEpilogue"/>): a 2-D batch norm over that convolution's channels, not training.
    /// </summary>
    /// <param name="channels">The convolution's output channels.</param>
    internal bool FusesAfter(int channels) => !Training && this is BatchNorm2d && channels == NumFeatures;

    /// <summary>Folds the running statistics and the affine weight into each channel's y = x * scale + shift, as an evaluation-mode forward does first.</summary>
    internal void PrepareEvaluation()
    {
        _usedBatchStats = false;
        for (int ch = 0; ch < NumFeatures; ch++)
        {
            RunningStatistics(ch);
            FoldAffine(ch);
        }
    }

    /// <summary>One channel's values through the evaluation-mode forward (after <see cref="PrepareEvaluation"/>): the same operations as <see cref="Forward"/>.</summary>
    /// <param name="channel">The channel.</param>
    /// <param name="x">Its input values.</param>
    /// <param name="y">Its output values (may be <paramref name="x"/>).</param>
    internal void ApplyEvaluation(int channel, ReadOnlySpan<float> x, Span<float> y) => Affine(x, _scale[channel], _shift[channel], y);

    /// <summary>The output buffer a forward of <paramref name="shape"/> writes, for a fused forward to write instead.</summary>
    /// <param name="shape">The output's shape.</param>
    internal Tensor ReuseOutput(ReadOnlySpan<int> shape) => _output = Tensor.Reuse(_output, shape);

    /// <summary>Throws unless <paramref name="input"/> has an accepted rank and C channels.</summary>
    /// <param name="input">The input.</param>
    protected abstract void CheckInput(Tensor input);

    /// <inheritdoc />
    public override Tensor Forward(Tensor input)
    {
        ArgumentNullException.ThrowIfNull(input);
        CheckInput(input);
        _output = Tensor.Reuse(_output, input.Shape);
        return Forward(input, _output, activation: null);
    }

    /// <summary>
    /// Whether a training forward of <paramref name="input"/> may run <paramref name="next"/>, the layer after this one,
    /// in its own pass (<see cref="ForwardWithActivation"/>): a 2-D batch norm over planes of more than one value, and an
    /// activation whose derivative is read from its output, since its input is never written.
    /// </summary>
    /// <param name="input">This layer's input.</param>
    /// <param name="next">The layer after this one.</param>
    internal bool FusesInTraining(Tensor input, Layer next) =>
        Training && this is BatchNorm2d && input.Rank == 4 && input.Dim(1) == NumFeatures && input.Dim(2) * input.Dim(3) > 1
        && next is ElementwiseActivation { DerivesFromOutput: true, ComputeInputGradient: true };

    /// <summary>
    /// The training forward of this layer and then of <paramref name="activation"/>, in one pass: each plane is normalised
    /// and activated while in cache, straight into the activation's output, which is returned. Its bits are those of the
    /// two forwards. This layer's own output is never written: its backward does not read it, and the activation's reads
    /// its output instead (<see cref="ElementwiseActivation.DerivesFromOutput"/>).
    /// </summary>
    /// <param name="input">This layer's input (see <see cref="FusesInTraining"/>).</param>
    /// <param name="activation">The activation after this layer.</param>
    internal Tensor ForwardWithActivation(Tensor input, ElementwiseActivation activation)
    {
        ArgumentNullException.ThrowIfNull(input);
        CheckInput(input);
        return Forward(input, activation.FusedOutput(input.Shape), activation);
    }

    private Tensor Forward(Tensor input, Tensor output, ElementwiseActivation? activation)
    {
        int n = input.Dim(0);
        int c = NumFeatures;
        int area = input.Length / (n * c);
        long count = (long)n * area;
        _input = input;
        float[] x = input.Data;
        float[] y = output.Data;
        _usedBatchStats = Training;
        if (Training)
        {
            if (count <= 1)
            {
                throw new ArgumentException($"Expected more than 1 value per channel when training, got input {input.ShapeString()}.", nameof(input));
            }

            NumBatchesTracked[0]++;
        }

        if (area == 1)
        {
            for (int ch = 0; ch < c; ch++)
            {
                PrepareChannel(x, n, area, count, ch);
            }

            for (int s = 0; s < n; s++)
            {
                Span<float> row = y.AsSpan(s * c, c);
                TensorPrimitives.Multiply(x.AsSpan(s * c, c), _scale, row);
                TensorPrimitives.Add(row, _shift, row);
            }
        }
        else
        {
            RunChannels(new ForwardChannels(this, x, y, n, area, count, activation), input.Length);
        }

        return output;
    }

    /// <inheritdoc />
    public override Tensor Backward(Tensor gradOutput) => Backward(gradOutput, inPlace: false);

    /// <inheritdoc />
    /// <remarks>dx is written over dy: each channel's sums read all of its dy first, then dx[i] is formed from dy[i] alone.</remarks>
    internal override Tensor BackwardConsuming(Tensor gradOutput) => Backward(gradOutput, inPlace: true);

    private Tensor Backward(Tensor gradOutput, bool inPlace)
    {
        Tensor input = RequireForward(_input);

        // The input's shape is the output's (the fused forward writes no output of this layer's own).
        RequireSameShape(gradOutput, input);
        int n = input.Dim(0);
        int c = NumFeatures;
        int area = input.Length / (n * c);
        long count = (long)n * area;
        float[] x = input.Data;
        float[] gy = gradOutput.Data;
        float[]? gx = null;
        Tensor? gradInput = null;
        if (ComputeInputGradient)
        {
            gradInput = inPlace ? gradOutput : _gradInput = Tensor.Reuse(_gradInput, input.Shape);
            gx = gradInput.Data;
        }

        if (area == 1)
        {
            for (int ch = 0; ch < c; ch++)
            {
                double sumGy = 0, sumGyX = 0;
                for (int s = 0; s < n; s++)
                {
                    int at = (s * c) + ch;
                    sumGy += gy[at];
                    sumGyX += (double)gy[at] * x[at];
                }

                ChannelGradients(ch, sumGy, sumGyX, count);
            }

            if (gx is not null)
            {
                for (int s = 0; s < n; s++)
                {
                    Span<float> row = gx.AsSpan(s * c, c);
                    TensorPrimitives.Multiply(gy.AsSpan(s * c, c), _scale, row);
                    TensorPrimitives.Add(row, _shift, row);
                    TensorPrimitives.MultiplyAdd(x.AsSpan(s * c, c), _xCoef, row, row);
                }
            }
        }
        else
        {
            RunChannels(new BackwardChannels(this, x, gy, gx, n, area, count), input.Length);
        }

        return gradInput ?? NoInputGradient;
    }

    /// <summary>
    /// Runs a pass channel by channel, on one thread or, from <see cref="ForkJoin.ElementsPerPart"/> elements per thread,
    /// on contiguous ranges of channels. A channel's sums run over its planes in the same order whoever computes them, so
    /// the result does not depend on the thread count.
    /// </summary>
    private void RunChannels<TPass>(in TPass pass, int elements)
        where TPass : struct, IForkJoinBody
    {
        ForkJoin.Run(pass, Math.Min(NumFeatures, ForkJoin.PartsForElements(elements)));
    }

    /// <summary>
    /// The forward's mean and inverse standard deviation of a channel (the batch's, with the running-statistics update,
    /// when training; the running ones otherwise), folded with the affine weight into y = x * scale + shift.
    /// </summary>
    private void PrepareChannel(float[] x, int n, int area, long count, int ch)
    {
        if (_usedBatchStats)
        {
            BatchStatistics(x, n, area, count, ch);
        }
        else
        {
            RunningStatistics(ch);
        }

        FoldAffine(ch);
    }

    /// <summary>A channel's mean and inverse standard deviation from the running statistics (evaluation mode).</summary>
    private void RunningStatistics(int ch)
    {
        _mean[ch] = RunningMean.Data[ch];
        _invStd[ch] = 1.0 / Math.Sqrt(RunningVar.Data[ch] + Eps);
    }

    /// <summary>A channel's statistics folded with the affine weight into y = x * scale + shift.</summary>
    private void FoldAffine(int ch)
    {
        float gamma = Weight.Value.Data[ch];
        _scale[ch] = (float)(_invStd[ch] * gamma);
        _shift[ch] = (float)(Bias.Value.Data[ch] - (_mean[ch] * _invStd[ch] * gamma));
    }

    /// <summary>
    /// A channel's weight and bias gradients from sum(gy) and sum(gy * x), and its input gradient folded into
    /// dx = gy * scale + x * xCoef + shift.
    /// </summary>
    private void ChannelGradients(int ch, double sumGy, double sumGyX, long count)
    {
        double mean = _mean[ch];
        double invStd = _invStd[ch];

        // sum(gy * xhat) = invstd * (sum(gy * x) - mean * sum(gy))
        double sumGyXhat = invStd * (sumGyX - (mean * sumGy));
        Weight.Grad.Data[ch] += (float)sumGyXhat;
        Bias.Grad.Data[ch] += (float)sumGy;
        double k = Weight.Value.Data[ch] * invStd;
        if (_usedBatchStats)
        {
            // dx = k (gy - mean(gy) - xhat mean(gy xhat)) = a gy + b x + d, per channel.
            double meanGy = sumGy / count;
            double meanGyXhat = sumGyXhat / count;
            _scale[ch] = (float)k;
            _xCoef[ch] = (float)(-k * meanGyXhat * invStd);
            _shift[ch] = (float)((-k * meanGy) + (k * meanGyXhat * invStd * mean));
        }
        else
        {
            _scale[ch] = (float)k;
            _xCoef[ch] = 0f;
            _shift[ch] = 0f;
        }
    }

    /// <summary>
    /// Batch mean and biased variance of a channel, and its running-statistics update. Each
    /// contiguous plane gets a vectorised two-pass mean and squared deviation in float; planes
    /// are merged in double with Chan et al.'s pairwise update, which avoids the cancellation of
    /// E[x^2] - E[x]^2.
    /// </summary>
    private void BatchStatistics(float[] x, int n, int area, long count, int ch)
    {
        int c = NumFeatures;
        double mean = 0;
        double m2 = 0;
        long seen = 0;
        if (area == 1)
        {
            for (int s = 0; s < n; s++)
            {
                mean += x[(s * c) + ch];
            }

            mean /= n;
            for (int s = 0; s < n; s++)
            {
                double d = x[(s * c) + ch] - mean;
                m2 += d * d;
            }
        }
        else
        {
            for (int s = 0; s < n; s++)
            {
                ReadOnlySpan<float> plane = x.AsSpan(((s * c) + ch) * area, area);
                float planeMean = TensorPrimitives.Sum(plane) / area;
                double planeM2 = SquaredDeviation(plane, planeMean);
                double delta = planeMean - mean;
                long total = seen + area;
                mean += delta * area / total;
                m2 += planeM2 + (delta * delta * seen * area / total);
                seen = total;
            }
        }

        double variance = m2 / count;
        _mean[ch] = mean;
        _invStd[ch] = 1.0 / Math.Sqrt(variance + Eps);
        float[] rm = RunningMean.Data;
        float[] rv = RunningVar.Data;
        rm[ch] = (float)((Momentum * mean) + ((1 - Momentum) * rm[ch]));
        rv[ch] = (float)((Momentum * (m2 / (count - 1))) + ((1 - Momentum) * rv[ch]));
    }

    /// <summary>The forward of one part's channels over planes of <c>area</c> values (area above 1): statistics, then y = x * scale + shift.</summary>
    private readonly struct ForwardChannels(BatchNorm layer, float[] x, float[] y, int n, int area, long count, ElementwiseActivation? activation) : IForkJoinBody
    {
        public void Run(int part, int parts)
        {
            BatchNorm l = layer;
            int c = l.NumFeatures;
            (int first, int end) = ForkJoin.Share(c, part, parts);
            for (int ch = first; ch < end; ch++)
            {
                l.PrepareChannel(x, n, area, count, ch);
                for (int s = 0; s < n; s++)
                {
                    int offset = ((s * c) + ch) * area;
                    Span<float> plane = y.AsSpan(offset, area);
                    Affine(x.AsSpan(offset, area), l._scale[ch], l._shift[ch], plane);
                    activation?.ApplyTo(plane, plane);
                }
            }
        }
    }

    /// <summary>
    /// The backward of one part's channels over planes of <c>area</c> values (area above 1): weight and bias gradients,
    /// then dx into <c>gx</c> unless it is null (not asked for).
    /// </summary>
    private readonly struct BackwardChannels(BatchNorm layer, float[] x, float[] gy, float[]? gx, int n, int area, long count) : IForkJoinBody
    {
        public void Run(int part, int parts)
        {
            BatchNorm l = layer;
            int c = l.NumFeatures;
            (int first, int end) = ForkJoin.Share(c, part, parts);
            for (int ch = first; ch < end; ch++)
            {
                double sumGy = 0, sumGyX = 0;
                for (int s = 0; s < n; s++)
                {
                    int offset = ((s * c) + ch) * area;
                    (float planeSum, float planeDot) = SumAndDot(gy.AsSpan(offset, area), x.AsSpan(offset, area));
                    sumGy += planeSum;
                    sumGyX += planeDot;
                }

                l.ChannelGradients(ch, sumGy, sumGyX, count);
                if (gx is null)
                {
                    continue;
                }

                for (int s = 0; s < n; s++)
                {
                    int offset = ((s * c) + ch) * area;
                    Span<float> dst = gx.AsSpan(offset, area);
                    ReadOnlySpan<float> g = gy.AsSpan(offset, area);
                    if (l._xCoef[ch] != 0f)
                    {
                        AffinePlusScaled(g, l._scale[ch], l._shift[ch], x.AsSpan(offset, area), l._xCoef[ch], dst);
                    }
                    else
                    {
                        Affine(g, l._scale[ch], l._shift[ch], dst);
                    }
                }
            }
        }
    }

    /// <summary>
    /// sum((x - mean)^2) over a span. With AVX-512, four accumulators of 16 lanes, so that each add does not wait for the
    /// one before it, as it did with one 8-lane accumulator.
    /// </summary>
    private static double SquaredDeviation(ReadOnlySpan<float> x, float mean)
    {
        int i = 0;
        double total = 0;
        if (Vector512.IsHardwareAccelerated && x.Length >= 64)
        {
            var m = Vector512.Create(mean);
            Vector512<float> a0 = default, a1 = default, a2 = default, a3 = default;
            ref float start = ref MemoryMarshal.GetReference(x);
            for (; i <= x.Length - 64; i += 64)
            {
                Vector512<float> d0 = Vector512.LoadUnsafe(ref start, (nuint)i) - m;
                Vector512<float> d1 = Vector512.LoadUnsafe(ref start, (nuint)(i + 16)) - m;
                Vector512<float> d2 = Vector512.LoadUnsafe(ref start, (nuint)(i + 32)) - m;
                Vector512<float> d3 = Vector512.LoadUnsafe(ref start, (nuint)(i + 48)) - m;
                a0 += d0 * d0;
                a1 += d1 * d1;
                a2 += d2 * d2;
                a3 += d3 * d3;
            }

            total = Vector512.Sum((a0 + a1) + (a2 + a3));
        }
        else if (Vector256.IsHardwareAccelerated && x.Length >= Vector256<float>.Count)
        {
            var m = Vector256.Create(mean);
            Vector256<float> acc = Vector256<float>.Zero;
            for (; i <= x.Length - Vector256<float>.Count; i += Vector256<float>.Count)
            {
                Vector256<float> d = Vector256.Create(x.Slice(i)) - m;
                acc += d * d;
            }

            total = Vector256.Sum(acc);
        }

        for (; i < x.Length; i++)
        {
            double d = x[i] - mean;
            total += d * d;
        }

        return total;
    }

    /// <summary>
    /// (sum(g), sum(g * x)) over a plane in one pass over both, where two reductions read g twice. Two vector accumulators
    /// for each sum, whose lanes are added in a fixed order: the result does not depend on the thread.
    /// </summary>
    private static (float Sum, float Dot) SumAndDot(ReadOnlySpan<float> g, ReadOnlySpan<float> x)
    {
        int i = 0;
        float sum = 0f, dot = 0f;
        if (Vector512.IsHardwareAccelerated && g.Length >= 32)
        {
            Vector512<float> s0 = default, s1 = default, d0 = default, d1 = default;
            ref float gs = ref MemoryMarshal.GetReference(g);
            ref float xs = ref MemoryMarshal.GetReference(x);
            for (; i <= g.Length - 32; i += 32)
            {
                Vector512<float> g0 = Vector512.LoadUnsafe(ref gs, (nuint)i);
                Vector512<float> g1 = Vector512.LoadUnsafe(ref gs, (nuint)(i + 16));
                s0 += g0;
                s1 += g1;
                d0 += g0 * Vector512.LoadUnsafe(ref xs, (nuint)i);
                d1 += g1 * Vector512.LoadUnsafe(ref xs, (nuint)(i + 16));
            }

            sum = Vector512.Sum(s0 + s1);
            dot = Vector512.Sum(d0 + d1);
        }
        else if (Vector256.IsHardwareAccelerated && g.Length >= 16)
        {
            Vector256<float> s0 = default, s1 = default, d0 = default, d1 = default;
            ref float gs = ref MemoryMarshal.GetReference(g);
            ref float xs = ref MemoryMarshal.GetReference(x);
            for (; i <= g.Length - 16; i += 16)
            {
                Vector256<float> g0 = Vector256.LoadUnsafe(ref gs, (nuint)i);
                Vector256<float> g1 = Vector256.LoadUnsafe(ref gs, (nuint)(i + 8));
                s0 += g0;
                s1 += g1;
                d0 += g0 * Vector256.LoadUnsafe(ref xs, (nuint)i);
                d1 += g1 * Vector256.LoadUnsafe(ref xs, (nuint)(i + 8));
            }

            sum = Vector256.Sum(s0 + s1);
            dot = Vector256.Sum(d0 + d1);
        }

        for (; i < g.Length; i++)
        {
            sum += g[i];
            dot += g[i] * x[i];
        }

        return (sum, dot);
    }

    /// <summary>dst = src * a + b, vectorised.</summary>
    private static void Affine(ReadOnlySpan<float> src, float a, float b, Span<float> dst)
    {
        int i = 0;
        if (Vector512.IsHardwareAccelerated)
        {
            var va = Vector512.Create(a);
            var vb = Vector512.Create(b);
            ref float s = ref MemoryMarshal.GetReference(src);
            ref float d = ref MemoryMarshal.GetReference(dst);
            for (; i <= src.Length - Vector512<float>.Count; i += Vector512<float>.Count)
            {
                ((Vector512.LoadUnsafe(ref s, (nuint)i) * va) + vb).StoreUnsafe(ref d, (nuint)i);
            }
        }
        else if (Vector256.IsHardwareAccelerated)
        {
            var va = Vector256.Create(a);
            var vb = Vector256.Create(b);
            for (; i <= src.Length - Vector256<float>.Count; i += Vector256<float>.Count)
            {
                ((Vector256.Create(src.Slice(i)) * va) + vb).CopyTo(dst.Slice(i));
            }
        }

        for (; i < src.Length; i++)
        {
            dst[i] = (src[i] * a) + b;
        }
    }

    /// <summary>
    /// dst = (src * a + b) + x * c: <see cref="Affine"/> and then x * c added, rounded step by step as those two passes
    /// would, in one pass over the plane instead of two.
    /// </summary>
    private static void AffinePlusScaled(ReadOnlySpan<float> src, float a, float b, ReadOnlySpan<float> x, float c, Span<float> dst)
    {
        int i = 0;
        if (Vector512.IsHardwareAccelerated)
        {
            var va = Vector512.Create(a);
            var vb = Vector512.Create(b);
            var vc = Vector512.Create(c);
            ref float s = ref MemoryMarshal.GetReference(src);
            ref float xs = ref MemoryMarshal.GetReference(x);
            ref float d = ref MemoryMarshal.GetReference(dst);
            for (; i <= src.Length - Vector512<float>.Count; i += Vector512<float>.Count)
            {
                Vector512<float> affine = (Vector512.LoadUnsafe(ref s, (nuint)i) * va) + vb;
                ((Vector512.LoadUnsafe(ref xs, (nuint)i) * vc) + affine).StoreUnsafe(ref d, (nuint)i);
            }
        }
        else if (Vector256.IsHardwareAccelerated)
        {
            var va = Vector256.Create(a);
            var vb = Vector256.Create(b);
            var vc = Vector256.Create(c);
            ref float s = ref MemoryMarshal.GetReference(src);
            ref float xs = ref MemoryMarshal.GetReference(x);
            ref float d = ref MemoryMarshal.GetReference(dst);
            for (; i <= src.Length - Vector256<float>.Count; i += Vector256<float>.Count)
            {
                Vector256<float> affine = (Vector256.LoadUnsafe(ref s, (nuint)i) * va) + vb;
                ((Vector256.LoadUnsafe(ref xs, (nuint)i) * vc) + affine).StoreUnsafe(ref d, (nuint)i);
            }
        }

        for (; i < src.Length; i++)
        {
            float affine = (src[i] * a) + b;
            dst[i] = (x[i] * c) + affine;
        }
    }
}
