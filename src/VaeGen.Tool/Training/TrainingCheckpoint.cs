using System;
using System.Collections.Generic;
using System.Globalization;
using System.IO;
using System.Text.Json;
using VaeGen.Runtime.Init;
using VaeGen.Runtime.IO;
using VaeGen.Runtime.Models;
using VaeGen.Runtime.Tensors;
using VaeGen.Tool.Cli;
using VaeGen.Tool.Models;

namespace VaeGen.Tool.Training;

/// <summary>
/// A training run's resumable state in one safetensors file, <c>training.safetensors</c>: the model
/// (<c>model.*</c>), Adam's moments and step counts (<c>optimizer.*</c>), the noise and shuffle
/// streams (<c>rng.noise</c>, <c>rng.shuffle</c>), and in the metadata the epoch, the settings and
/// the results so far. One file written atomically keeps them consistent with each other, which a
/// crash between two files could not. <c>model.safetensors</c> beside it holds the weights alone,
/// with PyTorch's state_dict names, for <c>sample</c>, <c>eval</c> and PyTorch's load_state_dict.
/// </summary>
internal static class TrainingCheckpoint
{
    public const string FileName = "training.safetensors";
    public const string WeightsFileName = "model.safetensors";

    private const string FormatKey = "format";
    private const string FormatValue = "vaegen-training";
    private const string StateKey = "vaegen.run";

    public static string PathIn(string directory) => Path.Combine(directory, FileName);

    public static string WeightsPathIn(string directory) => Path.Combine(directory, WeightsFileName);

    /// <summary>Writes the checkpoint: the run's one commit point, a single file replaced only when complete.</summary>
    public static void Save(string directory, VaeModel model, Rng shuffle, RunState state)
    {
        var shuffleState = new long[Rng.StateLength];
        shuffle.SaveState(shuffleState);
        var entries = Entries(model, new StateTensor("rng.shuffle", [Rng.StateLength], shuffleState), model.RandomState());
        var metadata = new Dictionary<string, string>
        {
            [FormatKey] = FormatValue,
            [WeightsFile.ModelKey] = model.Config.Name,
            [StateKey] = JsonSerializer.Serialize(state, ToolJson.Default.RunState),
        };
        RunFolder.Write(PathIn(directory), temp => Checkpoint.Save(temp, entries, metadata));
    }

    /// <summary>
    /// Writes <c>model.safetensors</c>, the weights alone as <see cref="VaeModel.SaveWeights"/> writes
    /// them, plus the epoch they are from, so loaders can tell weights a step behind the checkpoint.
    /// </summary>
    public static void SaveWeights(string directory, VaeModel model, int epoch)
    {
        var metadata = new Dictionary<string, string>
        {
            ["format"] = "pt",
            [WeightsFile.ModelKey] = model.Config.Name,
            [WeightsFile.EpochKey] = epoch.ToString(CultureInfo.InvariantCulture),
        };
        RunFolder.Write(WeightsPathIn(directory), temp => Checkpoint.Save(temp, model.StateDict(), metadata));
    }

    /// <summary>The epoch a run's weights file says it holds, or null when it is missing, unreadable or does not say.</summary>
    public static int? WeightsEpoch(string path)
    {
        try
        {
            return File.Exists(path) && SafeTensorsFile.Read(path).Metadata.TryGetValue(WeightsFile.EpochKey, out string? epoch) &&
                   int.TryParse(epoch, NumberStyles.None, CultureInfo.InvariantCulture, out int n) ? n : null;
        }
        catch (SafeTensorsException)
        {
            return null;
        }
    }

    /// <summary>Removes the files a training run writes in <paramref name="directory"/> (and nothing else), for <c>train --overwrite</c>.</summary>
    public static void DeleteRun(string directory)
    {
        foreach (string pattern in new[] { FileName, WeightsFileName, "metrics.json", "loss.png", "reconstructions-epoch-*.png", "samples-epoch-*.png" })
        {
            foreach (string file in Directory.GetFiles(directory, pattern))
            {
                File.Delete(file);
            }
        }
    }

    /// <summary>The settings and history of the checkpoint in <paramref name="directory"/>, or null when there is none.</summary>
    public static RunState? ReadState(string directory)
    {
        string path = PathIn(directory);
        if (!File.Exists(path))
        {
            return null;
        }

        IReadOnlyDictionary<string, string> metadata = SafeTensorsFile.Read(path).Metadata;
        if (!metadata.TryGetValue(FormatKey, out string? format) || format != FormatValue || !metadata.TryGetValue(StateKey, out string? json))
        {
            throw new ToolException(path + ": not a vaegen training checkpoint (its metadata has no " + StateKey + ")");
        }

        RunState? state;
        try
        {
            state = JsonSerializer.Deserialize(json, ToolJson.Default.RunState);
        }
        catch (JsonException e)
        {
            throw new ToolException(path + ": the training state in the metadata is corrupt (" + e.Message + ")", e);
        }

        string? problem = state is null ? "it is empty" : Problem(state);
        if (problem is not null)
        {
            throw new ToolException(path + ": the training state in the metadata is invalid: " + problem + "; nothing was changed");
        }

        return state;
    }

    /// <summary>
    /// The first field of a parsed state that no run of vaegen writes, or null. The file is input like any
    /// other: a batch of 0 or a null field would otherwise surface as a division by zero or a null
    /// reference deep in training.
    /// </summary>
    private static string? Problem(RunState state)
    {
        if (string.IsNullOrEmpty(state.Model))
        {
            return "'model' is missing";
        }

        if (state.Epoch < 1)
        {
            return "'epoch' is " + state.Epoch + ", but a checkpoint is written after epoch 1 at the earliest";
        }

        if (state.Settings is not { } settings)
        {
            return "'settings' is missing";
        }

        if (settings.Batch < 1)
        {
            return "'settings.batch' is " + settings.Batch + ", not a positive number of images";
        }

        if (!double.IsFinite(settings.LearningRate) || settings.LearningRate <= 0)
        {
            return "'settings.learning_rate' is " + settings.LearningRate.ToString("R", System.Globalization.CultureInfo.InvariantCulture) + ", not a positive number";
        }

        if (settings.LimitTrain is < 1 || settings.LimitTest is < 1)
        {
            return "'settings." + (settings.LimitTrain is < 1 ? "limit_train" : "limit_test") + "' is not a positive number of images";
        }

        if (settings.Data is { Length: 0 })
        {
            return "'settings.data' is an empty path";
        }

        if (state.History is not { } history || history.Count != state.Epoch)
        {
            return "'history' has " + (state.History?.Count ?? 0) + " epochs, but 'epoch' is " + state.Epoch;
        }

        for (int i = 0; i < history.Count; i++)
        {
            EpochResult? epoch = history[i];
            if (epoch is null || epoch.Epoch != i + 1)
            {
                return "'history[" + i + "]' is not epoch " + (i + 1);
            }

            if (epoch.Curve is null || !double.IsFinite(epoch.TrainLoss) || !double.IsFinite(epoch.TestNegElbo) || !Array.TrueForAll(epoch.Curve, double.IsFinite))
            {
                return "'history[" + i + "]' has a missing or non-finite loss";
            }
        }

        return null;
    }

    /// <summary>Loads the model, optimizer and every random stream; all names and shapes are checked before anything changes.</summary>
    public static void Load(string directory, VaeModel model, Rng shuffle, string specPath)
    {
        var shuffleState = new StateTensor("rng.shuffle", [Rng.StateLength], new long[Rng.StateLength]);
        List<StateTensor> randomState = model.RandomState();
        WeightsFile.LoadState(PathIn(directory), Entries(model, shuffleState, randomState),
            "the training state of " + model.Config.Name + " of " + specPath, model.Config.Name, "training checkpoint");
        foreach (StateTensor t in model.Optimizer.StateDict())
        {
            // Adam divides by sqrt(exp_avg_sq) and by 1 - beta^step: a negative one of either is no state Adam can reach.
            bool negative = t.Int64 is { } steps ? Array.Exists(steps, s => s < 0) : t.Name.EndsWith(".exp_avg_sq", StringComparison.Ordinal) && Array.Exists(t.Float32!, v => v < 0);
            if (negative)
            {
                throw new ToolException(PathIn(directory) + ": 'optimizer." + t.Name + "' holds a negative value, which Adam never saves; the checkpoint is corrupt");
            }
        }

        try
        {
            model.RestoreRandomState(randomState);
            shuffle.RestoreState(shuffleState.Int64);
        }
        catch (ArgumentException e)
        {
            throw new ToolException(PathIn(directory) + ": the saved random-stream state is invalid (" + e.Message + ")", e);
        }
    }

    /// <summary>Live views of everything saved: loading into them writes straight into the model, the optimizer and the stream states.</summary>
    private static List<StateTensor> Entries(VaeModel model, StateTensor shuffleState, List<StateTensor> randomState)
    {
        var entries = new List<StateTensor>();
        foreach (StateTensor t in model.StateDict())
        {
            entries.Add(Rename("model.", t));
        }

        foreach (StateTensor t in model.Optimizer.StateDict())
        {
            entries.Add(Rename("optimizer.", t));
        }

        entries.AddRange(randomState); // rng.noise and one rng.{encoder|decoder}.{i} per dropout layer
        entries.Add(shuffleState);
        return entries;
    }

    private static StateTensor Rename(string prefix, StateTensor t) =>
        t.Float32 is not null ? new StateTensor(prefix + t.Name, t.Shape.ToArray(), t.Float32) : new StateTensor(prefix + t.Name, t.Shape.ToArray(), t.Int64!);
}
