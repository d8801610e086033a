using System;
using System.Collections.Generic;
using System.Diagnostics;
using VaeGen.Runtime.Init;
using VaeGen.Runtime.Kernels;
using VaeGen.Runtime.Layers;
using VaeGen.Runtime.Tensors;
using Xunit;
using Xunit.Abstractions;

namespace VaeGen.Runtime.Tests;

/// <summary>
/// The convolution layers of specs/fashion_conv (batch 128) and specs/seed002_rgb64 (batch 32),
/// timed alone (best of several runs, so a busy machine disturbs them less than a whole step),
/// and split into the pieces an im2col convolution is made of.
/// </summary>
[Collection(ThreadSettingsCollection.Name)]
[Trait("Category", "Benchmark")]
public sealed class ConvShapeBenchmarks
{
    private readonly ITestOutputHelper _output;

    public ConvShapeBenchmarks(ITestOutputHelper output) => _output = output;

    private static readonly (string Name, int Batch, bool Transposed, int In, int Out, int H, int Kernel)[] Shapes =
    [
        ("fashion enc.0", 128, false, 1, 32, 28, 4),
        ("fashion enc.2", 128, false, 32, 64, 14, 4),
        ("fashion dec.5", 128, true, 64, 32, 7, 4),
        ("fashion dec.7", 128, true, 32, 1, 14, 4),
        ("rgb64 enc.0", 32, false, 3, 32, 64, 4),
        ("rgb64 enc.2", 32, false, 32, 64, 32, 4),
        ("rgb64 enc.4", 32, false, 64, 128, 16, 4),
        ("rgb64 enc.6", 32, false, 128, 256, 8, 4),
        ("rgb64 dec.3", 32, true, 256, 128, 4, 4),
        ("rgb64 dec.5", 32, true, 128, 64, 8, 4),
        ("rgb64 dec.7", 32, true, 64, 32, 16, 4),
        ("rgb64 dec.9", 32, true, 32, 3, 32, 4),

        // VanillaVAE's 3x3 stride-2 layers at either end (its transposed ones add an output padding of 1, which
        // leaves the column layout as it is).
        ("vanilla enc.3", 32, false, 32, 64, 32, 3),
        ("vanilla enc.12", 32, false, 256, 512, 4, 3),
        ("vanilla dec.2", 32, true, 512, 256, 2, 3),
        ("vanilla dec.14", 32, true, 32, 32, 32, 3),
    ];

    /// <summary>Forward and backward of the stride-2 layers of the conv specs (k4 p1, and VanillaVAE's k3 p1), 1 and 2 threads.</summary>
    [BenchmarkFact]
    public void LayersAtSpecShapes()
    {
        _output.WriteLine($"load {System.IO.File.ReadAllText("/proc/loadavg").Trim()}");
        using ThreadSettings saved = ThreadSettings.Save();
        foreach ((string name, int batch, bool transposed, int cin, int cout, int h, int kernel) in Shapes)
        {
            string line = $"{name,-14} {(transposed ? "ConvT" : "Conv2d"),-6} k{kernel} {cin,3}->{cout,-3} {h,2}x{h,-2} N={batch,-3}";
            foreach (int threads in new[] { 1, 2 })
            {
                Sgemm.MaxThreads = threads;
                var rng = new Rng(3);
                Layer layer = transposed
                    ? new ConvTranspose2d(cin, cout, kernel, stride: 2, padding: 1, outputPadding: kernel % 2, rng: rng)
                    : new Conv2d(cin, cout, kernel, stride: 2, padding: 1, rng: rng);
                Tensor x = TestUtil.Random(rng, -1, 1, batch, cin, h, h);
                Tensor y = layer.Forward(x);
                Tensor gy = TestUtil.Random(rng, -1, 1, y.Shape.ToArray());
                double fwd = Best(() => layer.Forward(x));
                double bwd = Best(() => layer.Backward(gy));
                layer.ComputeInputGradient = false;
                double bwdNoInput = Best(() => layer.Backward(gy));
                line += $" | {threads}T fwd {fwd,7:F3} bwd {bwd,7:F3} (no dX {bwdNoInput,7:F3}) ms";
            }

            _output.WriteLine(line);
        }
    }

    /// <summary>
    /// Why a stride-1 convolution to few channels runs on DirectConv: VanillaVAE's last layer (32 -> 3, 3x3,
    /// padding 1, 64x64, batch 32), which im2col + GEMM ran at about 2 GFLOP/s, both paths side by side, and the
    /// direct path's AVX2 kernels against its AVX-512 ones.
    /// </summary>
    [BenchmarkFact]
    public void FewOutputChannelsDirectAgainstGemm()
    {
        _output.WriteLine($"load {System.IO.File.ReadAllText("/proc/loadavg").Trim()}");
        double flops = 2.0 * 32 * 3 * 64 * 64 * 32 * 9;
        bool saved = DirectConv.UseAvx512;
        var paths = new List<(string Name, bool Direct, bool Avx512)> { ("im2col + GEMM", false, saved), ("direct, AVX2", true, false) };
        if (System.Runtime.Intrinsics.X86.Avx512F.IsSupported)
        {
            paths.Add(("direct, AVX-512", true, true));
        }

        try
        {
            for (int round = 0; round < 2; round++)
            {
                foreach ((string name, bool direct, bool avx512) in paths)
                {
                    DirectConv.UseAvx512 = avx512;
                    var rng = new Rng(3);
                    var conv = new Conv2d(32, 3, 3, padding: 1, rng: rng) { AllowDirect = direct };
                    Tensor x = TestUtil.Random(rng, -1, 1, 32, 32, 64, 64);
                    Tensor y = conv.Forward(x);
                    Tensor gy = TestUtil.Random(rng, -1, 1, y.Shape.ToArray());
                    double fwd = Best(() => conv.Forward(x));
                    double bwd = Best(() => conv.Backward(gy));
                    conv.ComputeInputGradient = false;
                    double bwdNoInput = Best(() => conv.Backward(gy));
                    _output.WriteLine($"{name,-16} fwd {fwd,8:F3} ms ({flops / fwd / 1e6,5:F1} GFLOP/s)  bwd {bwd,8:F3} ms ({2 * flops / bwd / 1e6,5:F1} GFLOP/s; weights only {bwdNoInput,8:F3} ms)");
                }
            }
        }
        finally
        {
            DirectConv.UseAvx512 = saved;
        }
    }

    /// <summary>The layers of specs/seed000 (batch 64), where fixed per-call costs dominate.</summary>
    [BenchmarkFact]
    public void Seed000Layers()
    {
        var rng = new Rng(5);
        (string Name, Layer Layer, int[] Shape)[] cases =
        [
            ("conv 3->32 k3 5x5", new Conv2d(3, 32, 3, rng: rng), [64, 3, 5, 5]),
            ("relu [64,32,3,3]", new Layers.Activations.ReLU(), [64, 32, 3, 3]),
            ("maxpool 2 [64,32,3,3]", new MaxPool2d(2), [64, 32, 3, 3]),
            ("conv 32->64 k3 p1 1x1", new Conv2d(32, 64, 3, padding: 1, rng: rng), [64, 32, 1, 1]),
            ("linear 64->256", new Linear(64, 256, rng: rng), [64, 64]),
            ("linear 256->128", new Linear(256, 128, rng: rng), [64, 256]),
            ("linear 128->256", new Linear(128, 256, rng: rng), [64, 128]),
            ("linear 256->75", new Linear(256, 75, rng: rng), [64, 256]),
            ("sigmoid [64,3,5,5]", new Layers.Activations.Sigmoid(), [64, 3, 5, 5]),
        ];
        foreach ((string name, Layer layer, int[] shape) in cases)
        {
            Tensor x = TestUtil.Random(rng, -1, 1, shape);
            Tensor y = layer.Forward(x);
            Tensor gy = TestUtil.Random(rng, -1, 1, y.Shape.ToArray());
            double fwd = Best(() => Repeat(20, () => layer.Forward(x))) / 20;
            double bwd = Best(() => Repeat(20, () => layer.Backward(gy))) / 20;
            _output.WriteLine($"{name,-24} fwd {fwd * 1000,8:F1} us  bwd {bwd * 1000,8:F1} us");
        }
    }

    /// <summary>
    /// The pieces of those layers, whole batch, one thread, processed in the layers' sample groups
    /// (<see cref="ConvWorkspace.GroupSize"/>): im2col and col2im (generic <see cref="Im2Col"/> ->
    /// padded-plane <see cref="PlaneIm2Col"/>), the three GEMMs per group, layout copies.
    /// </summary>
    [BenchmarkFact]
    public void PiecesAtSpecShapes()
    {
        using ThreadSettings saved = ThreadSettings.Save();
        Sgemm.MaxThreads = 1;
        foreach ((string name, int batch, bool transposed, int cin, int cout, int h, int kernel) in Shapes)
        {
            (int convIn, int convOut, ConvGeometry g, int rows, int group, int ld) = ColumnLayout(batch, transposed, cin, cout, h, kernel);
            int groups = batch / group;
            int width = group * g.OutArea;
            var rng = new Rng(1);
            var image = new float[batch * convIn * g.InArea];
            var w = new float[convOut * rows];
            var cols = new float[(long)rows * ld];
            var y = new float[convOut * width];
            var yb = new float[convOut * width];
            var gatherPlane = new float[PlaneIm2Col.PlaneLength(g)];
            var scatterPlane = new float[PlaneIm2Col.PlaneLength(g)];
            rng.FillUniform(image, -1, 1);
            rng.FillUniform(w, -1, 1);
            rng.FillUniform(y, -1, 1);
            int inPlane = convIn * g.InArea;
            double gather = Best(() =>
            {
                for (int s = 0; s < groups * group; s++)
                {
                    Im2Col.Gather(image.AsSpan(s * inPlane, inPlane), convIn, g, cols.AsSpan((s % group) * g.OutArea), ld);
                }
            });
            double scatter = Best(() =>
            {
                for (int s = 0; s < groups * group; s++)
                {
                    Im2Col.ScatterAdd(cols.AsSpan((s % group) * g.OutArea), convIn, g, ld, image.AsSpan(s * inPlane, inPlane));
                }
            });
            double planeGather = Best(() =>
            {
                for (int s = 0; s < groups * group; s++)
                {
                    PlaneIm2Col.Gather(image.AsSpan(s * inPlane, inPlane), convIn, g, cols, ld, (s % group) * g.OutArea, gatherPlane);
                }
            });
            double planeScatter = Best(() =>
            {
                for (int s = 0; s < groups * group; s++)
                {
                    PlaneIm2Col.Scatter(cols, ld, (s % group) * g.OutArea, convIn, g, image.AsSpan(s * inPlane, inPlane), scatterPlane, default);
                }
            });
            double gemmNN = Best(() => Repeat(groups, () => Sgemm.Multiply(false, false, convOut, width, rows, w, rows, cols, ld, y, width, false)));
            double gemmNT = Best(() => Repeat(groups, () => Sgemm.Multiply(false, true, convOut, rows, width, y, width, cols, ld, w, rows, true)));
            double gemmTN = Best(() => Repeat(groups, () => Sgemm.Multiply(true, false, rows, width, convOut, w, rows, y, width, cols, ld, false)));
            double copy = Best(() => Repeat(groups, () => ChannelMajor.ToBatch(y, group, convOut, g.OutArea, yb)));
            double flop = 2.0 * convOut * rows * width * groups / 1e6;
            _output.WriteLine(
                $"{name,-14} R={rows,-5} P={g.OutArea,-4} group={group,-3} im2col {gather,6:F3} -> {planeGather,6:F3} col2im {scatter,6:F3} -> {planeScatter,6:F3} | " +
                $"NN {gemmNN,6:F3} ({flop / gemmNN,5:F1} GF/s) NT {gemmNT,6:F3} ({flop / gemmNT,5:F1}) TN {gemmTN,6:F3} ({flop / gemmTN,5:F1}) | NCHW copy {copy,6:F3} ms");
        }
    }

    /// <summary>
    /// col2im of each layer's whole batch on one thread, image rows summed in registers against the padded plane
    /// (<see cref="PlaneIm2Col.ScatterSmallMapsInRegisters"/>), interleaved round by round; the median of the per-round
    /// ratios. Maps wider than 16 always take the plane.
    /// </summary>
    [BenchmarkFact]
    public void ScatterOnSmallMaps()
    {
        int saved = Sgemm.MaxThreads;
        bool savedPath = PlaneIm2Col.ScatterSmallMapsInRegisters;
        Sgemm.MaxThreads = 1;
        try
        {
            foreach ((string name, int batch, bool transposed, int cin, int cout, int h, int kernel) in Shapes)
            {
                (int convIn, _, ConvGeometry g, int rows, int group, int ld) = ColumnLayout(batch, transposed, cin, cout, h, kernel);
                if (g.InW > 16)
                {
                    _output.WriteLine($"{name,-14} {convIn,4} channels of {g.InH}x{g.InW}: the plane only");
                    continue;
                }

                var cols = new float[(long)rows * ld];
                new Rng(1).FillUniform(cols, -1, 1);
                var image = new float[batch * convIn * g.InArea];
                var plane = new float[PlaneIm2Col.PlaneLength(g)];
                int inPlane = convIn * g.InArea;
                void Batch()
                {
                    for (int s = 0; s < batch; s++)
                    {
                        PlaneIm2Col.Scatter(cols, ld, (s % group) * g.OutArea, convIn, g, image.AsSpan(s * inPlane, inPlane), plane, default);
                    }
                }

                var best = new[] { double.MaxValue, double.MaxValue };
                var ratios = new List<double>();
                for (int round = 0; round < 8; round++)
                {
                    var t = new double[2];
                    foreach (bool registers in round % 2 == 0 ? new[] { false, true } : new[] { true, false })
                    {
                        PlaneIm2Col.ScatterSmallMapsInRegisters = registers;
                        int i = registers ? 1 : 0;
                        t[i] = Best(Batch);
                        best[i] = Math.Min(best[i], t[i]);
                    }

                    ratios.Add(t[0] / t[1]);
                }

                ratios.Sort();
                _output.WriteLine($"{name,-14} {convIn,4} channels of {g.InH}x{g.InW}: plane {best[0],6:F3} ms, registers {best[1],6:F3} ms, median ratio {ratios[ratios.Count / 2]:F2}");
            }
        }
        finally
        {
            Sgemm.MaxThreads = saved;
            PlaneIm2Col.ScatterSmallMapsInRegisters = savedPath;
        }
    }

    /// <summary>
    /// The convolution a k4 s2 p1 layer of <see cref="Shapes"/> runs on (a transposed one is the adjoint of the
    /// convolution from its output to its input), its column-matrix rows, and the sample group and row stride the layer
    /// gives its columns.
    /// </summary>
    private static (int ConvIn, int ConvOut, ConvGeometry Geometry, int Rows, int Group, int Ld) ColumnLayout(int batch, bool transposed, int cin, int cout, int h, int kernel)
    {
        int convH = transposed ? 2 * h : h;
        var g = new ConvGeometry(convH, convH, kernel, kernel, 2, 2, 1, 1, 1, 1);
        int convIn = transposed ? cout : cin;
        int rows = convIn * g.KernelArea;
        int group = ConvWorkspace.GroupSize(batch, rows, g.OutArea, null);
        return (convIn, transposed ? cin : cout, g, rows, group, (group * g.OutArea) + PlaneIm2Col.ColumnSlack);
    }

    private static void Repeat(int count, Action action)
    {
        for (int i = 0; i < count; i++)
        {
            action();
        }
    }

    /// <summary>
    /// Best of 7 after warming up for at least 40 calls and 0.3 s: tiered compilation only swaps in
    /// optimised code after 30 calls and a delay, and tier-0 vector code is many times slower.
    /// </summary>
    private static double Best(Action action)
    {
        long warm = Stopwatch.GetTimestamp();
        for (int i = 0; i < 40 || Stopwatch.GetElapsedTime(warm).TotalSeconds < 0.3; i++)
        {
            action();
        }

        double best = double.MaxValue;
        for (int trial = 0; trial < 7; trial++)
        {
            long start = Stopwatch.GetTimestamp();
            action();
            best = Math.Min(best, Stopwatch.GetElapsedTime(start).TotalMilliseconds);
        }

        return best;
    }
}
