using VaeGen.Generators.Pipeline;

namespace VaeGen.Generators.Emitting
{
    /// <summary>
    /// The class for a backend that has no model code yet: the shape constants and the per-layer
    /// table only. It keeps code that uses the constants compiling whatever the backend.
    /// </summary>
    internal static class ModelConstantsEmitter
    {
        public static string Emit(EmitModel model)
        {
            var w = new SourceWriter();
            ClassPreamble.WriteFileHeader(w, model.SpecFileName);
            w.Line("namespace " + model.Namespace);
            w.Open();
            ClassPreamble.WriteClassDocs(w, model);
            ClassPreamble.WriteGeneratedCodeAttribute(w);
            w.Line("public sealed partial class " + model.ClassName);
            w.Open();
            ClassPreamble.WriteConstants(w, model.Plan!);
            w.Close();
            w.Close();
            return w.ToString();
        }
    }
}
