using System;
using VaeGen.Runtime.Kernels;

namespace VaeGen.Runtime.Layers;

/// <summary>A convolution layer's pass on tiles, one sample at a time (<see cref="PixelTilePass"/>, <see cref="PhaseTilePass"/>).</summary>
internal interface ITilePass
{
    /// <summary>One sample of the pass, on a lane's scratch.</summary>
    /// <param name="lane">The lane of the calling thread.</param>
    /// <param name="input">The sample's input.</param>
    /// <param name="bias">bias[o], or empty.</param>
    /// <param name="output">The sample's output, overwritten.</param>
    void Run(ConvWorkspace.Lane lane, ReadOnlySpan<float> input, ReadOnlySpan<float> bias, Span<float> output);
}
