using System;
using System.IO;
using System.Linq;
using System.Text.Json;
using VaeGen.Data;
using VaeGen.Testing;
using Xunit;

namespace VaeGen.Tool.Tests;

/// <summary>
/// specs/fashion_cvae.vae.yaml trained by the tool on the committed Fashion-MNIST subset with its labels (4,000 training
/// images), once for the tests that need a conditional model's weights: 15 epochs of batch 32 at lr 2e-3 (1,875 Adam
/// steps, about 1.5 minutes of a Debug build on the loaded 2-core VM), after which the label, not z, decides the class
/// of most samples (after 8 epochs of batch 64, 500 steps, z still did).
/// </summary>
public sealed class TrainedCvae : IDisposable
{
    public const int Epochs = 15;
    public const int TestImages = 500;
    private readonly TempFolder _folder = new();

    public TrainedCvae()
    {
        Run = _folder.File("run");
        Result = ProcessRunner.Run(ToolProcess.Start(ToolProcess.Root, "train", Spec, "--data", ToolProcess.FashionMnist, "--limit-test", TestImages.ToString(),
            "--batch", "32", "--lr", "2e-3", "--epochs", Epochs.ToString(), "--seed", "0", "--out", Run), TimeSpan.FromMinutes(6));
        if (Result.ExitCode != 0)
        {
            throw new InvalidOperationException("Training the conditional fixture failed: " + Result);
        }
    }

    public static string Spec => ToolProcess.Spec("fashion_cvae.vae.yaml");

    public string Run { get; }

    public string Weights => Path.Combine(Run, "model.safetensors");

    internal ProcessResult Result { get; }

    public void Dispose() => _folder.Dispose();
}

public sealed class ConditionalTests(TrainedCvae trained) : IClassFixture<TrainedCvae>
{
    private const int Sneaker = 7;
    private const int Trouser = 1;

    // Images in a saved grid: 28x28, 2 pixels of padding, every pixel enlarged 3 times (Grids.Save).
    private const int Side = 28;
    private const int Cell = Side + 2;
    private const int Factor = 3;

    [Fact]
    public void TrainingReadsTheLabelsAndSaysSo()
    {
        Assert.Contains("training FashionCvae (", trained.Result.Out);
        Assert.Contains("on IDX files in " + ToolProcess.FashionMnist + " with their labels (4,000 training, 500 test images)", trained.Result.Out);
        using var metrics = JsonDocument.Parse(File.ReadAllText(Path.Combine(trained.Run, "metrics.json")));
        JsonElement epochs = metrics.RootElement.GetProperty("epochs");
        Assert.True(epochs[TrainedCvae.Epochs - 1].GetProperty("test_neg_elbo").GetDouble() < epochs[0].GetProperty("test_neg_elbo").GetDouble());

        // The per-epoch sample grid has one row per class (8 samples each) with the class written on its left.
        ByteImage grid = Png.Read(Path.Combine(trained.Run, "samples-epoch-" + TrainedCvae.Epochs.ToString("D3") + ".png"));
        Assert.Equal(Factor * ((10 * Cell) + 2), grid.Height);
        Assert.Equal(180 + (Factor * ((8 * Cell) + 2)), grid.Width);
    }

    [Fact]
    public void SampleClass7DrawsSneakersAsAClassifierTrainedOnRealImagesSeesThem()
    {
        SoftmaxRegression classifier = SoftmaxRegression.Instance;
        using var temp = new TempFolder();
        foreach (int wanted in new[] { Sneaker, Trouser })
        {
            string path = temp.File("class" + wanted + ".png");
            ProcessResult result = ToolProcess.Run("sample", TrainedCvae.Spec, "--weights", trained.Weights, "--class", wanted.ToString(), "-n", "64", "--seed", "5", "--out", path);
            Assert.True(result.ExitCode == 0, result.ToString());
            Assert.Equal(path + ": 64 samples of class " + wanted + " of FashionCvae from " + trained.Weights + "\n", result.Out);

            int[] predicted = GridImages(Png.Read(path), rows: 8, columns: 8, left: 0).Select(classifier.Classify).ToArray();
            int hits = predicted.Count(p => p == wanted);

            // Most of them; chance is 1 in 10, and a model that ignored its label would draw all kinds of clothes.
            Assert.True(hits >= 33, $"class {wanted}: {hits} of 64 samples classified as {wanted}; predictions {string.Join(",", predicted)}");
        }
    }

    [Fact]
    public void WithoutAClassSampleDrawsEveryClassInItsOwnRow()
    {
        SoftmaxRegression classifier = SoftmaxRegression.Instance;
        using var temp = new TempFolder();
        string path = temp.File("grid.png");
        ProcessResult result = ToolProcess.Run("sample", TrainedCvae.Spec, "--weights", trained.Weights, "--out", path);
        Assert.True(result.ExitCode == 0, result.ToString());
        Assert.Equal(path + ": 8 samples of each of the 10 classes of FashionCvae (one row per class, the same z in each column) from " + trained.Weights + "\n", result.Out);

        ByteImage grid = Png.Read(path);
        Assert.Equal(Factor * ((10 * Cell) + 2), grid.Height);
        float[][] images = GridImages(grid, rows: 10, columns: 8, left: 180);
        int hits = Enumerable.Range(0, images.Length).Count(i => classifier.Classify(images[i]) == i / 8);

        // The same z down a column: the label alone moves the samples to its class, far above the 8 of 80 of chance
        // (the tops, T-shirt, pullover, coat and shirt, are confused among themselves even on real images).
        Assert.True(hits >= 30, hits + " of 80 per-class samples classified as their row's class");
    }

    [Fact]
    public void ClassOutOfRangeOrOnAnUnconditionalSpecIsAClearError()
    {
        using var temp = new TempFolder();
        string output = temp.File("x.png");
        ProcessResult tooLarge = ToolProcess.Run("sample", TrainedCvae.Spec, "--weights", trained.Weights, "--class", "10", "--out", output);
        Assert.Equal(2, tooLarge.ExitCode);
        Assert.Equal("vaegen: error: --class: class 10 does not exist; FashionCvae has classes 0..9\n", tooLarge.Error);

        ProcessResult negative = ToolProcess.Run("sample", TrainedCvae.Spec, "--weights", trained.Weights, "--class", "-1", "--out", output);
        Assert.Equal(2, negative.ExitCode);
        Assert.Contains("--class must be at least 0, not -1", negative.Error);

        string mlp = ToolProcess.Spec("fashion_mlp.vae.yaml");
        ProcessResult unconditional = ToolProcess.Run("sample", mlp, "--weights", trained.Weights, "--class", "3", "--out", output);
        Assert.Equal(2, unconditional.ExitCode);
        Assert.Equal("vaegen: error: --class: FashionMlpVae (" + mlp + ") is not conditional (its spec has no condition: { classes: K }); sample it without --class\n",
            unconditional.Error);
        Assert.False(File.Exists(output));
    }

    [Fact]
    public void EvalUsesTheLabelsAndReportsTrainsNumber()
    {
        ProcessResult result = ToolProcess.Run("eval", TrainedCvae.Spec, "--weights", trained.Weights, "--data", ToolProcess.FashionMnist,
            "--limit-test", TrainedCvae.TestImages.ToString(), "--k", "16", "--json");
        Assert.True(result.ExitCode == 0, result.ToString());
        using var json = JsonDocument.Parse(result.Out);
        double negElbo = json.RootElement.GetProperty("neg_elbo").GetDouble();
        double iwae = json.RootElement.GetProperty("iwae_nll").GetDouble();

        using var metrics = JsonDocument.Parse(File.ReadAllText(Path.Combine(trained.Run, "metrics.json")));
        Assert.Equal(metrics.RootElement.GetProperty("epochs")[TrainedCvae.Epochs - 1].GetProperty("test_neg_elbo").GetDouble(), negElbo);
        Assert.True(double.IsFinite(iwae) && iwae < negElbo && iwae > 0.8 * negElbo, "iwae " + iwae + ", -elbo " + negElbo);
    }

    [Fact]
    public void InterpolationStaysWithinOneClass()
    {
        ReadOnlySpan<byte> labels = FashionMnist.LoadTest(ToolProcess.FashionMnist).Labels;
        int first = 0, same = labels[1..].IndexOf(labels[0]) + 1, other = labels.IndexOfAnyExcept(labels[0]);
        using var temp = new TempFolder();
        string strip = temp.File("strip.png");

        ProcessResult ok = ToolProcess.Run("interpolate", TrainedCvae.Spec, "--weights", trained.Weights, "--data", ToolProcess.FashionMnist, "--out", strip,
            "--from", first.ToString(), "--to", same.ToString(), "--steps", "4");
        Assert.True(ok.ExitCode == 0, ok.ToString());
        Assert.Equal(Factor * ((6 * Cell) + 2), Png.Read(strip).Width);

        ProcessResult refused = ToolProcess.Run("interpolate", TrainedCvae.Spec, "--weights", trained.Weights, "--data", ToolProcess.FashionMnist, "--out", strip,
            "--from", first.ToString(), "--to", other.ToString());
        Assert.Equal(2, refused.ExitCode);
        Assert.Equal($"vaegen: error: --to: test image {other} is of class {labels[other]} but image {first} (--from) is of class {labels[first]}; FashionCvae is conditional, " +
                     "and interpolates between two images of one class: choose --from and --to of the same class\n", refused.Error);
    }

    [Fact]
    public void ResumeGivesExactlyTheWeightsOfAnUninterruptedRun()
    {
        using var temp = new TempFolder();
        string straight = temp.File("straight"), resumed = temp.File("resumed");
        string[] small = ["train", TrainedCvae.Spec, "--data", ToolProcess.FashionMnist, "--limit-train", "200", "--limit-test", "50", "--batch", "32"];
        Assert.Equal(0, ToolProcess.Run([.. small, "--epochs", "2", "--out", straight]).ExitCode);
        Assert.Equal(0, ToolProcess.Run([.. small, "--epochs", "1", "--out", resumed]).ExitCode);
        ProcessResult result = ToolProcess.Run("train", TrainedCvae.Spec, "--resume", "--epochs", "2", "--out", resumed);
        Assert.True(result.ExitCode == 0, result.ToString());
        Assert.Equal(File.ReadAllBytes(Path.Combine(straight, "model.safetensors")), File.ReadAllBytes(Path.Combine(resumed, "model.safetensors")));
    }

    [Fact]
    public void LabelsOutsideTheClassesAreOneErrorNamingTheFileAndIndex()
    {
        using var temp = new TempFolder();

        // The same model with 3 classes: Fashion-MNIST's first training image is an ankle boot, class 9.
        string three = temp.File("three.vae.yaml");
        File.WriteAllText(three, File.ReadAllText(TrainedCvae.Spec).Replace("condition: { classes: 10 }", "condition: { classes: 3 }", StringComparison.Ordinal));
        string run = temp.File("run");
        ProcessResult result = ToolProcess.Run("train", three, "--data", ToolProcess.FashionMnist, "--out", run);
        Assert.Equal(2, result.ExitCode);
        Assert.Equal("vaegen: error: " + Path.Combine(ToolProcess.FashionMnist, "train-labels-idx1-ubyte.gz") + ": label 9 at index 0 is outside 0..2\n", result.Error);
        Assert.Empty(Directory.GetFiles(run));
    }

    [Fact]
    public void PngClassFoldersAreTheLabels()
    {
        using var temp = new TempFolder();
        string two = temp.File("two.vae.yaml");
        File.WriteAllText(two, File.ReadAllText(TrainedCvae.Spec).Replace("condition: { classes: 10 }", "condition: { classes: 2 }", StringComparison.Ordinal));
        string data = temp.File("data");
        foreach (var (folder, value) in new[] { ("boots", (byte)200), ("bags", (byte)40) })
        {
            Directory.CreateDirectory(Path.Combine(data, folder));
            for (int i = 0; i < 20; i++)
            {
                var image = new ByteImage(Side, Side, 1);
                image.Pixels.AsSpan().Fill(value);
                Png.Write(Path.Combine(data, folder, $"{i:D2}.png"), image);
            }
        }

        ProcessResult ok = ToolProcess.Run("train", two, "--data", data, "--epochs", "1", "--batch", "4", "--out", temp.File("run"));
        Assert.True(ok.ExitCode == 0, ok.ToString());
        Assert.Contains("on PNG images in 2 class folders of " + data + " (36 training, 4 test images)", ok.Out);

        // A third class folder: in ordinal order bags, boots, cats, so cats would be class 2 of a 2-class model.
        Directory.CreateDirectory(Path.Combine(data, "cats"));
        Png.Write(Path.Combine(data, "cats", "0.png"), new ByteImage(Side, Side, 1));
        ProcessResult three = ToolProcess.Run("train", two, "--data", data, "--epochs", "1", "--out", temp.File("run3"));
        Assert.Equal(2, three.ExitCode);
        Assert.Equal("vaegen: error: " + Path.Combine(data, "cats") + ": class folder 2 (in ordinal order of the 3 folders in " + data + ") is outside 0..1: " +
                     "a model of 2 classes takes at most 2 class folders\n", three.Error);

        // Images straight in the folder carry no class.
        string flat = temp.File("flat");
        Directory.CreateDirectory(flat);
        Png.Write(Path.Combine(flat, "0.png"), new ByteImage(Side, Side, 1));
        ProcessResult unlabelled = ToolProcess.Run("train", two, "--data", flat, "--out", temp.File("run4"));
        Assert.Equal(2, unlabelled.ExitCode);
        Assert.Equal("vaegen: error: " + flat + ": PNG images without class labels, but the spec is conditional (condition: { classes: 2 }); " +
                     "put the images in one sub-folder per class (classes in ordinal order of folder name)\n", unlabelled.Error);
    }

    /// <summary>The images of a saved grid, each as 784 values in [0, 1] (one pixel of each enlarged block).</summary>
    private static float[][] GridImages(ByteImage grid, int rows, int columns, int left)
    {
        var images = new float[rows * columns][];
        for (int i = 0; i < images.Length; i++)
        {
            int top = 2 + ((i / columns) * Cell), start = 2 + ((i % columns) * Cell);
            images[i] = new float[Side * Side];
            for (int y = 0; y < Side; y++)
            {
                for (int x = 0; x < Side; x++)
                {
                    int gy = ((top + y) * Factor) + 1, gx = left + ((start + x) * Factor) + 1;
                    images[i][(y * Side) + x] = grid.Pixels[(gy * grid.Width) + gx] / 255f;
                }
            }
        }

        return images;
    }

    /// <summary>
    /// A softmax regression (784 pixels -> 10 classes) trained here by plain SGD on the real training images of the
    /// committed subset, and checked on the real test images before it judges any sample: a simple classifier that
    /// knows sneakers and trousers, and knows nothing about the VAE.
    /// </summary>
    private sealed class SoftmaxRegression
    {
        private const int Classes = 10;
        private const int Pixels = Side * Side;
        private readonly float[] _weights = new float[Classes * Pixels];
        private readonly float[] _bias = new float[Classes];

        private static readonly Lazy<SoftmaxRegression> Trained = new(Train);

        public static SoftmaxRegression Instance => Trained.Value;

        public int Classify(float[] image)
        {
            Span<float> logits = stackalloc float[Classes];
            Logits(image, logits);
            int best = 0;
            for (int c = 1; c < Classes; c++)
            {
                if (logits[c] > logits[best])
                {
                    best = c;
                }
            }

            return best;
        }

        private static SoftmaxRegression Train()
        {
            ImageDataset train = FashionMnist.LoadTrain(ToolProcess.FashionMnist);
            float[][] images = Enumerable.Range(0, train.Count).Select(i => ToFloats(train.Sample(i))).ToArray();
            byte[] labels = train.Labels.ToArray();
            var model = new SoftmaxRegression();
            var random = new Random(0);
            int[] order = Enumerable.Range(0, train.Count).ToArray();
            Span<float> p = stackalloc float[Classes];
            for (int epoch = 0; epoch < 15; epoch++)
            {
                random.Shuffle(order);
                float lr = 0.05f / (1 + epoch);
                foreach (int i in order)
                {
                    // Gradient of the cross-entropy: softmax(logits) - one_hot(label).
                    model.Logits(images[i], p);
                    float max = p[0];
                    for (int c = 1; c < Classes; c++)
                    {
                        max = Math.Max(max, p[c]);
                    }

                    float sum = 0;
                    for (int c = 0; c < Classes; c++)
                    {
                        p[c] = MathF.Exp(p[c] - max);
                        sum += p[c];
                    }

                    for (int c = 0; c < Classes; c++)
                    {
                        float g = (p[c] / sum) - (c == labels[i] ? 1f : 0f);
                        model._bias[c] -= lr * g;
                        Span<float> w = model._weights.AsSpan(c * Pixels, Pixels);
                        for (int k = 0; k < Pixels; k++)
                        {
                            w[k] -= lr * g * images[i][k];
                        }
                    }
                }
            }

            // On real test images it must know sneakers and trousers, or its verdict on samples would mean nothing.
            ImageDataset test = FashionMnist.LoadTest(ToolProcess.FashionMnist);
            foreach (int c in new[] { Sneaker, Trouser })
            {
                int[] of = Enumerable.Range(0, test.Count).Where(i => test.Labels[i] == c).ToArray();
                int right = of.Count(i => model.Classify(ToFloats(test.Sample(i))) == c);
                Assert.True(right >= 0.85 * of.Length, $"the classifier recognises {right} of {of.Length} real test images of class {c}");
            }

            return model;
        }

        private static float[] ToFloats(ReadOnlySpan<byte> pixels)
        {
            var values = new float[pixels.Length];
            for (int i = 0; i < pixels.Length; i++)
            {
                values[i] = pixels[i] / 255f;
            }

            return values;
        }

        private void Logits(float[] image, Span<float> logits)
        {
            for (int c = 0; c < Classes; c++)
            {
                ReadOnlySpan<float> w = _weights.AsSpan(c * Pixels, Pixels);
                float z = _bias[c];
                for (int k = 0; k < Pixels; k++)
                {
                    z += w[k] * image[k];
                }

                logits[c] = z;
            }
        }
    }
}

/// <summary>tools/torch/train_reference.py, the PyTorch side of the quality table, trains a conditional spec on the labels vaegen reads.</summary>
public sealed class TrainReferenceLabelTests
{
    [PyTorchFact]
    public void TrainReferenceTrainsAConditionalSpecWithItsLabels()
    {
        string output = PyTorch.Run("train_reference.py", TrainedCvae.Spec, "--data", ToolProcess.FashionMnist, "--epochs", "2", "--limit-train", "512",
            "--limit-test", "128", "--batch", "32", "--json");
        using var json = JsonDocument.Parse(output);
        Assert.Equal(10, json.RootElement.GetProperty("config").GetProperty("classes").GetInt32());
        JsonElement epochs = json.RootElement.GetProperty("epochs");
        double first = epochs[0].GetProperty("test_neg_elbo").GetDouble(), second = epochs[1].GetProperty("test_neg_elbo").GetDouble();
        Assert.True(double.IsFinite(second) && second < first, first + " then " + second);
    }

    [PyTorchFact]
    public void TrainReferenceRefusesALabelOutsideTheClassesNamingTheFileAndIndex()
    {
        using var temp = new TempFolder();
        string three = temp.File("three.vae.yaml");
        File.WriteAllText(three, File.ReadAllText(TrainedCvae.Spec).Replace("condition: { classes: 10 }", "condition: { classes: 3 }", StringComparison.Ordinal));
        var start = ProcessRunner.Start(PyTorch.Python, ToolProcess.Root, Repository.Path("tools", "torch", "train_reference.py"), three, "--data", ToolProcess.FashionMnist,
            "--epochs", "1", "--limit-train", "64", "--limit-test", "16");
        start.Environment["OPENBLAS_NUM_THREADS"] = "1";
        ProcessResult result = ProcessRunner.Run(start, TimeSpan.FromMinutes(2));
        Assert.NotEqual(0, result.ExitCode);
        Assert.Contains("ValueError: " + Path.Combine(ToolProcess.FashionMnist, "train-labels-idx1-ubyte.gz") + ": label 9 at index 0 is outside 0..2", result.Error);
    }
}
