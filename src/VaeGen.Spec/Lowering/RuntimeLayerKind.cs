namespace VaeGen.Spec.Lowering
{
    /// <summary>
    /// The VaeGen.Runtime layer types a spec can lower to, one member a type. The runtime type's
    /// name relative to <c>VaeGen.Runtime</c> is <see cref="RuntimeTypeNames.Of"/>.
    /// </summary>
    public enum RuntimeLayerKind
    {
        /// <summary><c>Layers.Conv2d</c>.</summary>
        Conv2d,

        /// <summary><c>Layers.ConvTranspose2d</c>.</summary>
        ConvTranspose2d,

        /// <summary><c>Layers.MaxPool2d</c>.</summary>
        MaxPool2d,

        /// <summary><c>Layers.AvgPool2d</c>.</summary>
        AvgPool2d,

        /// <summary><c>Layers.Upsample</c>.</summary>
        Upsample,

        /// <summary><c>Layers.Linear</c>.</summary>
        Linear,

        /// <summary><c>Layers.BatchNorm1d</c>.</summary>
        BatchNorm1d,

        /// <summary><c>Layers.BatchNorm2d</c>.</summary>
        BatchNorm2d,

        /// <summary><c>Layers.Dropout</c>.</summary>
        Dropout,

        /// <summary><c>Layers.Flatten</c>.</summary>
        Flatten,

        /// <summary><c>Layers.Unflatten</c>.</summary>
        Unflatten,

        /// <summary><c>Layers.Activations.ReLU</c>.</summary>
        ReLU,

        /// <summary><c>Layers.Activations.Sigmoid</c>.</summary>
        Sigmoid,

        /// <summary><c>Layers.Activations.Tanh</c>.</summary>
        Tanh,

        /// <summary><c>Layers.Activations.GELU</c>.</summary>
        GELU,

        /// <summary><c>Layers.Activations.SiLU</c>.</summary>
        SiLU,

        /// <summary><c>Layers.Activations.ELU</c>.</summary>
        ELU,

        /// <summary><c>Layers.Activations.LeakyReLU</c>.</summary>
        LeakyReLU,

        /// <summary><c>Layers.ZeroPad2d</c> (spec 1.1).</summary>
        ZeroPad2d,

        /// <summary><c>Layers.Residual</c> (spec 1.1): x + body(x), its body a <c>Layers.Sequential</c> of <see cref="LayerConstruction.Body"/>.</summary>
        Residual,
    }

    /// <summary>Where each <see cref="RuntimeLayerKind"/> lives in VaeGen.Runtime.</summary>
    public static class RuntimeTypeNames
    {
        /// <summary>The runtime type's name relative to the <c>VaeGen.Runtime</c> namespace, e.g. <c>Layers.Conv2d</c>.</summary>
        public static string Of(RuntimeLayerKind kind)
        {
            switch (kind)
            {
                case RuntimeLayerKind.ReLU:
                case RuntimeLayerKind.Sigmoid:
                case RuntimeLayerKind.Tanh:
                case RuntimeLayerKind.GELU:
                case RuntimeLayerKind.SiLU:
                case RuntimeLayerKind.ELU:
                case RuntimeLayerKind.LeakyReLU:
                    return "Layers.Activations." + kind;
                default:
                    return "Layers." + kind;
            }
        }
    }
}
