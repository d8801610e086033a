using System.Runtime.CompilerServices;
using System.Runtime.Intrinsics;

namespace VaeGen.Runtime.Kernels;

/// <summary>
/// Rows of a map moved between a padded plane and an image (im2col's and col2im's planes, the direct and tile paths'
/// padded inputs): whole vectors, a row's last one overlapping the one before it, so every width takes vector stores.
/// Source and destination never overlap, so an element written twice gets the same value. A call per row
/// (Buffer.MemoryCopy, Span.CopyTo, a TensorPrimitives addition) cost more than the 32 or 64 floats it moved.
/// </summary>
internal static unsafe class PlaneRows
{
    /// <summary>dst row r = src row r, for <paramref name="rows"/> rows of <paramref name="width"/> floats.</summary>
    [MethodImpl(MethodImplOptions.AggressiveInlining)]
    public static void Copy(float* src, int srcStride, float* dst, int dstStride, int rows, int width)
    {
        if (width >= 16 && Vector512.IsHardwareAccelerated)
        {
            for (int r = 0; r < rows; r++, src += srcStride, dst += dstStride)
            {
                int i = 0;
                for (; i <= width - 16; i += 16)
                {
                    Vector512.Load(src + i).Store(dst + i);
                }

                if (i < width)
                {
                    Vector512.Load(src + width - 16).Store(dst + width - 16);
                }
            }
        }
        else if (width >= 8)
        {
            // An element loop here (and a call per row would be worse) made im2col of a 14x14 map, the input of a 7x7
            // output, 1.3-1.5x slower.
            for (int r = 0; r < rows; r++, src += srcStride, dst += dstStride)
            {
                int i = 0;
                for (; i <= width - 8; i += 8)
                {
                    Vector256.Load(src + i).Store(dst + i);
                }

                if (i < width)
                {
                    Vector256.Load(src + width - 8).Store(dst + width - 8);
                }
            }
        }
        else if (width >= 4)
        {
            for (int r = 0; r < rows; r++, src += srcStride, dst += dstStride)
            {
                Vector128<float> head = Vector128.Load(src);
                Vector128<float> tail = Vector128.Load(src + width - 4);
                head.Store(dst);
                tail.Store(dst + width - 4);
            }
        }
        else
        {
            for (int r = 0; r < rows; r++, src += srcStride, dst += dstStride)
            {
                for (int i = 0; i < width; i++)
                {
                    dst[i] = src[i];
                }
            }
        }
    }

    /// <summary>dst row r = src row r + <paramref name="value"/> (col2im's bias).</summary>
    public static void Add(float* src, int srcStride, float* dst, int dstStride, int rows, int width, float value)
    {
        if (width >= 16 && Vector512.IsHardwareAccelerated)
        {
            Vector512<float> v = Vector512.Create(value);
            for (int r = 0; r < rows; r++, src += srcStride, dst += dstStride)
            {
                int i = 0;
                for (; i <= width - 16; i += 16)
                {
                    (Vector512.Load(src + i) + v).Store(dst + i);
                }

                if (i < width)
                {
                    (Vector512.Load(src + width - 16) + v).Store(dst + width - 16);
                }
            }
        }
        else if (width >= 8)
        {
            Vector256<float> v = Vector256.Create(value);
            for (int r = 0; r < rows; r++, src += srcStride, dst += dstStride)
            {
                int i = 0;
                for (; i <= width - 8; i += 8)
                {
                    (Vector256.Load(src + i) + v).Store(dst + i);
                }

                if (i < width)
                {
                    (Vector256.Load(src + width - 8) + v).Store(dst + width - 8);
                }
            }
        }
        else
        {
            for (int r = 0; r < rows; r++, src += srcStride, dst += dstStride)
            {
                for (int i = 0; i < width; i++)
                {
                    dst[i] = src[i] + value;
                }
            }
        }
    }
}
