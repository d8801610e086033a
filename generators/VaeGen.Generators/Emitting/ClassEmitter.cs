using System;
using VaeGen.Generators.Pipeline;

namespace VaeGen.Generators.Emitting
{
    /// <summary>The source of one spec's class, from the emitter its <see cref="EmitModel.Kind"/> names.</summary>
    internal static class ClassEmitter
    {
        public static string Emit(EmitModel model) => model.Kind switch
        {
            ClassKind.ErrorSurface => ErrorSurfaceEmitter.Emit(model),
            ClassKind.Constants => ModelConstantsEmitter.Emit(model),
            ClassKind.TorchSharp => TorchSharpEmitter.Emit(model),
            ClassKind.Managed => ManagedEmitter.Emit(model),
            _ => throw new InvalidOperationException("Unhandled class kind " + model.Kind),
        };
    }
}
