using System;
using System.Buffers.Binary;
using System.Collections.Generic;
using System.Globalization;
using System.IO;
using System.Runtime.InteropServices;
using System.Text.Json;
using VaeGen.Runtime.Tensors;

namespace VaeGen.Runtime.IO;

/// <summary>
/// A validated, fully read safetensors file: 8-byte little-endian header length, a JSON header
/// mapping names to dtype, shape and data_offsets (plus optional string-to-string
/// <c>__metadata__</c>), then the little-endian data section.
/// </summary>
/// <remarks>
/// <see cref="Read"/> checks everything before returning: header length within the file, JSON
/// well-formed, known dtypes, non-negative shapes, offsets in bounds, byte length equal to
/// elements times element size, and that the tensors tile the data section without overlaps or
/// holes (the safetensors format requires it). Errors name the file and the tensor.
/// </remarks>
public sealed class SafeTensorsFile
{
    /// <summary>Headers larger than this are rejected, as by the reference implementation.</summary>
    public const long MaxHeaderBytes = 100_000_000;

    private readonly byte[] _bytes;
    private readonly long _dataStart;
    private readonly Dictionary<string, SafeTensorEntry> _entries;

    private SafeTensorsFile(string path, byte[] bytes, long dataStart, Dictionary<string, SafeTensorEntry> entries, Dictionary<string, string> metadata)
    {
        Path = path;
        _bytes = bytes;
        _dataStart = dataStart;
        _entries = entries;
        Metadata = metadata;
    }

    /// <summary>The file read.</summary>
    public string Path { get; }

    /// <summary>The <c>__metadata__</c> map (empty when absent).</summary>
    public IReadOnlyDictionary<string, string> Metadata { get; }

    /// <summary>The tensors by name.</summary>
    public IReadOnlyDictionary<string, SafeTensorEntry> Entries => _entries;

    /// <summary>Reads and validates a file.</summary>
    /// <param name="path">The file.</param>
    /// <exception cref="SafeTensorsException">The file is malformed.</exception>
    public static SafeTensorsFile Read(string path)
    {
        ArgumentException.ThrowIfNullOrEmpty(path);
        byte[] bytes;
        try
        {
            bytes = File.ReadAllBytes(path);
        }
        catch (Exception e) when (e is IOException or UnauthorizedAccessException)
        {
            throw new SafeTensorsException(path, null, $"cannot read file: {e.Message}", e);
        }

        return Parse(path, bytes);
    }

    /// <summary>Validates a file already in memory.</summary>
    /// <param name="path">The name to use in errors.</param>
    /// <param name="bytes">The whole file.</param>
    /// <exception cref="SafeTensorsException">The content is malformed.</exception>
    public static SafeTensorsFile Parse(string path, byte[] bytes)
    {
        ArgumentNullException.ThrowIfNull(bytes);
        if (bytes.Length < 8)
        {
            throw new SafeTensorsException(path, null, $"file is {bytes.Length} bytes, too short for the 8-byte header length.");
        }

        ulong headerLength = BinaryPrimitives.ReadUInt64LittleEndian(bytes);
        if (headerLength > MaxHeaderBytes)
        {
            throw new SafeTensorsException(path, null, $"header length {headerLength} exceeds the {MaxHeaderBytes}-byte limit.");
        }

        if (8 + (long)headerLength > bytes.Length)
        {
            throw new SafeTensorsException(path, null, $"header length {headerLength} runs past the end of the {bytes.Length}-byte file.");
        }

        long dataStart = 8 + (long)headerLength;
        long dataLength = bytes.Length - dataStart;
        var entries = new Dictionary<string, SafeTensorEntry>(StringComparer.Ordinal);
        var metadata = new Dictionary<string, string>(StringComparer.Ordinal);
        JsonDocument doc;
        try
        {
            doc = JsonDocument.Parse(bytes.AsMemory(8, (int)headerLength));
        }
        catch (JsonException e)
        {
            throw new SafeTensorsException(path, null, $"header is not valid JSON: {e.Message}", e);
        }

        using (doc)
        {
            if (doc.RootElement.ValueKind != JsonValueKind.Object)
            {
                throw new SafeTensorsException(path, null, "header is not a JSON object.");
            }

            var seen = new HashSet<string>(StringComparer.Ordinal);
            foreach (JsonProperty prop in doc.RootElement.EnumerateObject())
            {
                if (!seen.Add(prop.Name))
                {
                    throw new SafeTensorsException(path, prop.Name, "appears twice in the header.");
                }

                if (prop.Name == "__metadata__")
                {
                    ReadMetadata(path, prop.Value, metadata);
                    continue;
                }

                entries.Add(prop.Name, ReadEntry(path, prop.Name, prop.Value, dataLength));
            }
        }

        CheckTiling(path, entries, dataLength);
        return new SafeTensorsFile(path, bytes, dataStart, entries, metadata);
    }

    /// <summary>The named tensor's header record.</summary>
    /// <param name="name">The tensor name.</param>
    /// <exception cref="SafeTensorsException">No such tensor.</exception>
    public SafeTensorEntry Get(string name) =>
        _entries.TryGetValue(name, out SafeTensorEntry? e) ? e : throw new SafeTensorsException(Path, name, "not found in file.");

    /// <summary>The raw little-endian bytes of a tensor.</summary>
    /// <param name="name">The tensor name.</param>
    public ReadOnlySpan<byte> RawBytes(string name)
    {
        SafeTensorEntry e = Get(name);
        return _bytes.AsSpan((int)(_dataStart + e.Begin), (int)(e.End - e.Begin));
    }

    /// <summary>Copies an F32 tensor into <paramref name="destination"/> (exactly its element count).</summary>
    /// <param name="name">The tensor name.</param>
    /// <param name="destination">Where to copy.</param>
    public void CopyFloat32(string name, Span<float> destination)
    {
        SafeTensorEntry e = Get(name);
        Require(e, SafeTensorsDType.F32, destination.Length);
        ReadOnlySpan<byte> raw = RawBytes(name);
        if (BitConverter.IsLittleEndian)
        {
            MemoryMarshal.Cast<byte, float>(raw).CopyTo(destination);
        }
        else
        {
            for (int i = 0; i < destination.Length; i++)
            {
                destination[i] = BinaryPrimitives.ReadSingleLittleEndian(raw.Slice(i * 4));
            }
        }
    }

    /// <summary>Copies an I64 tensor into <paramref name="destination"/> (exactly its element count).</summary>
    /// <param name="name">The tensor name.</param>
    /// <param name="destination">Where to copy.</param>
    public void CopyInt64(string name, Span<long> destination)
    {
        SafeTensorEntry e = Get(name);
        Require(e, SafeTensorsDType.I64, destination.Length);
        ReadOnlySpan<byte> raw = RawBytes(name);
        for (int i = 0; i < destination.Length; i++)
        {
            destination[i] = BinaryPrimitives.ReadInt64LittleEndian(raw.Slice(i * 8));
        }
    }

    /// <summary>An F32 tensor as a new array.</summary>
    /// <param name="name">The tensor name.</param>
    public float[] ReadFloat32(string name)
    {
        var result = new float[Get(name).ElementCount];
        CopyFloat32(name, result);
        return result;
    }

    /// <summary>An F32 tensor as a new <see cref="Tensor"/> of its stored shape.</summary>
    /// <param name="name">The tensor name.</param>
    public Tensor ReadTensor(string name) => new(ReadFloat32(name), Get(name).Shape.ToArray());

    /// <summary>An I64 tensor as a new array.</summary>
    /// <param name="name">The tensor name.</param>
    public long[] ReadInt64(string name)
    {
        var result = new long[Get(name).ElementCount];
        CopyInt64(name, result);
        return result;
    }

    private void Require(SafeTensorEntry e, SafeTensorsDType dtype, int length)
    {
        if (e.DType != dtype)
        {
            throw new SafeTensorsException(Path, e.Name, $"dtype is {e.DType}, expected {dtype}.");
        }

        if (e.ElementCount != length)
        {
            throw new SafeTensorsException(Path, e.Name, $"holds {e.ElementCount} elements, destination has {length}.");
        }
    }

    private static void ReadMetadata(string path, JsonElement value, Dictionary<string, string> metadata)
    {
        if (value.ValueKind != JsonValueKind.Object)
        {
            throw new SafeTensorsException(path, null, "__metadata__ is not an object.");
        }

        foreach (JsonProperty m in value.EnumerateObject())
        {
            if (m.Value.ValueKind != JsonValueKind.String)
            {
                throw new SafeTensorsException(path, null, $"__metadata__ value for '{m.Name}' is not a string.");
            }

            if (!metadata.TryAdd(m.Name, m.Value.GetString()!))
            {
                throw new SafeTensorsException(path, null, $"__metadata__ key '{m.Name}' appears twice.");
            }
        }
    }

    private static SafeTensorEntry ReadEntry(string path, string name, JsonElement value, long dataLength)
    {
        if (value.ValueKind != JsonValueKind.Object)
        {
            throw new SafeTensorsException(path, name, "header entry is not an object.");
        }

        if (!value.TryGetProperty("dtype", out JsonElement dtypeElement) || dtypeElement.ValueKind != JsonValueKind.String)
        {
            throw new SafeTensorsException(path, name, "missing string field 'dtype'.");
        }

        string dtypeText = dtypeElement.GetString()!;
        if (!Enum.TryParse(dtypeText, ignoreCase: false, out SafeTensorsDType dtype) || !Enum.IsDefined(dtype) || dtypeText != dtype.ToString())
        {
            throw new SafeTensorsException(path, name, $"unknown dtype '{dtypeText}'.");
        }

        if (!value.TryGetProperty("shape", out JsonElement shapeElement) || shapeElement.ValueKind != JsonValueKind.Array)
        {
            throw new SafeTensorsException(path, name, "missing array field 'shape'.");
        }

        var shape = new int[shapeElement.GetArrayLength()];
        long count = 1;
        int i = 0;
        foreach (JsonElement d in shapeElement.EnumerateArray())
        {
            if (d.ValueKind != JsonValueKind.Number || !d.TryGetInt32(out int dim) || dim < 0)
            {
                throw new SafeTensorsException(path, name, $"shape entry {d.GetRawText()} is not a non-negative 32-bit integer.");
            }

            shape[i++] = dim;
            count *= dim;
            if (count > int.MaxValue)
            {
                throw new SafeTensorsException(path, name, $"shape [{string.Join(", ", shape)}] has more elements than one array can hold.");
            }
        }

        if (!value.TryGetProperty("data_offsets", out JsonElement offsets) || offsets.ValueKind != JsonValueKind.Array || offsets.GetArrayLength() != 2)
        {
            throw new SafeTensorsException(path, name, "missing field 'data_offsets' = [begin, end].");
        }

        if (!offsets[0].TryGetInt64(out long begin) || !offsets[1].TryGetInt64(out long end) || begin < 0 || end < begin)
        {
            throw new SafeTensorsException(path, name, $"invalid data_offsets {offsets.GetRawText()}.");
        }

        if (end > dataLength)
        {
            throw new SafeTensorsException(path, name, $"data_offsets [{begin}, {end}] run past the {dataLength}-byte data section (file truncated?).");
        }

        long expected = count * dtype.Size();
        if (end - begin != expected)
        {
            throw new SafeTensorsException(
                path,
                name,
                string.Create(CultureInfo.InvariantCulture, $"{end - begin} bytes do not match dtype {dtype} and shape [{string.Join(", ", shape)}] ({expected} bytes)."));
        }

        foreach (JsonProperty p in value.EnumerateObject())
        {
            if (p.Name is not ("dtype" or "shape" or "data_offsets"))
            {
                throw new SafeTensorsException(path, name, $"unexpected field '{p.Name}'.");
            }
        }

        return new SafeTensorEntry(name, dtype, shape, begin, end);
    }

    private static void CheckTiling(string path, Dictionary<string, SafeTensorEntry> entries, long dataLength)
    {
        var sorted = new List<SafeTensorEntry>(entries.Values);
        sorted.Sort((a, b) => a.Begin != b.Begin ? a.Begin.CompareTo(b.Begin) : a.End.CompareTo(b.End));
        long position = 0;
        SafeTensorEntry? previous = null;
        foreach (SafeTensorEntry e in sorted)
        {
            if (e.Begin < position)
            {
                throw new SafeTensorsException(path, e.Name, $"bytes [{e.Begin}, {e.End}) overlap tensor '{previous!.Name}' [{previous.Begin}, {previous.End}).");
            }

            if (e.Begin > position)
            {
                throw new SafeTensorsException(path, e.Name, $"bytes [{position}, {e.Begin}) before it belong to no tensor.");
            }

            position = e.End;
            previous = e;
        }

        if (position != dataLength)
        {
            throw new SafeTensorsException(path, null, $"data section is {dataLength} bytes but the tensors cover {position}.");
        }
    }
}
