using System;
using System.Collections.Generic;
using System.Runtime.Intrinsics;
using VaeGen.Runtime.Kernels;
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
        int n = input.Dim(0);
        int c = NumFeatures;
        int area = input.Length / (n * c);
        long count = (long)n * area;
        _input = input;
        _output = Tensor.Reuse(_output, input.Shape);
        float[] x = input.Data;
        float[] y = _output.Data;
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
            RunChannels(new ForwardChannels(this, x, y, n, area, count), input.Length);
        }

        return _output;
    }

    /// <inheritdoc />
    public override Tensor Backward(Tensor gradOutput) => Backward(gradOutput, inPlace: false);

    /// <inheritdoc />
    /// <remarks>dx is written over dy: each channel's sums read all of its dy first, then dx[i] is formed from dy[i] alone.</remarks>
    internal override Tensor BackwardConsuming(Tensor gradOutput) => Backward(gradOutput, inPlace: true);

    private Tensor Backward(Tensor gradOutput, bool inPlace)
    {
        Tensor input = RequireForward(_input);
        RequireSameShape(gradOutput, RequireForward(_output));
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
    private readonly struct ForwardChannels(BatchNorm layer, float[] x, float[] y, int n, int area, long count) : IForkJoinBody
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
                    Affine(x.AsSpan(offset, area), l._scale[ch], l._shift[ch], y.AsSpan(offset, area));
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
                    ReadOnlySpan<float> g = gy.AsSpan(offset, area);
                    sumGy += TensorPrimitives.Sum(g);
                    sumGyX += TensorPrimitives.Dot(g, x.AsSpan(offset, area));
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
                    Affine(gy.AsSpan(offset, area), l._scale[ch], l._shift[ch], dst);
                    if (l._xCoef[ch] != 0f)
                    {
                        TensorPrimitives.MultiplyAdd(x.AsSpan(offset, area), l._xCoef[ch], dst, dst);
                    }
                }
            }
        }
    }

    /// <summary>sum((x - mean)^2) over a span, vectorised.</summary>
    private static double SquaredDeviation(ReadOnlySpan<float> x, float mean)
    {
        int i = 0;
        double total = 0;
        if (Vector256.IsHardwareAccelerated && x.Length >= Vector256<float>.Count)
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

    /// <summary>dst = src * a + b, vectorised.</summary>
    private static void Affine(ReadOnlySpan<float> src, float a, float b, Span<float> dst)
    {
        int i = 0;
        if (Vector256.IsHardwareAccelerated)
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
}
