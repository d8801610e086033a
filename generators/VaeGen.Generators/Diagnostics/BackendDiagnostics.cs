using VaeGen.Generators.Pipeline;
using VaeGen.Spec.Collections;
using VaeGen.Spec.Diagnostics;
using VaeGen.Spec.Model;

namespace VaeGen.Generators.Diagnostics
{
    /// <summary>
    /// VAE9002 and VAE9003: the chosen backend's library is not referenced, so a valid spec gets its
    /// shape constants only. The message says what chose the backend and how to fix the project.
    /// </summary>
    internal static class BackendDiagnostics
    {
        public static EquatableArray<SpecDiagnostic> For(SpecTarget target)
        {
            var check = target.Check;
            var backend = target.Backend;
            if (check.Plan is null || backend.Referenced)
            {
                return EquatableArray<SpecDiagnostic>.Empty;
            }

            var rule = backend.Backend == ModelBackend.TorchSharp ? DiagnosticRules.TorchSharpMissing : DiagnosticRules.RuntimeMissing;
            string message = System.IO.Path.GetFileName(check.FilePath) + ", name: " + Reason(backend) + ", but the project does not reference " + Missing(backend.Backend) +
                             ", so " + check.ClassName + " gets its shape constants only; " + AsClause(rule.Fix);
            return EquatableArray.Create(new SpecDiagnostic(rule.Id, rule.Severity, message, check.FilePath, check.NameSpan, "name"));
        }

        private static string Reason(BackendSelection backend) => backend.Reason switch
        {
            BackendReason.SpecKey => "the spec's backend: key selects the " + Name(backend.Backend) + " backend",
            BackendReason.BuildProperty => "the VaeGenBackend property selects the " + Name(backend.Backend) + " backend",
            _ => "TorchSharp is not referenced, so the managed backend is chosen",
        };

        private static string Name(ModelBackend backend) => backend == ModelBackend.TorchSharp ? "TorchSharp" : "managed";

        private static string Missing(ModelBackend backend) => backend == ModelBackend.TorchSharp ? "TorchSharp" : "VaeGen.Runtime";

        // The rule's fix sentence, continuing this message: "Add a ..." becomes "add a ...".
        private static string AsClause(string sentence) =>
            char.ToLowerInvariant(sentence[0]) + sentence.Substring(1).TrimEnd('.');
    }
}
