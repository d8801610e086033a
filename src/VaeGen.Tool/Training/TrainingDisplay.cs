using System;
using System.Globalization;
using Spectre.Console;
using VaeGen.Tool.Cli;

namespace VaeGen.Tool.Training;

/// <summary>
/// How training shows its progress: a live bar per epoch on a terminal, one plain line per epoch
/// otherwise (logs, pipes, CI), so redirected output holds results rather than redraws.
/// </summary>
internal interface ITrainingDisplay
{
    /// <summary>Called during an epoch with the running means of the steps so far.</summary>
    void Update(int epoch, int epochs, int step, int steps, double loss, double reconstruction, double kl, double samplesPerSecond);

    /// <summary>Called once the epoch is evaluated and its checkpoint written.</summary>
    void Complete(EpochResult result, int epochs);
}

/// <summary>The epoch lines, shared so a terminal and a log show the same numbers in the same words.</summary>
internal static class EpochText
{
    public static string Running(int epoch, int epochs, double loss, double reconstruction, double kl, double samplesPerSecond) =>
        string.Create(CultureInfo.InvariantCulture,
            $"epoch {epoch}/{epochs}  loss {loss:F2}  recon {reconstruction:F2}  kl {kl:F2}  {samplesPerSecond:N0} samples/s");

    public static string Done(EpochResult r, int epochs) =>
        string.Create(CultureInfo.InvariantCulture,
            $"epoch {r.Epoch}/{epochs}  loss {r.TrainLoss:F3}  recon {r.TrainReconstruction:F3}  kl {r.TrainKl:F3}{PlainElbo(r.TrainLoss, r.TrainReconstruction, r.TrainKl)}  test -elbo {r.TestNegElbo:F3}  {r.SamplesPerSecond:N0} samples/s  {r.Seconds:F1} s");

    /// <summary>
    /// The training set's plain negative ELBO (recon + KL) beside the objective, when beta or a kl schedule (spec 1.1)
    /// make the two differ; nothing when they are the same number, so a standard VAE's line stays as it was.
    /// </summary>
    private static string PlainElbo(double objective, double reconstruction, double kl) =>
        Math.Abs(objective - (reconstruction + kl)) <= 1e-9 * Math.Max(1, Math.Abs(objective))
            ? string.Empty
            : string.Create(CultureInfo.InvariantCulture, $"  (objective; -elbo {reconstruction + kl:F3})");
}

/// <summary>One line per finished epoch on stdout.</summary>
internal sealed class PlainTrainingDisplay(ToolConsole console) : ITrainingDisplay
{
    // A log or a pipe has no use for running values that a terminal would overwrite.
    public void Update(int epoch, int epochs, int step, int steps, double loss, double reconstruction, double kl, double samplesPerSecond)
    {
    }

    public void Complete(EpochResult result, int epochs)
    {
        console.Out.WriteLine(EpochText.Done(result, epochs));
        console.Out.Flush();
    }
}

/// <summary>A Spectre progress bar per epoch whose description carries the running loss terms, then the test result.</summary>
internal sealed class LiveTrainingDisplay(ProgressContext context) : ITrainingDisplay
{
    private ProgressTask? _task;
    private int _epoch;

    public void Update(int epoch, int epochs, int step, int steps, double loss, double reconstruction, double kl, double samplesPerSecond)
    {
        if (_task is null || _epoch != epoch)
        {
            _task = context.AddTask("epoch " + epoch + "/" + epochs, maxValue: steps);
            _epoch = epoch;
        }

        _task.Description = Markup.Escape(EpochText.Running(epoch, epochs, loss, reconstruction, kl, samplesPerSecond));
        _task.Value = step;
    }

    public void Complete(EpochResult result, int epochs)
    {
        if (_task is null || _epoch != result.Epoch)
        {
            _task = context.AddTask("epoch " + result.Epoch + "/" + epochs, maxValue: 1);
        }

        _task.Description = Markup.Escape(EpochText.Done(result, epochs));
        _task.Value = _task.MaxValue;
        _task.StopTask();
        _task = null;
    }
}
