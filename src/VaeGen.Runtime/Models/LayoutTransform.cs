using VaeGen.Runtime.Tensors;

namespace VaeGen.Runtime.Models;

/// <summary>Moves batches between the declared layout and the channels-first layout the layers use.</summary>
internal static class LayoutTransform
{
    /// <summary>destination (B, C, H, W) = source (declared layout) / scale; always a copy, so the caller may reuse its batch.</summary>
    public static void ToChannelsFirst(Tensor source, Tensor destination, VaeConfig config) =>
        Copy(source, destination, config, toChannelsFirst: true, divisor: (float)config.Scale);

    /// <summary>destination (declared layout) = source (B, C, H, W), values unchanged.</summary>
    public static void FromChannelsFirst(Tensor source, Tensor destination, VaeConfig config) =>
        Copy(source, destination, config, toChannelsFirst: false, divisor: 1f);

    // Divided, not multiplied by 1/scale, so the values are bit-identical to PyTorch's x / scale;
    // a divisor of 1 leaves every value exactly as it is.
    private static void Copy(Tensor source, Tensor destination, VaeConfig config, bool toChannelsFirst, float divisor)
    {
        float[] src = source.Data;
        float[] dst = destination.Data;
        int c = config.Channels;
        if (config.Layout == InputLayout.Nchw || c == 1)
        {
            // With one channel NHWC and NCHW are the same bytes.
            System.Numerics.Tensors.TensorPrimitives.Divide(src, divisor, dst);
            return;
        }

        // Element (pixel p, channel ch) of a sample is at p * c + ch channels-last and ch * plane + p
        // channels-first; the direction only swaps which side reads and which writes.
        int plane = config.Height * config.Width;
        (int readPixel, int readChannel, int writePixel, int writeChannel) = toChannelsFirst ? (c, 1, 1, plane) : (1, plane, c, 1);
        int sample = plane * c;
        int batch = source.Dim(0);
        for (int b = 0; b < batch; b++)
        {
            int offset = b * sample;
            for (int p = 0; p < plane; p++)
            {
                for (int ch = 0; ch < c; ch++)
                {
                    dst[offset + (p * writePixel) + (ch * writeChannel)] = src[offset + (p * readPixel) + (ch * readChannel)] / divisor;
                }
            }
        }
    }
}
