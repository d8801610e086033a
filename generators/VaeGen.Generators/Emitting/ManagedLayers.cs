using System;
using VaeGen.Spec.Model;
using VaeGen.Spec.Shapes;
using static VaeGen.Generators.Emitting.ManagedNames;

namespace VaeGen.Generators.Emitting
{
    /// <summary>
    /// One VaeGen.Runtime constructor call per layer, with PyTorch's argument names and defaults
    /// spelled out, so the generated code reads like the nn.Sequential it mirrors. Layers with
    /// parameters draw PyTorch's default initialisation from <c>rng</c>, in registration order.
    /// </summary>
    internal static class ManagedLayers
    {
        public static string Constructor(LayerPlan row) => row.Layer switch
        {
            Conv2dSpec c => "new " + Layers + ".Conv2d(" + L(row.InFeatures) + ", " + L(c.Out) + ", kernelSize: " + Pair(c.Kernel) + ", stride: " + Pair(c.Stride) +
                            ", padding: " + Pair(c.Padding) + ", dilation: " + Pair(c.Dilation) + ", bias: " + Bool(c.Bias) + ", rng: rng)",
            ConvTranspose2dSpec t => "new " + Layers + ".ConvTranspose2d(" + L(row.InFeatures) + ", " + L(t.Out) + ", kernelSize: " + Pair(t.Kernel) + ", stride: " + Pair(t.Stride) +
                                     ", padding: " + Pair(t.Padding) + ", outputPadding: " + Pair(t.OutputPadding) + ", dilation: " + Pair(t.Dilation) + ", bias: " + Bool(t.Bias) + ", rng: rng)",
            Pool2dSpec { Kind: PoolKind.Max } p => "new " + Layers + ".MaxPool2d(kernelSize: " + Pair(p.Kernel) + ", stride: " + Pair(p.Stride) + ", padding: " + Pair(p.Padding) + ", ceilMode: " + Bool(p.CeilMode) + ")",
            Pool2dSpec p => "new " + Layers + ".AvgPool2d(kernelSize: " + Pair(p.Kernel) + ", stride: " + Pair(p.Stride) + ", padding: " + Pair(p.Padding) + ", ceilMode: " + Bool(p.CeilMode) + ")",
            UpsampleSpec u => "new " + Layers + ".Upsample(" + Literals.Double(u.Scale.Height) + ", " + Literals.Double(u.Scale.Width) + ", " + Layers + ".UpsampleMode." +
                              (u.Mode == UpsampleMode.Nearest ? "Nearest)" : "Bilinear)"),
            LinearSpec l => "new " + Linear + "(" + L(row.InFeatures) + ", " + L(l.Out) + ", bias: " + Bool(l.Bias) + ", rng: rng)",
            BatchNormSpec => "new " + Layers + (row.Input.IsImage ? ".BatchNorm2d(" : ".BatchNorm1d(") + L(row.InFeatures) + ")",

            // Its own stream, so how many numbers dropout draws never shifts eps.
            DropoutSpec d => "new " + Layers + ".Dropout(" + Literals.Double(d.P) + ", rng.Fork())",
            FlattenSpec => "new " + Layers + ".Flatten()",
            UnflattenSpec u => "new " + Layers + ".Unflatten(1, " + string.Join(", ", System.Linq.Enumerable.Select(u.Shape, L)) + ")",
            ActivationSpec a => "new " + Activations + a.Kind switch
            {
                ActivationKind.Relu => ".ReLU()",
                ActivationKind.Sigmoid => ".Sigmoid()",
                ActivationKind.Tanh => ".Tanh()",
                ActivationKind.Gelu => ".GELU()",
                ActivationKind.Silu => ".SiLU()",
                ActivationKind.Elu => ".ELU()",
                ActivationKind.LeakyRelu => ".LeakyReLU(" + Literals.Float(a.Slope) + ")",
                _ => throw new InvalidOperationException("Unhandled activation " + a.Kind),
            },
            _ => throw new InvalidOperationException("Unhandled layer " + row.Layer.GetType().Name),
        };

        private static string L(long value) => Literals.Long(value);

        private static string Pair(Size2 size) => "(" + L(size.Height) + ", " + L(size.Width) + ")";

        private static string Bool(bool value) => value ? "true" : "false";
    }
}
