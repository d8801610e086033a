using System;
using System.Collections.Generic;
using System.Text;
using VaeGen.Runtime.Tensors;

namespace VaeGen.Runtime.IO;

/// <summary>Saves and loads state dicts (a model's or an optimizer's) as safetensors files.</summary>
public static class Checkpoint
{
    /// <summary>Writes the state atomically.</summary>
    /// <param name="path">The destination.</param>
    /// <param name="state">The entries, e.g. <c>model.StateDict()</c>.</param>
    /// <param name="metadata">Optional <c>__metadata__</c> strings.</param>
    public static void Save(string path, IEnumerable<StateTensor> state, IReadOnlyDictionary<string, string>? metadata = null) =>
        SafeTensorsWriter.Write(path, state, metadata);

    /// <summary>
    /// Loads a file into live state entries, strictly (as <c>load_state_dict(strict=True)</c>):
    /// every entry must be in the file with the same dtype and shape, and the file must hold
    /// nothing else. All checks run before the first copy, so a failed load changes nothing.
    /// </summary>
    /// <param name="path">The file.</param>
    /// <param name="state">The destination entries, e.g. <c>model.StateDict()</c>.</param>
    /// <returns>The file's metadata.</returns>
    /// <exception cref="SafeTensorsException">The file is malformed or does not match; the message lists every problem.</exception>
    public static IReadOnlyDictionary<string, string> Load(string path, IReadOnlyList<StateTensor> state)
    {
        ArgumentNullException.ThrowIfNull(state);
        SafeTensorsFile file = SafeTensorsFile.Read(path);
        var problems = new List<string>();
        var expected = new HashSet<string>(StringComparer.Ordinal);
        foreach (StateTensor t in state)
        {
            expected.Add(t.Name);
            if (!file.Entries.TryGetValue(t.Name, out SafeTensorEntry? e))
            {
                problems.Add($"missing tensor '{t.Name}'");
                continue;
            }

            SafeTensorsDType want = t.Float32 is not null ? SafeTensorsDType.F32 : SafeTensorsDType.I64;
            if (e.DType != want)
            {
                problems.Add($"tensor '{t.Name}' has dtype {e.DType}, expected {want}");
            }

            if (!e.Shape.SequenceEqual(t.Shape))
            {
                problems.Add($"tensor '{t.Name}' has shape {Tensor.FormatShape(e.Shape)}, expected {Tensor.FormatShape(t.Shape)}");
            }
        }

        foreach (string name in file.Entries.Keys)
        {
            if (!expected.Contains(name))
            {
                problems.Add($"unexpected tensor '{name}'");
            }
        }

        if (problems.Count > 0)
        {
            var message = new StringBuilder("does not match the state it is loaded into (nothing was loaded): ");
            message.AppendJoin("; ", problems);
            throw new SafeTensorsException(file.Path, null, message.ToString());
        }

        foreach (StateTensor t in state)
        {
            if (t.Float32 is not null)
            {
                file.CopyFloat32(t.Name, t.Float32);
            }
            else
            {
                file.CopyInt64(t.Name, t.Int64!);
            }
        }

        return file.Metadata;
    }
}
