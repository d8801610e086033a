using System;

namespace VaeGen.Runtime.Losses;

/// <summary>
/// How the KL term is weighted over training (spec 1.1 <c>kl:</c>), as a function of t, the count of
/// optimizer steps taken so far (<see cref="Models.TrainingSession.Steps"/>, saved in checkpoints).
/// </summary>
public sealed class KlSchedule
{
    private KlSchedule(long warmupSteps, double capacityMax, long capacitySteps, double gamma)
    {
        WarmupSteps = warmupSteps;
        CapacityMax = capacityMax;
        CapacitySteps = capacitySteps;
        Gamma = gamma;
    }

    /// <summary>N of a warm-up (0 for a capacity schedule or a warm-up that is off).</summary>
    public long WarmupSteps { get; }

    /// <summary>Whether this is a capacity schedule.</summary>
    public bool IsCapacity => CapacitySteps > 0;

    /// <summary>C, the final capacity in nats.</summary>
    public double CapacityMax { get; }

    /// <summary>T, the steps over which the capacity grows.</summary>
    public long CapacitySteps { get; }

    /// <summary>g, the weight of |mean KL - C_t|.</summary>
    public double Gamma { get; }

    /// <summary>KL warm-up (Bowman et al. 2016): at step t the KL weight is beta * min(1, t / N); N = 0 is off.</summary>
    /// <param name="steps">N (>= 0).</param>
    public static KlSchedule Warmup(long steps)
    {
        ArgumentOutOfRangeException.ThrowIfNegative(steps);
        return new KlSchedule(steps, 0, 0, 0);
    }

    /// <summary>KL capacity (Burgess et al. 2018): loss = mean(recon) + gamma * |mean(kl) - C_t|, C_t = max * min(1, t / steps).</summary>
    /// <param name="max">C (>= 0).</param>
    /// <param name="steps">T (>= 1).</param>
    /// <param name="gamma">g (> 0).</param>
    public static KlSchedule Capacity(double max, long steps, double gamma)
    {
        if (!(max >= 0) || double.IsInfinity(max))
        {
            throw new ArgumentOutOfRangeException(nameof(max), max, "The capacity must be a number >= 0.");
        }

        ArgumentOutOfRangeException.ThrowIfLessThan(steps, 1);
        if (!(gamma > 0) || double.IsInfinity(gamma))
        {
            throw new ArgumentOutOfRangeException(nameof(gamma), gamma, "Gamma must be a positive number.");
        }

        return new KlSchedule(0, max, steps, gamma);
    }

    /// <summary>The warm-up's KL weight at step <paramref name="step"/>: beta * min(1, t / N), beta when N is 0.</summary>
    /// <param name="beta">The spec's beta.</param>
    /// <param name="step">t.</param>
    public double Weight(double beta, long step) => WarmupSteps == 0 ? beta : beta * Math.Min(1.0, (double)step / WarmupSteps);

    /// <summary>C_t = C * min(1, t / T).</summary>
    /// <param name="step">t.</param>
    public double CapacityAt(long step) => CapacityMax * Math.Min(1.0, (double)step / CapacitySteps);
}
