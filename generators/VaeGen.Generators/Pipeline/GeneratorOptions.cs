using Microsoft.CodeAnalysis.Diagnostics;
using VaeGen.Spec.Model;
using VaeGen.Spec.Parsing;

namespace VaeGen.Generators.Pipeline
{
    /// <summary>The MSBuild properties VaeGen reads (exposed with CompilerVisibleProperty).</summary>
    /// <param name="RootNamespace">The project's RootNamespace when it is a valid namespace, else null.</param>
    /// <param name="Backend">The VaeGenBackend property, or null when unset or auto.</param>
    internal sealed record GeneratorOptions(string? RootNamespace, ModelBackend? Backend)
    {
        public static GeneratorOptions From(AnalyzerConfigOptions options)
        {
            options.TryGetValue("build_property.RootNamespace", out var rootNamespace);
            options.TryGetValue("build_property.VaeGenBackend", out var backendText);
            ModelBackend? backend = (backendText ?? string.Empty).Trim().ToLowerInvariant() switch
            {
                "torchsharp" => ModelBackend.TorchSharp,
                "managed" => ModelBackend.Managed,
                _ => null,
            };
            string? ns = rootNamespace is { Length: > 0 } && CSharpNames.IsNamespace(rootNamespace) ? rootNamespace : null;
            return new GeneratorOptions(ns, backend);
        }

        /// <summary>The namespace of a spec's class: the spec's own, else RootNamespace, else VaeGen.Generated.</summary>
        public string NamespaceFor(string? specNamespace) => specNamespace ?? RootNamespace ?? VaeSpec.FallbackNamespace;
    }
}
