namespace VaeGen.Spec.Model
{
    /// <summary>
    /// One module of the encoder or decoder Sequential. An <c>activation:</c> shorthand in the YAML
    /// becomes a separate <see cref="ActivationSpec"/> right after its layer, so list positions are
    /// PyTorch's Sequential indices.
    /// </summary>
    /// <param name="YamlPath">Where the layer was written, e.g. <c>encoder[0].conv2d</c> (or <c>encoder[0].conv2d.activation</c>).</param>
    public abstract record LayerSpec(string YamlPath)
    {
        /// <summary>The spec keyword of the layer kind, e.g. <c>conv2d</c>.</summary>
        public abstract string Keyword { get; }
    }

    /// <summary>A 2-D convolution.</summary>
    /// <param name="SamePadding">
    /// True for <c>padding: same</c> (spec 1.1): <paramref name="Padding"/> is then 0 as written and the shape
    /// inference resolves it per input size (TensorFlow's formula), into a symmetric padding or a
    /// <see cref="ZeroPad2dSpec"/> row before the conv. Rows of a checked plan never carry it.
    /// </param>
    public sealed record Conv2dSpec(string YamlPath, long Out, Size2 Kernel, Size2 Stride, Size2 Padding, Size2 Dilation, bool Bias, long? In, bool SamePadding = false)
        : LayerSpec(YamlPath)
    {
        /// <inheritdoc />
        public override string Keyword => "conv2d";

        /// <summary>The weight initialisation (spec 1.1): the layer's own <c>init:</c>, else the spec's top-level one.</summary>
        public InitScheme Init { get; init; }
    }

    /// <summary>A 2-D transposed convolution.</summary>
    public sealed record ConvTranspose2dSpec(string YamlPath, long Out, Size2 Kernel, Size2 Stride, Size2 Padding, Size2 OutputPadding, Size2 Dilation, bool Bias, long? In)
        : LayerSpec(YamlPath)
    {
        /// <inheritdoc />
        public override string Keyword => "conv_transpose2d";

        /// <summary>The weight initialisation (spec 1.1): the layer's own <c>init:</c>, else the spec's top-level one.</summary>
        public InitScheme Init { get; init; }
    }

    /// <summary>Max or average pooling.</summary>
    public sealed record Pool2dSpec(string YamlPath, PoolKind Kind, Size2 Kernel, Size2 Stride, Size2 Padding, bool CeilMode)
        : LayerSpec(YamlPath)
    {
        /// <inheritdoc />
        public override string Keyword => Kind == PoolKind.Max ? "maxpool2d" : "avgpool2d";
    }

    /// <summary>Upsampling by an integer factor per spatial dimension.</summary>
    public sealed record UpsampleSpec(string YamlPath, Size2 Scale, UpsampleMode Mode)
        : LayerSpec(YamlPath)
    {
        /// <inheritdoc />
        public override string Keyword => "upsample";
    }

    /// <summary>A fully connected layer.</summary>
    public sealed record LinearSpec(string YamlPath, long Out, bool Bias, long? In)
        : LayerSpec(YamlPath)
    {
        /// <inheritdoc />
        public override string Keyword => "linear";

        /// <summary>The weight initialisation (spec 1.1): the layer's own <c>init:</c>, else the spec's top-level one.</summary>
        public InitScheme Init { get; init; }
    }

    /// <summary>Batch normalisation; 2-D on [C, H, W], 1-D on [N].</summary>
    public sealed record BatchNormSpec(string YamlPath)
        : LayerSpec(YamlPath)
    {
        /// <inheritdoc />
        public override string Keyword => "batchnorm";
    }

    /// <summary>Dropout with probability <paramref name="P"/>.</summary>
    public sealed record DropoutSpec(string YamlPath, double P)
        : LayerSpec(YamlPath)
    {
        /// <inheritdoc />
        public override string Keyword => "dropout";
    }

    /// <summary>[C, H, W] to [C*H*W].</summary>
    public sealed record FlattenSpec(string YamlPath)
        : LayerSpec(YamlPath)
    {
        /// <inheritdoc />
        public override string Keyword => "flatten";
    }

    /// <summary>[N] to the given [C, H, W].</summary>
    public sealed record UnflattenSpec(string YamlPath, Collections.EquatableArray<long> Shape)
        : LayerSpec(YamlPath)
    {
        /// <inheritdoc />
        public override string Keyword => "unflatten";
    }

    /// <summary>An element-wise activation.</summary>
    public sealed record ActivationSpec(string YamlPath, ActivationKind Kind, double Slope)
        : LayerSpec(YamlPath)
    {
        /// <summary>PyTorch's default negative slope of leaky_relu.</summary>
        public const double DefaultSlope = 0.01;

        /// <inheritdoc />
        public override string Keyword => ActivationNames.ToKeyword(Kind);
    }

    /// <summary>Zero padding of [C, H, W] (spec 1.1), in PyTorch <c>nn.ZeroPad2d</c>'s order: left, right, top, bottom.</summary>
    public sealed record ZeroPad2dSpec(string YamlPath, long Left, long Right, long Top, long Bottom)
        : LayerSpec(YamlPath)
    {
        /// <inheritdoc />
        public override string Keyword => "zero_pad2d";
    }

    /// <summary>A skip connection (spec 1.1): output = x + body(x); the body's layers are a Sequential named <c>body</c>.</summary>
    /// <param name="YamlPath">Where the block was written.</param>
    /// <param name="Body">The body's layers, with their own Sequential indices (activation shorthands expanded).</param>
    public sealed record ResidualSpec(string YamlPath, Collections.EquatableArray<LayerSpec> Body)
        : LayerSpec(YamlPath)
    {
        /// <inheritdoc />
        public override string Keyword => "residual";
    }
}
