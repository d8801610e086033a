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
    public static void Copy(float* src, int srcStride, float* dst, int dstStride, int rows, int width) =>
        Move(src, srcStride, dst, dstStride, rows, width, default(Same));

    /// <summary>dst row r = src row r + <paramref name="value"/> (col2im's bias).</summary>
    public static void Add(float* src, int srcStride, float* dst, int dstStride, int rows, int width, float value) =>
        Move(src, srcStride, dst, dstStride, rows, width, new Plus(value));

    /// <summary>
    /// dst row r = op(src row r): 16-float vectors with AVX-512, else 8-float ones, the last overlapping; rows of 4 to 7
    /// floats as two overlapping 4-float vectors, narrower ones element by element. An element loop for 8 to 15 floats
    /// (a call per row would be worse) made im2col of a 14x14 map, the input of a 7x7 output, 1.3-1.5x slower.
    /// </summary>
    [MethodImpl(MethodImplOptions.AggressiveInlining)]
    private static void Move<TOp>(float* src, int srcStride, float* dst, int dstStride, int rows, int width, TOp op)
        where TOp : struct, IRowOp
    {
        if (width >= 16 && Vector512.IsHardwareAccelerated)
        {
            for (int r = 0; r < rows; r++, src += srcStride, dst += dstStride)
            {
                int i = 0;
                for (; i <= width - 16; i += 16)
                {
                    op.Apply(Vector512.Load(src + i)).Store(dst + i);
                }

                if (i < width)
                {
                    op.Apply(Vector512.Load(src + width - 16)).Store(dst + width - 16);
                }
            }
        }
        else if (width >= 8)
        {
            for (int r = 0; r < rows; r++, src += srcStride, dst += dstStride)
            {
                int i = 0;
                for (; i <= width - 8; i += 8)
                {
                    op.Apply(Vector256.Load(src + i)).Store(dst + i);
                }

                if (i < width)
                {
                    op.Apply(Vector256.Load(src + width - 8)).Store(dst + width - 8);
                }
            }
        }
        else if (width >= 4)
        {
            for (int r = 0; r < rows; r++, src += srcStride, dst += dstStride)
            {
                Vector128<float> head = op.Apply(Vector128.Load(src));
                Vector128<float> tail = op.Apply(Vector128.Load(src + width - 4));
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
                    dst[i] = op.Apply(src[i]);
                }
            }
        }
    }

    /// <summary>What a row move does to each value, at every width (the same operation, so the same bits).</summary>
    private interface IRowOp
    {
        Vector512<float> Apply(Vector512<float> v);

        Vector256<float> Apply(Vector256<float> v);

        Vector128<float> Apply(Vector128<float> v);

        float Apply(float v);
    }

    /// <summary>The value itself (a copy: -0 stays -0).</summary>
    private readonly struct Same : IRowOp
    {
        public Vector512<float> Apply(Vector512<float> v) => v;

        public Vector256<float> Apply(Vector256<float> v) => v;

        public Vector128<float> Apply(Vector128<float> v) => v;

        public float Apply(float v) => v;
    }

    /// <summary>The value plus a constant.</summary>
    private readonly struct Plus(float value) : IRowOp
    {
        public Vector512<float> Apply(Vector512<float> v) => v + Vector512.Create(value);

        public Vector256<float> Apply(Vector256<float> v) => v + Vector256.Create(value);

        public Vector128<float> Apply(Vector128<float> v) => v + Vector128.Create(value);

        public float Apply(float v) => v + value;
    }
}
