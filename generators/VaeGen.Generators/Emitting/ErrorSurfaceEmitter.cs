using VaeGen.Generators.Pipeline;
using VaeGen.Spec.Diagnostics;
using VaeGen.Spec.Model;
using static VaeGen.Generators.Emitting.TorchSharpNames;

namespace VaeGen.Generators.Emitting
{
    /// <summary>
    /// For a spec with errors: a stand-in with the class's whole public surface (constants included,
    /// so no CS0117), every member throwing an InvalidOperationException quoting the spec's errors. The
    /// class is <c>[Obsolete(message, error: true)]</c>, the message naming the spec file, line and
    /// column of its first error, so every use of the class in C# gets a compiler error at that use:
    /// editors that show only compiler diagnostics show the spec's error where the user types.
    /// </summary>
    internal static class ErrorSurfaceEmitter
    {
        public static string Emit(EmitModel model)
        {
            string message = model.ClassName + " cannot be used: " + model.SpecFileName + " has errors.\n" + string.Join("\n", model.Errors) + "\nFix the spec and rebuild.";
            var w = new SourceWriter();
            ClassPreamble.WriteFileHeader(w, model.SpecFileName);
            w.Line("namespace " + model.Namespace);
            w.Open();
            w.Doc("<summary>");
            w.Doc(Literals.Xml("Not generated: " + model.SpecFileName + " has errors (see the build output). Every member throws InvalidOperationException until the spec is fixed."));
            w.Doc("</summary>");
            WriteObsolete(w, model);
            ClassPreamble.WriteGeneratedCodeAttribute(w);
            bool torch = model.Backend == ModelBackend.TorchSharp && model.BackendReferenced;
            bool managed = model.Backend == ModelBackend.Managed && model.BackendReferenced;
            w.Line("public sealed partial class " + model.ClassName + (torch ? " : " + Nn + ".Module<" + Tensor + ", " + ForwardResult + ">" : managed ? " : " + ManagedNames.VaeModel : string.Empty));
            w.Open();
            w.Doc("<summary>The errors of the spec, as the build reported them.</summary>");
            w.Line("public const string SpecErrors = " + Literals.String(message) + ";");
            w.Line();
            ClassPreamble.WriteStandInConstants(w);
            w.Line();
            if (torch)
            {
                WriteTorchSharpSurface(w, model.ClassName);
            }
            else if (managed)
            {
                WriteManagedSurface(w, model.ClassName);
            }

            w.Line("private static global::System.InvalidOperationException Unusable() => new global::System.InvalidOperationException(SpecErrors);");
            w.Close();
            w.Close();
            return w.ToString();
        }

        /// <summary>
        /// The compiler reports each use of an obsolete-as-error class at the use, with this message and,
        /// from .NET 5 on, the rule ID. It quotes the first error with its line and column, which puts a
        /// position into generated text: a comment-only edit above that error re-emits the stand-in.
        /// Accepted for broken specs only (the user is editing that spec, and the position is what makes
        /// the message useful where the class is used); valid specs' classes carry no positions.
        /// </summary>
        private static void WriteObsolete(SourceWriter w, EmitModel model)
        {
            string text = model.ClassName + " cannot be used: " + model.FirstError + (model.Errors.Count > 1 ? " (and " + (model.Errors.Count - 1) + " more)" : string.Empty);
            string arguments = Literals.String(text) + ", true";
            w.Line("#if NET5_0_OR_GREATER");
            w.Line("[global::System.Obsolete(" + arguments + ", DiagnosticId = " + Literals.String(DiagnosticRules.StandInUsed.Id) + ", UrlFormat = " + Literals.String(Diagnostics.DiagnosticDescriptors.HelpLink) + ")]");
            w.Line("#else");
            w.Line("[global::System.Obsolete(" + arguments + ")]");
            w.Line("#endif");
        }

        private static void WriteTorchSharpSurface(SourceWriter w, string className)
        {
            w.Doc("<summary>Throws: the spec has errors.</summary>");
            w.Line("public " + className + "(string name = " + Literals.String(className) + ", " + Device + "? device = null)");
            w.Line("    : base(ThrowUnusable(name, device))");
            w.Open();
            w.Close();
            w.Line();
            Member(w, "public " + EncodeResult + " Encode(" + Tensor + " x)");
            Member(w, "public " + Tensor + " Reparameterize(" + Tensor + " mu, " + Tensor + " logVar)");
            Member(w, "public " + Tensor + " Reparameterize(" + Tensor + " mu, " + Tensor + " logVar, " + Tensor + " eps)");
            Member(w, "public " + Tensor + " Decode(" + Tensor + " z)");
            Member(w, "public override " + ForwardResult + " forward(" + Tensor + " x)");
            Member(w, "public " + ForwardResult + " forward(" + Tensor + " x, " + Tensor + " eps)");
            Member(w, "public " + LossResult + " Loss(" + Tensor + " x)");
            Member(w, "public " + LossResult + " Loss(" + Tensor + " x, " + Tensor + " eps)");
            Member(w, "public " + LossResult + " Loss(" + Tensor + " x, " + Tensor + " reconstruction, " + Tensor + " mu, " + Tensor + " logVar)");
            Member(w, "public " + Tensor + " Sample(long count, " + Device + "? device = null)");
            w.Line("private static string ThrowUnusable(string name, " + Device + "? device) => throw Unusable();");
            w.Line();
        }

        /// <summary>A VaeModel like the real class, so its whole inherited surface is there; the base constructor's first argument throws.</summary>
        private static void WriteManagedSurface(SourceWriter w, string className)
        {
            w.Doc("<summary>Throws: the spec has errors.</summary>");
            w.Line("public " + className + "(ulong seed = 0)");
            w.Line("    : base(ThrowUnusable(), null!, null!, null!, null!, null!)");
            w.Open();
            w.Close();
            w.Line();
            Member(w, "public static " + ManagedNames.Tensor + " CreateBatch(int batchSize)");
            w.Line("private static " + ManagedNames.VaeConfig + " ThrowUnusable() => throw Unusable();");
            w.Line();
        }

        private static void Member(SourceWriter w, string signature)
        {
            w.Doc("<summary>Throws: the spec has errors.</summary>");
            w.Line(signature + " => throw Unusable();");
            w.Line();
        }
    }
}
