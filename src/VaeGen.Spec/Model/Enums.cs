namespace VaeGen.Spec.Model
{
    /// <summary>The order of the input's per-sample shape as the data arrives.</summary>
    public enum InputLayout
    {
        /// <summary>Channels first: [C, H, W] (PyTorch's convention; the default).</summary>
        Nchw,

        /// <summary>Channels last: [H, W, C] (how images usually arrive).</summary>
        Nhwc,
    }

    /// <summary>The reconstruction term of the loss.</summary>
    public enum ReconstructionKind
    {
        /// <summary>Squared error; the decoder outputs the reconstruction.</summary>
        Mse,

        /// <summary>Binary cross-entropy on logits; the decoder outputs logits and the loss applies the sigmoid.</summary>
        BceLogits,

        /// <summary>Binary cross-entropy on probabilities; the decoder must end in sigmoid.</summary>
        Bce,

        /// <summary>Gaussian negative log-likelihood with a fixed or learned sigma (spec 1.1); the decoder outputs the mean.</summary>
        Gaussian,
    }

    /// <summary>How the reconstruction term is reduced over C, H, W for each sample.</summary>
    public enum ReconstructionReduction
    {
        /// <summary>Sum over C, H, W.</summary>
        Sum,

        /// <summary>Mean over C, H, W.</summary>
        Mean,
    }

    /// <summary>Which code the generator emits.</summary>
    public enum ModelBackend
    {
        /// <summary>A TorchSharp torch.nn.Module.</summary>
        TorchSharp,

        /// <summary>A managed model with no native dependency.</summary>
        Managed,
    }

    /// <summary>Element-wise activations.</summary>
    public enum ActivationKind
    {
        /// <summary>max(x, 0).</summary>
        Relu,

        /// <summary>1 / (1 + exp(-x)).</summary>
        Sigmoid,

        /// <summary>Hyperbolic tangent.</summary>
        Tanh,

        /// <summary>Gaussian error linear unit, exact (erf) form.</summary>
        Gelu,

        /// <summary>x * sigmoid(x).</summary>
        Silu,

        /// <summary>Exponential linear unit, alpha 1.</summary>
        Elu,

        /// <summary>max(x, 0) + slope * min(x, 0).</summary>
        LeakyRelu,
    }

    /// <summary>Upsampling interpolation.</summary>
    public enum UpsampleMode
    {
        /// <summary>Nearest neighbour.</summary>
        Nearest,

        /// <summary>Bilinear, align_corners false.</summary>
        Bilinear,
    }

    /// <summary>Pooling reduction.</summary>
    public enum PoolKind
    {
        /// <summary>Maximum over the window.</summary>
        Max,

        /// <summary>Average over the window (padding counted, as PyTorch's default).</summary>
        Average,
    }

    /// <summary>Weight initialisation of conv2d, conv_transpose2d and linear (spec 1.1, <c>init:</c>).</summary>
    public enum InitScheme
    {
        /// <summary>The layer's PyTorch default: kaiming_uniform_(w, a=sqrt(5)), bias uniform(-1/sqrt(fan_in), 1/sqrt(fan_in)) (v1).</summary>
        Pytorch,

        /// <summary>xavier_uniform_(w, gain=1) (Keras's glorot_uniform); bias 0.</summary>
        XavierUniform,

        /// <summary>xavier_normal_(w, gain=1); bias 0.</summary>
        XavierNormal,

        /// <summary>kaiming_uniform_(w, a=0, mode='fan_in', nonlinearity='relu'); bias 0.</summary>
        KaimingUniform,

        /// <summary>kaiming_normal_(w, a=0, mode='fan_in', nonlinearity='relu'); bias 0.</summary>
        KaimingNormal,
    }
}
