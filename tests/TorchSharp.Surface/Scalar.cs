// Compile-only mirror of TorchSharp 0.106.0: Scalar and the padding enums (namespace TorchSharp).
using System;

namespace TorchSharp
{
    // TorchSharp v0.106.0: src/TorchSharp/Scalar.cs:11
    public sealed class Scalar : IDisposable
    {
        internal Scalar() => throw new System.NotSupportedException("compile-only TorchSharp surface");

        // TorchSharp v0.106.0: src/TorchSharp/Scalar.cs:32
        public static implicit operator Scalar(byte value) => throw new System.NotSupportedException("compile-only TorchSharp surface");

        // TorchSharp v0.106.0: src/TorchSharp/Scalar.cs:41
        public static implicit operator Scalar(sbyte value) => throw new System.NotSupportedException("compile-only TorchSharp surface");

        // TorchSharp v0.106.0: src/TorchSharp/Scalar.cs:50
        public static implicit operator Scalar(short value) => throw new System.NotSupportedException("compile-only TorchSharp surface");

        // TorchSharp v0.106.0: src/TorchSharp/Scalar.cs:59
        public static implicit operator Scalar(int value) => throw new System.NotSupportedException("compile-only TorchSharp surface");

        // TorchSharp v0.106.0: src/TorchSharp/Scalar.cs:68
        public static implicit operator Scalar(long value) => throw new System.NotSupportedException("compile-only TorchSharp surface");

        // TorchSharp v0.106.0: src/TorchSharp/Scalar.cs:78 (#if NET6_0_OR_GREATER)
        public static implicit operator Scalar(Half value) => throw new System.NotSupportedException("compile-only TorchSharp surface");

        // (Scalar.cs:88 converts from TorchSharp's BFloat16 struct; left out, as nothing here can name that type.)

        // TorchSharp v0.106.0: src/TorchSharp/Scalar.cs:97
        public static implicit operator Scalar(float value) => throw new System.NotSupportedException("compile-only TorchSharp surface");

        // TorchSharp v0.106.0: src/TorchSharp/Scalar.cs:106
        public static implicit operator Scalar(double value) => throw new System.NotSupportedException("compile-only TorchSharp surface");

        // TorchSharp v0.106.0: src/TorchSharp/Scalar.cs:115
        public static implicit operator Scalar(bool value) => throw new System.NotSupportedException("compile-only TorchSharp surface");

        // TorchSharp v0.106.0: src/TorchSharp/Scalar.cs:124
        public static implicit operator Scalar((float, float) value) => throw new System.NotSupportedException("compile-only TorchSharp surface");

        // TorchSharp v0.106.0: src/TorchSharp/Scalar.cs:133
        public static implicit operator Scalar(System.Numerics.Complex value) => throw new System.NotSupportedException("compile-only TorchSharp surface");

        // TorchSharp v0.106.0: src/TorchSharp/Scalar.cs:152
        public void Dispose() => throw new System.NotSupportedException("compile-only TorchSharp surface");
    }

    // TorchSharp v0.106.0: src/TorchSharp/NN/Convolution/Convolution.cs:14
    public enum PaddingModes
    {
        Zeros = 0,
        Reflect = 1,
        Replicate = 2,
        Circular = 3,
        Constant = 4,
    }

    // TorchSharp v0.106.0: src/TorchSharp/NN/Convolution/Convolution.cs:23
    public enum Padding
    {
        Valid = 0,
        Same = 1,
    }
}
