using System;
using VaeGen.Data;

namespace VaeGen.Tool.Rendering;

/// <summary>An RGB drawing surface over a <see cref="ByteImage"/>: just what a line chart needs.</summary>
internal sealed class Canvas
{
    public Canvas(int width, int height, Rgb background)
    {
        Image = new ByteImage(width, height, 3);
        FillRectangle(0, 0, width, height, background);
    }

    public ByteImage Image { get; }

    public int Width => Image.Width;

    public int Height => Image.Height;

    public void SetPixel(int x, int y, Rgb color)
    {
        if ((uint)x >= (uint)Width || (uint)y >= (uint)Height)
        {
            return;
        }

        int at = ((y * Width) + x) * 3;
        Image.Pixels[at] = color.R;
        Image.Pixels[at + 1] = color.G;
        Image.Pixels[at + 2] = color.B;
    }

    public void FillRectangle(int left, int top, int width, int height, Rgb color)
    {
        for (int y = top; y < top + height; y++)
        {
            for (int x = left; x < left + width; x++)
            {
                SetPixel(x, y, color);
            }
        }
    }

    /// <summary>A line of the given thickness (Bresenham, each point drawn as a small square).</summary>
    public void Line(double x0, double y0, double x1, double y1, Rgb color, int thickness = 1)
    {
        int ax = (int)Math.Round(x0), ay = (int)Math.Round(y0), bx = (int)Math.Round(x1), by = (int)Math.Round(y1);
        int dx = Math.Abs(bx - ax), dy = -Math.Abs(by - ay);
        int sx = ax < bx ? 1 : -1, sy = ay < by ? 1 : -1;
        int error = dx + dy;
        int offset = (thickness - 1) / 2;
        while (true)
        {
            FillRectangle(ax - offset, ay - offset, thickness, thickness, color);
            if (ax == bx && ay == by)
            {
                return;
            }

            int twice = 2 * error;
            if (twice >= dy)
            {
                error += dy;
                ax += sx;
            }

            if (twice <= dx)
            {
                error += dx;
                ay += sy;
            }
        }
    }

    /// <summary>Draws text with its top-left corner at (x, y) in <see cref="PixelFont"/>.</summary>
    public void Text(int x, int y, string text, Rgb color, int scale = 1)
    {
        foreach (char c in text)
        {
            byte[] rows = PixelFont.Glyph(c);
            for (int row = 0; row < PixelFont.Height; row++)
            {
                for (int column = 0; column < PixelFont.Width; column++)
                {
                    if ((rows[row] & (1 << (PixelFont.Width - 1 - column))) != 0)
                    {
                        FillRectangle(x + (column * scale), y + (row * scale), scale, scale, color);
                    }
                }
            }

            x += (PixelFont.Width + 1) * scale;
        }
    }
}

/// <summary>An 8-bit RGB colour.</summary>
internal readonly record struct Rgb(byte R, byte G, byte B)
{
    public static readonly Rgb White = new(255, 255, 255);
    public static readonly Rgb Black = new(0, 0, 0);
}
