using System;

namespace VaeGen.Runtime.Layers;

/// <summary>
/// <c>torch.nn.ZeroPad2d((left, right, top, bottom))</c> on (B, C, H, W): the input framed in zeros,
/// giving (B, C, H + top + bottom, W + left + right). Backward hands each input element the gradient
/// of the output element it was copied to; the frame's gradient goes nowhere.
/// </summary>
public sealed class ZeroPad2d : PlaneLayer
{
    /// <summary>Creates the layer with the padding of each side, in PyTorch's order.</summary>
    /// <param name="left">Columns of zeros before each row.</param>
    /// <param name="right">Columns of zeros after each row.</param>
    /// <param name="top">Rows of zeros above each plane.</param>
    /// <param name="bottom">Rows of zeros below each plane.</param>
    public ZeroPad2d(int left, int right, int top, int bottom)
    {
        if (left < 0 || right < 0 || top < 0 || bottom < 0)
        {
            throw new ArgumentOutOfRangeException(nameof(left), $"ZeroPad2d needs paddings >= 0, got ({left}, {right}, {top}, {bottom}).");
        }

        Left = left;
        Right = right;
        Top = top;
        Bottom = bottom;
    }

    /// <summary>Columns added on the left.</summary>
    public int Left { get; }

    /// <summary>Columns added on the right.</summary>
    public int Right { get; }

    /// <summary>Rows added on top.</summary>
    public int Top { get; }

    /// <summary>Rows added at the bottom.</summary>
    public int Bottom { get; }

    /// <inheritdoc />
    public override Size2d OutputSize(int inH, int inW) => new(checked(inH + Top + Bottom), checked(inW + Left + Right));

    /// <inheritdoc />
    protected override bool ProcessesPlaneRanges => true;

    /// <inheritdoc />
    protected override void ForwardPlanes(float[] x, float[] y, PlaneShape planes)
    {
        // The frame is written too: the base reuses the output buffer and asks for every element.
        y.AsSpan(planes.First * planes.OutArea, planes.Count * planes.OutArea).Clear();
        for (int p = planes.First; p < planes.End; p++)
        {
            for (int h = 0; h < planes.InH; h++)
            {
                Array.Copy(x, (p * planes.InArea) + (h * planes.InW), y, (p * planes.OutArea) + ((h + Top) * planes.OutW) + Left, planes.InW);
            }
        }
    }

    /// <inheritdoc />
    protected override void BackwardPlanes(float[] gy, float[] gx, PlaneShape planes)
    {
        for (int p = planes.First; p < planes.End; p++)
        {
            for (int h = 0; h < planes.InH; h++)
            {
                Array.Copy(gy, (p * planes.OutArea) + ((h + Top) * planes.OutW) + Left, gx, (p * planes.InArea) + (h * planes.InW), planes.InW);
            }
        }
    }
}
