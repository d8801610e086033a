using System;
using System.Collections.Generic;
using System.Globalization;
using System.IO;
using VaeGen.Runtime.IO;
using VaeGen.Runtime.Models;
using VaeGen.Runtime.Tensors;
using VaeGen.Tool.Cli;

namespace VaeGen.Tool.Models;

/// <summary>
/// Loads safetensors files into live state, strictly and all-or-nothing (as the runtime's
/// <see cref="Checkpoint"/>), but with a one-line message when the file belongs to another model:
/// the runtime lists every differing tensor, which for a different architecture is dozens.
/// </summary>
internal static class WeightsFile
{
    /// <summary>The metadata key <see cref="VaeModel.SaveWeights"/> stores the model (class) name under.</summary>
    public const string ModelKey = "vaegen.model";

    /// <summary>The metadata key of the epoch a training run's <c>model.safetensors</c> is from.</summary>
    public const string EpochKey = "vaegen.epoch";

    private const int ProblemsShown = 3;

    public static void LoadInto(VaeModel model, string path, string specPath, ToolConsole console)
    {
        IReadOnlyDictionary<string, string> metadata = LoadState(path, model.StateDict(), model.Config.Name + " of " + specPath, model.Config.Name, "weights file");
        WarnIfBehindCheckpoint(path, metadata, console);
    }

    /// <summary>
    /// A run killed between its checkpoint and the weights file leaves <c>model.safetensors</c> an epoch
    /// behind <c>training.safetensors</c> until the next <c>train --resume</c> rewrites it; say so rather
    /// than quietly evaluate older weights.
    /// </summary>
    private static void WarnIfBehindCheckpoint(string path, IReadOnlyDictionary<string, string> metadata, ToolConsole console)
    {
        string checkpoint = Path.Combine(Path.GetDirectoryName(Path.GetFullPath(path)) ?? ".", "training.safetensors");
        if (!metadata.TryGetValue(EpochKey, out string? text) || !int.TryParse(text, NumberStyles.None, CultureInfo.InvariantCulture, out int epoch) ||
            !File.Exists(checkpoint))
        {
            return;
        }

        int? committed;
        try
        {
            committed = Training.TrainingCheckpoint.ReadState(Path.GetDirectoryName(checkpoint)!)?.Epoch;
        }
        catch (Exception e) when (e is ToolException or SafeTensorsException)
        {
            return; // The checkpoint's own problems are reported when it is resumed; these weights are fine by themselves.
        }

        if (committed > epoch)
        {
            console.Warning(path + " holds epoch " + epoch + ", but the run's checkpoint beside it is at epoch " + committed +
                            " (the run was stopped while writing); 'vaegen train <spec> --resume --epochs " + committed + " --out " +
                            Path.GetDirectoryName(path) + "' brings the weights up to date");
        }
    }

    /// <summary>Reads <paramref name="path"/> into <paramref name="state"/> after checking that names, dtypes and shapes all match.</summary>
    /// <returns>The file's metadata.</returns>
    public static IReadOnlyDictionary<string, string> LoadState(string path, IReadOnlyList<StateTensor> state, string expectedWhat, string modelName, string kind)
    {
        RequireFile(path, kind);
        SafeTensorsFile file = SafeTensorsFile.Read(path);
        string? mismatch = DescribeMismatch(file, state);
        if (mismatch is not null)
        {
            string owner = file.Metadata.TryGetValue(ModelKey, out string? saved) && saved != modelName ? " (it was saved by " + saved + ")" : string.Empty;
            throw new ToolException(path + ": does not match " + expectedWhat + owner + ": " + mismatch + "; nothing was loaded");
        }

        string? nonFinite = FirstNonFinite(file, state);
        if (nonFinite is not null)
        {
            throw new ToolException(path + ": " + nonFinite + "; nothing was loaded");
        }

        return Checkpoint.Load(path, state);
    }

    /// <summary>
    /// The first tensor holding NaN or infinity, described, or null. No training run of vaegen saves
    /// one (it stops at a non-finite loss), and such weights make every later number NaN, so they are
    /// refused at load with the tensor's name rather than discovered as a NaN ELBO.
    /// </summary>
    private static string? FirstNonFinite(SafeTensorsFile file, IReadOnlyList<StateTensor> state)
    {
        float[] scratch = [];
        foreach (StateTensor t in state)
        {
            if (t.Float32 is null)
            {
                continue;
            }

            if (scratch.Length < t.Float32.Length)
            {
                scratch = new float[t.Float32.Length];
            }

            Span<float> values = scratch.AsSpan(0, t.Float32.Length);
            file.CopyFloat32(t.Name, values);
            for (int i = 0; i < values.Length; i++)
            {
                if (!float.IsFinite(values[i]))
                {
                    string what = float.IsNaN(values[i]) ? "NaN" : values[i] > 0 ? "+inf" : "-inf";
                    return "tensor '" + t.Name + "' " + Tensor.FormatShape(t.Shape) + " holds " + what + " at element " + i +
                           " (weights must be finite numbers; was it saved after training diverged?)";
                }
            }
        }

        return null;
    }

    public static void RequireFile(string path, string kind)
    {
        if (Directory.Exists(path))
        {
            throw new ToolException(path + ": is a folder, not a " + kind);
        }

        if (!File.Exists(path))
        {
            throw new ToolException(path + ": " + kind + " not found");
        }
    }

    /// <summary>Null when every name, dtype and shape matches, else the first few problems and how many more.</summary>
    private static string? DescribeMismatch(SafeTensorsFile file, IReadOnlyList<StateTensor> state)
    {
        var problems = new List<string>();
        var expected = new HashSet<string>(StringComparer.Ordinal);
        foreach (StateTensor t in state)
        {
            expected.Add(t.Name);
            if (!file.Entries.TryGetValue(t.Name, out SafeTensorEntry? entry))
            {
                problems.Add("missing '" + t.Name + "' " + Tensor.FormatShape(t.Shape));
                continue;
            }

            SafeTensorsDType want = t.Float32 is not null ? SafeTensorsDType.F32 : SafeTensorsDType.I64;
            if (entry.DType != want || !entry.Shape.SequenceEqual(t.Shape))
            {
                problems.Add("'" + t.Name + "' is " + entry.DType + " " + Tensor.FormatShape(entry.Shape) + ", expected " + want + " " + Tensor.FormatShape(t.Shape));
            }
        }

        foreach (var (name, entry) in file.Entries)
        {
            if (!expected.Contains(name))
            {
                problems.Add("unexpected '" + name + "' " + Tensor.FormatShape(entry.Shape));
            }
        }

        if (problems.Count == 0)
        {
            return null;
        }

        string shown = string.Join(", ", problems.GetRange(0, Math.Min(ProblemsShown, problems.Count)));
        return problems.Count > ProblemsShown ? shown + " and " + (problems.Count - ProblemsShown) + " more" : shown;
    }
}
