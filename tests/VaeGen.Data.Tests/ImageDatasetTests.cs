using System;
using System.IO;
using System.Linq;
using VaeGen.Data;
using VaeGen.Runtime.Models;
using VaeGen.Runtime.Tensors;
using VaeGen.Testing;
using Xunit;

namespace VaeGen.Data.Tests;

public sealed class ImageDatasetTests : IDisposable
{
    private readonly TempFolder _temp = new("vaegen-ds-");

    public void Dispose() => _temp.Dispose();

    [Fact]
    public void FillsNhwcNchwAndFlatBatches()
    {
        // Two 2x3 RGB images; value = 100 * image + 10 * pixel + channel.
        byte[] pixels = new byte[2 * 6 * 3];
        for (int i = 0; i < 2; i++)
        {
            for (int p = 0; p < 6; p++)
            {
                for (int c = 0; c < 3; c++)
                {
                    pixels[(i * 18) + (p * 3) + c] = (byte)((100 * i) + (10 * p) + c);
                }
            }
        }

        var ds = new ImageDataset(pixels, 2, 2, 3, 3, labels: [4, 7]);
        Assert.Equal(new[] { 2, 3, 3 }, ds.SampleShape);
        Assert.Equal(new byte[] { 4, 7 }, ds.Labels.ToArray());

        int[] order = [1, 0, 1];
        var nhwc = new Tensor(3, 2, 3, 3);
        ds.FillBatch(order, nhwc, InputLayout.Nhwc);
        Assert.Equal(100f + 50f + 2f, nhwc.Data[(0 * 18) + (5 * 3) + 2]);
        Assert.Equal(31f, nhwc.Data[(1 * 18) + (3 * 3) + 1]);

        var nchw = new Tensor(3, 3, 2, 3);
        ds.FillBatch(order, nchw, InputLayout.Nchw);
        for (int b = 0; b < 3; b++)
        {
            for (int c = 0; c < 3; c++)
            {
                for (int p = 0; p < 6; p++)
                {
                    Assert.Equal(nhwc.Data[(b * 18) + (p * 3) + c], nchw.Data[(b * 18) + (c * 6) + p]);
                }
            }
        }

        var flat = new Tensor(3, 18);
        ds.FillBatch(order, flat, InputLayout.Nhwc, scale: 255f);
        Assert.Equal(nhwc.Data.Select(v => v / 255f).ToArray(), flat.Data);
    }

    [Fact]
    public void RejectsWrongShapesAndIndices()
    {
        var ds = new ImageDataset(new byte[2 * 4 * 4], 2, 4, 4, 1);
        var e = Assert.Throws<ArgumentException>(() => ds.FillBatch([0, 1], new Tensor(2, 4, 4, 2), InputLayout.Nchw));
        Assert.Contains("needs a tensor of shape [2, 1, 4, 4]", e.Message, StringComparison.Ordinal);
        Assert.Throws<ArgumentException>(() => ds.FillBatch([0], new Tensor(2, 16), InputLayout.Nchw));
        Assert.Throws<ArgumentOutOfRangeException>(() => ds.FillBatch([2], new Tensor(1, 16), InputLayout.Nchw));
        Assert.Throws<ArgumentOutOfRangeException>(() => ds.FillBatch([0], new Tensor(1, 16), InputLayout.Nchw, scale: 0f));
        Assert.Throws<ArgumentException>(() => new ImageDataset(new byte[31], 2, 4, 4, 1));
        Assert.Throws<ArgumentException>(() => new ImageDataset(new byte[32], 2, 4, 4, 1, labels: [1]));
    }

    [Fact]
    public void FillingABatchAllocatesNothing()
    {
        var ds = new ImageDataset(new byte[10 * 8 * 8 * 3], 10, 8, 8, 3);
        int[] indices = [3, 1, 4, 1, 5];
        var batch = new Tensor(5, 3, 8, 8);
        Tensor channelsLast = batch.View(5, 8, 8, 3);
        ds.FillBatch(indices, batch, InputLayout.Nchw);
        long before = GC.GetAllocatedBytesForCurrentThread();
        ds.FillBatch(indices, batch, InputLayout.Nchw, 255f);
        ds.FillBatch(indices, channelsLast, InputLayout.Nhwc);
        Assert.Equal(0, GC.GetAllocatedBytesForCurrentThread() - before);
    }

    [Fact]
    public void LoadsADirectoryOfPngsInNameOrder()
    {
        Png.Write(Path.Combine(_temp.Path, "b.png"), PngTests.Mixed(5, 4, 3));
        Png.Write(Path.Combine(_temp.Path, "a.png"), PngTests.Mixed(5, 4, 3));
        File.WriteAllText(Path.Combine(_temp.Path, "notes.txt"), "ignored");
        ImageDataset ds = ImageDataset.LoadPngDirectory(_temp.Path);
        Assert.Equal((2, 4, 5, 3), (ds.Count, ds.Height, ds.Width, ds.Channels));
        Assert.Equal(PngTests.Mixed(5, 4, 3).Pixels, ds.ToImage(0).Pixels);
        Assert.False(ds.HasLabels);

        string odd = Path.Combine(_temp.Path, "c.png");
        Png.Write(odd, PngTests.Mixed(5, 4, 1));
        var e = Assert.Throws<DataFormatException>(() => ImageDataset.LoadPngDirectory(_temp.Path));
        Assert.StartsWith(odd + ": image is 5x4 grayscale but a.png is 5x4 RGB", e.Message, StringComparison.Ordinal);
    }

    [Fact]
    public void CommittedFashionMnistSubsetLoads()
    {
        string? dir = CheckoutData.Find(FashionMnist.RepositoryDataName);
        Assert.NotNull(dir);
        Assert.Equal(dir, FashionMnist.Locate(dir));

        ImageDataset train = FashionMnist.LoadTrain(dir);
        ImageDataset test = FashionMnist.LoadTest(dir);
        Assert.Equal((4000, 28, 28, 1), (train.Count, train.Height, train.Width, train.Channels));
        Assert.Equal((1000, 28, 28, 1), (test.Count, test.Height, test.Width, test.Channels));
        foreach (ImageDataset ds in new[] { train, test })
        {
            Assert.Equal(Enumerable.Range(0, 10).Select(i => (byte)i), ds.Labels.ToArray().Distinct().Order());
            Assert.True(ds.Pixels.IndexOfAnyExcept((byte)0) >= 0);
        }

        // The first training image of Fashion-MNIST is an ankle boot.
        Assert.Equal("Ankle boot", FashionMnist.ClassNames[train.Labels[0]]);
    }

    [Fact]
    public void LocateFindsACompleteCopyAndExplainsAMissingOne()
    {
        string found = FashionMnist.Locate();
        Assert.True(found == FashionMnist.SystemDirectory || found == CheckoutData.Find(FashionMnist.RepositoryDataName));

        File.WriteAllBytes(Path.Combine(_temp.Path, "train-images-idx3-ubyte"), []);
        var e = Assert.Throws<FileNotFoundException>(() => FashionMnist.Locate(_temp.Path));
        Assert.Contains("missing train-labels-idx1-ubyte, t10k-images-idx3-ubyte, t10k-labels-idx1-ubyte", e.Message, StringComparison.Ordinal);
    }

    [Fact]
    public void FashionMnistRejectsLabelsThatDoNotMatchTheImages()
    {
        IdxFile.WriteImages(Path.Combine(_temp.Path, "train-images-idx3-ubyte.gz"), new IdxImages(2, 28, 28, new byte[2 * 784]), gzip: true);
        IdxFile.WriteLabels(Path.Combine(_temp.Path, "train-labels-idx1-ubyte"), [1, 10], gzip: false);
        IdxFile.WriteImages(Path.Combine(_temp.Path, "t10k-images-idx3-ubyte"), new IdxImages(1, 28, 28, new byte[784]), gzip: false);
        IdxFile.WriteLabels(Path.Combine(_temp.Path, "t10k-labels-idx1-ubyte"), [1, 2], gzip: false);

        var e = Assert.Throws<DataFormatException>(() => FashionMnist.LoadTrain(_temp.Path));
        Assert.EndsWith("train-labels-idx1-ubyte: label 10 at index 1 is outside 0..9", e.Message, StringComparison.Ordinal);
        e = Assert.Throws<DataFormatException>(() => FashionMnist.LoadTest(_temp.Path));
        Assert.Contains("t10k-labels-idx1-ubyte: 2 labels for the 1 images in ", e.Message, StringComparison.Ordinal);
    }

    [Fact]
    public void CommittedPhotoPatchesLoadAsAnRgbBatchInZeroToOne()
    {
        string? dir = CheckoutData.Find("photos64");
        Assert.NotNull(dir);
        ImageDataset photos = ImageDataset.LoadPngDirectory(dir);
        Assert.Equal((270, 64, 64, 3), (photos.Count, photos.Height, photos.Width, photos.Channels));

        // specs/seed002_rgb64.vae.yaml: [64, 64, 3] channels-last in [0, 1].
        var batch = new Tensor(4, 64, 64, 3);
        photos.FillBatch([0, 100, 200, 269], batch, InputLayout.Nhwc, scale: 255f);
        Assert.InRange(batch.Data.Min(), 0f, 0.2f);
        Assert.InRange(batch.Data.Max(), 0.8f, 1f);
    }

    [Fact]
    public void CheckoutDataIsFoundFromTheTestOutput()
    {
        string? root = CheckoutData.FindRoot();
        Assert.NotNull(root);
        Assert.True(File.Exists(Path.Combine(root, "VaeGen.sln")));
        Assert.Null(CheckoutData.FindRoot(Path.GetPathRoot(_temp.Path)));
        Assert.Null(CheckoutData.Find("no-such-data-set"));
    }
}
