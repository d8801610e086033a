// Compile-only mirror of TorchSharp 0.106.0: the layer classes (namespace TorchSharp.Modules) and
// their factories (static methods of torch.nn). Each class derives as in TorchSharp; the abstract
// intermediate bases (Convolution, ConvolutionTranspose, NormBase, BatchNorm) get constructors that
// only this assembly can call, since TorchSharp's own take internal plumbing.
using System;
using static TorchSharp.torch;

namespace TorchSharp
{
    using Modules;

    namespace Modules
    {
        // TorchSharp v0.106.0: src/TorchSharp/NN/Sequential.cs (class Sequential)
        public class Sequential : torch.nn.Module<Tensor, Tensor>
        {
            internal Sequential() : base(nameof(Sequential)) => throw new System.NotSupportedException("compile-only TorchSharp surface");

            // TorchSharp v0.106.0: src/TorchSharp/NN/Sequential.cs (Sequential.forward)
            public override Tensor forward(Tensor tensor) => throw new System.NotSupportedException("compile-only TorchSharp surface");
        }

        // TorchSharp v0.106.0: src/TorchSharp/NN/Convolution/Convolution.cs:31
        public abstract class Convolution : torch.nn.Module<Tensor, Tensor>
        {
            private protected Convolution(string name) : base(name) => throw new System.NotSupportedException("compile-only TorchSharp surface");
        }

        // TorchSharp v0.106.0: src/TorchSharp/NN/Convolution/ConvolutionTranspose.cs:16
        public abstract class ConvolutionTranspose : Convolution
        {
            private protected ConvolutionTranspose(string name) : base(name) => throw new System.NotSupportedException("compile-only TorchSharp surface");

            // TorchSharp v0.106.0: src/TorchSharp/NN/Convolution/ConvolutionTranspose.cs:21
            public override Tensor forward(Tensor input) => throw new System.NotSupportedException("compile-only TorchSharp surface");

            // TorchSharp v0.106.0: src/TorchSharp/NN/Convolution/ConvolutionTranspose.cs:25
            public abstract Tensor forward(Tensor input, long[]? output_size);
        }

        // TorchSharp v0.106.0: src/TorchSharp/NN/Convolution/Conv2D.cs:13
        public sealed class Conv2d : Convolution
        {
            internal Conv2d() : base(nameof(Conv2d)) => throw new System.NotSupportedException("compile-only TorchSharp surface");

            // TorchSharp v0.106.0: src/TorchSharp/NN/Convolution/Conv2D.cs:18
            public override Tensor forward(Tensor input) => throw new System.NotSupportedException("compile-only TorchSharp surface");
        }

        // TorchSharp v0.106.0: src/TorchSharp/NN/Convolution/ConvTranspose2D.cs:13
        public sealed class ConvTranspose2d : ConvolutionTranspose
        {
            internal ConvTranspose2d() : base(nameof(ConvTranspose2d)) => throw new System.NotSupportedException("compile-only TorchSharp surface");

            // TorchSharp v0.106.0: src/TorchSharp/NN/Convolution/ConvTranspose2D.cs:18
            public override Tensor forward(Tensor input, long[]? output_size) => throw new System.NotSupportedException("compile-only TorchSharp surface");
        }

        // TorchSharp v0.106.0: src/TorchSharp/NN/Pooling/MaxPool2D.cs:16
        public sealed class MaxPool2d : ParameterLessModule<Tensor, Tensor>
        {
            internal MaxPool2d() : base(nameof(MaxPool2d)) => throw new System.NotSupportedException("compile-only TorchSharp surface");

            // TorchSharp v0.106.0: src/TorchSharp/NN/Pooling/MaxPool2D.cs:27
            public override Tensor forward(Tensor input) => throw new System.NotSupportedException("compile-only TorchSharp surface");
        }

        // TorchSharp v0.106.0: src/TorchSharp/NN/Pooling/AvgPool2D.cs:16
        public sealed class AvgPool2d : ParameterLessModule<Tensor, Tensor>
        {
            internal AvgPool2d() : base(nameof(AvgPool2d)) => throw new System.NotSupportedException("compile-only TorchSharp surface");

            // TorchSharp v0.106.0: src/TorchSharp/NN/Pooling/AvgPool2D.cs:28
            public override Tensor forward(Tensor input) => throw new System.NotSupportedException("compile-only TorchSharp surface");
        }

        // TorchSharp v0.106.0: src/TorchSharp/NN/Upsample.cs:16
        public sealed class Upsample : ParameterLessModule<Tensor, Tensor>
        {
            internal Upsample() : base(nameof(Upsample)) => throw new System.NotSupportedException("compile-only TorchSharp surface");

            // TorchSharp v0.106.0: src/TorchSharp/NN/Upsample.cs:32
            public override Tensor forward(Tensor input) => throw new System.NotSupportedException("compile-only TorchSharp surface");
        }

        // TorchSharp v0.106.0: src/TorchSharp/NN/Linear.cs:15
        public sealed class Linear : torch.nn.Module<Tensor, Tensor>
        {
            internal Linear() : base(nameof(Linear)) => throw new System.NotSupportedException("compile-only TorchSharp surface");

            // TorchSharp v0.106.0: src/TorchSharp/NN/Linear.cs:48
            public override Tensor forward(Tensor tensor) => throw new System.NotSupportedException("compile-only TorchSharp surface");

            // TorchSharp v0.106.0: src/TorchSharp/NN/Linear.cs:61
            public Parameter? bias
            {
                get => throw new System.NotSupportedException("compile-only TorchSharp surface");
                set => throw new System.NotSupportedException("compile-only TorchSharp surface");
            }

            // TorchSharp v0.106.0: src/TorchSharp/NN/Linear.cs:70
            public Parameter weight
            {
                get => throw new System.NotSupportedException("compile-only TorchSharp surface");
                set => throw new System.NotSupportedException("compile-only TorchSharp surface");
            }
        }

        // TorchSharp v0.106.0: src/TorchSharp/NN/Normalization/NormBase.cs:16
        public abstract class NormBase : torch.nn.Module<Tensor, Tensor>
        {
            private protected NormBase(string name) : base(name) => throw new System.NotSupportedException("compile-only TorchSharp surface");
        }

        // TorchSharp v0.106.0: src/TorchSharp/NN/Normalization/BatchNorm.cs:17
        public abstract class BatchNorm : NormBase
        {
            private protected BatchNorm(string name) : base(name) => throw new System.NotSupportedException("compile-only TorchSharp surface");

            // TorchSharp v0.106.0: src/TorchSharp/NN/Normalization/BatchNorm.cs:30
            public override Tensor forward(Tensor input) => throw new System.NotSupportedException("compile-only TorchSharp surface");
        }

        // TorchSharp v0.106.0: src/TorchSharp/NN/Normalization/BatchNorm1D.cs:16
        public sealed class BatchNorm1d : BatchNorm
        {
            internal BatchNorm1d() : base(nameof(BatchNorm1d)) => throw new System.NotSupportedException("compile-only TorchSharp surface");
        }

        // TorchSharp v0.106.0: src/TorchSharp/NN/Normalization/BatchNorm2D.cs:16
        public sealed class BatchNorm2d : BatchNorm
        {
            internal BatchNorm2d() : base(nameof(BatchNorm2d)) => throw new System.NotSupportedException("compile-only TorchSharp surface");
        }

        // TorchSharp v0.106.0: src/TorchSharp/NN/Dropout.cs:15
        public sealed class Dropout : ParameterLessModule<Tensor, Tensor>
        {
            internal Dropout() : base(nameof(Dropout)) => throw new System.NotSupportedException("compile-only TorchSharp surface");

            // TorchSharp v0.106.0: src/TorchSharp/NN/Dropout.cs:28
            public override Tensor forward(Tensor tensor) => throw new System.NotSupportedException("compile-only TorchSharp surface");
        }

        // TorchSharp v0.106.0: src/TorchSharp/NN/Flatten.cs:15
        public sealed class Flatten : ParameterLessModule<Tensor, Tensor>
        {
            internal Flatten() : base(nameof(Flatten)) => throw new System.NotSupportedException("compile-only TorchSharp surface");

            // TorchSharp v0.106.0: src/TorchSharp/NN/Flatten.cs:23
            public override Tensor forward(Tensor input) => throw new System.NotSupportedException("compile-only TorchSharp surface");
        }

        // TorchSharp v0.106.0: src/TorchSharp/NN/Unflatten.cs:15
        public sealed class Unflatten : ParameterLessModule<Tensor, Tensor>
        {
            internal Unflatten() : base(nameof(Unflatten)) => throw new System.NotSupportedException("compile-only TorchSharp surface");

            // TorchSharp v0.106.0: src/TorchSharp/NN/Unflatten.cs:23
            public override Tensor forward(Tensor tensor) => throw new System.NotSupportedException("compile-only TorchSharp surface");
        }

        // TorchSharp v0.106.0: src/TorchSharp/NN/Activation/ReLu.cs:15
        public sealed class ReLU : ParameterLessModule<Tensor, Tensor>
        {
            internal ReLU() : base(nameof(ReLU)) => throw new System.NotSupportedException("compile-only TorchSharp surface");

            // TorchSharp v0.106.0: src/TorchSharp/NN/Activation/ReLu.cs:22
            public override Tensor forward(Tensor tensor) => throw new System.NotSupportedException("compile-only TorchSharp surface");
        }

        // TorchSharp v0.106.0: src/TorchSharp/NN/Activation/Sigmoid.cs:15
        public sealed class Sigmoid : ParameterLessModule<Tensor, Tensor>
        {
            internal Sigmoid() : base(nameof(Sigmoid)) => throw new System.NotSupportedException("compile-only TorchSharp surface");

            // TorchSharp v0.106.0: src/TorchSharp/NN/Activation/Sigmoid.cs:22
            public override Tensor forward(Tensor tensor) => throw new System.NotSupportedException("compile-only TorchSharp surface");
        }

        // TorchSharp v0.106.0: src/TorchSharp/NN/Activation/Tanh.cs:15
        public sealed class Tanh : ParameterLessModule<Tensor, Tensor>
        {
            internal Tanh() : base(nameof(Tanh)) => throw new System.NotSupportedException("compile-only TorchSharp surface");

            // TorchSharp v0.106.0: src/TorchSharp/NN/Activation/Tanh.cs:22
            public override Tensor forward(Tensor tensor) => throw new System.NotSupportedException("compile-only TorchSharp surface");
        }

        // TorchSharp v0.106.0: src/TorchSharp/NN/Activation/GELU.cs:15
        public sealed class GELU : ParameterLessModule<Tensor, Tensor>
        {
            internal GELU() : base(nameof(GELU)) => throw new System.NotSupportedException("compile-only TorchSharp surface");

            // TorchSharp v0.106.0: src/TorchSharp/NN/Activation/GELU.cs:22
            public override Tensor forward(Tensor tensor) => throw new System.NotSupportedException("compile-only TorchSharp surface");
        }

        // TorchSharp v0.106.0: src/TorchSharp/NN/Activation/SiLU.cs:15
        public sealed class SiLU : ParameterLessModule<Tensor, Tensor>
        {
            internal SiLU() : base(nameof(SiLU)) => throw new System.NotSupportedException("compile-only TorchSharp surface");

            // TorchSharp v0.106.0: src/TorchSharp/NN/Activation/SiLU.cs:22
            public override Tensor forward(Tensor tensor) => throw new System.NotSupportedException("compile-only TorchSharp surface");
        }

        // TorchSharp v0.106.0: src/TorchSharp/NN/Activation/ELU.cs:15
        public sealed class ELU : ParameterLessModule<Tensor, Tensor>
        {
            internal ELU() : base(nameof(ELU)) => throw new System.NotSupportedException("compile-only TorchSharp surface");

            // TorchSharp v0.106.0: src/TorchSharp/NN/Activation/ELU.cs:23
            public override Tensor forward(Tensor tensor) => throw new System.NotSupportedException("compile-only TorchSharp surface");
        }

        // TorchSharp v0.106.0: src/TorchSharp/NN/Activation/LeakyReLU.cs:15
        public sealed class LeakyReLU : ParameterLessModule<Tensor, Tensor>
        {
            internal LeakyReLU() : base(nameof(LeakyReLU)) => throw new System.NotSupportedException("compile-only TorchSharp surface");

            // TorchSharp v0.106.0: src/TorchSharp/NN/Activation/LeakyReLU.cs:23
            public override Tensor forward(Tensor tensor) => throw new System.NotSupportedException("compile-only TorchSharp surface");
        }
    }

    public static partial class torch
    {
        public static partial class nn
        {
            // TorchSharp v0.106.0: src/TorchSharp/NN/Sequential.cs (torch.nn.Sequential(); names the entries "0", "1", ...)
            public static Sequential Sequential() => throw new System.NotSupportedException("compile-only TorchSharp surface");

            // TorchSharp v0.106.0: src/TorchSharp/NN/Sequential.cs (torch.nn.Sequential(params (string, Module<Tensor,Tensor>)[]))
            public static Sequential Sequential(params (string name, torch.nn.Module<Tensor, Tensor> submodule)[] modules) => throw new System.NotSupportedException("compile-only TorchSharp surface");

            // TorchSharp v0.106.0: src/TorchSharp/NN/Sequential.cs (torch.nn.Sequential(params Module<Tensor,Tensor>[]))
            public static Sequential Sequential(params torch.nn.Module<Tensor, Tensor>[] modules) => throw new System.NotSupportedException("compile-only TorchSharp surface");

            // TorchSharp v0.106.0: src/TorchSharp/NN/Sequential.cs (torch.nn.Sequential(params Tuple<string, Module<Tensor,Tensor>>[]))
            public static Sequential Sequential(params System.Tuple<string, torch.nn.Module<Tensor, Tensor>>[] modules) => throw new System.NotSupportedException("compile-only TorchSharp surface");

            // TorchSharp v0.106.0: src/TorchSharp/NN/Convolution/Conv2D.cs:55
            public static Conv2d Conv2d(long in_channels, long out_channels, long kernel_size, long stride = 1, long padding = 0, long dilation = 1, PaddingModes padding_mode = PaddingModes.Zeros, long groups = 1, bool bias = true, Device? device = null, ScalarType? dtype = null) => throw new System.NotSupportedException("compile-only TorchSharp surface");

            // TorchSharp v0.106.0: src/TorchSharp/NN/Convolution/Conv2D.cs:75
            public static Conv2d Conv2d(long in_channels, long out_channels, (long, long) kernel_size, (long, long)? stride = null, (long, long)? padding = null, (long, long)? dilation = null, PaddingModes padding_mode = PaddingModes.Zeros, long groups = 1, bool bias = true, Device? device = null, ScalarType? dtype = null) => throw new System.NotSupportedException("compile-only TorchSharp surface");

            // TorchSharp v0.106.0: src/TorchSharp/NN/Convolution/Conv2D.cs:99
            public static Conv2d Conv2d(long in_channels, long out_channels, long kernel_size, Padding padding, long stride = 1, long dilation = 1, PaddingModes padding_mode = PaddingModes.Zeros, long groups = 1, bool bias = true, Device? device = null, ScalarType? dtype = null) => throw new System.NotSupportedException("compile-only TorchSharp surface");

            // TorchSharp v0.106.0: src/TorchSharp/NN/Convolution/Conv2D.cs:119
            public static Conv2d Conv2d(long in_channels, long out_channels, (long, long) kernel_size, Padding padding, (long, long)? stride = null, (long, long)? dilation = null, PaddingModes padding_mode = PaddingModes.Zeros, long groups = 1, bool bias = true, Device? device = null, ScalarType? dtype = null) => throw new System.NotSupportedException("compile-only TorchSharp surface");

            // TorchSharp v0.106.0: src/TorchSharp/NN/Convolution/ConvTranspose2D.cs:49
            public static ConvTranspose2d ConvTranspose2d(long in_channels, long out_channels, long kernel_size, long stride = 1, long padding = 0, long output_padding = 0, long dilation = 1, PaddingModes padding_mode = PaddingModes.Zeros, long groups = 1, bool bias = true, Device? device = null, ScalarType? dtype = null) => throw new System.NotSupportedException("compile-only TorchSharp surface");

            // TorchSharp v0.106.0: src/TorchSharp/NN/Convolution/ConvTranspose2D.cs:72
            public static ConvTranspose2d ConvTranspose2d(long in_channels, long out_channels, (long, long) kernel_size, (long, long)? stride = null, (long, long)? padding = null, (long, long)? output_padding = null, (long, long)? dilation = null, PaddingModes padding_mode = PaddingModes.Zeros, long groups = 1, bool bias = true, Device? device = null, ScalarType? dtype = null) => throw new System.NotSupportedException("compile-only TorchSharp surface");

            // TorchSharp v0.106.0: src/TorchSharp/NN/Pooling/MaxPool2D.cs:58
            public static MaxPool2d MaxPool2d(long kernel_size, long? stride = null, long? padding = null, long? dilation = null, bool ceil_mode = false) => throw new System.NotSupportedException("compile-only TorchSharp surface");

            // TorchSharp v0.106.0: src/TorchSharp/NN/Pooling/MaxPool2D.cs:77
            public static MaxPool2d MaxPool2d((long, long) kernel_size, (long, long)? stride = null, (long, long)? padding = null, (long, long)? dilation = null, bool ceil_mode = false) => throw new System.NotSupportedException("compile-only TorchSharp surface");

            // TorchSharp v0.106.0: src/TorchSharp/NN/Pooling/MaxPool2D.cs:96 (that file is nullable-oblivious: long[] stride = null)
            public static MaxPool2d MaxPool2d(long[] kernel_size, long[]? stride = null, long[]? padding = null, long[]? dilation = null, bool ceil_mode = false) => throw new System.NotSupportedException("compile-only TorchSharp surface");

            // TorchSharp v0.106.0: src/TorchSharp/NN/Pooling/AvgPool2D.cs:55 (nullable-oblivious file)
            public static AvgPool2d AvgPool2d(long[] kernel_size, long[]? stride = null, long[]? padding = null, bool ceil_mode = false, bool count_include_pad = true, long? divisor_override = null) => throw new System.NotSupportedException("compile-only TorchSharp surface");

            // TorchSharp v0.106.0: src/TorchSharp/NN/Pooling/AvgPool2D.cs:69
            public static AvgPool2d AvgPool2d((long, long) kernel_size, (long, long)? stride = null, (long, long)? padding = null, bool ceil_mode = false, bool count_include_pad = true, long? divisor_override = null) => throw new System.NotSupportedException("compile-only TorchSharp surface");

            // TorchSharp v0.106.0: src/TorchSharp/NN/Pooling/AvgPool2D.cs:86
            public static AvgPool2d AvgPool2d(long kernel_size, long? stride = null, long? padding = null, bool ceil_mode = false, bool count_include_pad = true, long? divisor_override = null) => throw new System.NotSupportedException("compile-only TorchSharp surface");

            // TorchSharp v0.106.0: src/TorchSharp/NN/Upsample.cs:72
            public static Upsample Upsample(long[]? size = null, double[]? scale_factor = null, UpsampleMode mode = UpsampleMode.Nearest, bool? align_corners = null, bool? recompute_scale_factor = null) => throw new System.NotSupportedException("compile-only TorchSharp surface");

            // TorchSharp v0.106.0: src/TorchSharp/NN/Linear.cs:138 (names not converted to PyTorch style)
            public static Linear Linear(long inputSize, long outputSize, bool hasBias = true, Device? device = null, ScalarType? dtype = null) => throw new System.NotSupportedException("compile-only TorchSharp surface");

            // TorchSharp v0.106.0: src/TorchSharp/NN/Linear.cs:148
            public static Linear Linear(Parameter weight, Parameter? bias = null) => throw new System.NotSupportedException("compile-only TorchSharp surface");

            // TorchSharp v0.106.0: src/TorchSharp/NN/Normalization/BatchNorm1D.cs:53
            public static BatchNorm1d BatchNorm1d(long num_features, double eps = 1e-05, double momentum = 0.1, bool affine = true, bool track_running_stats = true, Device? device = null, ScalarType? dtype = null) => throw new System.NotSupportedException("compile-only TorchSharp surface");

            // TorchSharp v0.106.0: src/TorchSharp/NN/Normalization/BatchNorm2D.cs:53
            public static BatchNorm2d BatchNorm2d(long num_features, double eps = 1e-05, double momentum = 0.1, bool affine = true, bool track_running_stats = true, Device? device = null, ScalarType? dtype = null) => throw new System.NotSupportedException("compile-only TorchSharp surface");

            // TorchSharp v0.106.0: src/TorchSharp/NN/Dropout.cs:49
            public static Dropout Dropout(double p = 0.5, bool inplace = false) => throw new System.NotSupportedException("compile-only TorchSharp surface");

            // TorchSharp v0.106.0: src/TorchSharp/NN/Flatten.cs:43
            public static Flatten Flatten(long start_dim = 1, long end_dim = -1) => throw new System.NotSupportedException("compile-only TorchSharp surface");

            // TorchSharp v0.106.0: src/TorchSharp/NN/Unflatten.cs:43 (not params: pass a long[])
            public static Unflatten Unflatten(long dim, long[] unflattened_size) => throw new System.NotSupportedException("compile-only TorchSharp surface");

            // TorchSharp v0.106.0: src/TorchSharp/NN/Activation/ReLu.cs:39
            public static ReLU ReLU(bool inplace = false) => throw new System.NotSupportedException("compile-only TorchSharp surface");

            // TorchSharp v0.106.0: src/TorchSharp/NN/Activation/Sigmoid.cs:38
            public static Sigmoid Sigmoid() => throw new System.NotSupportedException("compile-only TorchSharp surface");

            // TorchSharp v0.106.0: src/TorchSharp/NN/Activation/Sigmoid.cs:48
            public static Sigmoid Sigmoid(bool inplace) => throw new System.NotSupportedException("compile-only TorchSharp surface");

            // TorchSharp v0.106.0: src/TorchSharp/NN/Activation/Tanh.cs:44
            public static Tanh Tanh() => throw new System.NotSupportedException("compile-only TorchSharp surface");

            // TorchSharp v0.106.0: src/TorchSharp/NN/Activation/Tanh.cs:53
            public static Tanh Tanh(bool inplace = false) => throw new System.NotSupportedException("compile-only TorchSharp surface");

            // TorchSharp v0.106.0: src/TorchSharp/NN/Activation/GELU.cs:38
            public static GELU GELU() => throw new System.NotSupportedException("compile-only TorchSharp surface");

            // TorchSharp v0.106.0: src/TorchSharp/NN/Activation/GELU.cs:47 (GELU(GELU.Approximate, bool) is 0.107.0 only)
            public static GELU GELU(bool inplace) => throw new System.NotSupportedException("compile-only TorchSharp surface");

            // TorchSharp v0.106.0: src/TorchSharp/NN/Activation/SiLU.cs:42
            public static SiLU SiLU() => throw new System.NotSupportedException("compile-only TorchSharp surface");

            // TorchSharp v0.106.0: src/TorchSharp/NN/Activation/SiLU.cs:50
            public static SiLU SiLU(bool inplace) => throw new System.NotSupportedException("compile-only TorchSharp surface");

            // TorchSharp v0.106.0: src/TorchSharp/NN/Activation/ELU.cs:44
            public static ELU ELU(double alpha = 1.0, bool inplace = false) => throw new System.NotSupportedException("compile-only TorchSharp surface");

            // TorchSharp v0.106.0: src/TorchSharp/NN/Activation/LeakyReLU.cs:43
            public static LeakyReLU LeakyReLU(double negative_slope = 0.01, bool inplace = false) => throw new System.NotSupportedException("compile-only TorchSharp surface");
        }
    }
}
