// Compile-only mirror of the TorchSharp 0.106.0 tensor API that VaeGen's generated code uses.
// Signatures only (names, parameter names and order, defaults, return types); every body throws.
// Each member names the TorchSharp source it mirrors; see README.md for the snapshot that was read.
using System;
using System.Collections.Generic;

namespace TorchSharp
{
    // TorchSharp v0.106.0: src/TorchSharp/Tensor/Tensor.cs:17 (public static partial class torch)
    public static partial class torch
    {
        // TorchSharp v0.106.0: src/TorchSharp/Tensor/Tensor.cs:23
        public partial class Tensor : IDisposable
        {
            internal Tensor() => throw new System.NotSupportedException("compile-only TorchSharp surface");

            // TorchSharp v0.106.0: src/TorchSharp/Tensor/Tensor.cs (Tensor.Dispose())
            public void Dispose() => throw new System.NotSupportedException("compile-only TorchSharp surface");

            // TorchSharp v0.106.0: src/TorchSharp/Tensor/Tensor.cs (Tensor.Dimensions)
            public long Dimensions => throw new System.NotSupportedException("compile-only TorchSharp surface");

            // TorchSharp v0.106.0: src/TorchSharp/Tensor/Tensor.cs (Tensor.shape)
            public long[] shape => throw new System.NotSupportedException("compile-only TorchSharp surface");

            // TorchSharp v0.106.0: src/TorchSharp/Tensor/Tensor.cs (Tensor.device)
            public torch.Device device => throw new System.NotSupportedException("compile-only TorchSharp surface");

            // TorchSharp v0.106.0: src/TorchSharp/Tensor/Tensor.cs (Tensor.contiguous)
            public Tensor contiguous() => throw new System.NotSupportedException("compile-only TorchSharp surface");

            // TorchSharp v0.106.0: src/TorchSharp/Tensor/Tensor.cs (Tensor.detach)
            public Tensor detach() => throw new System.NotSupportedException("compile-only TorchSharp surface");

            // TorchSharp v0.106.0: src/TorchSharp/Tensor/Tensor.cs:5627
            public Tensor permute(params long[] permutation) => throw new System.NotSupportedException("compile-only TorchSharp surface");

            // TorchSharp v0.106.0: src/TorchSharp/Tensor/Tensor.cs:5642
            public Tensor permute(IEnumerable<long> permutation) => throw new System.NotSupportedException("compile-only TorchSharp surface");

            // TorchSharp v0.106.0: src/TorchSharp/Tensor/Tensor.Math.cs:753
            public Tensor exp() => throw new System.NotSupportedException("compile-only TorchSharp surface");

            // TorchSharp v0.106.0: src/TorchSharp/Tensor/Tensor.Math.cs:1426
            public Tensor pow(Tensor exponent) => throw new System.NotSupportedException("compile-only TorchSharp surface");

            // TorchSharp v0.106.0: src/TorchSharp/Tensor/Tensor.Math.cs:1450
            public Tensor pow(Scalar exponent) => throw new System.NotSupportedException("compile-only TorchSharp surface");

            // TorchSharp v0.106.0: src/TorchSharp/Tensor/Tensor.Math.cs (Tensor.sigmoid)
            public Tensor sigmoid() => throw new System.NotSupportedException("compile-only TorchSharp surface");

            // TorchSharp v0.106.0: src/TorchSharp/Tensor/Tensor.cs:5182
            public Tensor sum(ScalarType? type = null) => throw new System.NotSupportedException("compile-only TorchSharp surface");

            // TorchSharp v0.106.0: src/TorchSharp/Tensor/Tensor.cs:5201
            public Tensor sum(long[] dim, bool keepdim = false, ScalarType? type = null) => throw new System.NotSupportedException("compile-only TorchSharp surface");

            // TorchSharp v0.106.0: src/TorchSharp/Tensor/Tensor.cs:5209
            public Tensor sum(ReadOnlySpan<long> dim, bool keepdim = false, ScalarType? type = null) => throw new System.NotSupportedException("compile-only TorchSharp surface");

            // TorchSharp v0.106.0: src/TorchSharp/Tensor/Tensor.cs:5216
            public Tensor sum(long dim, bool keepdim = false, ScalarType? type = null) => throw new System.NotSupportedException("compile-only TorchSharp surface");

            // TorchSharp v0.106.0: src/TorchSharp/Tensor/Tensor.cs:5224
            public Tensor sum(long dim0, long dim1, bool keepdim = false, ScalarType? type = null) => throw new System.NotSupportedException("compile-only TorchSharp surface");

            // TorchSharp v0.106.0: src/TorchSharp/Tensor/Tensor.cs:5232
            public Tensor sum(long dim0, long dim1, long dim2, bool keepdim = false, ScalarType? type = null) => throw new System.NotSupportedException("compile-only TorchSharp surface");

            // TorchSharp v0.106.0: src/TorchSharp/Tensor/Tensor.cs:4418
            public Tensor mean() => throw new System.NotSupportedException("compile-only TorchSharp surface");

            // TorchSharp v0.106.0: src/TorchSharp/Tensor/Tensor.cs:4485
            public Tensor mean(long[] dimensions, bool keepdim = false, ScalarType? type = null) => throw new System.NotSupportedException("compile-only TorchSharp surface");

            // TorchSharp v0.106.0: src/TorchSharp/Tensor/Tensor.Math.cs (unary operator -)
            public static Tensor operator -(Tensor tensor) => throw new System.NotSupportedException("compile-only TorchSharp surface");

            // TorchSharp v0.106.0: src/TorchSharp/Tensor/Tensor.Operators.cs:11-23 (+)
            public static Tensor operator +(Tensor left, Tensor right) => throw new System.NotSupportedException("compile-only TorchSharp surface");
            public static Tensor operator +(Tensor left, Scalar right) => throw new System.NotSupportedException("compile-only TorchSharp surface");
            public static Tensor operator +(Scalar left, Tensor right) => throw new System.NotSupportedException("compile-only TorchSharp surface");
            public static Tensor operator +(Tensor left, int right) => throw new System.NotSupportedException("compile-only TorchSharp surface");
            public static Tensor operator +(Tensor left, long right) => throw new System.NotSupportedException("compile-only TorchSharp surface");
            public static Tensor operator +(Tensor left, float right) => throw new System.NotSupportedException("compile-only TorchSharp surface");
            public static Tensor operator +(Tensor left, double right) => throw new System.NotSupportedException("compile-only TorchSharp surface");
            public static Tensor operator +(int left, Tensor right) => throw new System.NotSupportedException("compile-only TorchSharp surface");
            public static Tensor operator +(long left, Tensor right) => throw new System.NotSupportedException("compile-only TorchSharp surface");
            public static Tensor operator +(float left, Tensor right) => throw new System.NotSupportedException("compile-only TorchSharp surface");
            public static Tensor operator +(double left, Tensor right) => throw new System.NotSupportedException("compile-only TorchSharp surface");

            // TorchSharp v0.106.0: src/TorchSharp/Tensor/Tensor.Operators.cs:25-37 (*)
            public static Tensor operator *(Tensor left, Tensor right) => throw new System.NotSupportedException("compile-only TorchSharp surface");
            public static Tensor operator *(Tensor left, Scalar right) => throw new System.NotSupportedException("compile-only TorchSharp surface");
            public static Tensor operator *(Scalar left, Tensor right) => throw new System.NotSupportedException("compile-only TorchSharp surface");
            public static Tensor operator *(Tensor left, int right) => throw new System.NotSupportedException("compile-only TorchSharp surface");
            public static Tensor operator *(Tensor left, long right) => throw new System.NotSupportedException("compile-only TorchSharp surface");
            public static Tensor operator *(Tensor left, float right) => throw new System.NotSupportedException("compile-only TorchSharp surface");
            public static Tensor operator *(Tensor left, double right) => throw new System.NotSupportedException("compile-only TorchSharp surface");
            public static Tensor operator *(int left, Tensor right) => throw new System.NotSupportedException("compile-only TorchSharp surface");
            public static Tensor operator *(long left, Tensor right) => throw new System.NotSupportedException("compile-only TorchSharp surface");
            public static Tensor operator *(float left, Tensor right) => throw new System.NotSupportedException("compile-only TorchSharp surface");
            public static Tensor operator *(double left, Tensor right) => throw new System.NotSupportedException("compile-only TorchSharp surface");

            // TorchSharp v0.106.0: src/TorchSharp/Tensor/Tensor.Operators.cs:39-51 (-)
            public static Tensor operator -(Tensor left, Tensor right) => throw new System.NotSupportedException("compile-only TorchSharp surface");
            public static Tensor operator -(Tensor left, Scalar right) => throw new System.NotSupportedException("compile-only TorchSharp surface");
            public static Tensor operator -(Scalar left, Tensor right) => throw new System.NotSupportedException("compile-only TorchSharp surface");
            public static Tensor operator -(Tensor left, int right) => throw new System.NotSupportedException("compile-only TorchSharp surface");
            public static Tensor operator -(Tensor left, long right) => throw new System.NotSupportedException("compile-only TorchSharp surface");
            public static Tensor operator -(Tensor left, float right) => throw new System.NotSupportedException("compile-only TorchSharp surface");
            public static Tensor operator -(Tensor left, double right) => throw new System.NotSupportedException("compile-only TorchSharp surface");
            public static Tensor operator -(int left, Tensor right) => throw new System.NotSupportedException("compile-only TorchSharp surface");
            public static Tensor operator -(long left, Tensor right) => throw new System.NotSupportedException("compile-only TorchSharp surface");
            public static Tensor operator -(float left, Tensor right) => throw new System.NotSupportedException("compile-only TorchSharp surface");
            public static Tensor operator -(double left, Tensor right) => throw new System.NotSupportedException("compile-only TorchSharp surface");

            // TorchSharp v0.106.0: src/TorchSharp/Tensor/Tensor.Operators.cs:53-65 (/)
            public static Tensor operator /(Tensor left, Tensor right) => throw new System.NotSupportedException("compile-only TorchSharp surface");
            public static Tensor operator /(Tensor left, Scalar right) => throw new System.NotSupportedException("compile-only TorchSharp surface");
            public static Tensor operator /(Scalar left, Tensor right) => throw new System.NotSupportedException("compile-only TorchSharp surface");
            public static Tensor operator /(Tensor left, int right) => throw new System.NotSupportedException("compile-only TorchSharp surface");
            public static Tensor operator /(Tensor left, long right) => throw new System.NotSupportedException("compile-only TorchSharp surface");
            public static Tensor operator /(Tensor left, float right) => throw new System.NotSupportedException("compile-only TorchSharp surface");
            public static Tensor operator /(Tensor left, double right) => throw new System.NotSupportedException("compile-only TorchSharp surface");
            public static Tensor operator /(int left, Tensor right) => throw new System.NotSupportedException("compile-only TorchSharp surface");
            public static Tensor operator /(long left, Tensor right) => throw new System.NotSupportedException("compile-only TorchSharp surface");
            public static Tensor operator /(float left, Tensor right) => throw new System.NotSupportedException("compile-only TorchSharp surface");
            public static Tensor operator /(double left, Tensor right) => throw new System.NotSupportedException("compile-only TorchSharp surface");
        }

        // TorchSharp v0.106.0: src/TorchSharp/Tensor/Tensor.cs (enum torch.ScalarType, near the end of the file)
        public enum ScalarType : sbyte
        {
            Byte = 0,
            Int8 = 1,
            Int16 = 2,
            Int32 = 3,
            Int64 = 4,
            Float16 = 5,
            Float32 = 6,
            Float64 = 7,
            ComplexFloat32 = 9,
            ComplexFloat64 = 10,
            Bool = 11,
            BFloat16 = 15,
        }

        // TorchSharp v0.106.0: src/TorchSharp/Device.cs:11
        public class Device
        {
            internal Device() => throw new System.NotSupportedException("compile-only TorchSharp surface");
        }

        // TorchSharp v0.106.0: src/TorchSharp/Device.cs:83 (a static field, not a property)
        public static Device CPU = null!;

        // TorchSharp v0.106.0: src/TorchSharp/Generator.cs:14
        public class Generator : IDisposable
        {
            internal Generator() => throw new System.NotSupportedException("compile-only TorchSharp surface");

            // TorchSharp v0.106.0: src/TorchSharp/Generator.cs (Generator.Dispose())
            public void Dispose() => throw new System.NotSupportedException("compile-only TorchSharp surface");
        }

        // TorchSharp v0.106.0: src/TorchSharp/NN/Vision.cs:10
        public enum UpsampleMode
        {
            Nearest = 0,
            Linear = 1,
            Bilinear = 2,
            Bicubic = 3,
            Trilinear = 4,
        }

        // TorchSharp v0.106.0: src/TorchSharp/Tensor/Factories/rand.cs:508-580 (all ten randn overloads)
        public static Tensor randn(long[] size, ScalarType? dtype = null, Device? device = null, bool requires_grad = false, Generator? generator = null, string[]? names = null) => throw new System.NotSupportedException("compile-only TorchSharp surface");
        public static Tensor randn(ReadOnlySpan<long> size, ScalarType? dtype = null, Device? device = null, bool requires_grad = false, Generator? generator = null, string[]? names = null) => throw new System.NotSupportedException("compile-only TorchSharp surface");
        public static Tensor randn(long size, ScalarType? dtype = null, Device? device = null, bool requires_grad = false, Generator? generator = null, string[]? names = null) => throw new System.NotSupportedException("compile-only TorchSharp surface");
        public static Tensor randn(long rows, long columns, ScalarType? dtype = null, Device? device = null, bool requires_grad = false, Generator? generator = null, string[]? names = null) => throw new System.NotSupportedException("compile-only TorchSharp surface");
        public static Tensor randn(long dim0, long dim1, long dim2, ScalarType? dtype = null, Device? device = null, bool requires_grad = false, Generator? generator = null, string[]? names = null) => throw new System.NotSupportedException("compile-only TorchSharp surface");
        public static Tensor randn(long dim0, long dim1, long dim2, long dim3, ScalarType? dtype = null, Device? device = null, bool requires_grad = false, Generator? generator = null, string[]? names = null) => throw new System.NotSupportedException("compile-only TorchSharp surface");
        public static Tensor randn(int size, ScalarType? dtype = null, Device? device = null, bool requires_grad = false, Generator? generator = null, string[]? names = null) => throw new System.NotSupportedException("compile-only TorchSharp surface");
        public static Tensor randn(int rows, int columns, ScalarType? dtype = null, Device? device = null, bool requires_grad = false, Generator? generator = null, string[]? names = null) => throw new System.NotSupportedException("compile-only TorchSharp surface");
        public static Tensor randn(int dim0, int dim1, int dim2, ScalarType? dtype = null, Device? device = null, bool requires_grad = false, Generator? generator = null, string[]? names = null) => throw new System.NotSupportedException("compile-only TorchSharp surface");
        public static Tensor randn(int dim0, int dim1, int dim2, int dim3, ScalarType? dtype = null, Device? device = null, bool requires_grad = false, Generator? generator = null, string[]? names = null) => throw new System.NotSupportedException("compile-only TorchSharp surface");

        // TorchSharp v0.106.0: src/TorchSharp/Tensor/torch.cs:243
        public static Tensor randn_like(Tensor input, ScalarType? dtype = null, Device? device = null, bool requires_grad = false) => throw new System.NotSupportedException("compile-only TorchSharp surface");

        // TorchSharp v0.106.0: src/TorchSharp/Tensor/torch.PointwiseOps.cs:713
        public static Tensor exp(Tensor input) => throw new System.NotSupportedException("compile-only TorchSharp surface");

        // TorchSharp v0.106.0: src/TorchSharp/Tensor/torch.LocallyDisablingGradientComputation.cs:16
        public static IDisposable no_grad() => throw new System.NotSupportedException("compile-only TorchSharp surface");
    }
}
