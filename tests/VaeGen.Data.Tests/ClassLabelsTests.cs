using System;
using System.IO;
using System.Linq;
using VaeGen.Runtime.Models;
using VaeGen.Runtime.Tensors;
using VaeGen.Testing;
using Xunit;

namespace VaeGen.Data.Tests;

/// <summary>Labels for conditional specs: IDX label files and one PNG sub-folder per class, written here as real files.</summary>
public sealed class ClassLabelsTests : IDisposable
{
    private readonly TempFolder _temp = new("vaegen-labels-");

    public void Dispose() => _temp.Dispose();

    [Fact]
    public void PngClassFoldersAreClassesInOrdinalOrderOfName()
    {
        // Ordinal order: "Boot" < "bag" < "coat" (upper case first); ".git" is not a class.
        WriteClass("coat", 2, value: 30);
        WriteClass("Boot", 1, value: 10);
        WriteClass("bag", 3, value: 20);
        Directory.CreateDirectory(Path.Combine(_temp.Path, ".git"));
        File.WriteAllText(Path.Combine(_temp.Path, "README.txt"), "not an image");

        Assert.Equal(["Boot", "bag", "coat"], ClassLabels.Folders(_temp.Path).Select(Path.GetFileName));
        ImageDataset ds = ImageDataset.LoadPngClassFolders(_temp.Path);
        Assert.Equal(6, ds.Count);
        Assert.Equal(new byte[] { 0, 1, 1, 1, 2, 2 }, ds.Labels.ToArray());

        // Every image of class c is filled with 10 * (c + 1) + its index in the folder: each label stays with its image.
        for (int i = 0; i < ds.Count; i++)
        {
            byte pixel = ds.Sample(i)[0];
            Assert.Equal(ds.Labels[i], (pixel / 10) - 1);
        }
    }

    [Fact]
    public void LabelsTravelWithTheirImagesInAShuffledBatch()
    {
        WriteClass("a", 2, value: 10);
        WriteClass("b", 2, value: 20);
        WriteClass("c", 1, value: 30);
        ImageDataset ds = ImageDataset.LoadPngClassFolders(_temp.Path);
        int[] order = [4, 0, 3, 1, 2];
        var batch = new Tensor(order.Length, 3, 4, 1);
        var labels = new int[order.Length];
        ds.FillBatch(order, batch, InputLayout.Nhwc);
        ds.FillLabels(order, labels);
        Assert.Equal([2, 0, 1, 0, 1], labels);
        for (int b = 0; b < order.Length; b++)
        {
            Assert.Equal(labels[b], ((int)batch.Data[b * 12] / 10) - 1);
        }

        long before = GC.GetAllocatedBytesForCurrentThread();
        ds.FillLabels(order, labels);
        Assert.Equal(0, GC.GetAllocatedBytesForCurrentThread() - before);
    }

    [Fact]
    public void ClassFolderProblemsNameTheFolderOrFile()
    {
        var e = Assert.Throws<FileNotFoundException>(() => ImageDataset.LoadPngClassFolders(_temp.Path));
        Assert.Contains("no class folders", e.Message, StringComparison.Ordinal);

        WriteClass("a", 1, value: 10);
        string empty = Path.Combine(_temp.Path, "b");
        Directory.CreateDirectory(empty);
        e = Assert.Throws<FileNotFoundException>(() => ImageDataset.LoadPngClassFolders(_temp.Path));
        Assert.StartsWith(empty + ": no .png files", e.Message, StringComparison.Ordinal);

        Png.Write(Path.Combine(empty, "x.png"), new ByteImage(5, 3, 1));
        var bad = Assert.Throws<DataFormatException>(() => ImageDataset.LoadPngClassFolders(_temp.Path));
        Assert.StartsWith(Path.Combine(empty, "x.png") + ": image is 5x3 grayscale but " + Path.Combine(_temp.Path, "a", "0.png") + " is 4x3 grayscale",
            bad.Message, StringComparison.Ordinal);
    }

    [Fact]
    public void MoreClassFoldersThanClassesNamesTheFirstFolderOutside()
    {
        foreach (string name in new[] { "a", "b", "c" })
        {
            WriteClass(name, 1, value: 10);
        }

        var folders = ClassLabels.Folders(_temp.Path);
        ClassLabels.CheckFolders(_temp.Path, folders, 3);
        ClassLabels.CheckFolders(_temp.Path, folders, 4);
        var e = Assert.Throws<DataFormatException>(() => ClassLabels.CheckFolders(_temp.Path, folders, 2));
        Assert.Equal(Path.Combine(_temp.Path, "c"), e.FilePath);
        Assert.StartsWith(Path.Combine(_temp.Path, "c") + ": class folder 2 (in ordinal order of the 3 folders in " + _temp.Path + ") is outside 0..1",
            e.Message, StringComparison.Ordinal);
    }

    [Theory]
    [InlineData(false)]
    [InlineData(true)]
    public void AnIdxLabelOutsideTheClassesNamesTheFileAndTheFirstBadIndex(bool gzip)
    {
        string path = Path.Combine(_temp.Path, "train-labels-idx1-ubyte" + (gzip ? ".gz" : string.Empty));
        IdxFile.WriteLabels(path, new byte[] { 0, 3, 1, 7, 9, 2 }, gzip);
        byte[] labels = IdxFile.LoadLabels(path);
        ClassLabels.Check(path, labels, 10);
        var e = Assert.Throws<DataFormatException>(() => ClassLabels.Check(path, labels, 5));
        Assert.Equal(path + ": label 7 at index 3 is outside 0..4", e.Message);
    }

    [Fact]
    public void FashionMnistLabelsComeFromTheFileNextToTheImages()
    {
        IdxFile.WriteImages(Path.Combine(_temp.Path, "train-images-idx3-ubyte"), new IdxImages(3, 28, 28, new byte[3 * 784]), gzip: false);
        IdxFile.WriteLabels(Path.Combine(_temp.Path, "train-labels-idx1-ubyte.gz"), [7, 0, 9], gzip: true);
        IdxFile.WriteImages(Path.Combine(_temp.Path, "t10k-images-idx3-ubyte"), new IdxImages(1, 28, 28, new byte[784]), gzip: false);
        IdxFile.WriteLabels(Path.Combine(_temp.Path, "t10k-labels-idx1-ubyte"), [4], gzip: false);

        Assert.Equal(Path.Combine(_temp.Path, "train-labels-idx1-ubyte.gz"), FashionMnist.LabelsPath(FashionMnistSplit.Train, _temp.Path));
        Assert.Equal(Path.Combine(_temp.Path, "t10k-labels-idx1-ubyte"), FashionMnist.LabelsPath(FashionMnistSplit.Test, _temp.Path));
        Assert.Equal(new byte[] { 7, 0, 9 }, FashionMnist.LoadTrain(_temp.Path).Labels.ToArray());
    }

    [Fact]
    public void FillLabelsNeedsLabelsAndRoom()
    {
        var unlabelled = new ImageDataset(new byte[2], 2, 1, 1, 1);
        var e = Assert.Throws<InvalidOperationException>(() => unlabelled.FillLabels([0], new int[1]));
        Assert.Contains("no labels", e.Message, StringComparison.Ordinal);

        var labelled = new ImageDataset(new byte[2], 2, 1, 1, 1, labels: [1, 0]);
        Assert.Throws<ArgumentException>(() => labelled.FillLabels([0, 1], new int[1]));
        Assert.Throws<ArgumentOutOfRangeException>(() => labelled.FillLabels([2], new int[1]));
    }

    /// <summary>A class folder of 4x3 gray images; image i is filled with value + i.</summary>
    private void WriteClass(string name, int images, byte value)
    {
        string folder = Path.Combine(_temp.Path, name);
        Directory.CreateDirectory(folder);
        for (int i = 0; i < images; i++)
        {
            var image = new ByteImage(4, 3, 1);
            image.Pixels.AsSpan().Fill((byte)(value + i));
            Png.Write(Path.Combine(folder, i + ".png"), image);
        }
    }
}
