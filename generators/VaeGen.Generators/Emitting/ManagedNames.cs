namespace VaeGen.Generators.Emitting
{
    /// <summary>Fully qualified VaeGen.Runtime names, so a user's type called Tensor or Linear cannot capture them.</summary>
    internal static class ManagedNames
    {
        public const string Runtime = "global::VaeGen.Runtime";
        public const string Tensor = Runtime + ".Tensors.Tensor";
        public const string Rng = Runtime + ".Init.Rng";
        public const string VaeModel = Runtime + ".Models.VaeModel";
        public const string VaeConfig = Runtime + ".Models.VaeConfig";
        public const string Sequential = Runtime + ".Layers.Sequential";
    }
}
