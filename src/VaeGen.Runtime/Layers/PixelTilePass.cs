using System;
using VaeGen.Runtime.Kernels;

namespace VaeGen.Runtime.Layers;

/// <summary>
/// A convolution layer's pass on <see cref="PixelTileConv"/> (a convolution's forward, or a transposed convolution's
/// input gradient, which is the same operation): the weights packed for it (once while they are held constant, else
/// every pass), the tile positions of its geometry and each lane's scratch.
/// </summary>
internal sealed class PixelTilePass : ITilePass
{
    private readonly bool _onGradients;
    private float[] _weights = Array.Empty<float>();
    private bool _held;
    private int[] _positions = Array.Empty<int>();
    private ConvGeometry _geometry;
    private int _inChannels;
    private int _outChannels;

    /// <summary>Creates the pass.</summary>
    /// <param name="onGradients">
    /// Whether it reads gradients (a transposed convolution's input gradient): its padded planes are then the lanes'
    /// gradient planes, so that a forward on tiles, which pads the input in the lanes' input planes, does not make them
    /// again every step.
    /// </param>
    public PixelTilePass(bool onGradients) => _onGradients = onGradients;

    /// <summary>
    /// Takes the tile positions of <paramref name="g"/> when it is new, makes every lane's scratch (before the pass forks:
    /// a sample may move to any lane, and a lane first used in a later pass would otherwise allocate then), and packs
    /// <paramref name="weight"/> unless it was packed while held constant.
    /// </summary>
    /// <param name="g">The convolution.</param>
    /// <param name="inChannels">Its input channels.</param>
    /// <param name="outChannels">Its output channels.</param>
    /// <param name="weight">[outChannels, inChannels, kh, kw]: a convolution's weight, or a transposed convolution's.</param>
    /// <param name="weightsConstant">Whether the weights are held constant, so the packing stays valid.</param>
    /// <param name="lanes">The layer's lanes.</param>
    public void Prepare(in ConvGeometry g, int inChannels, int outChannels, float[] weight, bool weightsConstant, ConvWorkspace.Lane[] lanes)
    {
        // A default geometry (no pass yet) is never a real one.
        if (_geometry != g || _inChannels != inChannels || _outChannels != outChannels)
        {
            _positions = new int[PixelTileConv.TiledArea(g.OutArea)];
            PixelTileConv.FillPositions(g, _positions);
            (_geometry, _inChannels, _outChannels) = (g, inChannels, outChannels);
        }

        foreach (ConvWorkspace.Lane lane in lanes)
        {
            Scratch(lane);
        }

        if (!_held)
        {
            if (_weights.Length != weight.Length)
            {
                _weights = new float[weight.Length];
            }

            PixelTileConv.PackWeights(weight, outChannels, inChannels, g.KernelArea, _weights);
            _held = weightsConstant;
        }
    }

    /// <summary>Forgets that the weights were packed while held constant (they may change now).</summary>
    public void Drop() => _held = false;

    /// <summary>One sample of the pass <see cref="Prepare"/> set up, on a lane's scratch (made if the lane is new).</summary>
    /// <param name="lane">The lane of the calling thread.</param>
    /// <param name="input">The sample's input [in, H, W].</param>
    /// <param name="bias">bias[o], or empty.</param>
    /// <param name="output">The sample's output, overwritten.</param>
    public void Run(ConvWorkspace.Lane lane, ReadOnlySpan<float> input, ReadOnlySpan<float> bias, Span<float> output)
    {
        ConvGeometry g = _geometry;
        (float[] padded, float[] sums) = Scratch(lane);
        DirectConv.Pad(input, _inChannels, g.InH, g.InW, g.PadH, g.PadW, padded);
        PixelTileConv.Forward(padded, _inChannels, g, _weights, _outChannels, bias, _positions, sums, output);
    }

    /// <summary>
    /// A lane's padded planes (zero borders: fresh, and only <see cref="DirectConv.Pad"/> writes their interiors) and
    /// running sums, made when missing, too short or made for another geometry.
    /// </summary>
    private (float[] Padded, float[] Sums) Scratch(ConvWorkspace.Lane lane)
    {
        ConvGeometry g = _geometry;
        return (lane.PaddedPlanes(_onGradients, g, DirectConv.PaddedLength(_inChannels, g.InH, g.InW, g.PadH, g.PadW)),
                ConvWorkspace.Lane.AtLeast(ref lane.TileSums, PixelTileConv.ScratchLength(g.OutArea)));
    }
}
