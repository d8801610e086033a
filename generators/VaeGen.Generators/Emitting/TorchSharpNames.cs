namespace VaeGen.Generators.Emitting
{
    /// <summary>Fully qualified TorchSharp names: generated code never depends on the user's usings.</summary>
    internal static class TorchSharpNames
    {
        public const string Torch = "global::TorchSharp.torch";
        public const string Nn = Torch + ".nn";
        public const string Tensor = Torch + ".Tensor";
        public const string Device = Torch + ".Device";
        public const string Sequential = "global::TorchSharp.Modules.Sequential";
        public const string Linear = "global::TorchSharp.Modules.Linear";
        public const string Parameter = "global::TorchSharp.Modules.Parameter";
        public const string Reduction = Nn + ".Reduction";
        public const string Functional = Nn + ".functional";
        public const string ModuleExtensions = "global::TorchSharp.ModuleExtensionMethods";
        public const string ForwardResult = "(" + Tensor + " Reconstruction, " + Tensor + " Mu, " + Tensor + " LogVar)";
        public const string LossResult = "(" + Tensor + " Total, " + Tensor + " Reconstruction, " + Tensor + " Kl)";
        public const string EncodeResult = "(" + Tensor + " Mu, " + Tensor + " LogVar)";
    }
}
