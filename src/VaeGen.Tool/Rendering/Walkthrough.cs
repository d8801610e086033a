using System;
using System.Collections.Generic;
using System.Globalization;
using System.IO;
using VaeGen.Runtime.Layers;
using VaeGen.Runtime.Losses;
using VaeGen.Runtime.Models;
using VaeGen.Runtime.Tensors;
using VaeGen.Spec.Model;
using VaeGen.Spec.Shapes;
using TensorPrimitives = System.Numerics.Tensors.TensorPrimitives;

namespace VaeGen.Tool.Rendering;

/// <summary>
/// The tensor-level walkthrough of <c>vaegen explain</c>, laid out as a hand-worked
/// example would be: a section per step with the operation, its input and output shapes and
/// the tensors themselves, here with the real numbers of one image passing through the model.
/// A layer and the activation its <c>activation:</c> shorthand adds are one step, as in the seed.
/// </summary>
internal sealed class Walkthrough
{
    private const string Indent = "  ";

    // Tensors up to this size (the seed image's 75 values) are printed whole and need no summary.
    private const int ShownInFull = 75;

    private readonly TextWriter _out;
    private readonly ModelPlan _plan;
    private readonly VaeModel _model;
    private readonly Dictionary<string, int> _counters = new();
    private readonly int[] _label;

    private Walkthrough(TextWriter output, ModelPlan plan, VaeModel model, int label)
    {
        _out = output;
        _plan = plan;
        _model = model;
        _label = [label];
    }

    /// <summary>Runs one image through <paramref name="model"/> in eval mode and writes every step.</summary>
    /// <param name="x">One image, (1, ...InputShape) in the declared layout and the data's range.</param>
    /// <param name="epsilon">The noise for z, (1, latent).</param>
    /// <param name="heading">What the reader should know first: the image, the weights, the noise.</param>
    /// <param name="label">The image's class y for a conditional model (spec 1.1 <c>condition</c>), in 0..K-1; unused otherwise.</param>
    public static void Write(TextWriter output, ModelPlan plan, VaeModel model, Tensor x, Tensor epsilon, string specPath, IEnumerable<string> heading, int label = 0)
    {
        model.Eval();
        var walk = new Walkthrough(output, plan, model, label);
        output.WriteLine("# " + plan.Spec.Name + " walkthrough (" + specPath + ")");
        foreach (string line in heading)
        {
            output.WriteLine(line);
        }

        output.WriteLine("Shapes are per sample, channels first (the batch dimension is left out); long tensors show their first and last values.");
        output.WriteLine();
        walk.Run(x, epsilon);
    }

    private void Run(Tensor x, Tensor epsilon)
    {
        VaeSpec spec = _plan.Spec;
        VaeConfig config = _model.Config;
        int[] image = [config.Channels, config.Height, config.Width];
        float[] raw = ChannelsFirst(x.Span, config);

        _out.WriteLine("# Encoder");
        string arrives = TensorShape.Format(spec.Input.Shape);
        Section("Input", config.Layout == Runtime.Models.InputLayout.Nhwc
                ? "the image as it arrives, " + arrives + " (H, W, C), permuted to channels first"
                : "the image as it arrives, " + arrives + " (C, H, W)",
            arrives, Shape(image), null, null, raw, image, Describe(image, "channels") + ", values in [" + N(spec.Input.RangeMin) + ", " + N(spec.Input.RangeMax) + "]");

        float[] scaled = raw;
        if (config.Scale != 1)
        {
            scaled = new float[raw.Length];
            TensorPrimitives.Divide(raw, (float)config.Scale, scaled);
            Section("Scaling", "divide by the spec's scale, x / " + N(config.Scale), Shape(image), Shape(image), raw, image, scaled, image,
                "the values the model and the loss work with, in [" + N(spec.Input.EffectiveMin) + ", " + N(spec.Input.EffectiveMax) + "]");
        }

        var current = new Tensor(scaled, [1, .. image]);
        current = Stage(_plan.Encoder, _model.Encoder, current);

        current = WithLabel(current, "h", "the encoder's output");
        float[] encoded = Copy(current);
        float[] mu = Copy(_model.FcMu.Forward(current));
        float[] logVar = Copy(_model.FcLogVar.Forward(current));
        int latent = config.LatentDim;
        int[] latentShape = [latent];
        int[] encodedShape = [encoded.Length];
        Section("Fully connected layer (mean branch, fc_mu)", latent + " neurons giving μ, μ = W·x + b, no activation", Shape(encodedShape), Shape(latentShape),
            encoded, encodedShape, mu, latentShape, "μ = " + latent + " means of q(z|x)", outputName: "μ");

        var sigma = new float[latent];
        for (int i = 0; i < latent; i++)
        {
            sigma[i] = MathF.Exp(0.5f * logVar[i]);
        }

        Section("Fully connected layer (variance branch, fc_logvar)", latent + " neurons giving log(σ²), log(σ²) = W·x + b, no activation; then σ",
            Shape(encodedShape), Shape(latentShape), encoded, encodedShape, logVar, latentShape, "log(σ²) = " + latent + " log-variances", outputName: "log(σ²)",
            extra: ("σ", sigma, "σ_i = exp(0.5 · log(σ²)_i)"));

        var muTensor = new Tensor(mu, 1, latent);
        var logVarTensor = new Tensor(logVar, 1, latent);
        float[] z = Copy(_model.Reparameterize(muTensor, logVarTensor, epsilon));
        _out.WriteLine("#### Reparameterization");
        _out.WriteLine("Operation: z = μ + σ · ε, ε ~ N(0, 1)  Input shape: μ " + Shape(latentShape) + ", σ " + Shape(latentShape) + "  Output shape: " + Shape(latentShape));
        _out.WriteLine("```");
        _out.WriteLine(Indent + "input:");
        _out.WriteLine(Indent + Indent + "μ = " + Format(mu, latentShape));
        _out.WriteLine(Indent + Indent + "σ = " + Format(sigma, latentShape));
        _out.WriteLine(Indent + Indent + "ε = " + Format(epsilon.Span, latentShape) + "  (drawn at random)");
        _out.WriteLine(Indent + "output: z = " + Format(z, latentShape) + "  (z_i = μ_i + σ_i ε_i)");
        _out.WriteLine("```");
        _out.WriteLine("---");
        _out.WriteLine();

        _out.WriteLine("# Decoder");
        _counters.Clear();
        Tensor decoded = Stage(_plan.Decoder, _model.Decoder, WithLabel(new Tensor(z, 1, latent), "z", "z"));
        float[] reconstruction = Copy(decoded);

        LossTerms terms = config.Classes > 0 ? _model.Loss(x, _label, epsilon) : _model.Loss(x, epsilon);
        WriteLoss(spec, scaled, image, reconstruction, mu, logVar, sigma, terms);
    }

    /// <summary>
    /// A conditional model's label input (spec 1.1 <c>condition</c>): a section showing concat(v, one_hot(y)) and the
    /// concatenation as a (1, F + K) tensor; <paramref name="v"/> itself for any other model.
    /// </summary>
    private Tensor WithLabel(Tensor v, string name, string what)
    {
        int classes = _model.Config.Classes;
        if (classes == 0)
        {
            return v;
        }

        int features = v.Dim(1);
        var joined = new float[features + classes];
        v.Span.CopyTo(joined);
        joined[features + _label[0]] = 1f;
        int[] inShape = [features];
        int[] outShape = [features + classes];
        Section("Label concatenation (condition)", "concat(" + name + ", one_hot(y = " + _label[0] + ", " + classes + ")): " + what + " followed by " + classes + " values, 1 at the label and 0 elsewhere",
            Shape(inShape), Shape(outShape), Copy(v), inShape, joined, outShape, "what " + (name == "h" ? "fc_mu and fc_logvar" : "the decoder") + " read: " + features + " + " + classes + " values");
        return new Tensor(joined, 1, features + classes);
    }

    /// <summary>Runs a Sequential child by child, one section per layer (a layer and its shorthand activation together).</summary>
    private Tensor Stage(IReadOnlyList<LayerPlan> rows, Sequential layers, Tensor input)
    {
        Tensor current = input;
        for (int i = 0; i < rows.Count; i++)
        {
            LayerPlan row = rows[i];
            float[] before = Copy(current);
            if (row.Body.Count > 0 && layers.Children[i].Layer is Residual residual)
            {
                current = ResidualBlock(row, residual, current, before);
                continue;
            }

            current = layers.Children[i].Layer.Forward(current);
            ActivationSpec? activation = null;
            string modules = row.ModuleName;
            if (i + 1 < rows.Count && rows[i + 1].Layer is ActivationSpec next && rows[i + 1].Layer.YamlPath == row.Layer.YamlPath + ".activation")
            {
                float[] preActivation = Copy(current);
                current = layers.Children[i + 1].Layer.Forward(current);
                activation = next;
                modules += ", " + rows[i + 1].ModuleName;
                i++;
                WriteLayer(row, activation, modules, before, Copy(current), preActivation);
                continue;
            }

            WriteLayer(row, null, modules, before, Copy(current), null);
        }

        return current;
    }

    /// <summary>
    /// A residual block: its body's layers as steps of their own, then the sum x + body(x) as one more step. The block
    /// is not run again: in eval mode its output is exactly the block's input plus what the body steps printed.
    /// </summary>
    private Tensor ResidualBlock(LayerPlan row, Residual residual, Tensor input, float[] x)
    {
        _out.WriteLine("Residual block " + row.ModuleName + ": its body " + row.ModuleName + ".body runs on the input, then the input is added back.");
        _out.WriteLine();
        float[] body = Copy(Stage(row.Body, residual.Body, input));
        var sum = new float[x.Length];
        TensorPrimitives.Add(x, body, sum);
        int[] shape = Dims(row.Output);
        Section(Title("Residual sum"), "x + body(x), x the block's input  (" + row.ModuleName + ")", Shape(shape), Shape(shape), body, shape, sum, shape,
            "the body's output plus the block's input, element by element", extra: null);
        return new Tensor(sum, [1, .. shape]);
    }

    private void WriteLayer(LayerPlan row, ActivationSpec? activation, string modules, float[] input, float[] output, float[]? preActivation)
    {
        int[] inShape = Dims(row.Input);
        int[] outShape = Dims(row.Output);
        string act = activation is null ? string.Empty : ", " + ActivationName(activation) + " activation";
        string zeroed = activation is { Kind: ActivationKind.Relu } && preActivation is not null ? "; ReLU set " + Negatives(preActivation) + " of " + output.Length + " values to 0" : string.Empty;
        var (title, operation, note) = row.Layer switch
        {
            Conv2dSpec c => (Title("Conv layer"), c.Out + " kernels of " + c.Kernel.ToPairString("×") + ", stride " + c.Stride + ", padding " + c.Padding +
                                                  (c.Dilation.IsSquare && c.Dilation.Height == 1 ? string.Empty : ", dilation " + c.Dilation) + (c.Bias ? string.Empty : ", no bias") + (act.Length > 0 ? act : ", no activation"),
                Describe(outShape, "feature maps") + zeroed),
            ConvTranspose2dSpec t => (Title("Transposed conv layer"), t.Out + " transposed kernels of " + t.Kernel.ToPairString("×") + ", stride " + t.Stride + ", padding " + t.Padding +
                                                                      (t.OutputPadding.Height == 0 && t.OutputPadding.Width == 0 ? string.Empty : ", output padding " + t.OutputPadding) + (act.Length > 0 ? act : ", no activation"),
                Describe(outShape, "feature maps") + zeroed),
            Pool2dSpec p => (Title("Pooling layer"), p.Kernel.ToPairString("×") + (p.Kind == PoolKind.Max ? " max" : " average") + " pooling, stride " + p.Stride +
                                                     (p.Padding.Height == 0 && p.Padding.Width == 0 ? string.Empty : ", padding " + p.Padding),
                Describe(outShape, "maps") + ", the " + (p.Kind == PoolKind.Max ? "maximum" : "mean") + " of each " + p.Kernel.ToPairString("×") + " window"),
            UpsampleSpec u => (Title("Upsampling"), "upsample ×" + u.Scale + (u.Mode == Spec.Model.UpsampleMode.Nearest ? " (nearest)" : " (bilinear)"), Describe(outShape, "maps")),
            LinearSpec l => (Title("Fully connected layer"), l.Out + " neurons, y = W·x + b" + (l.Bias ? string.Empty : " (no bias)") + (act.Length > 0 ? act : ", no activation"),
                output.Length + " values" + zeroed),
            BatchNormSpec => (Title("Batch normalisation"), "normalise each " + (row.Input.IsImage ? "channel" : "feature") + " with its running mean and variance (eval mode), then scale and shift",
                output.Length + " values"),
            DropoutSpec d => (Title("Dropout"), "dropout p = " + N(d.P) + ": off in eval mode, the identity", "unchanged"),
            FlattenSpec => ("Flatten", "flatten into one vector", outShape[0] + "-dimensional vector"),
            UnflattenSpec => ("Reshape", "reshape the vector into an image", Describe(outShape, "channels")),
            ZeroPad2dSpec z => (Title("Zero padding"), "zeros added around each map: " + z.Left + " left, " + z.Right + " right, " + z.Top + " top, " + z.Bottom + " bottom" +
                                                       (z.YamlPath.EndsWith(".padding", StringComparison.Ordinal) ? " (the uneven part of padding: same)" : string.Empty),
                Describe(outShape, "maps")),
            ActivationSpec a => (ActivationName(a) + " activation", ActivationName(a) + ", element-wise",
                a.Kind == ActivationKind.Sigmoid ? "values in (0, 1)" : a.Kind == ActivationKind.Relu ? Negatives(input) + " of " + output.Length + " values set to 0" : output.Length + " values"),
            _ => (row.Layer.Keyword, row.Description, string.Empty),
        };

        Section(title, operation + "  (" + modules + ")", Shape(inShape), Shape(outShape), input, inShape, output, outShape, note);
    }

    private void WriteLoss(VaeSpec spec, float[] target, int[] image, float[] reconstruction, float[] mu, float[] logVar, float[] sigma, LossTerms terms)
    {
        int d = target.Length;
        string reduce = spec.Reduction == ReconstructionReduction.Sum ? "Σ" : "(1/" + d + ") Σ";
        string formula = spec.Reconstruction switch
        {
            ReconstructionKind.Mse => "squared error " + reduce + " (x_i − x̂_i)²",
            ReconstructionKind.Bce => "binary cross-entropy −" + reduce + " [x_i log x̂_i + (1 − x_i) log(1 − x̂_i)]",
            ReconstructionKind.Gaussian => "Gaussian negative log-likelihood " + reduce + " [(x_i − x̂_i)² / (2σ²) + ln σ + ½ ln 2π], " +
                (spec.SigmaLearned ? "ln σ = −6 + softplus(log_sigma + 6)" : "σ = " + spec.Sigma.ToString("R", System.Globalization.CultureInfo.InvariantCulture)),
            _ => "binary cross-entropy on logits, " + reduce + " [max(l_i, 0) − l_i x_i + log(1 + e^(−|l_i|))], x̂ = sigmoid(l)",
        };
        _out.WriteLine("#### Reconstruction loss");
        _out.WriteLine("Operation: " + formula + " over the " + d + " values  Input shape: " + Shape(image) + " × 2  Output: scalar");
        _out.WriteLine("```");
        _out.WriteLine(Indent + "input:");
        _out.WriteLine(Indent + Indent + "x = " + Format(target, image, Indent + Indent));
        if (spec.Reconstruction == ReconstructionKind.BceLogits)
        {
            var probabilities = new float[d];
            TensorPrimitives.Sigmoid(reconstruction, probabilities);
            _out.WriteLine(Indent + Indent + "l (logits) = " + Format(reconstruction, image, Indent + Indent));
            _out.WriteLine(Indent + Indent + "x̂ = sigmoid(l) = " + Format(probabilities, image, Indent + Indent));
        }
        else
        {
            _out.WriteLine(Indent + Indent + "x̂ = " + Format(reconstruction, image, Indent + Indent));
        }

        _out.WriteLine(Indent + "output: L_recon = " + TensorText.Number(terms.Reconstruction));
        _out.WriteLine("```");
        _out.WriteLine("---");
        _out.WriteLine();

        int[] latentShape = [mu.Length];
        _out.WriteLine("#### KL divergence");
        _out.WriteLine("Operation: KL(q(z|x) ‖ N(0, I)) = ½ Σ_k (exp(log σ²_k) + μ_k² − 1 − log σ²_k)  Input shape: μ " + Shape(latentShape) + ", log(σ²) " + Shape(latentShape) + "  Output: scalar");
        _out.WriteLine("```");
        _out.WriteLine(Indent + "input:");
        _out.WriteLine(Indent + Indent + "μ = " + Format(mu, latentShape));
        _out.WriteLine(Indent + Indent + "log(σ²) = " + Format(logVar, latentShape));
        _out.WriteLine(Indent + Indent + "σ = " + Format(sigma, latentShape));
        _out.WriteLine(Indent + "output: L_KL = " + TensorText.Number(terms.Kl));
        _out.WriteLine("```");
        _out.WriteLine("---");
        _out.WriteLine();

        _out.WriteLine("#### Total loss");
        _out.WriteLine("Operation: L = L_recon + β · L_KL, β = " + N(spec.Beta));
        _out.WriteLine("```");
        _out.WriteLine(Indent + "input:");
        _out.WriteLine(Indent + Indent + "L_recon = " + TensorText.Number(terms.Reconstruction));
        _out.WriteLine(Indent + Indent + "L_KL = " + TensorText.Number(terms.Kl));
        _out.WriteLine(Indent + "output: L = " + TensorText.Number(terms.Total));
        _out.WriteLine("```");
        _out.WriteLine();
        _out.WriteLine("### What comes next");
        _out.WriteLine("- Training (vaegen train) lowers L by backpropagation through every step above, averaged over a batch of images.");
        _out.WriteLine("- New images: draw z ~ N(0, I) with " + mu.Length + " values and run only the decoder (vaegen sample).");
    }

    private void Section(string title, string operation, string inShape, string? outShape, float[]? input, int[]? inputDims, float[] output, int[] outputDims, string note,
        string outputName = "", (string Name, float[] Values, string Note)? extra = null)
    {
        _out.WriteLine("#### " + title);
        _out.WriteLine("Operation: " + operation + "  Input shape: " + inShape + (outShape is null ? string.Empty : "  Output shape: " + outShape));
        _out.WriteLine("```");
        if (input is not null)
        {
            _out.WriteLine(Indent + "input: " + Format(input, inputDims!));
        }

        string name = outputName.Length > 0 ? outputName + " = " : string.Empty;
        note += Statistics(output);
        _out.WriteLine(Indent + "output: " + name + Format(output, outputDims) + (note.Length > 0 ? "  (" + note + ")" : string.Empty));
        if (extra is { } e)
        {
            _out.WriteLine(Indent + "then: " + e.Name + " = " + Format(e.Values, [e.Values.Length]) + "  (" + e.Note + ")");
        }

        _out.WriteLine("```");
        _out.WriteLine("---");
        _out.WriteLine();
    }

    private string Title(string kind)
    {
        _counters[kind] = _counters.TryGetValue(kind, out int n) ? n + 1 : 1;
        return kind + " " + _counters[kind];
    }

    private static string Format(ReadOnlySpan<float> values, int[] shape, string indent = Indent) => TensorText.Format(values, shape, indent);

    private static float[] ChannelsFirst(ReadOnlySpan<float> x, VaeConfig config)
    {
        int c = config.Channels, plane = config.Height * config.Width;
        var result = new float[c * plane];
        for (int p = 0; p < plane; p++)
        {
            for (int ch = 0; ch < c; ch++)
            {
                result[(ch * plane) + p] = config.Layout == Runtime.Models.InputLayout.Nhwc ? x[(p * c) + ch] : x[(ch * plane) + p];
            }
        }

        return result;
    }

    private static float[] Copy(Tensor tensor) => tensor.Span.ToArray();

    private static int Negatives(float[] values)
    {
        int count = 0;
        foreach (float v in values)
        {
            if (v <= 0)
            {
                count++;
            }
        }

        return count;
    }

    private static int[] Dims(TensorShape shape)
    {
        var dims = new int[shape.Rank];
        for (int i = 0; i < dims.Length; i++)
        {
            dims[i] = (int)shape.Dimensions[i];
        }

        return dims;
    }

    private static string Shape(int[] dims) => Tensor.FormatShape(dims);

    private static string Describe(int[] shape, string what) =>
        shape.Length == 3 ? shape[0] + " " + (shape[0] == 1 ? what.TrimEnd('s') : what) + " of " + shape[1] + "×" + shape[2] : shape[0] + " values";

    /// <summary>
    /// Minimum, mean and maximum of a tensor too large to print whole: the first and last values of
    /// an image are its corners, which say little (Fashion-MNIST's are black).
    /// </summary>
    private static string Statistics(float[] values) => values.Length <= ShownInFull ? string.Empty :
        "; min " + TensorText.Number(TensorPrimitives.Min(values)) + ", mean " + TensorText.Number(TensorPrimitives.Sum(values) / values.Length) +
        ", max " + TensorText.Number(TensorPrimitives.Max(values));

    private static string ActivationName(ActivationSpec a) => a.Kind switch
    {
        ActivationKind.Relu => "ReLU",
        ActivationKind.Sigmoid => "sigmoid",
        ActivationKind.Tanh => "tanh",
        ActivationKind.Gelu => "GELU",
        ActivationKind.Silu => "SiLU",
        ActivationKind.Elu => "ELU",
        ActivationKind.LeakyRelu => "leaky ReLU (slope " + N(a.Slope) + ")",
        _ => a.Keyword,
    };

    private static string N(double value) => value.ToString("G", CultureInfo.InvariantCulture);
}
