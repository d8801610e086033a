using VaeGen.Runtime.Tensors;

namespace VaeGen.Runtime.Models;

/// <summary>Moves batches between the declared layout and the channels-first layout the layers use.</summary>
internal static class LayoutTransform
{
    /// <summary>destination (B, C, H, W) = source (declared layout) / scale; always a copy, so the caller may reuse its batch.</summary>
    public static void ToChannelsFirst(Tensor source, Tensor destination, VaeConfig config)
    {
        // Divided, not multiplied by 1/scale, so the values are bit-identical to PyTorch's x / scale.
        float scale = (float)config.Scale;
        float[] src = source.Data;
        float[] dst = destination.Data;
        int c = config.Channels;
        if (config.Layout == InputLayout.Nchw || c == 1)
        {
            // With one channel NHWC and NCHW are the same bytes.
            System.Numerics.Tensors.TensorPrimitives.Divide(src, scale, dst);
            return;
        }

        int plane = config.Height * config.Width;
        int sample = plane * c;
        int batch = source.Dim(0);
        for (int b = 0; b < batch; b++)
        {
            int offset = b * sample;
            for (int p = 0; p < plane; p++)
            {
                int from = offset + (p * c);
                for (int ch = 0; ch < c; ch++)
                {
                    dst[offset + (ch * plane) + p] = src[from + ch] / scale;
                }
            }
        }
    }

    /// <summary>destination (declared layout) = source (B, C, H, W), values unchanged.</summary>
    public static void FromChannelsFirst(Tensor source, Tensor destination, VaeConfig config)
    {
        float[] src = source.Data;
        float[] dst = destination.Data;
        int c = config.Channels;
        if (config.Layout == InputLayout.Nchw || c == 1)
        {
            System.Array.Copy(src, dst, src.Length);
            return;
        }

        int plane = config.Height * config.Width;
        int sample = plane * c;
        int batch = source.Dim(0);
        for (int b = 0; b < batch; b++)
        {
            int offset = b * sample;
            for (int p = 0; p < plane; p++)
            {
                int to = offset + (p * c);
                for (int ch = 0; ch < c; ch++)
                {
                    dst[to + ch] = src[offset + (ch * plane) + p];
                }
            }
        }
    }
}
