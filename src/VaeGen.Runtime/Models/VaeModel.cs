using System;
using System.Collections.Generic;
using VaeGen.Runtime.Init;
using VaeGen.Runtime.Kernels;
using VaeGen.Runtime.Layers;
using VaeGen.Runtime.Losses;
using VaeGen.Runtime.Optim;
using VaeGen.Runtime.Tensors;

namespace VaeGen.Runtime.Models;

/// <summary>
/// A variational autoencoder over the runtime's layers: an encoder to a flat vector, the two heads
/// <c>fc_mu</c> and <c>fc_logvar</c>, the reparameterisation z = mu + exp(0.5 logvar) * eps, a
/// decoder back to the input's shape, and the loss of the spec language. Generated managed classes
/// derive from it and only add the architecture; the <c>vaegen</c> tool builds it from a spec.
/// </summary>
/// <remarks>
/// <para>
/// A conditional model (spec 1.1 <c>condition: { classes: K }</c>, <see cref="Classes"/> = K) takes one label in 0..K-1 per
/// sample next to the batch: the heads read concat(h, one_hot(y)) and the decoder concat(z, one_hot(y)). It is used
/// through the overloads with labels; the overloads without them throw on it, and the overloads with labels throw on
/// an unconditional model.
/// </para>
/// </remarks>
/// <remarks>
/// <para>
/// This type is the model's math: encode, reparameterise, decode, loss, backward, and train/eval mode.
/// Its other members hand over to the types that do those jobs: <see cref="Session"/> (the optimizer,
/// the step count and the training step), <see cref="Streams"/> (the random streams and their state)
/// and <see cref="ModelWeights"/> (the state dict and weights files).
/// </para>
/// <para>
/// Batches arrive in the declared layout and value range, (B, ...InputShape); the model divides by
/// the scale and works channels-first. Every tensor a method returns is owned by the model and is
/// overwritten by the next call: copy it if it must live longer. Buffers are allocated on the first
/// call with a given batch size, so repeated training steps allocate nothing.
/// </para>
/// <para>Not thread-safe: use one instance per thread.</para>
/// </remarks>
public partial class VaeModel
{
    private readonly Reparameterize _reparameterize;
    private readonly VaeLoss _loss;
    private readonly Rng _noise;
    private readonly List<NamedParameter> _parameters;
    private readonly (string Prefix, Layer Module)[] _modules;
    private readonly OneHotConcat? _headsInput;
    private readonly OneHotConcat? _decoderInput;

    /// <summary>How many <see cref="InferenceMode"/> scopes are open.</summary>
    private int _inferenceScopes;

    /// <summary>Whether the model was training when the outermost <see cref="InferenceMode"/> scope opened.</summary>
    private bool _trainingBeforeInference;

    private Tensor? _input;
    private Tensor? _gradEncoded;
    private Tensor? _declared;
    private Tensor? _sampleZ;
    private Tensor? _probabilities;
    private TrainingSession? _session;

    /// <summary>Assembles a model from its parts.</summary>
    /// <param name="config">Input shape, layout, scale, latent size and loss.</param>
    /// <param name="encoder">Input (B, C, H, W) to a flat (B, F).</param>
    /// <param name="fcMu">The mu head, F to LatentDim (F + K with <see cref="VaeConfig.Classes"/> K).</param>
    /// <param name="fcLogVar">The logvar head, F to LatentDim (F + K with K classes).</param>
    /// <param name="decoder">(B, LatentDim) back to (B, C, H, W); (B, LatentDim + K) with K classes.</param>
    /// <param name="noise">The stream eps and samples are drawn from; kept and advanced.</param>
    public VaeModel(VaeConfig config, Sequential encoder, Linear fcMu, Linear fcLogVar, Sequential decoder, Rng noise)
    {
        ArgumentNullException.ThrowIfNull(config);
        ArgumentNullException.ThrowIfNull(encoder);
        ArgumentNullException.ThrowIfNull(fcMu);
        ArgumentNullException.ThrowIfNull(fcLogVar);
        ArgumentNullException.ThrowIfNull(decoder);
        ArgumentNullException.ThrowIfNull(noise);
        if (fcMu.OutFeatures != config.LatentDim || fcLogVar.OutFeatures != config.LatentDim || fcMu.InFeatures != fcLogVar.InFeatures)
        {
            throw new ArgumentException(
                $"The heads must both map the same encoder width to LatentDim {config.LatentDim}: fc_mu is {fcMu.InFeatures}->{fcMu.OutFeatures}, fc_logvar {fcLogVar.InFeatures}->{fcLogVar.OutFeatures}.");
        }

        Config = config;
        if (config.Classes > 0)
        {
            _headsInput = new OneHotConcat(config.Classes);
            _decoderInput = new OneHotConcat(config.Classes);
        }

        // Not drawn from the stream (it starts at 0), so a learned sigma shifts no weight's draw.
        LogSigma = config.LearnedSigma ? new Parameter("log_sigma", 1) : null;
        Encoder = encoder;
        FcMu = fcMu;
        FcLogVar = fcLogVar;
        Decoder = decoder;
        _noise = noise;
        _reparameterize = new Reparameterize(noise);
        _modules = ModelWeights.Modules(this);
        _parameters = NamedParameters();
        Streams = new RandomStreams(noise, encoder, decoder);

        // The data is a leaf: nothing needs d loss / d input, so the encoder's first layers skip it, as autograd does.
        encoder.ComputeInputGradient = false;
        _loss = new VaeLoss(config.Reconstruction, config.Reduction, config.Beta, config.Sigma, LogSigma, config.Kl);
    }

    /// <summary>Input shape, layout, scale, latent size and loss.</summary>
    public VaeConfig Config { get; }

    /// <summary>K of a conditional model (spec 1.1 <c>condition: { classes: K }</c>): labels are 0..K-1; 0 for an unconditional model.</summary>
    public int Classes => Config.Classes;

    /// <summary>The encoder, state_dict keys <c>encoder.{i}.*</c>.</summary>
    public Sequential Encoder { get; }

    /// <summary>The mu head, state_dict keys <c>fc_mu.*</c>.</summary>
    public Linear FcMu { get; }

    /// <summary>The logvar head (log sigma^2), state_dict keys <c>fc_logvar.*</c>.</summary>
    public Linear FcLogVar { get; }

    /// <summary>The decoder, state_dict keys <c>decoder.{i}.*</c>.</summary>
    public Sequential Decoder { get; }

    /// <summary>
    /// The learned sigma of <c>reconstruction: gaussian</c> with <c>sigma: learned</c> (state_dict key <c>log_sigma</c>, [1],
    /// initially 0; the loss uses ln sigma = -6 + softplus(log_sigma + 6)), or null.
    /// </summary>
    public Parameter? LogSigma { get; }

    /// <summary>ln sigma of the Gaussian term as the loss uses it now (fixed, or from <see cref="LogSigma"/>); 0 for the other terms.</summary>
    public double GaussianLogSigma => _loss.CurrentLogSigma;

    /// <summary>Whether batchnorm uses batch statistics and dropout drops (true until <see cref="Eval"/>).</summary>
    public bool Training { get; private set; } = true;

    /// <summary>The training session <see cref="TrainStep(Tensor)"/> steps: Adam with lr 1e-3 unless <see cref="UseAdam"/> chose otherwise.</summary>
    public TrainingSession Session => _session ??= new TrainingSession(this, new Adam(NamedParameters()));

    /// <summary>The optimizer <see cref="TrainStep(Tensor)"/> uses: Adam with lr 1e-3 unless <see cref="UseAdam"/> chose otherwise.</summary>
    public Adam Optimizer => Session.Optimizer;

    /// <summary>Every random stream the model draws from (eps, samples, dropout masks), by name.</summary>
    public RandomStreams Streams { get; }

    /// <summary>Switches to training mode (batch statistics in batchnorm, dropout active).</summary>
    public void Train() => SetTraining(true);

    /// <summary>Switches to evaluation mode (running statistics in batchnorm, no dropout). z is still sampled.</summary>
    public void Eval() => SetTraining(false);

    /// <summary>Whether an <see cref="InferenceMode"/> scope is open: the weights are held constant.</summary>
    public bool InInferenceMode => _inferenceScopes > 0;

    /// <summary>
    /// Evaluation with the weights held constant, as PyTorch's <c>model.eval()</c> under <c>torch.inference_mode()</c>:
    /// switches to evaluation mode (<see cref="Eval"/>) and lets each layer pack its weight for its matrix products
    /// once, on the first pass, instead of on every pass. Passes give the same bits as without the scope, faster:
    /// 1.06-1.18x on the five reference specs' evaluation passes (docs/performance.md).
    /// </summary>
    /// <remarks>
    /// <para>
    /// Inside the scope the weights are constants. <see cref="TrainStep(Tensor)"/> throws, and <see cref="LoadWeights"/>
    /// drops the packed copies so that the next pass packs the new weights. Anything else that writes a weight (an
    /// optimizer's <c>Step()</c> called directly, a parameter's <c>Value.Data</c>, a state-dict entry) is not seen by
    /// the passes inside the scope: change weights outside it, or open a new one after.
    /// </para>
    /// <para>
    /// Disposing the scope returns the model to the mode it was in (training or evaluation) and frees the packed
    /// copies (about one more copy of the weights). Scopes nest; the outermost one's disposal ends the mode.
    /// </para>
    /// </remarks>
    /// <returns>The scope to dispose when inference is done.</returns>
    public InferenceScope InferenceMode()
    {
        if (_inferenceScopes++ == 0)
        {
            _trainingBeforeInference = Training;
            HoldWeightsConstant(true);
        }

        Eval();
        return new InferenceScope(this);
    }

    /// <summary>Ends one <see cref="InferenceMode"/> scope (called once by each scope's disposal).</summary>
    internal void EndInferenceMode()
    {
        if (--_inferenceScopes == 0)
        {
            ReleaseSlices();
            HoldWeightsConstant(false);
            SetTraining(_trainingBeforeInference);
        }
    }

    /// <summary>Replaces the optimizer with a fresh Adam (PyTorch semantics; its moments and step count start at zero).</summary>
    /// <param name="learningRate">The step size.</param>
    /// <param name="beta1">Decay of the first moment.</param>
    /// <param name="beta2">Decay of the second moment.</param>
    /// <param name="eps">Added to the denominator.</param>
    /// <param name="weightDecay">L2 penalty added to the gradient.</param>
    /// <returns>The new optimizer.</returns>
    public Adam UseAdam(double learningRate = 1e-3, double beta1 = 0.9, double beta2 = 0.999, double eps = 1e-8, double weightDecay = 0)
    {
        _session = new TrainingSession(this, new Adam(NamedParameters(), learningRate, beta1, beta2, eps, weightDecay));
        return _session.Optimizer;
    }

    /// <summary>Encodes a batch into the parameters of q(z|x).</summary>
    /// <param name="x">(B, ...InputShape) in the declared layout and value range.</param>
    /// <returns>mu and logvar (log sigma^2), each (B, LatentDim), owned by the model.</returns>
    /// <exception cref="ArgumentException">x has the wrong shape; the message says how to fix it.</exception>
    /// <exception cref="InvalidOperationException">The model is conditional: use the overload with labels.</exception>
    public (Tensor Mu, Tensor LogVar) Encode(Tensor x)
    {
        RequireUnconditional();
        return EncodeBatch(x, default);
    }

    /// <summary>Encodes a batch with its labels into the parameters of q(z|x, y) (a conditional model).</summary>
    /// <param name="x">(B, ...InputShape) in the declared layout and value range.</param>
    /// <param name="labels">B labels in 0..<see cref="Classes"/>-1, one per sample.</param>
    /// <returns>mu and logvar (log sigma^2), each (B, LatentDim), owned by the model.</returns>
    /// <exception cref="ArgumentException">x has the wrong shape, or the labels are not one per sample.</exception>
    /// <exception cref="ArgumentOutOfRangeException">A label is outside 0..K-1.</exception>
    /// <exception cref="InvalidOperationException">The model is not conditional.</exception>
    public (Tensor Mu, Tensor LogVar) Encode(Tensor x, ReadOnlySpan<int> labels) => EncodeBatch(x, Labels(x, labels));

    /// <summary>Draws z = mu + exp(0.5 * logvar) * eps with fresh eps ~ N(0, I) from the model's seeded stream.</summary>
    /// <param name="mu">(B, LatentDim).</param>
    /// <param name="logVar">(B, LatentDim).</param>
    /// <returns>z, (B, LatentDim), owned by the model.</returns>
    public Tensor Reparameterize(Tensor mu, Tensor logVar) => _reparameterize.Forward(mu, logVar);

    /// <summary>z = mu + exp(0.5 * logvar) * eps for a given eps (to reproduce another implementation's draw).</summary>
    /// <param name="mu">(B, LatentDim).</param>
    /// <param name="logVar">(B, LatentDim).</param>
    /// <param name="epsilon">Standard-normal noise, (B, LatentDim).</param>
    /// <returns>z, owned by the model.</returns>
    public Tensor Reparameterize(Tensor mu, Tensor logVar, Tensor epsilon) => _reparameterize.Forward(mu, logVar, epsilon);

    /// <summary>Decodes latent vectors.</summary>
    /// <param name="z">(B, LatentDim).</param>
    /// <returns>
    /// The decoder's output in the declared layout, (B, ...InputShape): the reconstruction itself
    /// in the model's value range (the data's range divided by the scale), or logits for
    /// bce_logits (apply a sigmoid for probabilities; <see cref="Sample(int)"/> does).
    /// </returns>
    /// <exception cref="InvalidOperationException">The model is conditional: use the overload with labels.</exception>
    public Tensor Decode(Tensor z)
    {
        RequireUnconditional();
        CheckLatent(z, nameof(z));
        return DecodeBatch(z, default);
    }

    /// <summary>Decodes latent vectors, each with its label (a conditional model).</summary>
    /// <param name="z">(B, LatentDim).</param>
    /// <param name="labels">B labels in 0..<see cref="Classes"/>-1, one per row of z.</param>
    /// <returns>The decoder's output in the declared layout, (B, ...InputShape), as <see cref="Decode(Tensor)"/>.</returns>
    /// <exception cref="ArgumentOutOfRangeException">A label is outside 0..K-1.</exception>
    /// <exception cref="InvalidOperationException">The model is not conditional.</exception>
    public Tensor Decode(Tensor z, ReadOnlySpan<int> labels)
    {
        CheckLatent(z, nameof(z));
        CheckLabels(labels, z.Dim(0), nameof(labels));
        return DecodeBatch(z, labels);
    }

    /// <summary>Encodes, draws z and decodes.</summary>
    /// <param name="x">(B, ...InputShape) in the declared layout and value range.</param>
    /// <returns>The reconstruction (as <see cref="Decode(Tensor)"/>), mu and logvar, owned by the model.</returns>
    public (Tensor Reconstruction, Tensor Mu, Tensor LogVar) Forward(Tensor x)
    {
        RequireUnconditional();
        return ForwardBatch(x, default, null);
    }

    /// <summary>Encodes with the labels, draws z and decodes with the same labels (a conditional model).</summary>
    /// <param name="x">(B, ...InputShape) in the declared layout and value range.</param>
    /// <param name="labels">B labels in 0..<see cref="Classes"/>-1.</param>
    /// <returns>The reconstruction, mu and logvar, owned by the model.</returns>
    public (Tensor Reconstruction, Tensor Mu, Tensor LogVar) Forward(Tensor x, ReadOnlySpan<int> labels) =>
        ForwardBatch(x, Labels(x, labels), null);

    /// <summary>Encodes with the labels, forms z from the given eps and decodes (a conditional model).</summary>
    /// <param name="x">(B, ...InputShape).</param>
    /// <param name="labels">B labels in 0..<see cref="Classes"/>-1.</param>
    /// <param name="epsilon">Standard-normal noise, (B, LatentDim).</param>
    /// <returns>The reconstruction, mu and logvar, owned by the model.</returns>
    public (Tensor Reconstruction, Tensor Mu, Tensor LogVar) Forward(Tensor x, ReadOnlySpan<int> labels, Tensor epsilon) =>
        ForwardBatch(x, Labels(x, labels), epsilon ?? throw new ArgumentNullException(nameof(epsilon)));

    /// <summary>Encodes, forms z from the given eps and decodes.</summary>
    /// <param name="x">(B, ...InputShape).</param>
    /// <param name="epsilon">Standard-normal noise, (B, LatentDim).</param>
    /// <returns>The reconstruction, mu and logvar, owned by the model.</returns>
    public (Tensor Reconstruction, Tensor Mu, Tensor LogVar) Forward(Tensor x, Tensor epsilon)
    {
        RequireUnconditional();
        return ForwardBatch(x, default, epsilon ?? throw new ArgumentNullException(nameof(epsilon)));
    }

    /// <summary>The loss of a batch with freshly drawn z, without gradients.</summary>
    /// <param name="x">(B, ...InputShape).</param>
    /// <returns>Batch means of the total, the reconstruction term and the KL term.</returns>
    public LossTerms Loss(Tensor x)
    {
        RequireUnconditional();
        return RunLoss(x, default, null);
    }

    /// <summary>The loss of a labelled batch with freshly drawn z, without gradients (a conditional model).</summary>
    /// <param name="x">(B, ...InputShape).</param>
    /// <param name="labels">B labels in 0..<see cref="Classes"/>-1.</param>
    /// <returns>Batch means of the total, the reconstruction term and the KL term.</returns>
    public LossTerms Loss(Tensor x, ReadOnlySpan<int> labels) => RunLoss(x, Labels(x, labels), null);

    /// <summary>The loss of a labelled batch for a given eps, without gradients (a conditional model).</summary>
    /// <param name="x">(B, ...InputShape).</param>
    /// <param name="labels">B labels in 0..<see cref="Classes"/>-1.</param>
    /// <param name="epsilon">Standard-normal noise, (B, LatentDim).</param>
    /// <returns>Batch means of the total, the reconstruction term and the KL term.</returns>
    public LossTerms Loss(Tensor x, ReadOnlySpan<int> labels, Tensor epsilon) =>
        RunLoss(x, Labels(x, labels), epsilon ?? throw new ArgumentNullException(nameof(epsilon)));

    /// <summary>The loss of a batch for a given eps, without gradients.</summary>
    /// <param name="x">(B, ...InputShape).</param>
    /// <param name="epsilon">Standard-normal noise, (B, LatentDim).</param>
    /// <returns>Batch means of the total, the reconstruction term and the KL term.</returns>
    public LossTerms Loss(Tensor x, Tensor epsilon)
    {
        RequireUnconditional();
        return RunLoss(x, default, epsilon ?? throw new ArgumentNullException(nameof(epsilon)));
    }

    /// <summary>
    /// Clears the gradients, runs the batch forward and backward, and leaves d loss / d parameter in
    /// each parameter's <see cref="Parameter.Grad"/> (as <c>zero_grad(); loss.backward()</c>).
    /// </summary>
    /// <param name="x">(B, ...InputShape).</param>
    /// <returns>The loss terms of the batch.</returns>
    public LossTerms ComputeGradients(Tensor x)
    {
        RequireUnconditional();
        return RunGradients(x, default, null);
    }

    /// <summary>As <see cref="ComputeGradients(Tensor)"/> for a labelled batch (a conditional model).</summary>
    /// <param name="x">(B, ...InputShape).</param>
    /// <param name="labels">B labels in 0..<see cref="Classes"/>-1.</param>
    /// <returns>The loss terms of the batch.</returns>
    public LossTerms ComputeGradients(Tensor x, ReadOnlySpan<int> labels) => RunGradients(x, Labels(x, labels), null);

    /// <summary>As <see cref="ComputeGradients(Tensor)"/> for a labelled batch and a given eps (a conditional model).</summary>
    /// <param name="x">(B, ...InputShape).</param>
    /// <param name="labels">B labels in 0..<see cref="Classes"/>-1.</param>
    /// <param name="epsilon">Standard-normal noise, (B, LatentDim).</param>
    /// <returns>The loss terms of the batch.</returns>
    public LossTerms ComputeGradients(Tensor x, ReadOnlySpan<int> labels, Tensor epsilon) =>
        RunGradients(x, Labels(x, labels), epsilon ?? throw new ArgumentNullException(nameof(epsilon)));

    /// <summary>As <see cref="ComputeGradients(Tensor)"/> for a given eps.</summary>
    /// <param name="x">(B, ...InputShape).</param>
    /// <param name="epsilon">Standard-normal noise, (B, LatentDim).</param>
    /// <returns>The loss terms of the batch.</returns>
    public LossTerms ComputeGradients(Tensor x, Tensor epsilon)
    {
        RequireUnconditional();
        return RunGradients(x, default, epsilon ?? throw new ArgumentNullException(nameof(epsilon)));
    }

    /// <summary>One optimizer step on a batch: gradients, then <see cref="Optimizer"/>.Step() (<see cref="TrainingSession.Step(Tensor, bool)"/>).</summary>
    /// <param name="x">(B, ...InputShape) in the declared layout and value range.</param>
    /// <returns>The loss terms of the batch, computed before the step.</returns>
    public LossTerms TrainStep(Tensor x) => Session.Step(x);

    /// <summary>One optimizer step on a labelled batch (a conditional model; <see cref="TrainingSession.Step(Tensor, ReadOnlySpan{int}, bool)"/>).</summary>
    /// <param name="x">(B, ...InputShape) in the declared layout and value range.</param>
    /// <param name="labels">B labels in 0..<see cref="Classes"/>-1.</param>
    /// <returns>The loss terms of the batch, computed before the step.</returns>
    public LossTerms TrainStep(Tensor x, ReadOnlySpan<int> labels) => Session.Step(x, labels);

    /// <summary>Draws z ~ N(0, I) and decodes it. Call <see cref="Eval"/> first if the decoder has dropout or batchnorm.</summary>
    /// <param name="count">How many samples.</param>
    /// <returns>
    /// (count, ...InputShape) in the declared layout: probabilities for bce and bce_logits (the
    /// sigmoid is applied to logits), otherwise values in the model's range. Owned by the model.
    /// </returns>
    /// <exception cref="InvalidOperationException">The model is conditional: say which classes to draw with <see cref="Sample(ReadOnlySpan{int})"/>.</exception>
    public Tensor Sample(int count)
    {
        RequireUnconditional();
        ArgumentOutOfRangeException.ThrowIfLessThan(count, 1);
        return SampleCore(count, default);
    }

    /// <summary>
    /// Draws one z ~ N(0, I) per entry of <paramref name="classes"/> and decodes it with that class (a conditional model).
    /// Call <see cref="Eval"/> first if the decoder has dropout or batchnorm.
    /// </summary>
    /// <param name="classes">The class of each image to draw, in 0..<see cref="Classes"/>-1 (at least one).</param>
    /// <returns>(classes.Length, ...InputShape) in the declared layout, as <see cref="Sample(int)"/>. Owned by the model.</returns>
    /// <exception cref="ArgumentOutOfRangeException">A class is outside 0..K-1.</exception>
    /// <exception cref="InvalidOperationException">The model is not conditional.</exception>
    public Tensor Sample(ReadOnlySpan<int> classes)
    {
        if (classes.IsEmpty)
        {
            throw new ArgumentException("Sample needs at least one class to draw.", nameof(classes));
        }

        CheckLabels(classes, classes.Length, nameof(classes));
        return SampleCore(classes.Length, classes);
    }

    private Tensor SampleCore(int count, ReadOnlySpan<int> classes)
    {
        _sampleZ = Tensor.Reuse(_sampleZ, stackalloc int[] { count, Config.LatentDim });
        _noise.FillNormal(_sampleZ.Span);
        Tensor output = Decoder.Forward(DecoderInput(_sampleZ, classes));
        if (Config.Reconstruction == ReconstructionTerm.BceLogits)
        {
            _probabilities = Tensor.Reuse(_probabilities, output.Shape);
            CachedElementwise.Sigmoid(output.Span, _probabilities.Span);
            output = _probabilities;
        }

        return ToDeclaredLayout(output);
    }

    /// <summary>All parameters with their state_dict names, in PyTorch's order (<see cref="ModelWeights.NamedParameters"/>).</summary>
    public List<NamedParameter> NamedParameters() => ModelWeights.NamedParameters(this);

    /// <summary>Parameters and buffers (batchnorm statistics) by name, as PyTorch's <c>state_dict()</c> (<see cref="ModelWeights.StateDict"/>).</summary>
    public List<StateTensor> StateDict() => ModelWeights.StateDict(this);

    /// <summary>
    /// The noise stream's state as a live int64 entry named <c>rng.noise</c>: save it with the
    /// weights and the optimizer, load it back, and training continues with exactly the eps an
    /// uninterrupted run would have drawn.
    /// </summary>
    public StateTensor NoiseState() => Streams.NoiseState();

    /// <summary>Restores the noise stream from an entry produced by <see cref="NoiseState"/> (after loading its values).</summary>
    /// <param name="state">The entry, whose values have been filled from a checkpoint.</param>
    public void RestoreNoiseState(StateTensor state) => Streams.RestoreNoiseState(state);

    /// <summary>
    /// Every random stream the model draws from, as int64 entries: <c>rng.noise</c> (eps and samples)
    /// and one <c>rng.encoder.{i}</c> / <c>rng.decoder.{i}</c> per dropout layer. Save them with the
    /// weights and the optimizer; to resume, load a checkpoint into a fresh list from this method and
    /// pass it to <see cref="RestoreRandomState"/>.
    /// </summary>
    public List<StateTensor> RandomState() => Streams.State();

    /// <summary>Restores the streams from entries shaped as <see cref="RandomState"/> returns them.</summary>
    /// <param name="state">The entries, with their values loaded.</param>
    /// <exception cref="ArgumentException">An entry is missing or is not a saved RNG state; nothing is changed then.</exception>
    public void RestoreRandomState(IReadOnlyList<StateTensor> state) => Streams.Restore(state);

    /// <summary>Clears every parameter's gradient.</summary>
    public void ZeroGrad()
    {
        // A for loop over a cached list: foreach over the layers' IReadOnlyList would allocate an enumerator per layer and step.
        for (int i = 0; i < _parameters.Count; i++)
        {
            _parameters[i].Parameter.ZeroGrad();
        }
    }

    /// <summary>Writes the weights as a safetensors file with PyTorch state_dict names, atomically.</summary>
    /// <param name="path">The destination; replaced only once the new file is complete.</param>
    public void SaveWeights(string path) => ModelWeights.Save(this, path);

    /// <summary>
    /// Loads weights saved by <see cref="SaveWeights"/>, PyTorch or TorchSharp. Every name, dtype and
    /// shape is checked first, so a file that does not match changes nothing.
    /// </summary>
    /// <param name="path">A safetensors file.</param>
    /// <exception cref="SafeTensorsException">The file is unreadable or does not match; the message names each tensor.</exception>
    public void LoadWeights(string path)
    {
        ModelWeights.Load(this, path);
        if (InInferenceMode)
        {
            // The packed copies are of the old weights; holding the new ones constant packs them on the next pass.
            HoldWeightsConstant(true);
            SlicesWeightsChanged();
        }
    }

    /// <summary>Holds every layer's weights constant or lets them change again (dropping what the layers packed from them).</summary>
    private void HoldWeightsConstant(bool constant)
    {
        foreach (var (_, module) in _modules)
        {
            foreach (Layer layer in module.Modules())
            {
                layer.HoldWeightsConstant(constant);
            }
        }
    }

    private void SetTraining(bool training)
    {
        Training = training;
        foreach (var (_, module) in _modules)
        {
            module.SetTraining(training);
        }
    }

    /// <summary><see cref="EncodeCore"/>, in slices of samples over the threads when <see cref="SliceCount"/> says so.</summary>
    private (Tensor Mu, Tensor LogVar) EncodeBatch(Tensor x, ReadOnlySpan<int> labels)
    {
        InputShapeGuard.Check(x, Config, nameof(x));
        int slices = SliceCount(x.Dim(0));
        if (slices == 1)
        {
            return EncodeCore(x, labels);
        }

        var (_, mu, logVar) = _slices!.Run(SlicedPass.Encode, x, labels, null, slices);
        return (mu!, logVar!);
    }

    /// <summary><see cref="DecodeCore"/>, in slices of samples over the threads when <see cref="SliceCount"/> says so.</summary>
    private Tensor DecodeBatch(Tensor z, ReadOnlySpan<int> labels)
    {
        int slices = SliceCount(z.Dim(0));
        return slices == 1 ? DecodeCore(z, labels) : _slices!.Run(SlicedPass.Decode, z, labels, null, slices).Reconstruction!;
    }

    /// <summary>Encode, reparameterise (with <paramref name="epsilon"/>, or noise drawn from the stream) and decode, sliced as <see cref="EncodeBatch"/>.</summary>
    private (Tensor Reconstruction, Tensor Mu, Tensor LogVar) ForwardBatch(Tensor x, ReadOnlySpan<int> labels, Tensor? epsilon)
    {
        InputShapeGuard.Check(x, Config, nameof(x));
        int batch = x.Dim(0);
        if (epsilon is not null && !epsilon.HasShape(stackalloc int[] { batch, Config.LatentDim }))
        {
            throw new ArgumentException($"eps must be shaped (B, LatentDim) = ({batch}, {Config.LatentDim}), like mu, but is {epsilon.ShapeString()}.", nameof(epsilon));
        }

        int slices = SliceCount(batch);
        if (slices > 1)
        {
            var (reconstruction, mu, logVar) = _slices!.Run(SlicedPass.Forward, x, labels, epsilon, slices);
            return (reconstruction!, mu!, logVar!);
        }

        var (m, v) = EncodeCore(x, labels);
        Tensor z = epsilon is null ? _reparameterize.Forward(m, v) : _reparameterize.Forward(m, v, epsilon);
        return (DecodeCore(z, labels), m, v);
    }

    /// <summary>The decoder (after the labels' one-hot columns for a conditional model), in the declared layout.</summary>
    private Tensor DecodeCore(Tensor z, ReadOnlySpan<int> labels) => ToDeclaredLayout(Decoder.Forward(DecoderInput(z, labels)));

    /// <summary>The encoder and the heads; <paramref name="labels"/> are checked (or empty for an unconditional model).</summary>
    private (Tensor Mu, Tensor LogVar) EncodeCore(Tensor x, ReadOnlySpan<int> labels)
    {
        InputShapeGuard.Check(x, Config, nameof(x));
        _input = Tensor.Reuse(_input, stackalloc int[] { x.Dim(0), Config.Channels, Config.Height, Config.Width });
        LayoutTransform.ToChannelsFirst(x, _input, Config);
        Tensor encoded = Encoder.Forward(_input);
        if (_headsInput is not null)
        {
            encoded = _headsInput.Forward(encoded, labels);
        }

        return (FcMu.Forward(encoded), FcLogVar.Forward(encoded));
    }

    /// <summary>What the decoder reads: z, or concat(z, one_hot(labels)) for a conditional model.</summary>
    private Tensor DecoderInput(Tensor z, ReadOnlySpan<int> labels) => _decoderInput is null ? z : _decoderInput.Forward(z, labels);

    /// <summary>Checks a batch's shape (so a wrong x is named before its labels), then its labels, and returns the labels.</summary>
    private ReadOnlySpan<int> Labels(Tensor x, ReadOnlySpan<int> labels)
    {
        InputShapeGuard.Check(x, Config, nameof(x));
        CheckLabels(labels, x.Dim(0), nameof(labels));
        return labels;
    }

    private void CheckLabels(ReadOnlySpan<int> labels, int batch, string parameterName)
    {
        if (Config.Classes == 0)
        {
            throw new InvalidOperationException($"{Config.Name} is not conditional (its spec has no condition), so it takes no labels: use the overload without them.");
        }

        if (labels.Length != batch)
        {
            throw new ArgumentException($"{Config.Name} takes one label per sample: {batch} samples but {labels.Length} labels.", parameterName);
        }

        for (int i = 0; i < labels.Length; i++)
        {
            if ((uint)labels[i] >= (uint)Config.Classes)
            {
                throw new ArgumentOutOfRangeException(parameterName, labels[i],
                    $"{parameterName}[{i}] is {labels[i]}, outside 0..{Config.Classes - 1}: {Config.Name} has condition: {{ classes: {Config.Classes} }}.");
            }
        }
    }

    private void RequireUnconditional()
    {
        if (Config.Classes > 0)
        {
            throw new InvalidOperationException(
                $"{Config.Name} is a conditional VAE (condition: {{ classes: {Config.Classes} }}): it needs a label in 0..{Config.Classes - 1} per sample; use the overload that takes labels (Sample takes the classes to draw).");
        }
    }

    private LossTerms RunLoss(Tensor x, ReadOnlySpan<int> labels, Tensor? epsilon)
    {
        // A KL schedule reads t, the optimizer steps taken so far: the session's count, which checkpoints save.
        _loss.Step = _session?.Steps ?? 0;
        var (mu, logVar) = EncodeCore(x, labels);
        Tensor z = epsilon is null ? _reparameterize.Forward(mu, logVar) : _reparameterize.Forward(mu, logVar, epsilon);
        Tensor output = Decoder.Forward(DecoderInput(z, labels));
        double total = _loss.Forward(output, _input!, mu, logVar);
        return new LossTerms(total, _loss.Reconstruction, _loss.Kl);
    }

    private LossTerms RunGradients(Tensor x, ReadOnlySpan<int> labels, Tensor? epsilon)
    {
        ZeroGrad();
        LossTerms terms = RunLoss(x, labels, epsilon);
        _loss.Backward();
        Tensor gradZ = Decoder.Backward(_loss.GradReconstruction);

        // The one-hot labels are constants: of d loss / d concat(z, one_hot(y)) only the z part flows on.
        if (_decoderInput is not null)
        {
            gradZ = _decoderInput.Backward(gradZ);
        }

        // z feeds back into mu and logvar; the loss's KL gradients are the accumulators, as autograd's leaves.
        _reparameterize.Backward(gradZ, _loss.GradMu, _loss.GradLogVar);
        Tensor fromMu = FcMu.Backward(_loss.GradMu);
        Tensor fromLogVar = FcLogVar.Backward(_loss.GradLogVar);
        _gradEncoded = Tensor.Reuse(_gradEncoded, fromMu.Shape);
        CachedElementwise.Add(fromMu.Span, fromLogVar.Span, _gradEncoded.Span);
        Encoder.Backward(_headsInput is null ? _gradEncoded : _headsInput.Backward(_gradEncoded));
        return terms;
    }

    private Tensor ToDeclaredLayout(Tensor channelsFirst)
    {
        ReadOnlySpan<int> sample = Config.InputShape;
        _declared = Tensor.Reuse(_declared, stackalloc int[] { channelsFirst.Dim(0), sample[0], sample[1], sample[2] });
        LayoutTransform.FromChannelsFirst(channelsFirst, _declared, Config);
        return _declared;
    }

    private void CheckLatent(Tensor z, string parameterName)
    {
        ArgumentNullException.ThrowIfNull(z, parameterName);
        if (z.Rank != 2 || z.Dim(1) != Config.LatentDim || z.Dim(0) < 1)
        {
            throw new ArgumentException($"{Config.Name} decodes latent vectors shaped (B, {Config.LatentDim}), but got {z.ShapeString()}.", parameterName);
        }
    }
}
