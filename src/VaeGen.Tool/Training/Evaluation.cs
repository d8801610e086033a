using System;
using VaeGen.Runtime.Init;
using VaeGen.Runtime.Kernels;
using VaeGen.Runtime.Models;
using VaeGen.Runtime.Tensors;
using VaeGen.Tool.Data;

namespace VaeGen.Tool.Training;

/// <summary>
/// Test-set measurements shared by <c>train</c> (after every epoch) and <c>eval</c>, so both report
/// the same number for the same weights and seed.
/// </summary>
internal static class Evaluation
{
    /// <summary>Images per forward pass; fixed, so the sum runs in the same order in train and eval.</summary>
    public const int Batch = 500;

    /// <summary>Images the importance-weighted bound encodes in one pass.</summary>
    private const int EncodeBlock = 256;

    /// <summary>
    /// Mean over the images of the plain negative ELBO recon_i + kl_i (beta and a kl schedule shape only the
    /// training objective) with one z = mu + sigma * eps per image, layers
    /// in eval mode (batchnorm uses running statistics, no dropout): the single-sample estimate of
    /// the negative ELBO, as tools/torch/train_reference.py reports it. eps comes from its own
    /// stream seeded with seed + 1 at every call, so every epoch sees the same noise and evaluating
    /// never shifts the training noise.
    /// </summary>
    public static LossTerms NegativeElbo(VaeModel model, BatchFiller data, ulong seed)
    {
        using InferenceScope inference = model.InferenceMode();
        var noise = new Rng(unchecked(seed + 1));
        int latent = model.Config.LatentDim;
        double reconstruction = 0, kl = 0;
        Tensor? x = null, eps = null;
        var indices = new int[Batch];
        var labels = new int[data.IsConditional ? Batch : 0];
        for (int start = 0; start < data.Count; start += Batch)
        {
            int count = Math.Min(Batch, data.Count - start);
            if (x is null || x.Dim(0) != count)
            {
                x = data.CreateBatch(count);
                eps = new Tensor(count, latent);
            }

            for (int i = 0; i < count; i++)
            {
                indices[i] = start + i;
            }

            data.Fill(indices.AsSpan(0, count), x);
            noise.FillNormal(eps!.Span);
            LossTerms terms;
            if (data.IsConditional)
            {
                data.FillLabels(indices.AsSpan(0, count), labels);
                terms = model.Loss(x, labels.AsSpan(0, count), eps);
            }
            else
            {
                terms = model.Loss(x, eps);
            }

            reconstruction += terms.Reconstruction * count;
            kl += terms.Kl * count;
        }

        // The plain ELBO (spec 1.1): recon + 1 * KL, whatever beta or a kl schedule weigh in training.
        return new LossTerms((reconstruction + kl) / data.Count, reconstruction / data.Count, kl / data.Count);
    }

    /// <summary>
    /// The importance-weighted bound (IWAE, Burda et al. 2015) on the negative log-likelihood, mean
    /// over the images: -log (1/k sum_j p(x|z_j) p(z_j) / q(z_j|x)), z_j ~ q(z|x), with p(x|z)
    /// as <see cref="Likelihood"/> defines it. It approaches -log p(x) from above as k grows.
    /// For a conditional spec every term is given the image's label y: the bound is on -log p(x | y).
    /// </summary>
    /// <param name="progress">Called with the number of images done, after each block.</param>
    public static double ImportanceWeightedNll(VaeModel model, BatchFiller data, int k, ulong seed, Action<int>? progress = null)
    {
        ArgumentOutOfRangeException.ThrowIfLessThan(k, 1);
        const int maxRows = 1024;
        using InferenceScope inference = model.InferenceMode();
        var likelihood = new Likelihood(model);
        var noise = new Rng(unchecked(seed + 2));
        int latent = model.Config.LatentDim;
        int sampleLength = model.Config.SampleLength;

        // Rows of one decoder pass: a few whole images' samples when k is small, else an even share of one image's.
        int parts = (k + maxRows - 1) / maxRows;
        int perPart = (k + parts - 1) / parts;
        int imagesPerBlock = Math.Max(1, maxRows / k);

        // Images are encoded many at a time: one image's encoder pass alone re-packs every weight for one row
        // (a millisecond for fashion_mlp), as long as decoding its thousand samples. Each row's mu and logvar
        // do not depend on the rows beside it, so neither does the bound.
        int encodeImages = imagesPerBlock * Math.Max(1, EncodeBlock / imagesPerBlock);

        bool conditional = data.IsConditional;
        var indices = new int[encodeImages];
        var labels = new int[conditional ? encodeImages : 0];
        var rowLabels = new int[conditional ? imagesPerBlock * perPart : 0];
        var mu = new float[encodeImages * latent];
        var logVar = new float[encodeImages * latent];
        var sigma = new float[encodeImages * latent];
        var target = new float[encodeImages * sampleLength];
        var logMax = new double[imagesPerBlock];
        var logSum = new double[imagesPerBlock];
        var priorMinusPosterior = new double[imagesPerBlock * perPart];
        var logWeights = new double[imagesPerBlock * perPart];

        // One per core: a Likelihood keeps the loss's scratch buffers.
        var likelihoods = new Likelihood[Math.Max(1, Environment.ProcessorCount)];
        likelihoods[0] = likelihood;
        for (int i = 1; i < likelihoods.Length; i++)
        {
            likelihoods[i] = new Likelihood(model);
        }

        double totalLogLikelihood = 0;
        Tensor? x = null, z = null;
        float[]? epsilon = null;
        float scale = (float)model.Config.Scale;

        for (int encodeStart = 0; encodeStart < data.Count; encodeStart += encodeImages)
        {
            int encoded = Math.Min(encodeImages, data.Count - encodeStart);
            if (x is null || x.Dim(0) != encoded)
            {
                x = data.CreateBatch(encoded);
            }

            for (int i = 0; i < encoded; i++)
            {
                indices[i] = encodeStart + i;
            }

            data.Fill(indices.AsSpan(0, encoded), x);
            Tensor muT, logVarT;
            if (conditional)
            {
                data.FillLabels(indices.AsSpan(0, encoded), labels);
                (muT, logVarT) = model.Encode(x, labels.AsSpan(0, encoded));
            }
            else
            {
                (muT, logVarT) = model.Encode(x);
            }

            muT.Span.CopyTo(mu);
            logVarT.Span.CopyTo(logVar);
            for (int i = 0; i < encoded * latent; i++)
            {
                sigma[i] = MathF.Exp(0.5f * logVar[i]);
            }

            // The target as the loss sees it: the declared layout, divided by the scale.
            for (int i = 0; i < encoded * sampleLength; i++)
            {
                target[i] = x.Data[i] / scale;
            }

            for (int first = 0; first < encoded; first += imagesPerBlock)
            {
                int images = Math.Min(imagesPerBlock, encoded - first);
                for (int i = 0; i < images; i++)
                {
                    logMax[i] = double.NegativeInfinity;
                    logSum[i] = 0;
                }

                for (int done = 0; done < k; done += perPart)
                {
                    int samples = Math.Min(perPart, k - done);
                    int rows = images * samples;
                    if (z is null || z.Dim(0) != rows)
                    {
                        z = new Tensor(rows, latent);
                        epsilon = new float[rows * latent];
                    }

                    // The same values, in the same order, as one NextNormal per element, drawn a block at a time.
                    noise.FillNormal(epsilon);
                    DrawLatents(epsilon, mu, sigma, logVar, first, samples, latent, z!.Data, priorMinusPosterior);
                    if (conditional)
                    {
                        for (int r = 0; r < rows; r++)
                        {
                            rowLabels[r] = labels[first + (r / samples)];
                        }
                    }

                    Tensor output = conditional ? model.Decode(z, rowLabels.AsSpan(0, rows)) : model.Decode(z);

                    // log p(x|z) of every row, the rows split over the cores (each row is computed whole by one thread,
                    // so the values do not depend on the split); the sum below then runs in row order.
                    ForkJoin.Run(new LogWeightRows(likelihoods, output.Data, target.AsMemory(first * sampleLength, images * sampleLength), priorMinusPosterior, logWeights, rows, samples, sampleLength), likelihoods.Length);

                    for (int r = 0; r < rows; r++)
                    {
                        AddToLogSumExp(logWeights[r], ref logMax[r / samples], ref logSum[r / samples]);
                    }
                }

                for (int i = 0; i < images; i++)
                {
                    totalLogLikelihood += logMax[i] + Math.Log(logSum[i]) - Math.Log(k);
                }

                progress?.Invoke(encodeStart + first + images);
            }
        }

        return -totalLogLikelihood / data.Count;
    }

    /// <summary>
    /// z = mu + sigma * eps for every row of a decoder pass (row r is sample r % samples of image first + r / samples)
    /// and each row's log p(z) - log q(z|x); the -log(2 pi) / 2 terms cancel.
    /// </summary>
    private static void DrawLatents(
        ReadOnlySpan<float> epsilon, ReadOnlySpan<float> mu, ReadOnlySpan<float> sigma, ReadOnlySpan<float> logVar,
        int first, int samples, int latent, Span<float> z, Span<double> priorMinusPosterior)
    {
        int rows = epsilon.Length / latent;
        for (int r = 0; r < rows; r++)
        {
            int image = first + (r / samples);
            double logRatio = 0;
            for (int l = 0; l < latent; l++)
            {
                float eps = epsilon[(r * latent) + l];
                float lv = logVar[(image * latent) + l];
                float value = mu[(image * latent) + l] + (sigma[(image * latent) + l] * eps);
                z[(r * latent) + l] = value;
                logRatio += 0.5 * (((double)eps * eps) + lv - ((double)value * value));
            }

            priorMinusPosterior[r] = logRatio;
        }
    }

    /// <summary>
    /// Adds exp(logWeight) to the running sum exp(logMax) * logSum, keeping logMax the largest weight so far:
    /// weights span hundreds of nats, and exp() of them alone would overflow.
    /// </summary>
    private static void AddToLogSumExp(double logWeight, ref double logMax, ref double logSum)
    {
        if (logWeight > logMax)
        {
            logSum = (logSum * Math.Exp(logMax - logWeight)) + 1;
            logMax = logWeight;
        }
        else
        {
            logSum += Math.Exp(logWeight - logMax);
        }
    }

    /// <summary>log w = log p(x|z) + log p(z) - log q(z|x) of a decoder pass's rows, a fixed range of rows per part.</summary>
    private readonly struct LogWeightRows : IForkJoinBody
    {
        private readonly Likelihood[] _likelihoods;
        private readonly float[] _decoded;
        private readonly ReadOnlyMemory<float> _target;
        private readonly double[] _priorMinusPosterior;
        private readonly double[] _logWeights;
        private readonly int _rows;
        private readonly int _samples;
        private readonly int _sampleLength;

        public LogWeightRows(Likelihood[] likelihoods, float[] decoded, ReadOnlyMemory<float> target, double[] priorMinusPosterior, double[] logWeights, int rows, int samples, int sampleLength)
        {
            _likelihoods = likelihoods;
            _decoded = decoded;
            _target = target;
            _priorMinusPosterior = priorMinusPosterior;
            _logWeights = logWeights;
            _rows = rows;
            _samples = samples;
            _sampleLength = sampleLength;
        }

        public void Run(int part, int parts)
        {
            (int first, int end) = ForkJoin.Share(_rows, part, parts);
            for (int r = first; r < end; r++)
            {
                _logWeights[r] = _likelihoods[part].LogProbability(_decoded.AsSpan(r * _sampleLength, _sampleLength), _target.Span.Slice(r / _samples * _sampleLength, _sampleLength)) + _priorMinusPosterior[r];
            }
        }
    }
}
