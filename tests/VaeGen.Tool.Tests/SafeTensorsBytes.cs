using System;
using System.Buffers.Binary;
using System.IO;
using System.Text;
using System.Text.Json.Nodes;

namespace VaeGen.Tool.Tests;

/// <summary>
/// Edits a safetensors file at the byte level, as a damaged or hand-made file would be: the JSON
/// header (with its <c>__metadata__</c>) and single values of the data section. Offsets in the header
/// are relative to the data section, so a header of another length keeps every tensor in place.
/// </summary>
internal static class SafeTensorsBytes
{
    public static (JsonObject Header, byte[] Data) Split(byte[] file)
    {
        int length = checked((int)BinaryPrimitives.ReadUInt64LittleEndian(file));
        var header = (JsonObject)JsonNode.Parse(Encoding.UTF8.GetString(file, 8, length))!;
        return (header, file[(8 + length)..]);
    }

    public static byte[] Join(JsonObject header, byte[] data)
    {
        byte[] json = Encoding.UTF8.GetBytes(header.ToJsonString());
        var file = new byte[8 + json.Length + data.Length];
        BinaryPrimitives.WriteUInt64LittleEndian(file, (ulong)json.Length);
        json.CopyTo(file, 8);
        data.CopyTo(file, 8 + json.Length);
        return file;
    }

    /// <summary>Rewrites the run state that <c>training.safetensors</c> keeps as JSON in its metadata.</summary>
    public static void EditRunState(string path, Action<JsonObject> edit)
    {
        var (header, data) = Split(File.ReadAllBytes(path));
        var metadata = (JsonObject)header["__metadata__"]!;
        var state = (JsonObject)JsonNode.Parse((string)metadata["vaegen.run"]!)!;
        edit(state);
        metadata["vaegen.run"] = state.ToJsonString();
        File.WriteAllBytes(path, Join(header, data));
    }

    /// <summary>Sets element <paramref name="index"/> of a float32 tensor.</summary>
    public static void SetFloat(string path, string tensor, int index, float value)
    {
        byte[] file = File.ReadAllBytes(path);
        var (header, _) = Split(file);
        long start = (long)header[tensor]!["data_offsets"]![0]!;
        int dataStart = 8 + checked((int)BinaryPrimitives.ReadUInt64LittleEndian(file));
        BinaryPrimitives.WriteSingleLittleEndian(file.AsSpan(checked(dataStart + (int)start + (4 * index))), value);
        File.WriteAllBytes(path, file);
    }
}
