using System.IO;
using VaeGen.Data;
using VaeGen.Testing;
using Xunit;

namespace VaeGen.Tool.Tests;

public sealed class DataTests
{
    [Fact]
    public void MissingOrIncompleteDataFoldersAreNamed()
    {
        using var temp = new TempFolder();
        string spec = ToolProcess.Spec("fashion_mlp.vae.yaml");

        ProcessResult missing = ToolProcess.Run("train", spec, "--data", temp.File("nowhere"), "--out", temp.File("run"));
        Assert.Equal(2, missing.ExitCode);
        Assert.Equal("vaegen: error: " + temp.File("nowhere") + ": no such folder (--data takes a folder of IDX files or of PNG images)\n", missing.Error);

        string empty = temp.File("empty");
        Directory.CreateDirectory(empty);
        ProcessResult incomplete = ToolProcess.Run("train", spec, "--data", empty, "--out", temp.File("run"));
        Assert.Equal(2, incomplete.ExitCode);
        Assert.StartsWith("vaegen: error: " + empty + ": not a Fashion-MNIST directory; missing train-images-idx3-ubyte, train-labels-idx1-ubyte", incomplete.Error);
    }

    [Fact]
    public void ATruncatedIdxFileIsReportedAndNothingIsWritten()
    {
        using var temp = new TempFolder();
        string data = temp.File("data");
        Directory.CreateDirectory(data);
        foreach (string file in Directory.GetFiles(ToolProcess.FashionMnist, "*.gz"))
        {
            File.Copy(file, Path.Combine(data, Path.GetFileName(file)));
        }

        string images = Path.Combine(data, "train-images-idx3-ubyte.gz");
        byte[] bytes = File.ReadAllBytes(images);
        File.WriteAllBytes(images, bytes[..(bytes.Length / 3)]);

        string run = temp.File("run");
        ProcessResult result = ToolProcess.Run("train", ToolProcess.Spec("fashion_mlp.vae.yaml"), "--data", data, "--out", run);

        Assert.Equal(2, result.ExitCode);
        Assert.StartsWith("vaegen: error: " + images + ": ", result.Error);
        Assert.Single(result.Error.Trim().Split('\n'));
        Assert.Empty(Directory.GetFiles(run));
    }

    [Fact]
    public void APngFolderMustMatchTheSpec()
    {
        using var temp = new TempFolder();
        string folder = temp.File("pngs");
        Directory.CreateDirectory(folder);
        for (int i = 0; i < 12; i++)
        {
            Png.Write(Path.Combine(folder, $"img{i:D2}.png"), new ByteImage(64, 64, 4));
        }

        Png.Write(Path.Combine(folder, "img05.png"), new ByteImage(48, 64, 3));
        ProcessResult wrong = ToolProcess.Run("train", ToolProcess.Spec("seed002_rgb64.vae.yaml"), "--data", folder, "--out", temp.File("run"));
        Assert.Equal(2, wrong.ExitCode);
        Assert.Equal("vaegen: error: " + Path.Combine(folder, "img05.png") + ": image is 48x64 RGB but the spec's input is 64x64 RGB; resize or crop the images to 64x64\n", wrong.Error);

        // RGBA is accepted for an RGB spec (the alpha channel is dropped); one image in ten is held out for testing.
        Png.Write(Path.Combine(folder, "img05.png"), new ByteImage(64, 64, 4));
        ProcessResult ok = ToolProcess.Run("train", ToolProcess.Spec("seed002_rgb64.vae.yaml"), "--data", folder, "--epochs", "1", "--batch", "4", "--out", temp.File("run"));
        Assert.True(ok.ExitCode == 0, ok.ToString());
        Assert.Contains("on PNG images in " + folder + " (11 training, 1 test image)", ok.Out);
    }

    [Fact]
    public void SeedSpecTrainsOnPhotoTilesByDefault()
    {
        using var temp = new TempFolder();
        ProcessResult result = ToolProcess.Run("train", ToolProcess.Spec("seed000.vae.yaml"), "--limit-train", "256", "--limit-test", "64", "--epochs", "1", "--batch", "64",
            "--out", temp.File("run"));

        Assert.True(result.ExitCode == 0, result.ToString());
        Assert.Contains("on 5x5 tiles of the photo patches in " + ToolProcess.Photos + " (256 training, 64 test images)", result.Out);

        // 5x5 images are enlarged 13 times (to at least 64 pixels a side) so that the grid can be seen: 8 columns of 5 + 2 padding.
        ByteImage grid = Png.Read(Path.Combine(temp.File("run"), "samples-epoch-001.png"));
        Assert.Equal(((8 * 7) + 2) * 13, grid.Width);
        Assert.Equal(3, grid.Channels);
    }
}
