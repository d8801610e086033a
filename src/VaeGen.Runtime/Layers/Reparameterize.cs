using System;
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
    private Tensor? _logVar;
    private Tensor? _z;
    private Tensor? _eps;
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
        _logVar = logVar;
        _eps = epsilon;
        _sampled = Training;
        _z = Tensor.Reuse(_z, mu.Shape);
        float[] z = _z.Data;
        for (int i = 0; i < z.Length; i++)
        {
            z[i] = _sampled ? mu.Data[i] + (MathF.Exp(0.5f * logVar.Data[i]) * epsilon.Data[i]) : mu.Data[i];
        }

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

        float[] gz = gradZ.Data;
        for (int i = 0; i < gz.Length; i++)
        {
            gradMu.Data[i] += gz[i];
            if (_sampled)
            {
                gradLogVar.Data[i] += gz[i] * 0.5f * MathF.Exp(0.5f * _logVar!.Data[i]) * _eps!.Data[i];
            }
        }
    }
}
