using System;
using System.Collections.Generic;
using System.Linq;
using System.Runtime.Intrinsics.X86;
using System.Threading;
using VaeGen.Runtime.Init;
using VaeGen.Runtime.Kernels;
using VaeGen.Runtime.Layers;
using VaeGen.Runtime.Tensors;
using Xunit;

namespace VaeGen.Runtime.Tests;

/// <summary>
/// ConvWorkspace.TakeUnit: a forward pass's slots each take their own units in order, and a slot on a thread of its own
/// that runs out takes the other's from the back; every unit is handed out once, and a backward pass shares nothing.
/// </summary>
[Collection(ThreadSettingsCollection.Name)]
public sealed class SlotUnitTests
{
    // 10 samples in groups of 2: slot 0 owns groups 0-1 (samples 0-3), slot 1 groups 2-4 (samples 4-9).
    private const int Samples = 10;

    [Theory]
    [InlineData(false, new[] { 0, 1, 4, 3, 2 })]
    [InlineData(true, new[] { 0, 1, 2, 3, 9, 8, 7, 6, 5, 4 })]
    public void ASlotThatRunsOutTakesTheOthersUnitsFromTheBack(bool bySample, int[] slot0Takes)
    {
        SlotUnits units = bySample ? SlotUnits.Samples : SlotUnits.Groups;
        using ThreadSettings saved = ThreadSettings.Save();
        Sgemm.MaxThreads = 2;
        ConvWorkspace work = Workspace();

        // Slot 1 waits until slot 0 has taken everything, so slot 0 must take slot 1's units too.
        var pass = new RecordingPass(work, holdSlot: 1);
        work.Run(pass, long.MaxValue, units);

        Assert.True(pass.Released, "slot 1 was not held back: the slots did not run on two threads");
        Assert.Equal(slot0Takes, pass.Taken[0]);
        Assert.Empty(pass.Taken[1]);
    }

    [Theory]
    [InlineData(1, false)]
    [InlineData(1, true)]
    [InlineData(2, true)]
    public void SlotsThatShareNothingTakeTheirOwnUnitsInOrder(int threads, bool bySample)
    {
        SlotUnits units = bySample ? SlotUnits.Samples : SlotUnits.Groups;
        using ThreadSettings saved = ThreadSettings.Save();
        Sgemm.MaxThreads = threads;
        ConvWorkspace work = Workspace();

        // On one thread the slots run one after the other; on two, below the threshold, too.
        var pass = new RecordingPass(work, holdSlot: -1);
        work.Run(pass, threads == 1 ? long.MaxValue : 0, units);

        int split = units == SlotUnits.Groups ? 2 : 4, all = units == SlotUnits.Groups ? 5 : Samples;
        Assert.Equal(Enumerable.Range(0, split), pass.Taken[0]);
        Assert.Equal(Enumerable.Range(split, all - split), pass.Taken[1]);
    }

    [Theory]
    [InlineData(true)]
    [InlineData(false)]
    public void EveryLanesScratchIsMadeBeforeTheSlotsTakeSamples(bool tiles)
    {
        // Which lane first computes a sample depends on the threads' timing, so a lane's scratch made only when it first
        // computes one would be allocated in some later pass. One sample on two threads leaves slot 1 nothing to take.
        using ThreadSettings saved = ThreadSettings.Save();
        Sgemm.MaxThreads = 2;
        Sgemm.ParallelThreshold = 0;
        Conv2d conv = tiles ? new Conv2d(32, 32, 3, padding: 1, rng: new Rng(2)) : new Conv2d(8, 3, 3, padding: 1, rng: new Rng(1));
        bool usesTiles = conv.UsesTiles(24, 24);
        Assert.Equal(tiles && Avx512F.IsSupported, usesTiles);
        Assert.True(usesTiles || conv.UsesDirectPath(24, 24) || !Avx512F.IsSupported);
        conv.Forward(TestUtil.Random(new Rng(3), -1, 1, 1, conv.InChannels, 24, 24));

        Assert.Equal(ConvWorkspace.Slots, conv.Lanes.Count);
        Assert.All(conv.Lanes, lane => Assert.NotNull(lane.DirectInput));
        Assert.All(conv.Lanes, lane => Assert.Equal(usesTiles, lane.TileSums is not null));
    }

    [Fact]
    public void ConvolutionsWhoseSlotsTakeEachOthersUnitsGiveOneThreadsBits()
    {
        // Odd batches on two threads leave one slot short, so it takes from the other as the threads come; whoever
        // computes a sample or a group, the outputs must be one thread's. Every forward path is covered.
        using ThreadSettings saved = ThreadSettings.Save();
        var layers = new (string Path, Func<Convolution> Create)[]
        {
            ("direct", () => new Conv2d(8, 3, 3, padding: 1, rng: new Rng(1))),
            ("tiles", () => new Conv2d(32, 32, 3, padding: 1, rng: new Rng(2))),
            ("columns", () => new Conv2d(3, 16, 4, stride: 2, padding: 1, rng: new Rng(3))),
            ("transposed", () => new ConvTranspose2d(16, 8, 4, stride: 2, padding: 1, rng: new Rng(4))),
        };
        foreach ((string path, Func<Convolution> create) in layers)
        {
            Convolution probe = create();
            string actual = probe is ConvTranspose2d ? "transposed" : ((Conv2d)probe).UsesDirectPath(24, 24) ? "direct" : ((Conv2d)probe).UsesTiles(24, 24) ? "tiles" : "columns";
            Assert.Equal(path, actual);
            for (int batch = 1; batch <= 9; batch += 2)
            {
                Convolution layer = create();
                Tensor x = TestUtil.Random(new Rng(5), -1, 1, batch, layer.InChannels, 24, 24);
                Sgemm.MaxThreads = 1;
                float[] expected = layer.Forward(x).Data.ToArray();
                Sgemm.MaxThreads = 2;
                for (int round = 0; round < 20; round++)
                {
                    Assert.Equal(expected, layer.Forward(x).Data);
                }
            }
        }
    }

    private static ConvWorkspace Workspace()
    {
        var work = new ConvWorkspace();

        // 10 samples whose column matrices take 2 per group (budget / (rows * area) = 2).
        work.Ensure(Samples, rows: 4, area: 4, stagingRows: 1, planeLength: 1, partialLength: 1, budget: 32);
        Assert.Equal(2, work.Group);
        return work;
    }

    /// <summary>Records the units each slot takes; slot <c>holdSlot</c> starts only once the other has run out.</summary>
    private readonly struct RecordingPass(ConvWorkspace work, int holdSlot) : ISlotPass
    {
        private readonly ManualResetEventSlim _otherDone = new();
        private readonly bool[] _released = new bool[1];

        public List<int>[] Taken { get; } = [new List<int>(), new List<int>()];

        public bool Released => _released[0];

        public void RunSlot(int slot, bool wide)
        {
            if (slot == holdSlot)
            {
                _released[0] = _otherDone.Wait(TimeSpan.FromSeconds(10));
            }

            while (work.TakeUnit(slot, out int unit))
            {
                Taken[slot].Add(unit);
            }

            if (slot != holdSlot)
            {
                _otherDone.Set();
            }
        }
    }
}
