using System;
using VaeGen.Spec.Model;
using VaeGen.Spec.Shapes;
using static VaeGen.Generators.Emitting.TorchSharpNames;

namespace VaeGen.Generators.Emitting
{
    /// <summary>
    /// One TorchSharp factory call per layer. Arguments after the sizes are named: TorchSharp's
    /// parameter order differs from PyTorch's (padding_mode comes before groups and bias). Sizes are
    /// always tuples, which TorchSharp needs when height and width differ, and which keeps a literal
    /// 0 from binding to the Padding enum overload.
    /// </summary>
    internal static class TorchSharpLayers
    {
        public static string Factory(LayerPlan row) => row.Layer switch
        {
            Conv2dSpec c => Nn + ".Conv2d(" + L(row.InFeatures) + ", " + L(c.Out) + ", kernel_size: " + Pair(c.Kernel) + ", stride: " + Pair(c.Stride) +
                            ", padding: " + Pair(c.Padding) + ", dilation: " + Pair(c.Dilation) + ", bias: " + Bool(c.Bias) + ")",
            ConvTranspose2dSpec t => Nn + ".ConvTranspose2d(" + L(row.InFeatures) + ", " + L(t.Out) + ", kernel_size: " + Pair(t.Kernel) + ", stride: " + Pair(t.Stride) +
                                     ", padding: " + Pair(t.Padding) + ", output_padding: " + Pair(t.OutputPadding) + ", dilation: " + Pair(t.Dilation) + ", bias: " + Bool(t.Bias) + ")",
            Pool2dSpec { Kind: PoolKind.Max } p => Nn + ".MaxPool2d(kernel_size: " + Pair(p.Kernel) + ", stride: " + Pair(p.Stride) + ", padding: " + Pair(p.Padding) + ", ceil_mode: " + Bool(p.CeilMode) + ")",
            Pool2dSpec p => Nn + ".AvgPool2d(kernel_size: " + Pair(p.Kernel) + ", stride: " + Pair(p.Stride) + ", padding: " + Pair(p.Padding) + ", ceil_mode: " + Bool(p.CeilMode) + ")",
            UpsampleSpec u => Nn + ".Upsample(scale_factor: new double[] { " + L(u.Scale.Height) + ", " + L(u.Scale.Width) + " }, mode: " + Torch + ".UpsampleMode." +
                              (u.Mode == UpsampleMode.Nearest ? "Nearest)" : "Bilinear, align_corners: false)"),
            LinearSpec l => Nn + ".Linear(" + L(row.InFeatures) + ", " + L(l.Out) + ", hasBias: " + Bool(l.Bias) + ")",
            BatchNormSpec => Nn + (row.Input.IsImage ? ".BatchNorm2d(" : ".BatchNorm1d(") + L(row.InFeatures) + ")",
            DropoutSpec d => Nn + ".Dropout(p: " + Literals.Double(d.P) + ")",
            FlattenSpec => Nn + ".Flatten()",
            UnflattenSpec u => Nn + ".Unflatten(1, " + Literals.LongArray(u.Shape) + ")",
            ZeroPad2dSpec z => Nn + ".ZeroPad2d((" + L(z.Left) + ", " + L(z.Right) + ", " + L(z.Top) + ", " + L(z.Bottom) + "))",
            ActivationSpec a => a.Kind switch
            {
                ActivationKind.Relu => Nn + ".ReLU()",
                ActivationKind.Sigmoid => Nn + ".Sigmoid()",
                ActivationKind.Tanh => Nn + ".Tanh()",
                ActivationKind.Gelu => Nn + ".GELU()",
                ActivationKind.Silu => Nn + ".SiLU()",
                ActivationKind.Elu => Nn + ".ELU()",
                ActivationKind.LeakyRelu => Nn + ".LeakyReLU(negative_slope: " + Literals.Double(a.Slope) + ")",
                _ => throw new InvalidOperationException("Unhandled activation " + a.Kind),
            },
            _ => throw new InvalidOperationException("Unhandled layer " + row.Layer.GetType().Name),
        };

        private static string L(long value) => Literals.Long(value);

        private static string Pair(Size2 size) => "(" + L(size.Height) + ", " + L(size.Width) + ")";

        private static string Bool(bool value) => value ? "true" : "false";
    }
}
