using System;
using System.Buffers.Binary;
using System.Collections.Generic;
using System.IO;
using System.Linq;
using System.Text;
using VaeGen.Runtime.Init;
using VaeGen.Runtime.IO;
using VaeGen.Runtime.Layers;
using VaeGen.Runtime.Layers.Activations;
using VaeGen.Runtime.Tensors;
using VaeGen.Testing;
using Xunit;

namespace VaeGen.Runtime.Tests;

public sealed class SafeTensorsTests : IDisposable
{
    private readonly TempFolder _temp = new("vaegen-st-");

    public void Dispose() => _temp.Dispose();

    [Fact]
    public void RoundTripsModelStateWithMetadataAndInt64Scalars()
    {
        Sequential net = Model(1);
        ((BatchNorm2d)net.Children[1].Layer).NumBatchesTracked[0] = 42;
        string path = Path.Combine(_temp.Path, "model.safetensors");
        Checkpoint.Save(path, net.StateDict(), new Dictionary<string, string> { ["format"] = "pt", ["note"] = "é\"x" });

        SafeTensorsFile file = SafeTensorsFile.Read(path);
        Assert.Equal("pt", file.Metadata["format"]);
        Assert.Equal("é\"x", file.Metadata["note"]);
        Assert.Equal(new[] { "0.weight", "0.bias", "1.weight", "1.bias", "1.running_mean", "1.running_var", "1.num_batches_tracked", "4.weight", "4.bias" }, file.Entries.Keys.OrderBy(k => file.Entries[k].Begin).ToArray());
        Assert.Equal(SafeTensorsDType.I64, file.Get("1.num_batches_tracked").DType);
        Assert.Equal(0, file.Get("1.num_batches_tracked").Shape.Length);
        Assert.Equal(new[] { 3, 2, 3, 3 }, file.Get("0.weight").Shape.ToArray());

        Sequential other = Model(2);
        IReadOnlyDictionary<string, string> meta = Checkpoint.Load(path, other.StateDict());
        Assert.Equal("pt", meta["format"]);
        List<StateTensor> a = net.StateDict(), b = other.StateDict();
        for (int i = 0; i < a.Count; i++)
        {
            Assert.Equal(a[i].Float32 ?? (object)a[i].Int64!, b[i].Float32 ?? (object)b[i].Int64!);
        }

        Assert.Empty(Directory.GetFiles(_temp.Path, "*.tmp"));
    }

    [Fact]
    public void ReadsAFileWrittenByThePythonHelper()
    {
        // Fixtures/layers.safetensors comes from tools/torch/safetensors_io.py.
        SafeTensorsFile f = SafeTensorsFile.Read(TestUtil.FixturePath("layers.safetensors"));
        Assert.StartsWith("1.13", f.Metadata["torch"], StringComparison.Ordinal);
        Assert.Equal(new long[] { 1 }, f.ReadInt64("bn2d_train.num_batches_tracked"));
    }

    [Fact]
    public void LoadingAMismatchedFileChangesNothingAndListsEveryProblem()
    {
        string path = Path.Combine(_temp.Path, "small.safetensors");
        var rng = new Rng(3);
        var wrong = new Sequential(new Conv2d(2, 4, 3, rng: rng), new BatchNorm2d(4));
        Checkpoint.Save(path, wrong.StateDict());

        Sequential target = Model(4);
        float[] before = (float[])target.StateDict()[0].Float32!.Clone();
        var e = Assert.Throws<SafeTensorsException>(() => Checkpoint.Load(path, target.StateDict()));
        Assert.Contains(path, e.Message, StringComparison.Ordinal);
        Assert.Contains("tensor '0.weight' has shape [4, 2, 3, 3], expected [3, 2, 3, 3]", e.Message, StringComparison.Ordinal);
        Assert.Contains("missing tensor '4.weight'", e.Message, StringComparison.Ordinal);
        Assert.Equal(before, target.StateDict()[0].Float32);
    }

    [Fact]
    public void UnexpectedAndWrongDtypeTensorsAreRejected()
    {
        string path = Path.Combine(_temp.Path, "extra.safetensors");
        var entries = new List<StateTensor>(Model(5).StateDict())
        {
            new("extra", [2], new float[2]),
        };
        Checkpoint.Save(path, entries);
        var e = Assert.Throws<SafeTensorsException>(() => Checkpoint.Load(path, Model(6).StateDict()));
        Assert.Contains("unexpected tensor 'extra'", e.Message, StringComparison.Ordinal);

        var asFloat = Model(7).StateDict().Select(t => t.Int64 is null ? t : new StateTensor(t.Name, [], new float[1])).ToList();
        Checkpoint.Save(path, asFloat);
        e = Assert.Throws<SafeTensorsException>(() => Checkpoint.Load(path, Model(8).StateDict()));
        Assert.Contains("'1.num_batches_tracked' has dtype F32, expected I64", e.Message, StringComparison.Ordinal);
    }

    [Fact]
    public void TruncatedFileIsRejectedNamingTheTensor()
    {
        string path = Path.Combine(_temp.Path, "t.safetensors");
        Checkpoint.Save(path, Model(9).StateDict());
        byte[] bytes = File.ReadAllBytes(path);
        File.WriteAllBytes(path, bytes[..^4]);
        var e = Assert.Throws<SafeTensorsException>(() => SafeTensorsFile.Read(path));
        Assert.Equal(path, e.FilePath);
        Assert.Equal("4.bias", e.TensorName);
        Assert.Contains("truncated", e.Message, StringComparison.Ordinal);
    }

    public static TheoryData<string, string, string, int> CorruptHeaders() => new()
    {
        { "{\"a\":{\"dtype\":\"F32\",\"shape\":[2],\"data_offsets\":[0,8]}", "not valid JSON", "", 8 },
        { "[1,2]", "not a JSON object", "", 8 },
        { "{\"a\":{\"dtype\":\"F33\",\"shape\":[2],\"data_offsets\":[0,8]}}", "unknown dtype 'F33'", "a", 8 },
        { "{\"a\":{\"dtype\":\"F32\",\"shape\":[3],\"data_offsets\":[0,8]}}", "do not match dtype F32 and shape [3]", "a", 8 },
        { "{\"a\":{\"dtype\":\"F32\",\"shape\":[-2],\"data_offsets\":[0,8]}}", "not a non-negative", "a", 8 },
        { "{\"a\":{\"dtype\":\"F32\",\"shape\":[2],\"data_offsets\":[0,8]},\"b\":{\"dtype\":\"F32\",\"shape\":[2],\"data_offsets\":[4,12]}}", "overlap", "b", 12 },
        { "{\"a\":{\"dtype\":\"F32\",\"shape\":[1],\"data_offsets\":[0,4]},\"b\":{\"dtype\":\"F32\",\"shape\":[2],\"data_offsets\":[8,16]}}", "belong to no tensor", "b", 16 },
        { "{\"a\":{\"dtype\":\"F32\",\"shape\":[1],\"data_offsets\":[0,4]}}", "tensors cover 4", "", 8 },
        { "{\"a\":{\"dtype\":\"F32\",\"shape\":[4],\"data_offsets\":[0,16]}}", "run past the 8-byte data section", "a", 8 },
        { "{\"a\":{\"dtype\":\"F32\",\"shape\":[2],\"data_offsets\":[8,0]}}", "invalid data_offsets", "a", 8 },
        { "{\"a\":{\"dtype\":\"F32\",\"shape\":[2]}}", "data_offsets", "a", 8 },
        { "{\"a\":{\"dtype\":\"F32\",\"shape\":[2],\"data_offsets\":[0,8]},\"a\":{\"dtype\":\"F32\",\"shape\":[2],\"data_offsets\":[0,8]}}", "appears twice", "a", 8 },
        { "{\"__metadata__\":{\"k\":1},\"a\":{\"dtype\":\"F32\",\"shape\":[2],\"data_offsets\":[0,8]}}", "not a string", "", 8 },
    };

    [Theory]
    [MemberData(nameof(CorruptHeaders))]
    public void CorruptHeadersAreRejected(string header, string problem, string tensor, int dataBytes)
    {
        string path = Path.Combine(_temp.Path, "bad.safetensors");
        File.WriteAllBytes(path, Build(header, dataBytes));
        var e = Assert.Throws<SafeTensorsException>(() => SafeTensorsFile.Read(path));
        Assert.Contains(problem, e.Message, StringComparison.Ordinal);
        Assert.Contains(path, e.Message, StringComparison.Ordinal);
        Assert.Equal(tensor.Length == 0 ? null : tensor, e.TensorName);
    }

    [Fact]
    public void BadHeaderLengthsAreRejected()
    {
        string path = Path.Combine(_temp.Path, "len.safetensors");
        File.WriteAllBytes(path, new byte[5]);
        Assert.Contains("too short", Assert.Throws<SafeTensorsException>(() => SafeTensorsFile.Read(path)).Message, StringComparison.Ordinal);

        byte[] bytes = Build("{}", 0);
        BinaryPrimitives.WriteUInt64LittleEndian(bytes, 1000);
        File.WriteAllBytes(path, bytes);
        Assert.Contains("runs past the end", Assert.Throws<SafeTensorsException>(() => SafeTensorsFile.Read(path)).Message, StringComparison.Ordinal);

        BinaryPrimitives.WriteUInt64LittleEndian(bytes, ulong.MaxValue);
        File.WriteAllBytes(path, bytes);
        Assert.Contains("exceeds", Assert.Throws<SafeTensorsException>(() => SafeTensorsFile.Read(path)).Message, StringComparison.Ordinal);
    }

    [Fact]
    public void FailedWriteLeavesThePreviousFileAndNoTemporary()
    {
        string path = Path.Combine(_temp.Path, "keep.safetensors");
        Checkpoint.Save(path, Model(10).StateDict());
        byte[] before = File.ReadAllBytes(path);
        var duplicate = new List<StateTensor> { new("x", [1], new float[1]), new("x", [1], new float[1]) };
        Assert.Throws<ArgumentException>(() => Checkpoint.Save(path, duplicate));
        Assert.Equal(before, File.ReadAllBytes(path));
        Assert.Single(Directory.GetFiles(_temp.Path));
    }

    private static byte[] Build(string header, int dataBytes)
    {
        byte[] h = Encoding.UTF8.GetBytes(header);
        var bytes = new byte[8 + h.Length + dataBytes];
        BinaryPrimitives.WriteUInt64LittleEndian(bytes, (ulong)h.Length);
        h.CopyTo(bytes, 8);
        return bytes;
    }

    private static Sequential Model(ulong seed)
    {
        var rng = new Rng(seed);
        return new Sequential(new Conv2d(2, 3, 3, rng: rng), new BatchNorm2d(3), new ReLU(), new Flatten(), new Linear(12, 2, rng: rng));
    }
}
