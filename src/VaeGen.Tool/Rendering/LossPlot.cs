using System;
using System.Collections.Generic;
using System.Globalization;
using System.Linq;
using VaeGen.Data;
using VaeGen.Tool.Training;

namespace VaeGen.Tool.Rendering;

/// <summary>
/// The loss curves of a training run as a PNG: the training loss along the steps and the test
/// negative ELBO after each epoch on the left, the KL term on the right. Drawn by hand on a
/// <see cref="Canvas"/> because the tool carries no plotting library.
/// </summary>
internal static class LossPlot
{
    private const int PanelWidth = 460;
    private const int PanelHeight = 340;
    private const int MarginLeft = 62;
    private const int MarginRight = 16;
    private const int MarginTop = 46;
    private const int MarginBottom = 40;

    private static readonly Rgb Axis = new(60, 60, 60);
    private static readonly Rgb GridLine = new(225, 225, 225);
    private static readonly Rgb TrainColor = new(31, 119, 180);
    private static readonly Rgb TestColor = new(255, 127, 14);

    public static ByteImage Render(string title, IReadOnlyList<EpochResult> history)
    {
        var canvas = new Canvas(2 * PanelWidth, PanelHeight + 30, Rgb.White);
        canvas.Text(12, 10, title, Rgb.Black, 2);

        var trainLoss = new List<(double X, double Y)>();
        foreach (EpochResult epoch in history)
        {
            for (int j = 0; j < epoch.Curve.Length; j++)
            {
                trainLoss.Add((epoch.Epoch - 1 + ((j + 0.5) / epoch.Curve.Length), epoch.Curve[j]));
            }
        }

        var testLoss = history.Select(e => ((double)e.Epoch, e.TestNegElbo)).ToList();
        double epochs = history.Count == 0 ? 1 : history[^1].Epoch;

        // The first steps of training sit far above the rest; leaving them out of the y range keeps the curve readable.
        int skip = history.Count > 0 ? Math.Min(trainLoss.Count - 1, history[0].Curve.Length / 10) : 0;
        Panel(canvas, 0, "LOSS = RECON + BETA KL", epochs,
            [new Series("TRAIN (STEPS)", TrainColor, trainLoss, false), new Series("TEST -ELBO", TestColor, testLoss, true)],
            trainLoss.Skip(Math.Max(0, skip)).Select(p => p.Y).Concat(testLoss.Select(p => p.Item2)));

        var trainKl = history.Select(e => ((double)e.Epoch, e.TrainKl)).ToList();
        var testKl = history.Select(e => ((double)e.Epoch, e.TestKl)).ToList();
        Panel(canvas, PanelWidth, "KL", epochs,
            [new Series("TRAIN (EPOCH MEAN)", TrainColor, trainKl, true), new Series("TEST", TestColor, testKl, true)],
            trainKl.Concat(testKl).Select(p => p.Item2));
        return canvas.Image;
    }

    private static void Panel(Canvas canvas, int left, string title, double epochs, Series[] series, IEnumerable<double> rangeValues)
    {
        int top = 30;
        int plotLeft = left + MarginLeft, plotTop = top + MarginTop;
        int plotWidth = PanelWidth - MarginLeft - MarginRight, plotHeight = PanelHeight - MarginTop - MarginBottom;
        canvas.Text(plotLeft, top + 8, title, Rgb.Black, 1);

        double[] values = rangeValues.Where(double.IsFinite).ToArray();
        double low = values.Length > 0 ? values.Min() : 0, high = values.Length > 0 ? values.Max() : 1;
        if (high - low < 1e-9 * Math.Max(1, Math.Abs(high)))
        {
            low -= 1;
            high += 1;
        }

        double pad = 0.06 * (high - low);
        double step = NiceStep((high - low + (2 * pad)) / 5);
        low = Math.Floor((low - pad) / step) * step;
        high = Math.Ceiling((high + pad) / step) * step;

        double X(double x) => plotLeft + (x / epochs * plotWidth);
        double Y(double y) => plotTop + plotHeight - ((Math.Clamp(y, low, high) - low) / (high - low) * plotHeight);

        for (double tick = low; tick <= high + (step / 2); tick += step)
        {
            int y = (int)Math.Round(Y(tick));
            canvas.Line(plotLeft, y, plotLeft + plotWidth, y, GridLine);
            string label = FormatTick(tick, step);
            canvas.Text(plotLeft - 6 - PixelFont.TextWidth(label, 1), y - 3, label, Axis);
        }

        int labelEvery = (int)Math.Ceiling(epochs / 10);
        for (int epoch = 0; epoch <= epochs; epoch += labelEvery)
        {
            int x = (int)Math.Round(X(epoch));
            canvas.Line(x, plotTop + plotHeight, x, plotTop + plotHeight + 4, Axis);
            string label = epoch.ToString(CultureInfo.InvariantCulture);
            canvas.Text(x - (PixelFont.TextWidth(label, 1) / 2), plotTop + plotHeight + 8, label, Axis);
        }

        canvas.Text(plotLeft + (plotWidth / 2) - (PixelFont.TextWidth("EPOCH", 1) / 2), plotTop + plotHeight + 22, "EPOCH", Axis);
        canvas.Line(plotLeft, plotTop, plotLeft, plotTop + plotHeight, Axis);
        canvas.Line(plotLeft, plotTop + plotHeight, plotLeft + plotWidth, plotTop + plotHeight, Axis);

        int legendY = top + 24;
        int legendX = plotLeft;
        foreach (Series s in series)
        {
            for (int i = 1; i < s.Points.Count; i++)
            {
                canvas.Line(X(s.Points[i - 1].X), Y(s.Points[i - 1].Y), X(s.Points[i].X), Y(s.Points[i].Y), s.Color, 2);
            }

            if (s.Markers)
            {
                foreach (var (x, y) in s.Points)
                {
                    canvas.FillRectangle((int)Math.Round(X(x)) - 3, (int)Math.Round(Y(y)) - 3, 7, 7, s.Color);
                }
            }

            canvas.FillRectangle(legendX, legendY + 1, 14, 5, s.Color);
            canvas.Text(legendX + 18, legendY, s.Name, Axis);
            legendX += 18 + PixelFont.TextWidth(s.Name, 1) + 20;
        }
    }

    /// <summary>1, 2 or 5 times a power of ten, the nearest at or above <paramref name="rough"/>.</summary>
    private static double NiceStep(double rough)
    {
        double power = Math.Pow(10, Math.Floor(Math.Log10(rough)));
        double fraction = rough / power;
        return (fraction <= 1 ? 1 : fraction <= 2 ? 2 : fraction <= 5 ? 5 : 10) * power;
    }

    private static string FormatTick(double value, double step)
    {
        int decimals = Math.Max(0, -(int)Math.Floor(Math.Log10(step)));
        return Math.Round(value, decimals).ToString("F" + decimals.ToString(CultureInfo.InvariantCulture), CultureInfo.InvariantCulture);
    }

    private sealed record Series(string Name, Rgb Color, IReadOnlyList<(double X, double Y)> Points, bool Markers);
}
