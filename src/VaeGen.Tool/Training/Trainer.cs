using System;
using System.Diagnostics;
using VaeGen.Runtime.Models;
using VaeGen.Runtime.Tensors;
using VaeGen.Tool.Data;

namespace VaeGen.Tool.Training;

/// <summary>The loss became NaN or infinite at a step; the step's update was not applied.</summary>
internal sealed class TrainingDivergedException(int epoch, int step, int steps, LossTerms terms)
    : Exception("the loss became " + Describe(terms.Total) + " at epoch " + epoch + ", step " + step + " of " + steps +
                " (reconstruction " + Describe(terms.Reconstruction) + ", KL " + Describe(terms.Kl) + ")")
{
    private static string Describe(double value) => double.IsNaN(value) ? "NaN" : double.IsInfinity(value) ? (value > 0 ? "+inf" : "-inf") :
        value.ToString("G6", System.Globalization.CultureInfo.InvariantCulture);
}

/// <summary>What one epoch of steps measured, before its evaluation.</summary>
internal sealed record EpochStats(double Loss, double Reconstruction, double Kl, double Seconds, double SamplesPerSecond, double[] Curve);

/// <summary>
/// The training loop of one epoch: a shuffled pass over the training images in batches (the last
/// one smaller, as PyTorch's DataLoader without drop_last), one Adam step per batch. The step
/// itself allocates nothing; the batch tensors are made once.
/// </summary>
/// <param name="stop">Checked before each step: a stop request abandons the epoch between two steps.</param>
internal sealed class Trainer(VaeModel model, BatchFiller train, Shuffler shuffler, int batch, System.Threading.CancellationToken stop = default)
{
    // The loss plot shows the training loss as the mean over this many groups of steps per epoch.
    private const int CurvePoints = 50;
    private static readonly long DisplayInterval = Stopwatch.Frequency / 10;

    private readonly Tensor _full = train.CreateBatch(Math.Min(batch, train.Count));

    // A conditional spec's labels, beside the batch: filled from the same shuffled indices, so each stays with its image.
    private readonly int[] _labels = new int[train.IsConditional ? Math.Min(batch, train.Count) : 0];
    private Tensor? _partial;

    public EpochStats RunEpoch(int epoch, int epochs, ITrainingDisplay display)
    {
        ReadOnlySpan<int> order = shuffler.NextEpoch();
        int count = order.Length;
        int steps = (count + batch - 1) / batch;
        int points = Math.Min(CurvePoints, steps);
        var curve = new double[points];
        double loss = 0, reconstruction = 0, kl = 0, chunkLoss = 0;
        int chunkSamples = 0, chunk = 0, done = 0;
        long start = Stopwatch.GetTimestamp(), shown = start;
        model.Train();
        for (int step = 0; step < steps; step++)
        {
            stop.ThrowIfCancellationRequested();
            ReadOnlySpan<int> indices = order.Slice(step * batch, Math.Min(batch, count - (step * batch)));
            Tensor x = indices.Length == _full.Dim(0) ? _full : (_partial is { } p && p.Dim(0) == indices.Length ? p : _partial = train.CreateBatch(indices.Length));
            train.Fill(indices, x);

            // The model's own training step (as TrainStep), with the update only for a finite loss, so a diverging step leaves the weights as they were.
            LossTerms terms;
            if (train.IsConditional)
            {
                Span<int> labels = _labels.AsSpan(0, indices.Length);
                train.FillLabels(indices, labels);
                terms = model.Session.Step(x, labels, skipNonFinite: true);
            }
            else
            {
                terms = model.Session.Step(x, skipNonFinite: true);
            }

            if (!terms.IsFinite)
            {
                throw new TrainingDivergedException(epoch, step + 1, steps, terms);
            }

            int n = indices.Length;
            done += n;
            loss += terms.Total * n;
            reconstruction += terms.Reconstruction * n;
            kl += terms.Kl * n;
            chunkLoss += terms.Total * n;
            chunkSamples += n;
            if ((long)(step + 1) * points >= (long)(chunk + 1) * steps)
            {
                curve[chunk++] = chunkLoss / chunkSamples;
                chunkLoss = 0;
                chunkSamples = 0;
            }

            long now = Stopwatch.GetTimestamp();
            if (now - shown >= DisplayInterval || step == steps - 1)
            {
                shown = now;
                display.Update(epoch, epochs, step + 1, steps, loss / done, reconstruction / done, kl / done, done / Stopwatch.GetElapsedTime(start, now).TotalSeconds);
            }
        }

        double seconds = Stopwatch.GetElapsedTime(start).TotalSeconds;
        return new EpochStats(loss / count, reconstruction / count, kl / count, seconds, count / seconds, curve);
    }
}
