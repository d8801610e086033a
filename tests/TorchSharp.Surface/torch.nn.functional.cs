// Compile-only mirror of TorchSharp 0.106.0: the loss functions VaeGen's Loss method calls, and
// torch.nn.Reduction (all in src/TorchSharp/NN/Losses.cs).
using static TorchSharp.torch;

namespace TorchSharp
{
    public static partial class torch
    {
        public static partial class nn
        {
            // TorchSharp v0.106.0: src/TorchSharp/NN/Losses.cs:723
            public enum Reduction : long
            {
                None = 0,
                Mean = 1,
                Sum = 2,
            }

            public static partial class functional
            {
                // TorchSharp v0.106.0: src/TorchSharp/NN/Losses.cs:364 (note pos_weights, plural)
                public static Tensor binary_cross_entropy_with_logits(Tensor input, Tensor target, Tensor? weight = null, Reduction reduction = Reduction.Mean, Tensor? pos_weights = null) => throw new System.NotSupportedException("compile-only TorchSharp surface");

                // TorchSharp v0.106.0: src/TorchSharp/NN/Losses.cs:379
                public static Tensor binary_cross_entropy(Tensor input, Tensor target, Tensor? weight = null, Reduction reduction = Reduction.Mean) => throw new System.NotSupportedException("compile-only TorchSharp surface");

                // TorchSharp v0.106.0: src/TorchSharp/NN/Losses.cs:560
                public static Tensor mse_loss(Tensor input, Tensor target, Reduction reduction = Reduction.Mean) => throw new System.NotSupportedException("compile-only TorchSharp surface");
            }
        }
    }
}
