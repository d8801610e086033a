using System;
using System.Buffers.Binary;
using System.Collections.Generic;
using System.Diagnostics;
using System.Globalization;
using System.IO;
using System.IO.Compression;
using System.Linq;
using System.Text.Json.Nodes;
using VaeGen.Testing;
using Xunit;
using Xunit.Abstractions;

namespace VaeGen.Tool.Tests;

/// <summary>
/// The tool's inputs besides specs, damaged at random (with fixed seeds): weights files, the run state in a
/// checkpoint's metadata, PNG headers and IDX headers. Whatever the damage, the tool answers with exit 0,
/// 1, 2 or 3 (never 70, a bug, or 134, a crash), within a time limit and with its managed heap capped
/// (DOTNET_GCHeapHardLimit), so an input that makes it allocate without bound fails here.
/// </summary>
public sealed class InputFuzzTests(TrainedRunFixture fixture, ITestOutputHelper output) : IClassFixture<TrainedRunFixture>
{
    private const string HeapLimit = "0x30000000"; // 768 MiB: ten times what these runs need
    private static readonly TimeSpan Limit = TimeSpan.FromSeconds(60);
    private static readonly string Mlp = ToolProcess.Spec("fashion_mlp.vae.yaml");

    [Fact]
    public void DamagedWeightsFiles()
    {
        using var temp = new TempFolder();
        byte[] weights = File.ReadAllBytes(Path.Combine(fixture.Run, "model.safetensors"));
        int headerEnd = 8 + (int)BinaryPrimitives.ReadUInt64LittleEndian(weights);
        var random = new Random(13);
        var cases = new List<(string Name, byte[] Bytes)>
        {
            ("empty", []),
            ("header length only", weights[..8]),
            ("truncated in the header", weights[..(headerEnd / 2)]),
            ("truncated in the data", weights[..(weights.Length - 1000)]),
            ("header length 2^63", WithLength(weights, 1UL << 63)),
            ("header length past the end", WithLength(weights, (ulong)weights.Length)),
            ("header length 99 MB", WithLength(weights, 99_000_000)),
        };
        foreach (string replace in new[] { "\"F32\"|\"F64\"", "\"F32\"|\"I8\"", "[400,784]|[400,784000000]", "[400,784]|[-1,784]", "[400,784]|[2147483647,2147483647]",
                                           "\"data_offsets\":[0,|\"data_offsets\":[-5,", "\"__metadata__\"|\"__metadata_\"" })
        {
            string[] pair = replace.Split('|');
            string header = System.Text.Encoding.UTF8.GetString(weights, 8, headerEnd - 8);
            if (header.Contains(pair[0], StringComparison.Ordinal))
            {
                cases.Add(("header " + replace, Rebuilt(weights, headerEnd, header.Replace(pair[0], pair[1], StringComparison.Ordinal))));
            }
        }

        for (int i = 0; i < 16; i++)
        {
            byte[] mutant = (byte[])weights.Clone();
            int flips = 1 + random.Next(4);
            for (int f = 0; f < flips; f++)
            {
                mutant[random.Next(headerEnd)] = (byte)random.Next(256); // the header: where a byte changes what is allocated
            }

            cases.Add(("header bytes " + i, mutant));
        }

        Fuzz(temp, cases, path => ["eval", Mlp, "--weights", path, "--data", ToolProcess.FashionMnist, "--limit-test", "4", "--k", "1"], "weights.safetensors");
    }

    [Fact]
    public void DamagedRunStates()
    {
        using var temp = new TempFolder();
        var random = new Random(17);
        JsonNode?[] values = [null, -1, 0, 1, 2147483648, -9.2e18, 1e308, "text", "", true, new JsonArray(), new JsonObject(), 0.5];
        string[] fields = ["model", "epoch", "settings", "history", "settings.seed", "settings.batch", "settings.learning_rate", "settings.data", "settings.limit_train",
                           "settings.limit_test", "history.0", "history.0.epoch", "history.0.curve", "history.0.train_loss"];
        var cases = new List<(string Name, Action<string> Damage)>();
        foreach (string field in fields)
        {
            for (int k = 0; k < 2; k++)
            {
                JsonNode? value = values[random.Next(values.Length)]?.DeepClone();
                cases.Add((field + " = " + (value?.ToJsonString() ?? "null"), run => SafeTensorsBytes.EditRunState(Path.Combine(run, "training.safetensors"), state => Set(state, field, value))));
            }
        }

        var failures = new List<string>();
        foreach (var (name, damage) in cases)
        {
            string run = fixture.Copy(temp, "run-" + failures.Count + "-" + Guid.NewGuid().ToString("N")[..6]);
            damage(run);
            Check(name, ["train", Mlp, "--resume", "--epochs", "1", "--out", run], failures);
        }

        Assert.True(failures.Count == 0, string.Join("\n\n", failures));
    }

    [Fact]
    public void DamagedPngHeaders()
    {
        using var temp = new TempFolder();
        byte[] png = File.ReadAllBytes(Directory.GetFiles(ToolProcess.Photos, "*.png").Order(StringComparer.Ordinal).First());
        var random = new Random(19);
        var cases = new List<(string Name, byte[] Bytes)>
        {
            ("40000x40000 with a correct CRC", Ihdr(png, 40000, 40000, fixCrc: true)),
            ("40000x40000", Ihdr(png, 40000, 40000, fixCrc: false)),
            ("2^31-1 x 1", Ihdr(png, int.MaxValue, 1, fixCrc: true)),
            ("0x0", Ihdr(png, 0, 0, fixCrc: true)),
            ("64x65", Ihdr(png, 64, 65, fixCrc: true)),
            ("signature only", png[..8]),
            ("truncated IHDR", png[..20]),
            ("no IDAT", png[..33]),
        };
        for (int i = 0; i < 12; i++)
        {
            byte[] mutant = (byte[])png.Clone();
            mutant[8 + random.Next(40)] = (byte)random.Next(256);
            cases.Add(("header byte " + i, mutant));
        }

        Fuzz(temp, cases, path => ["explain", ToolProcess.Spec("seed002_rgb64.vae.yaml"), "--input", path], "image.png");
    }

    [Fact]
    public void DamagedIdxHeaders()
    {
        using var temp = new TempFolder();
        byte[] images = Gunzip(Path.Combine(ToolProcess.FashionMnist, "t10k-images-idx3-ubyte.gz"))[..(16 + (64 * 784))];
        byte[] labels = Gunzip(Path.Combine(ToolProcess.FashionMnist, "t10k-labels-idx1-ubyte.gz"))[..(8 + 64)];
        BinaryPrimitives.WriteInt32BigEndian(images.AsSpan(4), 64);
        BinaryPrimitives.WriteInt32BigEndian(labels.AsSpan(4), 64);
        var random = new Random(23);
        var cases = new List<(string Name, byte[] Bytes)>
        {
            ("as is", images),
            ("count 2^31-1", Int(images, 4, int.MaxValue)),
            ("count -1", Int(images, 4, -1)),
            ("rows 2^31-1", Int(images, 8, int.MaxValue)),
            ("rows and cols 65536", Int(Int(images, 8, 65536), 12, 65536)),
            ("4 dimensions", Int(images, 0, 0x0804)),
            ("255 dimensions", Int(images, 0, 0x08FF)),
            ("float data", Int(images, 0, 0x0D03)),
            ("magic only", images[..4]),
            ("header only", images[..16]),
        };
        for (int i = 0; i < 10; i++)
        {
            byte[] mutant = (byte[])images.Clone();
            mutant[random.Next(16)] = (byte)random.Next(256);
            cases.Add(("header byte " + i, mutant));
        }

        var failures = new List<string>();
        int n = 0;
        foreach (var (name, bytes) in cases)
        {
            string folder = temp.File("idx-" + n++.ToString(CultureInfo.InvariantCulture));
            Directory.CreateDirectory(folder);
            File.WriteAllBytes(Path.Combine(folder, "t10k-images-idx3-ubyte"), bytes);
            File.WriteAllBytes(Path.Combine(folder, "t10k-labels-idx1-ubyte"), labels);
            File.WriteAllBytes(Path.Combine(folder, "train-images-idx3-ubyte"), bytes);
            File.WriteAllBytes(Path.Combine(folder, "train-labels-idx1-ubyte"), labels);
            Check(name, ["eval", Mlp, "--weights", Path.Combine(fixture.Run, "model.safetensors"), "--data", folder, "--k", "1"], failures);
        }

        Assert.True(failures.Count == 0, string.Join("\n\n", failures));
    }

    private void Fuzz(TempFolder temp, List<(string Name, byte[] Bytes)> cases, Func<string, string[]> command, string fileName)
    {
        var failures = new List<string>();
        int n = 0;
        foreach (var (name, bytes) in cases)
        {
            string path = temp.File((n++).ToString(CultureInfo.InvariantCulture) + "-" + fileName);
            File.WriteAllBytes(path, bytes);
            Check(name, command(path), failures);
        }

        Assert.True(failures.Count == 0, string.Join("\n\n", failures));
    }

    /// <summary>Runs the tool on one damaged input and records what breaks the rule.</summary>
    private void Check(string name, string[] args, List<string> failures)
    {
        ProcessStartInfo start = ToolProcess.Start(ToolProcess.Root, args);
        start.Environment["DOTNET_GCHeapHardLimit"] = HeapLimit;
        ProcessResult result;
        var clock = Stopwatch.StartNew();
        try
        {
            result = ProcessRunner.Run(start, Limit);
        }
        catch (TimeoutException)
        {
            failures.Add(name + ": no answer in " + Limit);
            return;
        }

        output.WriteLine(name + ": exit " + result.ExitCode + " in " + clock.Elapsed.TotalSeconds.ToString("F1", CultureInfo.InvariantCulture) + " s: " +
                         result.Error.Split('\n')[0]);
        if (result.ExitCode is not (0 or 1 or 2 or 3) || result.Error.Contains("internal error", StringComparison.Ordinal) ||
            result.Error.Contains("   at ", StringComparison.Ordinal))
        {
            failures.Add(name + ": " + result);
        }
        else if (result.ExitCode != 0 && result.Error.Trim().Split('\n').Count(l => l.StartsWith("vaegen: error:", StringComparison.Ordinal)) != 1)
        {
            failures.Add(name + ": not one error line: " + result);
        }
    }

    private static void Set(JsonObject state, string path, JsonNode? value)
    {
        string[] parts = path.Split('.');
        JsonNode? node = state;
        for (int i = 0; i < parts.Length - 1 && node is not null; i++)
        {
            node = int.TryParse(parts[i], out int index) ? node.AsArray()[index] : node[parts[i]];
        }

        if (node is JsonArray array && int.TryParse(parts[^1], out int at))
        {
            array[at] = value;
        }
        else if (node is JsonObject obj)
        {
            obj[parts[^1]] = value;
        }
    }

    private static byte[] WithLength(byte[] file, ulong length)
    {
        byte[] copy = (byte[])file.Clone();
        BinaryPrimitives.WriteUInt64LittleEndian(copy, length);
        return copy;
    }

    private static byte[] Rebuilt(byte[] file, int headerEnd, string header)
    {
        byte[] json = System.Text.Encoding.UTF8.GetBytes(header);
        var copy = new byte[8 + json.Length + (file.Length - headerEnd)];
        BinaryPrimitives.WriteUInt64LittleEndian(copy, (ulong)json.Length);
        json.CopyTo(copy, 8);
        file.AsSpan(headerEnd).CopyTo(copy.AsSpan(8 + json.Length));
        return copy;
    }

    private static byte[] Ihdr(byte[] png, int width, int height, bool fixCrc)
    {
        byte[] copy = (byte[])png.Clone();
        BinaryPrimitives.WriteInt32BigEndian(copy.AsSpan(16), width);
        BinaryPrimitives.WriteInt32BigEndian(copy.AsSpan(20), height);
        if (fixCrc)
        {
            BinaryPrimitives.WriteUInt32BigEndian(copy.AsSpan(29), Crc32(copy.AsSpan(12, 17)));
        }

        return copy;
    }

    /// <summary>PNG's CRC-32 (ISO 3309), bit by bit: a test needs a handful.</summary>
    private static uint Crc32(ReadOnlySpan<byte> data)
    {
        uint crc = 0xFFFFFFFF;
        foreach (byte b in data)
        {
            crc ^= b;
            for (int k = 0; k < 8; k++)
            {
                crc = (crc & 1) != 0 ? 0xEDB88320 ^ (crc >> 1) : crc >> 1;
            }
        }

        return ~crc;
    }

    private static byte[] Int(byte[] bytes, int offset, int value)
    {
        byte[] copy = (byte[])bytes.Clone();
        BinaryPrimitives.WriteInt32BigEndian(copy.AsSpan(offset), value);
        return copy;
    }

    private static byte[] Gunzip(string path)
    {
        using var gzip = new GZipStream(File.OpenRead(path), CompressionMode.Decompress);
        using var memory = new MemoryStream();
        gzip.CopyTo(memory);
        return memory.ToArray();
    }
}
