using System.Linq;
using VaeGen.Spec.Collections;
using VaeGen.Spec.Diagnostics;
using VaeGen.Spec.Model;
using VaeGen.Spec.Shapes;

namespace VaeGen.Generators.Pipeline
{
    /// <summary>Which kind of class a spec gets.</summary>
    internal enum ClassKind
    {
        /// <summary>The spec has errors: the public surface, every member throwing with the errors.</summary>
        ErrorSurface,

        /// <summary>The backend's library is not referenced: the shape constants only.</summary>
        Constants,

        /// <summary>A TorchSharp <c>torch.nn.Module</c>.</summary>
        TorchSharp,

        /// <summary>A managed <c>VaeGen.Runtime</c> model.</summary>
        Managed,
    }

    /// <summary>
    /// Everything the emitter needs for one class and nothing more: no source positions (but a broken
    /// spec's <paramref name="FirstError"/>), so an edit that only moves text (a comment, blank lines)
    /// leaves this equal and the output cached; for a broken spec, as long as the first error stays put.
    /// </summary>
    /// <param name="ClassName">The class name.</param>
    /// <param name="Namespace">The resolved namespace.</param>
    /// <param name="FilePath">The spec's path (identifies which of two same-named classes is emitted).</param>
    /// <param name="Backend">The backend to emit.</param>
    /// <param name="BackendReferenced">Whether the compilation references the backend's library (TorchSharp or VaeGen.Runtime).</param>
    /// <param name="Plan">The checked model, or null when the spec has errors.</param>
    /// <param name="Errors">The spec's errors when <paramref name="Plan"/> is null, each as <c>error ID: message</c>; the message names the file and the YAML path, never a line or column.</param>
    /// <param name="FirstError">
    /// A broken spec's first error with its position, <c>file(line,col): error ID: message</c>, for the
    /// stand-in class's Obsolete message (so the C# use of the class names where to look). The one
    /// position in an emit model, and only a broken spec's: a comment-only edit above that error
    /// re-emits the stand-in, which is accepted there and nowhere else.
    /// </param>
    internal sealed record EmitModel(
        string ClassName,
        string Namespace,
        string FilePath,
        ModelBackend Backend,
        bool BackendReferenced,
        ModelPlan? Plan,
        EquatableArray<string> Errors,
        string? FirstError = null)
    {
        /// <summary>The emit model of a spec, or null when it has no readable name (the diagnostics say why).</summary>
        public static EmitModel? From(SpecTarget target)
        {
            var check = target.Check;
            if (check.ClassName is null)
            {
                return null;
            }

            var errors = check.Plan is null ? check.Diagnostics.Where(d => d.IsError).Select(WithoutPosition).ToEquatableArray() : EquatableArray<string>.Empty;
            var first = check.Plan is null ? check.Diagnostics.FirstOrDefault(d => d.IsError) : null;
            return new EmitModel(check.ClassName, target.Namespace, check.FilePath, target.Backend.Backend, target.Backend.Referenced, check.Plan, errors,
                first?.Format(System.IO.Path.GetFileName(check.FilePath)));
        }

        public string SpecFileName => System.IO.Path.GetFileName(FilePath);

        public string FullName => Namespace + "." + ClassName;

        /// <summary>Unique per generated class: of two specs with the same full name only the first is emitted (VAE1109).</summary>
        public string HintName => FullName + ".g.cs";

        /// <summary>The kind of class to emit.</summary>
        public ClassKind Kind
        {
            get
            {
                if (Plan is null)
                {
                    return ClassKind.ErrorSurface;
                }

                if (!BackendReferenced)
                {
                    return ClassKind.Constants;
                }

                return Backend == ModelBackend.TorchSharp ? ClassKind.TorchSharp : ClassKind.Managed;
            }
        }

        // Positions are left out so the emit model stays equal when text only moves; the message
        // already locates the error by file and YAML path.
        private static string WithoutPosition(SpecDiagnostic diagnostic) => "error " + diagnostic.Id + ": " + diagnostic.Message;
    }
}
