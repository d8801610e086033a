using System;
using System.Runtime.CompilerServices;
using System.Runtime.InteropServices;

namespace VaeGen.TorchSharpTests.Native;

/// <summary>
/// Keeps libtorch's oneDNN off its direct AVX2 and AVX-512 convolution kernels in this test assembly, before libtorch
/// first runs: <c>ONEDNN_MAX_CPU_ISA=SSE41</c>, unless the environment already sets it.
/// </summary>
/// <remarks>
/// On the 2-core AMD EPYC (Zen 5) development VM, libtorch 2.10's oneDNN 3.7.1 computes a float32 convolution's input
/// gradient wrongly when the layer has fewer input channels than a vector holds (jit:avx512_core and jit:avx2
/// backward_data, channels padded to a block of 16 or 8): relative errors of 0.4 to 1, sometimes NaN, and different from
/// run to run, so the parity tests' TorchSharp gradients disagreed with PyTorch 1.13 while the managed ones agreed. With
/// SSE4.1 as the limit oneDNN takes its GEMM-based kernels, which are right (<see cref="OneDnnConvolutionTests"/>). The
/// previous development VM (also 2-core AVX-512) was not affected. .NET's Environment.SetEnvironmentVariable does not
/// reach the native environment on Linux, hence setenv.
/// </remarks>
internal static class OneDnnIsa
{
    public const string Variable = "ONEDNN_MAX_CPU_ISA";
    public const string Limit = "SSE41";

#pragma warning disable CA2255 // a test assembly's set-up that must run before any test loads libtorch
    [ModuleInitializer]
#pragma warning restore CA2255
    internal static void LimitBeforeLibTorchLoads()
    {
        if (OperatingSystem.IsLinux() && Environment.GetEnvironmentVariable(Variable) is null)
        {
            _ = setenv(Variable, Limit, overwrite: 0);
        }
    }

    /// <summary>The variable as native code sees it (what libtorch reads), or null.</summary>
    public static string? NativeValue()
    {
        nint value = getenv(Variable);
        return value == 0 ? null : Marshal.PtrToStringAnsi(value);
    }

    [DllImport("libc", CharSet = CharSet.Ansi, BestFitMapping = false, ThrowOnUnmappableChar = true)]
    private static extern int setenv(string name, string value, int overwrite);

    [DllImport("libc", CharSet = CharSet.Ansi, BestFitMapping = false, ThrowOnUnmappableChar = true)]
    private static extern nint getenv(string name);
}
