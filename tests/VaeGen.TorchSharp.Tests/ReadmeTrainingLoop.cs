using System.Collections.Generic;
using TorchSharp;
using TorchSharp.PyBridge;
using VaeGen.Specs;

public static class TorchSharpTraining
{
    /// <summary>images: (N, 28, 28, 1), bytes 0..255 as floats, as the spec declares them.</summary>
    public static List<float> Train(torch.Tensor images, int epochs, string weightsPath)
    {
        torch.manual_seed(0);
        using var model = new FashionConvVae();              // PyTorch's default initialisation
        var optimizer = torch.optim.Adam(model.parameters(), lr: 1e-3);
        var epochLosses = new List<float>();
        const long batchSize = 64;

        model.train();
        for (int epoch = 0; epoch < epochs; epoch++)
        {
            var order = torch.randperm(images.shape[0]);
            float sum = 0;
            long steps = 0;
            for (long start = 0; start + batchSize <= images.shape[0]; start += batchSize, steps++)
            {
                using var scope = torch.NewDisposeScope();   // frees every tensor made in this step
                var x = images.index_select(0, order.slice(0, start, start + batchSize, 1));
                optimizer.zero_grad();
                var (loss, reconstruction, kl) = model.Loss(x); // batch means, beta applied
                loss.backward();
                optimizer.step();
                sum += loss.item<float>();
            }

            epochLosses.Add(sum / steps);
        }

        model.save_safetensors(weightsPath);                 // PyTorch names: PyTorch and the managed class load it
        return epochLosses;
    }
}
