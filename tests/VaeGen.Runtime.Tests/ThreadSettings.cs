using System;
using VaeGen.Runtime.Kernels;

namespace VaeGen.Runtime.Tests;

/// <summary>
/// The thread settings tests change (<see cref="Sgemm.MaxThreads"/>, <see cref="Sgemm.ParallelThreshold"/>,
/// <see cref="ConvWorkspace.WideFromThreads"/>), saved when made and put back when disposed:
/// <c>using ThreadSettings saved = ThreadSettings.Save();</c> instead of a save and a restore per setting around a try.
/// Tests that use it belong to <see cref="ThreadSettingsCollection"/>, so that none runs while another changes them.
/// </summary>
internal sealed class ThreadSettings : IDisposable
{
    private readonly int _maxThreads = Sgemm.MaxThreads;
    private readonly long _parallelThreshold = Sgemm.ParallelThreshold;
    private readonly int _wideFromThreads = ConvWorkspace.WideFromThreads;

    private ThreadSettings()
    {
    }

    /// <summary>The settings as they are now, to put back on disposal.</summary>
    public static ThreadSettings Save() => new();

    /// <summary>Puts the saved settings back.</summary>
    public void Dispose()
    {
        Sgemm.MaxThreads = _maxThreads;
        Sgemm.ParallelThreshold = _parallelThreshold;
        ConvWorkspace.WideFromThreads = _wideFromThreads;
    }
}
