using VaeGen.Generators.Pipeline;
using VaeGen.Spec.Model;
using static VaeGen.Generators.Emitting.TorchSharpNames;

namespace VaeGen.Generators.Emitting
{
    /// <summary>
    /// For a spec with errors: the class's public surface, whose members throw an
    /// InvalidOperationException quoting the spec's errors. Code that uses the class keeps compiling
    /// while the spec is being fixed, so the build shows the spec's errors and not a flood of CS0246.
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
            ClassPreamble.WriteGeneratedCodeAttribute(w);
            bool torch = model.Backend == ModelBackend.TorchSharp && model.BackendReferenced;
            bool managed = model.Backend == ModelBackend.Managed && model.BackendReferenced;
            w.Line("public sealed partial class " + model.ClassName + (torch ? " : " + Nn + ".Module<" + Tensor + ", " + ForwardResult + ">" : string.Empty));
            w.Open();
            w.Doc("<summary>The errors of the spec, as the build reported them.</summary>");
            w.Line("public const string SpecErrors = " + Literals.String(message) + ";");
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

        /// <summary>The members people call first; the rest of VaeModel's surface appears once the spec is fixed.</summary>
        private static void WriteManagedSurface(SourceWriter w, string className)
        {
            const string T = ManagedNames.Tensor;
            w.Doc("<summary>Throws: the spec has errors.</summary>");
            w.Line("public " + className + "(ulong seed = 0) => throw Unusable();");
            w.Line();
            Member(w, "public static " + T + " CreateBatch(int batchSize)");
            Member(w, "public (" + T + " Mu, " + T + " LogVar) Encode(" + T + " x)");
            Member(w, "public " + T + " Reparameterize(" + T + " mu, " + T + " logVar)");
            Member(w, "public " + T + " Decode(" + T + " z)");
            Member(w, "public (" + T + " Reconstruction, " + T + " Mu, " + T + " LogVar) Forward(" + T + " x)");
            Member(w, "public global::VaeGen.Runtime.Models.LossTerms Loss(" + T + " x)");
            Member(w, "public global::VaeGen.Runtime.Models.LossTerms TrainStep(" + T + " x)");
            Member(w, "public " + T + " Sample(int count)");
            Member(w, "public void SaveWeights(string path)");
            Member(w, "public void LoadWeights(string path)");
        }

        private static void Member(SourceWriter w, string signature)
        {
            w.Doc("<summary>Throws: the spec has errors.</summary>");
            w.Line(signature + " => throw Unusable();");
            w.Line();
        }
    }
}
