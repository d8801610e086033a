using System;
using System.Collections.Generic;
using System.Runtime.Intrinsics;
using VaeGen.Runtime.Kernels;
using VaeGen.Runtime.Tensors;

namespace VaeGen.Runtime.Optim;

/// <summary>
/// Adam with the semantics of torch 1.13's single-tensor <c>torch.optim.Adam</c>: weight decay is
/// L2 (added to the gradient, not AdamW), step_size = lr / (1 - beta1^t),
/// denom = sqrt(exp_avg_sq) / sqrt(1 - beta2^t) + eps, param -= step_size * exp_avg / denom.
/// </summary>
/// <remarks>
/// Scalars are formed in double like Python does and applied in float like PyTorch's kernels.
/// The state (per-parameter step, exp_avg, exp_avg_sq) is exposed through <see cref="StateDict"/>
/// as live <see cref="StateTensor"/>s named <c>{param}.step</c>, <c>{param}.exp_avg</c> and
/// <c>{param}.exp_avg_sq</c>, so it saves and loads with the same safetensors code as the model
/// and training resumes exactly.
/// </remarks>
public sealed class Adam
{
    private readonly Slot[] _slots;

    /// <summary>Creates the optimizer over named parameters (e.g. from <c>model.NamedParameters()</c>).</summary>
    /// <param name="parameters">The parameters to update.</param>
    /// <param name="lr">Learning rate.</param>
    /// <param name="beta1">Decay of the first moment.</param>
    /// <param name="beta2">Decay of the second moment.</param>
    /// <param name="eps">Added to the denominator.</param>
    /// <param name="weightDecay">L2 penalty added to the gradient.</param>
    public Adam(IReadOnlyList<NamedParameter> parameters, double lr = 1e-3, double beta1 = 0.9, double beta2 = 0.999, double eps = 1e-8, double weightDecay = 0)
    {
        ArgumentNullException.ThrowIfNull(parameters);
        if (!(lr >= 0) || !(eps >= 0) || !(weightDecay >= 0) || !(beta1 >= 0 && beta1 < 1) || !(beta2 >= 0 && beta2 < 1))
        {
            throw new ArgumentOutOfRangeException(nameof(parameters), "Adam needs lr, eps, weight_decay >= 0 and betas in [0, 1).");
        }

        var names = new HashSet<string>(StringComparer.Ordinal);
        _slots = new Slot[parameters.Count];
        for (int i = 0; i < parameters.Count; i++)
        {
            NamedParameter p = parameters[i];
            if (!names.Add(p.Name))
            {
                throw new ArgumentException($"Parameter name '{p.Name}' appears twice.", nameof(parameters));
            }

            _slots[i] = new Slot(p.Name, p.Parameter);
        }

        LearningRate = lr;
        Beta1 = beta1;
        Beta2 = beta2;
        Eps = eps;
        WeightDecay = weightDecay;
    }

    /// <summary>Learning rate; may be changed between steps (schedules).</summary>
    public double LearningRate { get; set; }

    /// <summary>beta1.</summary>
    public double Beta1 { get; }

    /// <summary>beta2.</summary>
    public double Beta2 { get; }

    /// <summary>eps.</summary>
    public double Eps { get; }

    /// <summary>L2 weight decay.</summary>
    public double WeightDecay { get; }

    /// <summary>
    /// The number of steps taken: t in the bias corrections. Every parameter's <c>{param}.step</c> entry
    /// holds it (as torch keeps one per parameter), so loading the state dict restores it.
    /// </summary>
    public long Steps => _slots.Length == 0 ? 0 : _slots[0].Step[0];

    /// <summary>Clears every parameter's gradient.</summary>
    public void ZeroGrad()
    {
        foreach (Slot s in _slots)
        {
            s.Parameter.ZeroGrad();
        }
    }

    /// <summary>Applies one update to every parameter from its current gradient.</summary>
    public void Step()
    {
        foreach (Slot s in _slots)
        {
            long step = ++s.Step[0];
            double biasCorrection1 = 1 - Math.Pow(Beta1, step);
            double biasCorrection2 = 1 - Math.Pow(Beta2, step);
            double stepSize = LearningRate / biasCorrection1;
            double biasCorrection2Sqrt = Math.Sqrt(biasCorrection2);
            var update = new Update(
                s.Parameter.Value.Data,
                s.Parameter.Grad.Data,
                s.ExpAvg,
                s.ExpAvgSq,
                (float)Beta1,
                (float)(1 - Beta1),
                (float)Beta2,
                (float)(1 - Beta2),
                (float)WeightDecay,
                (float)biasCorrection2Sqrt,
                (float)Eps,
                (float)-stepSize);
            ForkJoin.Run(update, ForkJoin.PartsForElements(s.ExpAvg.Length));
        }
    }

    /// <summary>
    /// The optimizer state as live entries (step as an int64 scalar, moments as float32 shaped like
    /// the parameter); write them with SafeTensorsWriter and read them back with StateLoader to resume.
    /// </summary>
    public List<StateTensor> StateDict()
    {
        var list = new List<StateTensor>(_slots.Length * 3);
        foreach (Slot s in _slots)
        {
            int[] shape = s.Parameter.Value.Shape.ToArray();
            list.Add(new StateTensor(s.Name + ".step", Array.Empty<int>(), s.Step));
            list.Add(new StateTensor(s.Name + ".exp_avg", shape, s.ExpAvg));
            list.Add(new StateTensor(s.Name + ".exp_avg_sq", shape, s.ExpAvgSq));
        }

        return list;
    }

    /// <summary>float's smallest positive normal value, 2^-126.</summary>
    private const float MinNormal = 1.17549435E-38f;

    /// <summary>
    /// One parameter's update; part p of P updates a contiguous range of its elements. Elementwise, and the vector and
    /// scalar paths agree (see <see cref="Apply"/>), so the split does not change a bit.
    /// </summary>
    private readonly struct Update : IForkJoinBody
    {
        private readonly float[] _param;
        private readonly float[] _grad;
        private readonly float[] _expAvg;
        private readonly float[] _expAvgSq;
        private readonly Coefficients _k;

        public Update(
            float[] param, float[] grad, float[] expAvg, float[] expAvgSq,
            float beta1, float oneMinusBeta1, float beta2, float oneMinusBeta2,
            float weightDecay, float bc2Sqrt, float eps, float negStepSize)
        {
            _param = param;
            _grad = grad;
            _expAvg = expAvg;
            _expAvgSq = expAvgSq;
            _k = new Coefficients(beta1, oneMinusBeta1, beta2, oneMinusBeta2, weightDecay, bc2Sqrt, eps, negStepSize);
        }

        public void Run(int part, int parts)
        {
            // Ranges start on whole vectors, so every part but the last runs the vector loop only.
            (int lo, int hi) = ForkJoin.ShareBlocks(_param.Length, part, parts);
            Apply(_param.AsSpan(lo, hi - lo), _grad.AsSpan(lo, hi - lo), _expAvg.AsSpan(lo, hi - lo), _expAvgSq.AsSpan(lo, hi - lo), _k);
        }
    }

    /// <summary>The step's scalars, formed in double and rounded to float once.</summary>
    private readonly record struct Coefficients(
        float Beta1, float OneMinusBeta1, float Beta2, float OneMinusBeta2, float WeightDecay, float Bc2Sqrt, float Eps, float NegStepSize);

    private static void Apply(Span<float> param, ReadOnlySpan<float> grad, Span<float> expAvg, Span<float> expAvgSq, in Coefficients k)
    {
        (float beta1, float oneMinusBeta1, float beta2, float oneMinusBeta2, float weightDecay, float bc2Sqrt, float eps, float negStepSize) = k;

        // The vector and scalar paths do the same float operations in the same order (no FMA),
        // so the result does not depend on where the vector loop ends.
        //
        // Moments below float's smallest normal are stored as 0. A moment that decays through the subnormal range
        // (a weight whose gradient is 0 or tiny for a while: a border pixel, a dead unit) otherwise costs a
        // microcode assist in every multiply for thousands of steps: after a 3 s benchmark 3% of seed000's and 19%
        // of fashion_mlp's moments were subnormal and Adam took half of seed000's step. What the flush drops is
        // below 1.2e-38, under a last bit of any parameter it would move (m / (sqrt(v) + eps) with eps = 1e-8).
        int i = 0;
        if (Vector256.IsHardwareAccelerated)
        {
            var vb1 = Vector256.Create(beta1);
            var v1b1 = Vector256.Create(oneMinusBeta1);
            var vb2 = Vector256.Create(beta2);
            var v1b2 = Vector256.Create(oneMinusBeta2);
            var vwd = Vector256.Create(weightDecay);
            var vbc2 = Vector256.Create(bc2Sqrt);
            var veps = Vector256.Create(eps);
            var vstep = Vector256.Create(negStepSize);
            var normal = Vector256.Create(MinNormal);
            for (; i <= param.Length - Vector256<float>.Count; i += Vector256<float>.Count)
            {
                Vector256<float> p = Vector256.Create(param.Slice(i));
                Vector256<float> g = Vector256.Create(grad.Slice(i));
                if (weightDecay != 0f)
                {
                    g += p * vwd;
                }

                Vector256<float> m = (Vector256.Create((ReadOnlySpan<float>)expAvg.Slice(i)) * vb1) + (g * v1b1);
                Vector256<float> v = (Vector256.Create((ReadOnlySpan<float>)expAvgSq.Slice(i)) * vb2) + (v1b2 * g * g);
                m = Vector256.ConditionalSelect(Vector256.LessThan(Vector256.Abs(m), normal), Vector256<float>.Zero, m);
                v = Vector256.ConditionalSelect(Vector256.LessThan(v, normal), Vector256<float>.Zero, v);
                Vector256<float> denom = (Vector256.Sqrt(v) / vbc2) + veps;
                p += vstep * (m / denom);
                m.CopyTo(expAvg.Slice(i));
                v.CopyTo(expAvgSq.Slice(i));
                p.CopyTo(param.Slice(i));
            }
        }

        for (; i < param.Length; i++)
        {
            float g = grad[i];
            if (weightDecay != 0f)
            {
                g += param[i] * weightDecay;
            }

            float m = (expAvg[i] * beta1) + (g * oneMinusBeta1);
            float v = (expAvgSq[i] * beta2) + (oneMinusBeta2 * g * g);
            m = MathF.Abs(m) < MinNormal ? 0f : m;
            v = v < MinNormal ? 0f : v;
            float denom = (MathF.Sqrt(v) / bc2Sqrt) + eps;
            param[i] += negStepSize * (m / denom);
            expAvg[i] = m;
            expAvgSq[i] = v;
        }
    }

    private sealed class Slot
    {
        public Slot(string name, Parameter parameter)
        {
            Name = name;
            Parameter = parameter;
            ExpAvg = new float[parameter.Value.Length];
            ExpAvgSq = new float[parameter.Value.Length];
        }

        public string Name { get; }

        public Parameter Parameter { get; }

        public long[] Step { get; } = new long[1];

        public float[] ExpAvg { get; }

        public float[] ExpAvgSq { get; }
    }
}
