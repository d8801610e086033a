using System.Collections.Generic;
using System.Linq;
using VaeGen.Generators.Pipeline;
using VaeGen.Spec.Lowering;
using VaeGen.Spec.Model;
using VaeGen.Spec.Shapes;
using static VaeGen.Generators.Emitting.ManagedNames;

namespace VaeGen.Generators.Emitting
{
    /// <summary>
    /// Emits a spec's class for the managed backend: a <c>VaeGen.Runtime.Models.VaeModel</c> whose
    /// constructor builds the spec's layers, with every size a literal. Encode, Reparameterize,
    /// Decode, Forward, Loss, Sample and TrainStep come from the base class, which owns the buffers.
    /// The layers and the configuration are the lowering's (<see cref="SpecLowering"/>), rendered as
    /// source; the tool interprets the same lowering, so both build the same model.
    /// </summary>
    internal static class ManagedEmitter
    {
        /// <summary>How the class docs point at inference with the weights packed once (the base class's InferenceMode).</summary>
        private const string Inference =
            "Evaluate inside <c>using (InferenceMode()) { ... }</c>: evaluation mode, each weight packed once instead of on every pass, and a small model's batches split by samples over the threads; the same results, faster.";

        public static string Emit(EmitModel model)
        {
            var plan = model.Plan!;
            var spec = plan.Spec;
            var lowered = SpecLowering.Lower(plan);
            var w = new SourceWriter();
            ClassPreamble.WriteFileHeader(w, model.SpecFileName);
            w.Line("namespace " + model.Namespace);
            w.Open();
            ClassPreamble.WriteClassDocs(w, model,
                "Managed backend (VaeGen.Runtime, no native code). Batches are <see cref=\"" + Tensor + "\"/>s shaped " +
                Literals.Xml(BatchShape(spec)) + " in the declared " + ClassPreamble.Layout(spec.Input.Layout) + " layout and the data's value range; " +
                "<see cref=\"CreateBatch\"/> makes one. Tensors the model returns are its own buffers, overwritten by the next call.",
                Literals.Xml(DecodeReturns(spec)),
                spec.Classes == 0
                    ? "Train with <c>TrainStep(batch)</c> (Adam, lr 1e-3 unless <c>UseAdam</c> says otherwise); save with <c>SaveWeights(path)</c>, a safetensors file PyTorch reads with PyTorch's state_dict names. " + Inference
                    : "A conditional VAE over " + spec.Classes + " classes: every call takes the labels next to the batch, one int in 0.." + (spec.Classes - 1) + " per sample " +
                      "(<c>Encode(x, labels)</c>, <c>Decode(z, labels)</c>, <c>Forward(x, labels)</c>, <c>Loss(x, labels)</c>, <c>TrainStep(x, labels)</c>), and <c>Sample(classes)</c> draws one image per class given; " +
                      "the overloads without labels throw. Train with <c>TrainStep(batch, labels)</c> (Adam, lr 1e-3 unless <c>UseAdam</c> says otherwise); save with <c>SaveWeights(path)</c>, a safetensors file PyTorch reads with PyTorch's state_dict names. " + Inference);
            ClassPreamble.WriteGeneratedCodeAttribute(w);
            w.Line("public sealed partial class " + model.ClassName + " : " + VaeModel);
            w.Open();
            ClassPreamble.WriteConstants(w, plan);
            w.Line();
            WriteConstructors(w, model.ClassName, lowered, InitDescription.Described(plan));
            WriteCreateBatch(w, spec);
            WriteConfig(w, lowered.Config);
            WriteSequential(w, "CreateEncoder", "The encoder: " + plan.InputShape + " -> [" + plan.EncodedFeatures + "] per sample.", plan.Encoder, lowered.Encoder);
            w.Line();
            WriteSequential(w, "CreateDecoder", "The decoder: " + (spec.Classes == 0 ? "[" + spec.Latent + "]" : "concat(z, one_hot(y)) [" + spec.Latent + " + " + spec.Classes + "]") +
                " -> " + plan.InputShape + " per sample.", plan.Decoder, lowered.Decoder);
            w.Close();
            w.Close();
            return w.ToString();
        }

        private static string BatchShape(VaeSpec spec) => "(B, " + string.Join(", ", spec.Input.Shape.Select(Literals.Long)) + ")";

        private static string DecodeReturns(VaeSpec spec)
        {
            string layout = "shaped " + BatchShape(spec);
            string range = spec.Input.Scale == 1 ? string.Empty : " (the data's range divided by InputScale)";
            return spec.Reconstruction switch
            {
                ReconstructionKind.BceLogits => "Decode returns logits " + layout + ": apply a sigmoid for pixel probabilities. Loss applies the sigmoid itself, in the stable form; Sample returns probabilities.",
                ReconstructionKind.Bce => "Decode returns probabilities in [0, 1] " + layout + " (the decoder ends in sigmoid)" + range + ".",
                _ => "Decode returns the reconstruction itself " + layout + ", in the model's value range" + range + ".",
            };
        }

        private static void WriteConstructors(SourceWriter w, string className, ModelConstruction lowered, string initialisation)
        {
            w.Doc("<summary>Creates the model with " + initialisation + ", drawn from a seeded stream: one seed gives the same weights on every machine and thread count.</summary>");
            w.Doc("<param name=\"seed\">Seeds the weights, then the noise (eps in training, z in Sample, dropout masks).</param>");
            w.Line("public " + className + "(ulong seed = 0)");
            w.Line("    : this(new " + Rng + "(seed))");
            w.Open();
            w.Close();
            w.Line();
            w.Line("// Arguments run left to right, so parameters are drawn in PyTorch's registration order: encoder, fc_mu, fc_logvar, decoder.");
            w.Line("private " + className + "(" + Rng + " rng)");
            w.Line("    : base(");
            w.Indent();
            w.Indent();
            w.Line("CreateConfig(),");
            w.Line("CreateEncoder(rng),");
            w.Line(ManagedLayers.Constructor(lowered.Mu) + ",");
            w.Line(ManagedLayers.Constructor(lowered.LogVar) + ",");
            w.Line("CreateDecoder(rng),");
            w.Line(ManagedLayers.Random(lowered.Noise) + ")");
            w.Unindent();
            w.Unindent();
            w.Open();
            w.Close();
            w.Line();
            w.Doc("<summary>A model with the same layers, whose weights InferenceMode overwrites with this one's: it computes a slice of each batch on another thread.</summary>");
            w.Doc("<returns>A new " + className + ".</returns>");
            w.Line("protected override " + VaeModel + " CreateReplica() => new " + className + "(new " + Rng + "(0));");
            w.Line();
        }

        private static void WriteCreateBatch(SourceWriter w, VaeSpec spec)
        {
            w.Doc("<summary>A zero-filled batch " + Literals.Xml(BatchShape(spec)) + " to copy samples into, in the declared " + ClassPreamble.Layout(spec.Input.Layout) + " layout.</summary>");
            w.Doc("<param name=\"batchSize\">B, the number of samples.</param>");
            w.Line("public static " + Tensor + " CreateBatch(int batchSize) => new " + Tensor + "(batchSize, " + string.Join(", ", spec.Input.Shape.Select(Literals.Long)) + ");");
            w.Line();
        }

        private static void WriteConfig(SourceWriter w, ConfigConstruction config)
        {
            w.Line("private static " + VaeConfig + " CreateConfig() => new " + VaeConfig + "(");
            w.Indent();
            w.Line("name: " + Literals.String(config.Name) + ",");
            w.Line("inputShape: new[] { " + string.Join(", ", config.InputShape.Select(d => Literals.Long(d))) + " },");
            w.Line("layout: " + ManagedLayers.Enum(config.Layout) + ",");
            w.Line("scale: InputScale,");
            w.Line("latentDim: LatentDim,");
            w.Line("reconstruction: " + ManagedLayers.Enum(config.Reconstruction) + ",");
            w.Line("reduction: " + ManagedLayers.Enum(config.Reduction) + ",");

            // Spec 1.1's loss arguments, each only when the spec wrote it, so a v1 spec renders as before.
            var extra = new List<string>();
            if (config.Reconstruction.Member == "Gaussian")
            {
                extra.Add(config.LearnedSigma ? "learnedSigma: true" : "sigma: " + Literals.Double(config.Sigma));
            }

            if (config.Classes > 0)
            {
                extra.Add("classes: ConditionClasses");
            }

            if (config.KlCapacity is { } capacity)
            {
                extra.Add("kl: " + Runtime + ".Losses.KlSchedule.Capacity(" + Literals.Double(capacity.Max) + ", " + Literals.Long(capacity.Steps) + ", " + Literals.Double(capacity.Gamma) + ")");
            }
            else if (config.KlWarmup > 0)
            {
                extra.Add("kl: " + Runtime + ".Losses.KlSchedule.Warmup(" + Literals.Long(config.KlWarmup) + ")");
            }

            w.Line("beta: Beta" + (extra.Count == 0 ? ");" : ","));
            for (int i = 0; i < extra.Count; i++)
            {
                w.Line(extra[i] + (i == extra.Count - 1 ? ");" : ","));
            }
            w.Unindent();
            w.Line();
        }

        private static void WriteSequential(SourceWriter w, string method, string summary, IReadOnlyList<LayerPlan> rows, IReadOnlyList<LayerConstruction> layers)
        {
            w.Doc("<summary>" + Literals.Xml(summary) + "</summary>");
            if (rows.Count == 0)
            {
                w.Line("private static " + Sequential + " " + method + "(" + Rng + " rng) => new " + Sequential + "();");
                return;
            }

            w.Line("private static " + Sequential + " " + method + "(" + Rng + " rng) => new " + Sequential + "(");
            WriteLayers(w, rows, layers, ");");
        }

        /// <summary>
        /// One constructor call per row, each after a comment with its module name and shapes; a residual block's body is
        /// a nested Sequential written the same way, one level deeper. The last call ends with <paramref name="end"/>.
        /// </summary>
        private static void WriteLayers(SourceWriter w, IReadOnlyList<LayerPlan> rows, IReadOnlyList<LayerConstruction> layers, string end)
        {
            w.Indent();
            for (int i = 0; i < rows.Count; i++)
            {
                string suffix = i == rows.Count - 1 ? end : ",";
                w.Line("// " + rows[i].ModuleName + ": " + rows[i].Input + " -> " + rows[i].Output + (rows[i].Body.Count > 0 ? ", x + body(x)" : string.Empty));
                if (layers[i].Body.Count > 0)
                {
                    w.Line("new " + Runtime + "." + layers[i].TypeName + "(new " + Sequential + "(");
                    WriteLayers(w, rows[i].Body, layers[i].Body, "))" + suffix);
                }
                else
                {
                    w.Line(ManagedLayers.Constructor(layers[i]) + suffix);
                }
            }

            w.Unindent();
        }
    }
}
