using System;
using System.Numerics;
using TensorPrimitives = System.Numerics.Tensors.TensorPrimitives;
using VaeGen.Runtime.Init;
using VaeGen.Runtime.Tensors;

namespace VaeGen.Runtime.Layers;

/// <summary>
/// The VAE reparameterisation z = mu + exp(0.5 logvar) * eps with eps ~ N(0, 1) from a seeded
/// stream. In evaluation mode z = mu. Unlike a <see cref="Layer"/> it has two inputs.
/// </summary>
public sealed class Reparameterize
{
    private readonly Rng _rng;
    private Tensor? _mu;
    private Tensor? _z;
    private Tensor? _eps;
    private Tensor? _std;
    private bool _sampled;

    /// <summary>Creates the sampler.</summary>
    /// <param name="rng">The noise stream; kept and advanced.</param>
    public Reparameterize(Rng rng)
    {
        ArgumentNullException.ThrowIfNull(rng);
        _rng = rng;
    }

    /// <summary>Whether to sample (true) or return the mean (false).</summary>
    public bool Training { get; set; } = true;

    /// <summary>The noise drawn by the last training Forward.</summary>
    public Tensor Epsilon => _eps ?? throw new InvalidOperationException("No noise drawn yet.");

    /// <summary>Draws fresh noise and returns z (owned by this object).</summary>
    /// <param name="mu">Means [N, Z].</param>
    /// <param name="logVar">Log-variances [N, Z].</param>
    public Tensor Forward(Tensor mu, Tensor logVar)
    {
        ArgumentNullException.ThrowIfNull(mu);
        ArgumentNullException.ThrowIfNull(logVar);
        _eps = Tensor.Reuse(_eps, mu.Shape);
        if (Training)
        {
            _rng.FillNormal(_eps.Span);
        }

        return Forward(mu, logVar, _eps);
    }

    /// <summary>Returns z for given noise (owned by this object); in evaluation mode the noise is ignored.</summary>
    /// <param name="mu">Means [N, Z].</param>
    /// <param name="logVar">Log-variances [N, Z].</param>
    /// <param name="epsilon">Standard-normal noise [N, Z].</param>
    public Tensor Forward(Tensor mu, Tensor logVar, Tensor epsilon)
    {
        ArgumentNullException.ThrowIfNull(mu);
        ArgumentNullException.ThrowIfNull(logVar);
        ArgumentNullException.ThrowIfNull(epsilon);
        if (!mu.HasShape(logVar.Shape) || !mu.HasShape(epsilon.Shape))
        {
            throw new ArgumentException($"mu {mu.ShapeString()}, logvar {logVar.ShapeString()} and eps {epsilon.ShapeString()} must have one shape.");
        }

        _mu = mu;
        _eps = epsilon;
        _sampled = Training;
        _z = Tensor.Reuse(_z, mu.Shape);
        if (!_sampled)
        {
            mu.Span.CopyTo(_z.Span);
            return _z;
        }

        // std = exp(logvar / 2) is kept for Backward; vectorised, as a scalar exp per element was
        // a visible part of a small model's step.
        _std = Tensor.Reuse(_std, mu.Shape);
        TensorPrimitives.Multiply(logVar.Span, 0.5f, _std.Span);
        TensorPrimitives.Exp(_std.Span, _std.Span);
        TensorPrimitives.MultiplyAdd(_std.Span, epsilon.Span, mu.Span, _z.Span);
        return _z;
    }

    /// <summary>
    /// Adds dz/dmu and dz/dlogvar contributions into the given gradient tensors (typically the
    /// loss's KL gradients), as autograd accumulates into a shared leaf.
    /// </summary>
    /// <param name="gradZ">d loss / d z.</param>
    /// <param name="gradMu">Accumulates d loss / d mu += gradZ.</param>
    /// <param name="gradLogVar">Accumulates d loss / d logvar += gradZ * 0.5 * exp(0.5 logvar) * eps.</param>
    public void Backward(Tensor gradZ, Tensor gradMu, Tensor gradLogVar)
    {
        ArgumentNullException.ThrowIfNull(gradZ);
        ArgumentNullException.ThrowIfNull(gradMu);
        ArgumentNullException.ThrowIfNull(gradLogVar);
        Tensor mu = _mu ?? throw new InvalidOperationException("Reparameterize.Backward called before Forward.");
        if (!gradZ.HasShape(mu.Shape) || !gradMu.HasShape(mu.Shape) || !gradLogVar.HasShape(mu.Shape))
        {
            throw new ArgumentException($"Gradients must have the shape of mu {mu.ShapeString()}.");
        }

        TensorPrimitives.Add(gradMu.Span, gradZ.Span, gradMu.Span);
        if (!_sampled)
        {
            return;
        }

        // d z / d logvar = std * eps / 2, with std from Forward.
        ReadOnlySpan<float> gz = gradZ.Span;
        ReadOnlySpan<float> std = _std!.Span;
        ReadOnlySpan<float> eps = _eps!.Span;
        Span<float> glv = gradLogVar.Span;
        int i = 0;
        if (Vector.IsHardwareAccelerated)
        {
            int w = Vector<float>.Count;
            var half = new Vector<float>(0.5f);
            for (; i <= gz.Length - w; i += w)
            {
                (new Vector<float>(glv.Slice(i)) + (new Vector<float>(gz.Slice(i)) * half * new Vector<float>(std.Slice(i)) * new Vector<float>(eps.Slice(i)))).CopyTo(glv.Slice(i));
            }
        }

        for (; i < gz.Length; i++)
        {
            glv[i] += gz[i] * 0.5f * std[i] * eps[i];
        }
    }
}
