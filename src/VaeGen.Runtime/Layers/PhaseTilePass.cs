using System;
using VaeGen.Runtime.Kernels;

namespace VaeGen.Runtime.Layers;

/// <summary>
/// A convolution layer's pass on <see cref="PhaseTileConv"/> (a transposed convolution's forward, or a convolution's
/// input gradient, which is the same operation): the phases planned for the pass's geometry, the weights packed for
/// them (once while they are held constant, else every pass) and each lane's scratch.
/// </summary>
internal sealed class PhaseTilePass : ITilePass
{
    private readonly bool _onGradients;
    private PhaseTileConv? _tiles;
    private bool _held;
    private float[] _packScratch = Array.Empty<float>();

    /// <summary>Creates the pass.</summary>
    /// <param name="onGradients">
    /// Whether it reads gradients (a convolution's input gradient): its padded planes are then the lanes' gradient planes,
    /// so that a forward on tiles, which pads the input in the lanes' input planes, does not make them again every step.
    /// </param>
    public PhaseTilePass(bool onGradients) => _onGradients = onGradients;

    /// <summary>
    /// Plans the phases for <paramref name="g"/> when it is new, makes every lane's scratch (before the pass forks: a
    /// sample may move to any lane, and a lane first used in a later pass would otherwise allocate then), and packs
    /// <paramref name="weight"/> unless it was packed while held constant.
    /// </summary>
    /// <param name="g">The convolution the pass transposes (<see cref="PhaseTileConv"/>).</param>
    /// <param name="inChannels">The pass's input channels.</param>
    /// <param name="outChannels">Its output channels.</param>
    /// <param name="weight">[inChannels, outChannels, kh, kw]: a transposed convolution's weight, or a convolution's.</param>
    /// <param name="weightsConstant">Whether the weights are held constant, so the packing stays valid.</param>
    /// <param name="lanes">The layer's lanes.</param>
    public void Prepare(in ConvGeometry g, int inChannels, int outChannels, float[] weight, bool weightsConstant, ConvWorkspace.Lane[] lanes)
    {
        if (_tiles is null || _tiles.Geometry != g)
        {
            _tiles = new PhaseTileConv(g, inChannels, outChannels);
            _held = false;
        }

        foreach (ConvWorkspace.Lane lane in lanes)
        {
            Scratch(lane, _tiles);
        }

        if (!_held)
        {
            if (_packScratch.Length != _tiles.PackScratchLength)
            {
                _packScratch = new float[_tiles.PackScratchLength];
            }

            _tiles.PackWeights(weight, _packScratch);
            _held = weightsConstant;
        }
    }

    /// <summary>Forgets that the weights were packed while held constant (they may change now).</summary>
    public void Drop() => _held = false;

    /// <summary>One sample of the pass <see cref="Prepare"/> set up, on a lane's scratch (made if the lane is new).</summary>
    /// <param name="lane">The lane of the calling thread.</param>
    /// <param name="input">The sample's input.</param>
    /// <param name="bias">bias[o], or empty.</param>
    /// <param name="output">The sample's output, overwritten.</param>
    public void Run(ConvWorkspace.Lane lane, ReadOnlySpan<float> input, ReadOnlySpan<float> bias, Span<float> output)
    {
        PhaseTileConv tiles = _tiles ?? throw new InvalidOperationException("PhaseTilePass.Run before Prepare.");
        (float[] padded, float[] sums, float[] phases) = Scratch(lane, tiles);
        tiles.Forward(input, bias, padded, sums, phases, output);
    }

    /// <summary>
    /// A lane's padded planes (zero borders: fresh, and only interiors are written), running sums and phase outputs for
    /// <paramref name="tiles"/>, made when missing or made for another geometry.
    /// </summary>
    private (float[] Padded, float[] Sums, float[] Phases) Scratch(ConvWorkspace.Lane lane, PhaseTileConv tiles) =>
        (lane.PaddedPlanes(_onGradients, tiles.Geometry, tiles.PaddedLength),
         ConvWorkspace.Lane.AtLeast(ref lane.TileSums, tiles.ScratchLength),
         ConvWorkspace.Lane.AtLeast(ref lane.TilePhases, tiles.PhasesLength));
}
