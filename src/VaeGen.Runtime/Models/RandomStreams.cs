using System;
using System.Collections.Generic;
using VaeGen.Runtime.Init;
using VaeGen.Runtime.Layers;
using VaeGen.Runtime.Tensors;

namespace VaeGen.Runtime.Models;

/// <summary>
/// Every random stream a model draws from, by name: <c>rng.noise</c> (eps and samples) and one
/// <c>rng.encoder.{i}</c> / <c>rng.decoder.{i}</c> per dropout layer. Their states save with the
/// weights and the optimizer, so a resumed run draws exactly what an uninterrupted one would have.
/// </summary>
public sealed class RandomStreams
{
    private const string NoiseName = "rng.noise";

    private readonly Rng _noise;
    private readonly List<(string Name, Rng Rng)> _streams;

    /// <summary>Registers the noise stream and the stream of every dropout layer in the encoder and decoder.</summary>
    /// <param name="noise">The stream eps and samples are drawn from.</param>
    /// <param name="encoder">The encoder, state_dict prefix <c>encoder.</c>.</param>
    /// <param name="decoder">The decoder, state_dict prefix <c>decoder.</c>.</param>
    public RandomStreams(Rng noise, Sequential encoder, Sequential decoder)
    {
        ArgumentNullException.ThrowIfNull(noise);
        ArgumentNullException.ThrowIfNull(encoder);
        ArgumentNullException.ThrowIfNull(decoder);
        _noise = noise;
        _streams = [(NoiseName, noise)];
        foreach (var (prefix, sequential) in new[] { ("encoder.", encoder), ("decoder.", decoder) })
        {
            foreach (var (name, layer) in sequential.Children)
            {
                if (layer is Dropout dropout)
                {
                    _streams.Add(("rng." + prefix + name, dropout.Random));
                }
            }
        }
    }

    /// <summary>The noise stream's state as a live int64 entry named <c>rng.noise</c>.</summary>
    public StateTensor NoiseState() => Entry(NoiseName, _noise);

    /// <summary>Restores the noise stream from an entry produced by <see cref="NoiseState"/> (after loading its values).</summary>
    /// <param name="state">The entry, whose values have been filled from a checkpoint.</param>
    public void RestoreNoiseState(StateTensor state)
    {
        ArgumentNullException.ThrowIfNull(state);
        _noise.RestoreState(state.Int64 ?? throw new ArgumentException("The noise state is int64.", nameof(state)));
    }

    /// <summary>Every stream's state as int64 entries, the noise stream first, then the dropout layers in order.</summary>
    public List<StateTensor> State()
    {
        var list = new List<StateTensor>(_streams.Count);
        foreach (var (name, rng) in _streams)
        {
            list.Add(Entry(name, rng));
        }

        return list;
    }

    /// <summary>Restores the streams from entries shaped as <see cref="State"/> returns them.</summary>
    /// <param name="state">The entries, with their values loaded.</param>
    /// <exception cref="ArgumentException">An entry is missing or is not a saved RNG state; nothing is changed then.</exception>
    public void Restore(IReadOnlyList<StateTensor> state)
    {
        ArgumentNullException.ThrowIfNull(state);
        var byName = new Dictionary<string, StateTensor>(StringComparer.Ordinal);
        foreach (StateTensor entry in state)
        {
            byName[entry.Name] = entry;
        }

        var targets = new List<(Rng Rng, long[] Values)>(_streams.Count);
        foreach (var (name, rng) in _streams)
        {
            if (!byName.TryGetValue(name, out StateTensor? entry) || entry.Int64 is null || entry.Int64.Length != Rng.StateLength)
            {
                throw new ArgumentException($"The random state has no int64[{Rng.StateLength}] entry '{name}'.", nameof(state));
            }

            targets.Add((rng, entry.Int64));
        }

        // Validate every entry before restoring any, so a bad checkpoint changes nothing.
        var probe = new Rng(0);
        foreach (var (_, values) in targets)
        {
            probe.RestoreState(values);
        }

        foreach (var (rng, values) in targets)
        {
            rng.RestoreState(values);
        }
    }

    private static StateTensor Entry(string name, Rng rng)
    {
        var state = new long[Rng.StateLength];
        rng.SaveState(state);
        return new StateTensor(name, new[] { Rng.StateLength }, state);
    }
}
