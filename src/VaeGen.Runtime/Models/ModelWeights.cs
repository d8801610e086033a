using System;
using System.Collections.Generic;
using VaeGen.Runtime.IO;
using VaeGen.Runtime.Layers;
using VaeGen.Runtime.Tensors;

namespace VaeGen.Runtime.Models;

/// <summary>
/// A model's state dict under PyTorch's names (<c>log_sigma</c> when sigma is learned, <c>encoder.{i}.*</c>, <c>fc_mu.*</c>, <c>fc_logvar.*</c>,
/// <c>decoder.{i}.*</c>), and its weights file: safetensors that PyTorch's <c>load_state_dict</c> reads.
/// The one place the module names are written down.
/// </summary>
public static class ModelWeights
{
    /// <summary>The state_dict key of a learned Gaussian sigma (spec 1.1 <c>sigma: learned</c>).</summary>
    public const string LogSigmaName = "log_sigma";

    /// <summary>The model's modules with their state_dict prefixes, in PyTorch's registration order.</summary>
    /// <param name="model">The model.</param>
    public static (string Prefix, Layer Module)[] Modules(VaeModel model)
    {
        ArgumentNullException.ThrowIfNull(model);
        return [("encoder.", model.Encoder), ("fc_mu.", model.FcMu), ("fc_logvar.", model.FcLogVar), ("decoder.", model.Decoder)];
    }

    /// <summary>All parameters with their state_dict names, in PyTorch's order.</summary>
    /// <param name="model">The model.</param>
    public static List<NamedParameter> NamedParameters(VaeModel model)
    {
        var list = new List<NamedParameter>();

        // The model's own parameter comes first, as PyTorch lists a module's parameters before its children's.
        if (model.LogSigma is { } logSigma)
        {
            list.Add(new NamedParameter(LogSigmaName, logSigma));
        }

        foreach (var (prefix, module) in Modules(model))
        {
            module.CollectParameters(prefix, list);
        }

        return list;
    }

    /// <summary>Parameters and buffers (batchnorm statistics) by name, as PyTorch's <c>state_dict()</c>: live entries.</summary>
    /// <param name="model">The model.</param>
    public static List<StateTensor> StateDict(VaeModel model)
    {
        var list = new List<StateTensor>();
        if (model.LogSigma is { } logSigma)
        {
            list.Add(StateTensor.Of(LogSigmaName, logSigma.Value));
        }

        foreach (var (prefix, module) in Modules(model))
        {
            module.CollectState(prefix, list);
        }

        return list;
    }

    /// <summary>Writes the weights as a safetensors file with PyTorch state_dict names, atomically.</summary>
    /// <param name="model">The model.</param>
    /// <param name="path">The destination; replaced only once the new file is complete.</param>
    public static void Save(VaeModel model, string path) =>
        Checkpoint.Save(path, StateDict(model), new Dictionary<string, string> { ["format"] = "pt", ["vaegen.model"] = model.Config.Name });

    /// <summary>Loads weights; every name, dtype and shape is checked first, so a file that does not match changes nothing.</summary>
    /// <param name="model">The model.</param>
    /// <param name="path">A safetensors file.</param>
    /// <exception cref="SafeTensorsException">The file is unreadable or does not match; the message names each tensor.</exception>
    public static void Load(VaeModel model, string path) => Checkpoint.Load(path, StateDict(model));
}
