extern alias managed;

using System;
using System.IO;
using System.Linq;
using TorchSharp;
using TorchSharp.PyBridge;
using VaeGen.Testing;
using VaeGen.Runtime.IO;
using VaeGen.Runtime.Models;
using VaeGen.Runtime.Tensors;
using VaeGen.Specs;
using Xunit;
using TorchTensor = TorchSharp.torch.Tensor;

namespace VaeGen.TorchSharpTests;

/// <summary>
/// Weights move between the three: <c>vaegen train</c>'s model.safetensors loads into the TorchSharp module (TorchSharp.PyBridge's
/// load_safetensors) and gives the managed model's Encode/Decode; a TorchSharp-trained module's save_safetensors file loads
/// into the managed model (LoadWeights) and into PyTorch (load_state_dict, strict) with the same outputs. Evaluation mode.
/// </summary>
public sealed class WeightsTests : IDisposable
{
    private const double Tolerance = 1e-4;

    private readonly TempFolder _temp = new("vaegen-ts-weights-");

    [Fact]
    public void Weights_written_by_vaegen_train_give_the_managed_outputs_in_TorchSharp()
    {
        string run = _temp.File("run");
        string root = Repository.Root;
        RunTool(root, "train", Path.Combine(root, "specs", "fashion_mlp.vae.yaml"), "--data", Path.Combine(root, "data", "fashion-mnist"),
            "--epochs", "1", "--batch", "64", "--limit-train", "512", "--limit-test", "64", "--out", run);
        string weights = Path.Combine(run, "model.safetensors");
        Assert.True(File.Exists(weights), "vaegen train wrote no " + weights);

        var managedModel = new managed::VaeGen.Specs.FashionMlpVae();
        managedModel.LoadWeights(weights);
        using var torchModel = new FashionMlpVae();
        torchModel.load_safetensors(weights);
        AssertSameOutputs(managedModel, torchModel);
    }

    [Fact]
    public void A_TorchSharp_trained_module_saves_weights_the_managed_model_and_PyTorch_load()
    {
        torch.manual_seed(5);
        using var torchModel = new FashionMlpVae();
        var optimizer = torch.optim.Adam(torchModel.parameters(), lr: 1e-3);
        var x = torch.randint(0, 256, new long[] { 32, 28, 28, 1 }).to_type(torch.float32);
        for (int step = 0; step < 3; step++)
        {
            using var scope = torch.NewDisposeScope();
            optimizer.zero_grad();
            torchModel.Loss(x).Total.backward();
            optimizer.step();
        }

        string weights = _temp.File("torchsharp.safetensors");
        torchModel.save_safetensors(weights);

        var managedModel = new managed::VaeGen.Specs.FashionMlpVae(seed: 42);
        managedModel.LoadWeights(weights);
        var (x8, z) = AssertSameOutputs(managedModel, torchModel);

        // PyTorch: load_state_dict(strict=True) of the same file, then Encode/Decode of the same inputs.
        string inputs = _temp.File("inputs.safetensors"), outputs = _temp.File("outputs.safetensors");
        SafeTensorsWriter.Write(inputs, new[] { StateTensor.Of("x", x8), StateTensor.Of("z", z) });
        PyTorch.Run("encode_with_weights.py", TestSpecs.Path("fashion_mlp.vae.yaml"), weights, inputs, outputs);
        var python = SafeTensorsFile.Read(outputs);
        torchModel.eval();
        using (torch.no_grad())
        {
            var (mu, logVar) = torchModel.Encode(Models.ToTorch(x8));
            Assert.InRange(RelativeError.Of(Models.Values(mu), python.ReadFloat32("mu")), 0, Tolerance);
            Assert.InRange(RelativeError.Of(Models.Values(logVar), python.ReadFloat32("logvar")), 0, Tolerance);
            Assert.InRange(RelativeError.Of(Models.Values(torchModel.Decode(Models.ToTorch(z))), python.ReadFloat32("decoded")), 0, Tolerance);
        }
    }

    /// <summary>Encode of 8 images and Decode of 8 latent vectors agree between the two models (evaluation mode); returns those inputs.</summary>
    private static (Tensor X, Tensor Z) AssertSameOutputs(VaeModel managedModel, FashionMlpVae torchModel)
    {
        var random = new Random(11);
        var x = new Tensor(8, 28, 28, 1);
        for (int i = 0; i < x.Length; i++)
        {
            x.Data[i] = random.Next(256);
        }

        var z = new Tensor(8, FashionMlpVae.LatentDim);
        for (int i = 0; i < z.Length; i++)
        {
            z.Data[i] = (float)(random.NextDouble() * 4 - 2);
        }

        managedModel.Eval();
        torchModel.eval();
        var (mu, logVar) = managedModel.Encode(x);
        float[] managedMu = (float[])mu.Data.Clone(), managedLogVar = (float[])logVar.Data.Clone();
        float[] managedDecoded = (float[])managedModel.Decode(z).Data.Clone();
        using (torch.no_grad())
        {
            var (torchMu, torchLogVar) = torchModel.Encode(Models.ToTorch(x));
            TorchTensor decoded = torchModel.Decode(Models.ToTorch(z));
            Assert.InRange(RelativeError.Of(Models.Values(torchMu), managedMu), 0, Tolerance);
            Assert.InRange(RelativeError.Of(Models.Values(torchLogVar), managedLogVar), 0, Tolerance);
            Assert.InRange(RelativeError.Of(Models.Values(decoded), managedDecoded), 0, Tolerance);
        }

        return (x, z);
    }

    private static void RunTool(string workingDirectory, params string[] arguments) =>
        Dotnet.Succeed(workingDirectory, null, [Path.Combine(AppContext.BaseDirectory, "vaegen.dll"), .. arguments]);

    public void Dispose() => _temp.Dispose();
}
