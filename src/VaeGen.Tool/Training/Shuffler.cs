using System;
using VaeGen.Runtime.Init;

namespace VaeGen.Tool.Training;

/// <summary>
/// The order in which an epoch visits the training images: a fresh uniform permutation per epoch
/// (as torch.randperm), drawn from a stream of its own so that its state can be saved with a
/// checkpoint and a resumed run visits exactly the images an uninterrupted one would.
/// </summary>
internal sealed class Shuffler
{
    // Separates the shuffle stream from the weights and noise streams that Rng(seed) itself feeds.
    private const ulong StreamOffset = 0x5348554646_4C45UL;

    private readonly int[] _order;

    public Shuffler(int count, ulong seed)
    {
        _order = new int[count];
        Rng = new Rng(unchecked(seed + StreamOffset));
    }

    /// <summary>The stream; its state is saved in checkpoints as <c>rng.shuffle</c>.</summary>
    public Rng Rng { get; }

    /// <summary>The next epoch's order; the span is reused by the following call.</summary>
    public ReadOnlySpan<int> NextEpoch()
    {
        for (int i = 0; i < _order.Length; i++)
        {
            _order[i] = i;
        }

        // Fisher-Yates; the bound comes from the high half of a 64x64-bit product (Lemire), whose
        // bias is below 2^-32 for any dataset that fits in memory.
        for (int i = _order.Length - 1; i > 0; i--)
        {
            int j = (int)Math.BigMul(Rng.NextUInt64(), (ulong)(i + 1), out _);
            (_order[i], _order[j]) = (_order[j], _order[i]);
        }

        return _order;
    }
}
