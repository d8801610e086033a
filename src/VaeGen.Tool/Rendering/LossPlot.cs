using System.Collections.Generic;
using System.Linq;
using ScottPlot;
using VaeGen.Tool.Training;

namespace VaeGen.Tool.Rendering;

/// <summary>
/// The loss curves of a training run as a PNG, drawn with ScottPlot (the tool's only plotting
/// dependency; the runtime package has none): the training loss along the steps and the test negative
/// ELBO after each epoch on the left axis, the KL terms on the right. The axes span every point, the
/// first steps' high losses included, so nothing is cut off without a sign.
/// </summary>
internal static class LossPlot
{
    private const int Width = 1000;
    private const int Height = 560;

    /// <returns>The PNG file's bytes; the same history gives the same bytes.</returns>
    public static byte[] Render(string title, IReadOnlyList<EpochResult> history)
    {
        var plot = new Plot();
        var steps = new List<double>();
        var stepLoss = new List<double>();
        foreach (EpochResult epoch in history)
        {
            for (int j = 0; j < epoch.Curve.Length; j++)
            {
                steps.Add(epoch.Epoch - 1 + ((j + 0.5) / epoch.Curve.Length));
                stepLoss.Add(epoch.Curve[j]);
            }
        }

        double[] epochs = history.Select(e => (double)e.Epoch).ToArray();
        var train = plot.Add.ScatterLine(steps.ToArray(), stepLoss.ToArray());
        train.LegendText = "training loss (mean over groups of steps)";
        train.LineWidth = 2;

        var test = plot.Add.Scatter(epochs, history.Select(e => e.TestNegElbo).ToArray());
        test.LegendText = "test -ELBO (after each epoch)";
        test.MarkerSize = 9;
        test.LineWidth = 1;

        var trainKl = plot.Add.Scatter(epochs, history.Select(e => e.TrainKl).ToArray());
        trainKl.LegendText = "training KL (epoch mean, right axis)";
        trainKl.LinePattern = LinePattern.Dashed;
        trainKl.Axes.YAxis = plot.Axes.Right;

        var testKl = plot.Add.Scatter(epochs, history.Select(e => e.TestKl).ToArray());
        testKl.LegendText = "test KL (right axis)";
        testKl.LinePattern = LinePattern.Dotted;
        testKl.Axes.YAxis = plot.Axes.Right;

        plot.Title(title);
        plot.Axes.Bottom.Label.Text = "epoch";
        plot.Axes.Left.Label.Text = "recon + beta * KL (nats per image)";
        plot.Axes.Right.Label.Text = "KL (nats per image)";
        plot.ShowLegend(Alignment.UpperRight);
        return plot.GetImageBytes(Width, Height, ImageFormat.Png);
    }
}
