using System;
using System.Buffers.Binary;
using System.Collections.Generic;
using System.IO;
using System.Runtime.InteropServices;
using System.Text.Json;
using VaeGen.Runtime.Tensors;

namespace VaeGen.Runtime.IO;

/// <summary>Writes state tensors (F32 and I64) as a safetensors file, atomically.</summary>
public static class SafeTensorsWriter
{
    /// <summary>
    /// Writes the tensors in the given order to a temporary file beside <paramref name="path"/>,
    /// flushes it to disk and renames it over <paramref name="path"/>, so a reader sees either the
    /// old file or the complete new one, never a partial write.
    /// </summary>
    /// <param name="path">The destination.</param>
    /// <param name="tensors">The tensors; names must be unique.</param>
    /// <param name="metadata">Optional <c>__metadata__</c> strings.</param>
    public static void Write(string path, IEnumerable<StateTensor> tensors, IReadOnlyDictionary<string, string>? metadata = null)
    {
        ArgumentException.ThrowIfNullOrEmpty(path);
        ArgumentNullException.ThrowIfNull(tensors);
        var list = new List<StateTensor>(tensors);
        byte[] header = BuildHeader(list, metadata);

        AtomicFile.Write(path, stream =>
        {
            Span<byte> lengthBytes = stackalloc byte[8];
            BinaryPrimitives.WriteUInt64LittleEndian(lengthBytes, (ulong)header.Length);
            stream.Write(lengthBytes);
            stream.Write(header);
            foreach (StateTensor t in list)
            {
                WriteData(stream, t);
            }
        });
    }

    private static byte[] BuildHeader(List<StateTensor> tensors, IReadOnlyDictionary<string, string>? metadata)
    {
        var names = new HashSet<string>(StringComparer.Ordinal);
        using var buffer = new MemoryStream();
        using (var json = new Utf8JsonWriter(buffer))
        {
            json.WriteStartObject();
            if (metadata is { Count: > 0 })
            {
                json.WriteStartObject("__metadata__");
                foreach (KeyValuePair<string, string> kv in metadata)
                {
                    json.WriteString(kv.Key, kv.Value);
                }

                json.WriteEndObject();
            }

            long offset = 0;
            foreach (StateTensor t in tensors)
            {
                if (t.Name == "__metadata__" || !names.Add(t.Name))
                {
                    throw new ArgumentException($"Tensor name '{t.Name}' is reserved or repeated.", nameof(tensors));
                }

                long bytes = (long)t.Length * (t.Float32 is not null ? 4 : 8);
                json.WriteStartObject(t.Name);
                json.WriteString("dtype", t.Float32 is not null ? "F32" : "I64");
                json.WriteStartArray("shape");
                foreach (int d in t.Shape)
                {
                    json.WriteNumberValue(d);
                }

                json.WriteEndArray();
                json.WriteStartArray("data_offsets");
                json.WriteNumberValue(offset);
                json.WriteNumberValue(offset + bytes);
                json.WriteEndArray();
                json.WriteEndObject();
                offset += bytes;
            }

            json.WriteEndObject();
        }

        // Pad with spaces so the data section starts 8-byte aligned, as the reference writer does.
        int length = (int)buffer.Length;
        int padded = (length + 7) & ~7;
        byte[] header = new byte[padded];
        buffer.GetBuffer().AsSpan(0, length).CopyTo(header);
        header.AsSpan(length).Fill((byte)' ');
        return header;
    }

    private static void WriteData(Stream stream, StateTensor t)
    {
        if (BitConverter.IsLittleEndian)
        {
            if (t.Float32 is not null)
            {
                stream.Write(MemoryMarshal.AsBytes(t.Float32.AsSpan()));
            }
            else
            {
                stream.Write(MemoryMarshal.AsBytes(t.Int64!.AsSpan()));
            }

            return;
        }

        Span<byte> scratch = stackalloc byte[8];
        if (t.Float32 is not null)
        {
            foreach (float v in t.Float32)
            {
                BinaryPrimitives.WriteSingleLittleEndian(scratch, v);
                stream.Write(scratch.Slice(0, 4));
            }
        }
        else
        {
            foreach (long v in t.Int64!)
            {
                BinaryPrimitives.WriteInt64LittleEndian(scratch, v);
                stream.Write(scratch);
            }
        }
    }
}
