// One source file compiled into two assemblies (linked by VaeGen.Spec.csproj and VaeGen.Runtime.csproj),
// internal in both: the checker (netstandard2.0, with YamlDotNet) and the runtime (net8.0, no
// dependencies) must agree on every output size, yet the runtime must not reference the spec library.
// A third assembly for five pure functions would be one more package to ship; a linked file is the
// same fact in one place with no new dependency. Pure long arithmetic, no spec or runtime types.
namespace VaeGen.Shapes
{
    /// <summary>
    /// PyTorch's output-size formulas, one spatial dimension at a time, in checked 64-bit
    /// arithmetic: an absurd spec overflows into an exception the checker turns into VAE2005,
    /// never into a wrapped-around size. The runtime converts the results to int (checked).
    /// </summary>
    internal static class ShapeFormulas
    {
        /// <summary>dilation * (kernel - 1) + 1: the extent a dilated kernel covers.</summary>
        public static long EffectiveKernel(long kernel, long dilation) => checked((dilation * (kernel - 1)) + 1);

        /// <summary>Conv2d: floor((in + 2p - d(k-1) - 1) / s) + 1.</summary>
        public static long Convolution(long input, long kernel, long stride, long padding, long dilation) =>
            checked(FloorDiv(input + (2 * padding) - EffectiveKernel(kernel, dilation), stride) + 1);

        /// <summary>
        /// TensorFlow's "same" padding (spec 1.1): out = ceil(in / s), total = max((out - 1)s + d(k-1) + 1 - in, 0),
        /// before = floor(total / 2), after = total - before (the extra pixel goes after, as TensorFlow does).
        /// </summary>
        public static (long Before, long After) SamePadding(long input, long kernel, long stride, long dilation)
        {
            long output = checked((input + stride - 1) / stride);
            long total = System.Math.Max(checked(((output - 1) * stride) + EffectiveKernel(kernel, dilation) - input), 0);
            return (total / 2, total - (total / 2));
        }

        /// <summary>ConvTranspose2d: (in - 1)s - 2p + d(k-1) + output_padding + 1.</summary>
        public static long TransposedConvolution(long input, long kernel, long stride, long padding, long outputPadding, long dilation) =>
            checked(((input - 1) * stride) - (2 * padding) + (dilation * (kernel - 1)) + outputPadding + 1);

        /// <summary>
        /// MaxPool2d/AvgPool2d (aten pooling_output_shape): div_rtn(in + 2p - d(k-1) - 1 + (ceil ? s-1 : 0), s) + 1,
        /// then one less when ceil_mode lets the last window start inside the right padding.
        /// </summary>
        public static long Pooling(long input, long kernel, long stride, long padding, bool ceilMode, long dilation = 1)
        {
            checked
            {
                long output = FloorDiv(input + (2 * padding) - (dilation * (kernel - 1)) - 1 + (ceilMode ? stride - 1 : 0), stride) + 1;
                if (ceilMode && (output - 1) * stride >= input + padding)
                {
                    output--;
                }

                return output;
            }
        }

        /// <summary>Floor division (rounds toward negative infinity, as aten's div_rtn).</summary>
        public static long FloorDiv(long numerator, long denominator)
        {
            long quotient = numerator / denominator;
            long remainder = numerator % denominator;
            return remainder != 0 && ((remainder < 0) != (denominator < 0)) ? quotient - 1 : quotient;
        }
    }
}
