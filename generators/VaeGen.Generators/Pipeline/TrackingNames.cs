namespace VaeGen.Generators.Pipeline
{
    /// <summary>Names of the incremental pipeline's steps, so tests can assert what was cached.</summary>
    internal static class TrackingNames
    {
        /// <summary>The build properties VaeGen reads.</summary>
        public const string Options = nameof(Options);

        /// <summary>Whether the compilation references TorchSharp and VaeGen.Runtime.</summary>
        public const string BackendReferences = nameof(BackendReferences);

        /// <summary>Diagnostics about the backend a spec gets.</summary>
        public const string BackendDiagnostics = nameof(BackendDiagnostics);

        /// <summary>Each *.vae.yaml file's path and text.</summary>
        public const string SpecFiles = nameof(SpecFiles);

        /// <summary>Each spec checked: model, shapes and diagnostics.</summary>
        public const string CheckedSpecs = nameof(CheckedSpecs);

        /// <summary>Each checked spec with its namespace and backend resolved.</summary>
        public const string Targets = nameof(Targets);

        /// <summary>Each named spec reduced to what the emitter needs (no source positions).</summary>
        public const string EmitModels = nameof(EmitModels);

        /// <summary>Every spec's full class name, collected for the duplicate check.</summary>
        public const string ClassNames = nameof(ClassNames);
    }
}
