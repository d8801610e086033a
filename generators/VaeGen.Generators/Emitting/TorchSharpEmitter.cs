using System.Collections.Generic;
using System.Linq;
using VaeGen.Generators.Pipeline;
using VaeGen.Spec.Model;
using VaeGen.Spec.Shapes;
using static VaeGen.Generators.Emitting.TorchSharpNames;

namespace VaeGen.Generators.Emitting
{
    /// <summary>
    /// Emits a spec's class as a TorchSharp <c>torch.nn.Module</c>: encoder and decoder Sequentials
    /// and the two heads, registered by name so state_dict keys are PyTorch's, plus Encode,
    /// Reparameterize, Decode, forward, Loss and Sample with the spec's layout and scale built in.
    /// A conditional spec (1.1 <c>condition</c>) makes a <c>Module&lt;Tensor, Tensor, ...&gt;</c> whose calls take the labels
    /// (int64, one per sample) next to the batch; every other spec renders exactly as before.
    /// </summary>
    internal static class TorchSharpEmitter
    {
        public static string Emit(EmitModel model)
        {
            var plan = model.Plan!;
            var spec = plan.Spec;
            var w = new SourceWriter();
            ClassPreamble.WriteFileHeader(w, model.SpecFileName);
            w.Line("namespace " + model.Namespace);
            w.Open();
            var remarks = new List<string>
            {
                "Tensors flow batch-first. Wrap each training step in <c>torch.NewDisposeScope()</c> so intermediate tensors are freed.",
                Literals.Xml(DecodeReturns(spec)),
            };
            if (spec.Classes > 0)
            {
                remarks.Add("A conditional VAE over " + spec.Classes + " classes: the labels travel next to the batch as an int64 tensor (B) with values in 0.." + (spec.Classes - 1) +
                            " (<c>Encode(x, labels)</c>, <c>Decode(z, labels)</c>, <c>forward(x, labels)</c>, <c>Loss(x, labels)</c>); the heads read concat(h, one_hot(y)) and the decoder concat(z, one_hot(y)). " +
                            "<c>Sample(classes)</c> draws one image per class given.");
            }

            ClassPreamble.WriteClassDocs(w, model, remarks.ToArray());
            ClassPreamble.WriteGeneratedCodeAttribute(w);
            w.Line("public sealed partial class " + model.ClassName + " : " + Nn + ".Module<" + Tensor + ", " + (spec.Classes > 0 ? Tensor + ", " : string.Empty) + ForwardResult + ">");
            w.Open();
            ClassPreamble.WriteConstants(w, plan);
            w.Line();
            WriteFields(w, plan);
            WriteConstructor(w, model);
            WriteEncode(w, model);
            WriteReparameterize(w);
            WriteDecode(w, spec);
            WriteForward(w, spec);
            WriteLoss(w, spec);
            WriteSample(w, spec);
            WriteWithLabels(w, spec);
            TorchSharpInit.WriteHelpers(w, plan);
            TorchSharpShapeGuard.Write(w, model);
            WriteResidualClass(w, plan, ResidualClassName(model.ClassName));
            w.Close();
            w.Close();
            return w.ToString();
        }

        internal static string DecodeReturns(VaeSpec spec)
        {
            string layout = spec.Input.Layout == InputLayout.Nhwc ? "(B, H, W, C), the declared nhwc layout" : "(B, C, H, W)";
            string range = spec.Input.Scale == 1 ? string.Empty : " (the data's range divided by InputScale)";
            return spec.Reconstruction switch
            {
                ReconstructionKind.BceLogits => "Decode returns logits shaped " + layout + ": apply torch.sigmoid for pixel probabilities. Loss applies the sigmoid itself (binary_cross_entropy_with_logits); Sample returns probabilities.",
                ReconstructionKind.Bce => "Decode returns probabilities in [0, 1] shaped " + layout + " (the decoder ends in sigmoid)" + range + ".",
                _ => "Decode returns the reconstruction itself shaped " + layout + ", in the model's value range" + range + ".",
            };
        }

        private static void WriteFields(SourceWriter w, ModelPlan plan)
        {
            w.Doc("<summary>The encoder: " + Literals.Xml(plan.InputShape + " -> [" + plan.EncodedFeatures + "]") + " per sample; state_dict keys <c>encoder.{i}.*</c>.</summary>");
            w.Line("private readonly " + Sequential + " encoder;");
            w.Line();
            string heads = plan.Spec.Classes == 0 ? plan.EncodedFeatures.ToString(System.Globalization.CultureInfo.InvariantCulture) : plan.EncodedFeatures + " + " + plan.Spec.Classes + " (concat(h, one_hot(y)))";
            string decoderInput = plan.Spec.Classes == 0 ? "[" + plan.Spec.Latent + "]" : "concat(z, one_hot(y)) [" + plan.Spec.Latent + " + " + plan.Spec.Classes + "]";
            w.Doc("<summary>The mu head: linear " + heads + " -&gt; " + plan.Spec.Latent + ".</summary>");
            w.Line("private readonly " + Linear + " fc_mu;");
            w.Line();
            w.Doc("<summary>The logvar head (log sigma^2): linear " + heads + " -&gt; " + plan.Spec.Latent + ".</summary>");
            w.Line("private readonly " + Linear + " fc_logvar;");
            w.Line();
            w.Doc("<summary>The decoder: " + Literals.Xml(decoderInput + " -> " + plan.InputShape) + " per sample; state_dict keys <c>decoder.{i}.*</c>.</summary>");
            w.Line("private readonly " + Sequential + " decoder;");
            w.Line();            if (plan.Spec.SigmaLearned)
            {
                w.Doc("<summary>The learned sigma of the Gaussian reconstruction term, [1], initially 0; Loss uses ln sigma = -6 + softplus(log_sigma + 6). state_dict key <c>log_sigma</c>.</summary>");
                w.Line("private readonly " + Parameter + " log_sigma;");
                w.Line();
            }

        }

        private static void WriteConstructor(SourceWriter w, EmitModel model)
        {
            var plan = model.Plan!;
            w.Doc("<summary>Creates the model with " + InitDescription.Described(plan) + ".</summary>");
            w.Doc("<param name=\"name\">The module's name (not part of state_dict keys).</param>");
            w.Doc("<param name=\"device\">Where to put the parameters; the CPU when null.</param>");
            w.Line("public " + model.ClassName + "(string name = " + Literals.String(model.ClassName) + ", " + Device + "? device = null)");
            w.Line("    : base(name)");
            w.Open();
            WriteSequential(w, "encoder", plan.Encoder, ResidualClassName(model.ClassName));
            w.Line("fc_mu = " + TorchSharpInit.Wrap(plan.Mu, TorchSharpLayers.Factory(plan.Mu)) + ";");
            w.Line("fc_logvar = " + TorchSharpInit.Wrap(plan.LogVar, TorchSharpLayers.Factory(plan.LogVar)) + ";");
            WriteSequential(w, "decoder", plan.Decoder, ResidualClassName(model.ClassName));
            w.Line();
            w.Line("// Registered by name, not by reflection: RegisterComponents finds nothing under NativeAOT (TorchSharp issue 934).");
            if (plan.Spec.SigmaLearned)
            {
                w.Line("log_sigma = " + Nn + ".Parameter(" + Torch + ".zeros(1));");
                w.Line("register_parameter(\"log_sigma\", log_sigma);");
            }

            w.Line("register_module(\"encoder\", encoder);");
            w.Line("register_module(\"fc_mu\", fc_mu);");
            w.Line("register_module(\"fc_logvar\", fc_logvar);");
            w.Line("register_module(\"decoder\", decoder);");
            w.Line("if (device is not null)");
            w.Open();
            w.Line(ModuleExtensions + ".to(this, device);");
            w.Close();
            w.Close();
            w.Line();
        }

        private static void WriteSequential(SourceWriter w, string field, IReadOnlyList<LayerPlan> rows, string residualClass)
        {
            if (rows.Count == 0)
            {
                w.Line(field + " = " + Nn + ".Sequential();");
                return;
            }

            w.Line(field + " = " + Nn + ".Sequential(");
            WriteLayers(w, rows, ");", residualClass);
        }

        /// <summary>
        /// One factory call per row, each after a comment with its module name and shapes; a residual block is a
        /// <c>Residual</c> around a nested Sequential written the same way. The last call ends with <paramref name="end"/>.
        /// </summary>
        private static void WriteLayers(SourceWriter w, IReadOnlyList<LayerPlan> rows, string end, string residualClass)
        {
            w.Indent();
            for (int i = 0; i < rows.Count; i++)
            {
                string suffix = i == rows.Count - 1 ? end : ",";
                w.Line("// " + rows[i].ModuleName + ": " + rows[i].Input + " -> " + rows[i].Output + (rows[i].Body.Count > 0 ? ", x + body(x)" : string.Empty));
                if (rows[i].Body.Count > 0)
                {
                    w.Line("new " + residualClass + "(" + Nn + ".Sequential(");
                    WriteLayers(w, rows[i].Body, "))" + suffix, residualClass);
                }
                else
                {
                    w.Line(TorchSharpInit.Wrap(rows[i], TorchSharpLayers.Factory(rows[i])) + suffix);
                }
            }

            w.Unindent();
        }

        /// <summary>The nested module class of a residual block; written only into classes whose spec has one, so v1 output is unchanged.</summary>
        private static void WriteResidualClass(SourceWriter w, ModelPlan plan, string residualClass)
        {
            if (!plan.AllLayers.Any(row => row.Body.Count > 0))
            {
                return;
            }

            w.Line();
            w.Doc("<summary>");
            w.Doc("A skip connection, output = x + body(x) (spec 1.1 <c>residual</c>): its only child is the Sequential registered as");
            w.Doc("<c>body</c>, so state_dict keys are <c>encoder.{i}.body.{j}.*</c>, as PyTorch's <c>class Residual(nn.Module)</c> gives.");
            w.Doc("</summary>");
            w.Line("private sealed class " + residualClass + " : " + Nn + ".Module<" + Tensor + ", " + Tensor + ">");
            w.Open();
            w.Line("private readonly " + Sequential + " body;");
            w.Line();
            w.Doc("<summary>Wraps <paramref name=\"body\"/>, which must keep the shape.</summary>");
            w.Doc("<param name=\"body\">The layers whose output is added to their input.</param>");
            w.Line("public " + residualClass + "(" + Sequential + " body)");
            w.Line("    : base(\"" + residualClass + "\")");
            w.Open();
            w.Line("this.body = body;");
            w.Line("register_module(\"body\", body);");
            w.Close();
            w.Line();
            w.Doc("<summary>x + body(x).</summary>");
            w.Line("public override " + Tensor + " forward(" + Tensor + " x) => x + body.call(x);");
            w.Close();
        }

        /// <summary>The nested module's name: <c>Residual</c>, unless that is the model's own name (a member may not be named as its class).</summary>
        private static string ResidualClassName(string className) => className == "Residual" ? "ResidualBlock" : "Residual";

        private static void WriteEncode(SourceWriter w, EmitModel model)
        {
            var spec = model.Plan!.Spec;
            bool conditional = spec.Classes > 0;
            w.Doc("<summary>Encodes a batch " + (conditional ? "with its labels into the parameters of q(z|x, y)" : "into the parameters of q(z|x)") + ".</summary>");
            w.Doc("<param name=\"x\">The batch, " + Literals.Xml(BatchShape(spec)) + " (" + ClassPreamble.Layout(spec.Input.Layout) + ") with values in " + Literals.Xml(RangeText(spec)) + ".</param>");
            if (conditional)
            {
                w.Doc(LabelsDoc(spec));
            }

            w.Doc("<returns>mu and logvar (log sigma^2), each (B, " + spec.Latent + ").</returns>");
            w.Doc("<exception cref=\"global::System.ArgumentException\">x is not shaped " + Literals.Xml(BatchShape(spec)) + "; the message names the permute call when only the order is wrong.</exception>");
            if (conditional)
            {
                w.Doc(LabelsException);
            }

            w.Line("public " + EncodeResult + " Encode(" + Tensor + " x" + (conditional ? ", " + Tensor + " labels" : string.Empty) + ")");
            w.Open();
            w.Line("CheckInput(x, nameof(x));");
            w.Line("var h = " + ToModelSpace(spec, "x") + ";");
            w.Line(conditional ? "h = WithLabels(encoder.call(h), labels, nameof(labels));" : "h = encoder.call(h);");
            w.Line("return (fc_mu.call(h), fc_logvar.call(h));");
            w.Close();
            w.Line();
        }

        private static void WriteReparameterize(SourceWriter w)
        {
            w.Doc("<summary>Draws z = mu + exp(0.5 * logvar) * eps with eps ~ N(0, I), differentiably in mu and logvar.</summary>");
            w.Line("public " + Tensor + " Reparameterize(" + Tensor + " mu, " + Tensor + " logVar)");
            w.Open();
            w.Line("return Reparameterize(mu, logVar, " + Torch + ".randn_like(mu));");
            w.Close();
            w.Line();
            w.Doc("<summary>z = mu + exp(0.5 * logvar) * eps with the given eps: reproduces a run, or another implementation's numbers.</summary>");
            w.Doc("<param name=\"mu\">mu from <see cref=\"Encode\"/>, (B, LatentDim).</param>");
            w.Doc("<param name=\"logVar\">logvar from <see cref=\"Encode\"/>, (B, LatentDim).</param>");
            w.Doc("<param name=\"eps\">The standard normal noise, shaped like mu.</param>");
            w.Doc("<exception cref=\"global::System.ArgumentException\">eps is not shaped like mu.</exception>");
            w.Line("public " + Tensor + " Reparameterize(" + Tensor + " mu, " + Tensor + " logVar, " + Tensor + " eps)");
            w.Open();
            w.Line("if (!global::System.Linq.Enumerable.SequenceEqual(eps.shape, mu.shape))");
            w.Open();
            w.Line("throw new global::System.ArgumentException(\"eps must be shaped like mu, (\" + string.Join(\", \", mu.shape) + \"), but is (\" + string.Join(\", \", eps.shape) + \").\", nameof(eps));");
            w.Close();
            w.Line();
            w.Line("var std = (0.5 * logVar).exp();");
            w.Line("return mu + (std * eps);");
            w.Close();
            w.Line();
        }

        private static void WriteDecode(SourceWriter w, VaeSpec spec)
        {
            bool conditional = spec.Classes > 0;
            w.Doc("<summary>Decodes latent vectors z, (B, " + spec.Latent + ")" + (conditional ? ", each with its label: the decoder reads concat(z, one_hot(y))" : string.Empty) + ".</summary>");
            if (conditional)
            {
                w.Doc("<param name=\"z\">The latent vectors, (B, " + spec.Latent + ").</param>");
                w.Doc(LabelsDoc(spec));
            }

            w.Doc("<returns>" + Literals.Xml(DecodeReturns(spec)) + "</returns>");
            if (conditional)
            {
                w.Doc(LabelsException);
            }

            w.Line("public " + Tensor + " Decode(" + Tensor + " z" + (conditional ? ", " + Tensor + " labels" : string.Empty) + ")");
            w.Open();
            w.Line(conditional ? "var y = decoder.call(WithLabels(z, labels, nameof(labels)));" : "var y = decoder.call(z);");
            w.Line("return " + (spec.Input.Layout == InputLayout.Nhwc ? "y.permute(0, 2, 3, 1)" : "y") + ";");
            w.Close();
            w.Line();
        }

        private static void WriteForward(SourceWriter w, VaeSpec spec)
        {
            if (spec.Classes > 0)
            {
                WriteConditionalForward(w, spec);
                return;
            }

            w.Doc("<summary>Encodes, draws z and decodes.</summary>");
            w.Doc("<returns>The reconstruction (see <see cref=\"Decode\"/>), mu and logvar.</returns>");
            w.Line("public override " + ForwardResult + " forward(" + Tensor + " x)");
            w.Open();
            w.Line("var (mu, logVar) = Encode(x);");
            w.Line("var reconstruction = Decode(Reparameterize(mu, logVar));");
            w.Line("return (reconstruction, mu, logVar);");
            w.Close();
            w.Line();
            w.Doc("<summary>Encodes, forms z from the given eps (see <see cref=\"Reparameterize(" + Tensor + ", " + Tensor + ", " + Tensor + ")\"/>) and decodes.</summary>");
            w.Doc("<param name=\"x\">The batch, as for <see cref=\"Encode\"/>.</param>");
            w.Doc("<param name=\"eps\">The standard normal noise, (B, LatentDim).</param>");
            w.Doc("<returns>The reconstruction (see <see cref=\"Decode\"/>), mu and logvar.</returns>");
            w.Line("public " + ForwardResult + " forward(" + Tensor + " x, " + Tensor + " eps)");
            w.Open();
            w.Line("var (mu, logVar) = Encode(x);");
            w.Line("var reconstruction = Decode(Reparameterize(mu, logVar, eps));");
            w.Line("return (reconstruction, mu, logVar);");
            w.Close();
            w.Line();
        }

        /// <summary>forward(x, labels) and forward(x, labels, eps): the labels go to the heads and to the decoder.</summary>
        private static void WriteConditionalForward(SourceWriter w, VaeSpec spec)
        {
            w.Doc("<summary>Encodes with the labels, draws z and decodes with the same labels.</summary>");
            w.Doc("<param name=\"x\">The batch, as for <see cref=\"Encode\"/>.</param>");
            w.Doc(LabelsDoc(spec));
            w.Doc("<returns>The reconstruction (see <see cref=\"Decode\"/>), mu and logvar.</returns>");
            w.Line("public override " + ForwardResult + " forward(" + Tensor + " x, " + Tensor + " labels)");
            w.Open();
            w.Line("var (mu, logVar) = Encode(x, labels);");
            w.Line("var reconstruction = Decode(Reparameterize(mu, logVar), labels);");
            w.Line("return (reconstruction, mu, logVar);");
            w.Close();
            w.Line();
            w.Doc("<summary>Encodes with the labels, forms z from the given eps (see <see cref=\"Reparameterize(" + Tensor + ", " + Tensor + ", " + Tensor + ")\"/>) and decodes with the labels.</summary>");
            w.Doc("<param name=\"x\">The batch, as for <see cref=\"Encode\"/>.</param>");
            w.Doc(LabelsDoc(spec));
            w.Doc("<param name=\"eps\">The standard normal noise, (B, LatentDim).</param>");
            w.Doc("<returns>The reconstruction (see <see cref=\"Decode\"/>), mu and logvar.</returns>");
            w.Line("public " + ForwardResult + " forward(" + Tensor + " x, " + Tensor + " labels, " + Tensor + " eps)");
            w.Open();
            w.Line("var (mu, logVar) = Encode(x, labels);");
            w.Line("var reconstruction = Decode(Reparameterize(mu, logVar, eps), labels);");
            w.Line("return (reconstruction, mu, logVar);");
            w.Close();
            w.Line();
        }

        private static string LabelsDoc(VaeSpec spec) =>
            "<param name=\"labels\">The class of each sample, int64 (B) with values in 0.." + (spec.Classes - 1) + ", on the model's device.</param>";

        private const string LabelsException =
            "<exception cref=\"global::System.ArgumentOutOfRangeException\">A label is outside 0..ConditionClasses-1, or the labels are not one int64 per sample.</exception>";

        /// <summary>The one-hot concatenation of a conditional class, with the label checks; nothing for any other spec.</summary>
        private static void WriteWithLabels(SourceWriter w, VaeSpec spec)
        {
            if (spec.Classes == 0)
            {
                return;
            }

            w.Doc("<summary>concat(v, one_hot(labels, ConditionClasses)): (B, F) to (B, F + " + spec.Classes + "); the one-hot is a constant, so gradients reach v alone.</summary>");
            w.Doc("<param name=\"v\">The encoder's output h or the latent z, (B, F).</param>");
            w.Doc(LabelsDoc(spec));
            w.Doc("<param name=\"parameterName\">The caller's name for the labels, for the exception.</param>");
            w.Doc("<returns>The concatenation, (B, F + ConditionClasses).</returns>");
            w.Doc(LabelsException);
            w.Line("private static " + Tensor + " WithLabels(" + Tensor + " v, " + Tensor + " labels, string parameterName)");
            w.Open();
            w.Line("if (labels.dtype != " + Torch + ".int64 || labels.dim() != 1 || labels.shape[0] != v.shape[0])");
            w.Open();
            w.Line("throw new global::System.ArgumentOutOfRangeException(parameterName, \"The labels must be one int64 per sample, (\" + v.shape[0] + \"), but are \" + labels.dtype + \" (\" + string.Join(\", \", labels.shape) + \").\");");
            w.Close();
            w.Line();
            w.Line("using (var outside = labels.lt(0).logical_or(labels.ge(ConditionClasses)).nonzero())");
            w.Open();
            w.Line("if (outside.shape[0] > 0)");
            w.Open();
            w.Line("long index = outside[0, 0].item<long>();");
            w.Line("long label = labels[index].item<long>();");
            w.Line("throw new global::System.ArgumentOutOfRangeException(parameterName, label, parameterName + \"[\" + index + \"] is \" + label + \", outside 0..\" + (ConditionClasses - 1) + \".\");");
            w.Close();
            w.Close();
            w.Line();
            w.Line("return " + Torch + ".cat(new[] { v, " + Functional + ".one_hot(labels, ConditionClasses).to(v.dtype) }, 1);");
            w.Close();
            w.Line();
        }

        private static void WriteLoss(SourceWriter w, VaeSpec spec)
        {
            string reduce = spec.Reduction == ReconstructionReduction.Sum ? "sum" : "mean";

            // Spec 1.1's kl schedules read t, the optimizer steps taken so far: the TorchSharp class takes it as an argument.
            bool scheduled = spec.KlWarmup > 0 || spec.KlCapacity is not null;
            string stepParameter = scheduled ? ", long step" : string.Empty;
            string stepArgument = scheduled ? ", step" : string.Empty;
            const string StepDoc = "<param name=\"step\">t, the optimizer steps taken so far (0 for the first step); the KL schedule reads it.</param>";

            // A conditional class's loss runs the model with the labels; the loss itself does not read them.
            bool conditional = spec.Classes > 0;
            string labelsParameter = conditional ? ", " + Tensor + " labels" : string.Empty;
            string labelsArgument = conditional ? ", labels" : string.Empty;
            w.Doc("<summary>Runs the model on x" + (conditional ? " with its labels" : string.Empty) + " and returns its loss; see the other overload.</summary>");
            if (scheduled || conditional)
            {
                w.Doc("<param name=\"x\">The batch, as for <see cref=\"Encode\"/>.</param>");
            }

            if (conditional)
            {
                w.Doc(LabelsDoc(spec));
            }

            if (scheduled)
            {
                w.Doc(StepDoc);
            }

            w.Line("public " + LossResult + " Loss(" + Tensor + " x" + labelsParameter + stepParameter + ")");
            w.Open();
            w.Line("var (reconstruction, mu, logVar) = forward(x" + labelsArgument + ");");
            w.Line("return Loss(x, reconstruction, mu, logVar" + stepArgument + ");");
            w.Close();
            w.Line();
            w.Doc("<summary>Runs the model on x" + (conditional ? " with its labels" : string.Empty) + " with the given eps and returns its loss; see the other overloads.</summary>");
            w.Doc("<param name=\"x\">The batch, as for <see cref=\"Encode\"/>.</param>");
            if (conditional)
            {
                w.Doc(LabelsDoc(spec));
            }

            w.Doc("<param name=\"eps\">The standard normal noise, (B, LatentDim).</param>");
            if (scheduled)
            {
                w.Doc(StepDoc);
            }

            w.Line("public " + LossResult + " Loss(" + Tensor + " x" + labelsParameter + ", " + Tensor + " eps" + stepParameter + ")");
            w.Open();
            w.Line("var (reconstruction, mu, logVar) = forward(x" + labelsArgument + ", eps);");
            w.Line("return Loss(x, reconstruction, mu, logVar" + stepArgument + ");");
            w.Close();
            w.Line();
            string objective = spec.KlCapacity is { } c
                ? "Total = mean_i(recon_i) + " + Literals.Double(c.Gamma) + " * |mean_i(kl_i) - C_t| with C_t = " + Literals.Double(c.Max) + " * min(1, step / " + Literals.Long(c.Steps) + ")"
                : spec.KlWarmup > 0
                    ? "Total = mean_i(recon_i + w_t * kl_i) with w_t = Beta * min(1, step / " + Literals.Long(spec.KlWarmup) + ")"
                    : "Total = mean_i(recon_i + Beta * kl_i)";
            w.Doc("<summary>");
            w.Doc(Literals.Xml("The VAE loss as the spec defines it: per sample, recon_i = " + ReconText(spec) + " " + (reduce == "sum" ? "summed" : "averaged") + " over C, H, W and kl_i = 0.5 * sum_k (exp(logvar_k) + mu_k^2 - 1 - logvar_k); then " + objective + "."));
            w.Doc("</summary>");
            w.Doc("<param name=\"x\">The batch the reconstruction was made from, as given to <see cref=\"Encode\"/>.</param>");
            w.Doc("<param name=\"reconstruction\">What <see cref=\"Decode\"/> returned.</param>");
            w.Doc("<param name=\"mu\">mu from <see cref=\"Encode\"/>.</param>");
            w.Doc("<param name=\"logVar\">logvar from <see cref=\"Encode\"/>.</param>");
            if (scheduled)
            {
                w.Doc(StepDoc);
            }

            w.Doc("<returns>Scalars: the total, and the batch means of the reconstruction and KL terms (" + (scheduled ? "the KL unweighted" : "Total = Reconstruction + Beta * Kl") + ").</returns>");
            w.Line("public " + LossResult + " Loss(" + Tensor + " x, " + Tensor + " reconstruction, " + Tensor + " mu, " + Tensor + " logVar" + stepParameter + ")");
            w.Open();
            w.Line("CheckInput(x, nameof(x));");
            w.Line("var target = " + (spec.Input.Scale == 1 ? "x" : "x / InputScale") + ";");
            string perElement = spec.Reconstruction switch
            {
                ReconstructionKind.BceLogits => Functional + ".binary_cross_entropy_with_logits(reconstruction, target, reduction: " + Reduction + ".None)",
                ReconstructionKind.Bce => Functional + ".binary_cross_entropy(reconstruction, target, reduction: " + Reduction + ".None)",
                ReconstructionKind.Gaussian when spec.SigmaLearned => "(0.5 * (reconstruction - target).pow(2) * (-2 * logSigma).exp() + logSigma + halfLogTwoPi)",
                ReconstructionKind.Gaussian => "((reconstruction - target).pow(2) / (2 * sigma * sigma) + (global::System.Math.Log(sigma) + halfLogTwoPi))",
                _ => "(reconstruction - target).pow(2)",
            };
            if (spec.Reconstruction == ReconstructionKind.Gaussian)
            {
                w.Line("double halfLogTwoPi = 0.5 * global::System.Math.Log(2 * global::System.Math.PI);");
                w.Line(spec.SigmaLearned
                    ? "var logSigma = " + Functional + ".softplus(log_sigma + 6) - 6; // ln sigma, with a soft floor at e^-6"
                    : "const double sigma = " + Literals.Double(spec.Sigma) + ";");
            }

            w.Line("var recon = " + perElement + "." + reduce + "(new long[] { 1, 2, 3 });");
            w.Line("var kl = 0.5 * (logVar.exp() + mu.pow(2) - 1 - logVar).sum(new long[] { 1 });");
            if (spec.KlCapacity is { } capacity)
            {
                w.Line("var capacity = " + Literals.Double(capacity.Max) + " * global::System.Math.Min(1.0, (double)step / " + Literals.Long(capacity.Steps) + ");");
                w.Line("var total = recon.mean() + (" + Literals.Double(capacity.Gamma) + " * (kl.mean() - capacity).abs());");
            }
            else if (spec.KlWarmup > 0)
            {
                w.Line("var weight = Beta * global::System.Math.Min(1.0, (double)step / " + Literals.Long(spec.KlWarmup) + ");");
                w.Line("var total = (recon + (weight * kl)).mean();");
            }
            else
            {
                w.Line("var total = (recon + (Beta * kl)).mean();");
            }

            w.Line("return (total, recon.mean(), kl.mean());");
            w.Close();
            w.Line();
        }

        private static void WriteSample(SourceWriter w, VaeSpec spec)
        {
            if (spec.Classes > 0)
            {
                WriteConditionalSample(w, spec);
                return;
            }

            w.Doc("<summary>Draws <paramref name=\"count\"/> samples: z ~ N(0, I) decoded" + (spec.Reconstruction == ReconstructionKind.BceLogits ? ", through a sigmoid since the decoder outputs logits" : string.Empty) + ". Call eval() first if the decoder has dropout or batchnorm.</summary>");
            w.Doc("<param name=\"count\">How many samples.</param>");
            w.Doc("<param name=\"device\">Where to draw z; the device of the model's parameters when null.</param>");
            w.Doc("<returns>" + Literals.Xml("(count, " + BatchShape(spec).Substring(4)) + " in [0, 1] for bce and bce_logits, else in the model's value range.</returns>");
            w.Line("public " + Tensor + " Sample(long count, " + Device + "? device = null)");
            w.Open();
            w.Line("using (" + Torch + ".no_grad())");
            w.Open();
            w.Line("var z = " + Torch + ".randn(new long[] { count, LatentDim }, device: device ?? fc_mu.weight!.device);");
            w.Line("var y = " + (spec.Reconstruction == ReconstructionKind.BceLogits ? "decoder.call(z).sigmoid()" : "decoder.call(z)") + ";");
            w.Line("return " + (spec.Input.Layout == InputLayout.Nhwc ? "y.permute(0, 2, 3, 1)" : "y") + ";");
            w.Close();
            w.Close();
            w.Line();
        }

        /// <summary>Sample(classes) of a conditional class: one z ~ N(0, I) per class given, decoded with that class.</summary>
        private static void WriteConditionalSample(SourceWriter w, VaeSpec spec)
        {
            string through = spec.Reconstruction == ReconstructionKind.BceLogits ? ", through a sigmoid since the decoder outputs logits" : string.Empty;
            w.Doc("<summary>Draws one sample per entry of <paramref name=\"classes\"/>: z ~ N(0, I) decoded with that class" + through + ". Call eval() first if the decoder has dropout or batchnorm.</summary>");
            w.Doc("<param name=\"classes\">The class of each image, int64 (count) with values in 0.." + (spec.Classes - 1) + ".</param>");
            w.Doc("<param name=\"device\">Where to draw z; the device of the model's parameters when null.</param>");
            w.Doc("<returns>" + Literals.Xml("(count, " + BatchShape(spec).Substring(4)) + " in [0, 1] for bce and bce_logits, else in the model's value range.</returns>");
            w.Doc(LabelsException);
            w.Line("public " + Tensor + " Sample(" + Tensor + " classes, " + Device + "? device = null)");
            w.Open();
            w.Line("using (" + Torch + ".no_grad())");
            w.Open();
            w.Line("var z = " + Torch + ".randn(new long[] { classes.shape[0], LatentDim }, device: device ?? fc_mu.weight!.device);");
            w.Line("var h = decoder.call(WithLabels(z, classes.to(z.device), nameof(classes)));");
            w.Line("var y = " + (spec.Reconstruction == ReconstructionKind.BceLogits ? "h.sigmoid()" : "h") + ";");
            w.Line("return " + (spec.Input.Layout == InputLayout.Nhwc ? "y.permute(0, 2, 3, 1)" : "y") + ";");
            w.Close();
            w.Close();
            w.Line();
        }

        private static string ToModelSpace(VaeSpec spec, string x)
        {
            string h = spec.Input.Layout == InputLayout.Nhwc ? x + ".permute(0, 3, 1, 2)" : x;
            return spec.Input.Scale == 1 ? h : h + " / InputScale";
        }

        internal static string BatchShape(VaeSpec spec) => "(B, " + string.Join(", ", spec.Input.Shape.Select(Literals.Long)) + ")";

        private static string RangeText(VaeSpec spec) => "[" + Literals.Double(spec.Input.RangeMin) + ", " + Literals.Double(spec.Input.RangeMax) + "]";

        private static string ReconText(VaeSpec spec) => spec.Reconstruction switch
        {
            ReconstructionKind.BceLogits => "binary_cross_entropy_with_logits(reconstruction, x / InputScale)",
            ReconstructionKind.Bce => "binary_cross_entropy(reconstruction, x / InputScale)",
            ReconstructionKind.Gaussian => "(reconstruction - x / InputScale)^2 / (2 sigma^2) + ln sigma + 0.5 ln(2 pi)" + (spec.SigmaLearned ? " with ln sigma = -6 + softplus(log_sigma + 6)" : " with sigma " + Literals.Double(spec.Sigma)),
            _ => "(reconstruction - x / InputScale)^2",
        };
    }
}
