using System.Linq;
using Microsoft.CodeAnalysis;

namespace VaeGen.Generators.Pipeline
{
    /// <summary>
    /// Which backend libraries the compilation references. Two bools, so a new Compilation after
    /// every keystroke compares equal and everything downstream stays cached.
    /// </summary>
    /// <param name="TorchSharp">The TorchSharp assembly is referenced.</param>
    /// <param name="Runtime">The VaeGen.Runtime assembly is referenced.</param>
    internal sealed record BackendReferences(bool TorchSharp, bool Runtime)
    {
        public const string TorchSharpAssembly = "TorchSharp";

        public const string RuntimeAssembly = "VaeGen.Runtime";

        public static BackendReferences From(Compilation compilation)
        {
            var names = compilation.ReferencedAssemblyNames;
            return new BackendReferences(names.Any(a => a.Name == TorchSharpAssembly), names.Any(a => a.Name == RuntimeAssembly));
        }

        /// <summary>Whether the chosen backend's library is there, so its model class can compile.</summary>
        public bool Has(Spec.Model.ModelBackend backend) => backend == Spec.Model.ModelBackend.TorchSharp ? TorchSharp : Runtime;
    }
}
