using System;
using System.Collections.Generic;
using VaeGen.Runtime.Init;
using VaeGen.Runtime.Kernels;
using VaeGen.Runtime.Tensors;

namespace VaeGen.Runtime.Models;

/// <content>
/// Inference split by samples: inside <see cref="InferenceMode"/>, a batch's encode, decode or forward pass is cut into
/// one slice of samples per thread (when there are at least <see cref="MinSamplesPerSlice"/> samples for each), and each thread runs every layer of a model of its own on its slice, from the first
/// layer to the last, with no fork or join in between. This model computes the first slice; replicas with copies of its
/// weights (<see cref="CreateReplica"/>) compute the others.
/// </content>
/// <remarks>
/// <para>
/// Why: a small model's layers are too small to split well. Each split layer forks and joins, and the layer after it
/// reads back from the other core's cache the half of its input that core wrote. Two threads each running a whole
/// model on half the batch gave 1.67-1.88x one thread on seed000, fashion_mlp and fashion_conv, where the layers split
/// over two threads gave 1.0-1.4x (docs/performance.md).
/// </para>
/// <para>
/// The bits do not change: every layer computes a sample the same way in a batch of any size (a linear layer's
/// products never take the dot-product path, whose choice depends on the rows: <c>Sgemm</c>), and a slice's normals
/// are the ones a single thread would draw for those samples, since its replica's stream starts where the samples
/// before it end (<see cref="Rng.SkipNormals"/>). After the pass this model's stream is where one thread's would be.
/// </para>
/// </remarks>
public partial class VaeModel
{
    /// <summary>A slice gets at least this many samples, so a pass is split only where each thread has real work.</summary>
    internal const int MinSamplesPerSlice = 16;

    /// <summary>
    /// Only models with at most this many weights (8 MiB of floats) are sliced. Each replica reads its own copy of the
    /// weights, and its own packed copy; where those no longer fit in the caches beside the other thread's, the threads
    /// wait on memory, and a model's large layers split well over the threads anyway. Interleaved InferenceMode passes
    /// on the 2-core development VM, sliced against split layer by layer: seed000 (0.15M weights) 1.23-1.32x,
    /// fashion_mlp (0.65M) 1.15x, fashion_conv (1.7M) 1.04-1.05x, seed002_rgb64 (2.9M) 0.95-0.97x, VanillaVAE (3.9M)
    /// 0.93x (docs/performance.md).
    /// </summary>
    internal const long MaxSlicedWeights = 1L << 21;

    private BatchSlices? _slices;

    /// <summary>All parameters' elements together, counted on first need (<see cref="WeightCount"/>); -1 until then.</summary>
    private long _weightCount = -1;

    /// <summary>Set once <see cref="CreateReplica"/> has returned null: passes then stay on this model.</summary>
    private bool _noReplicas;

    /// <summary>How many passes have been split by samples (tests check that the sliced path was taken).</summary>
    internal int SlicedPasses { get; private set; }

    /// <summary>Whether inference passes are split by samples at all; benchmarks switch it to time both ways in one process.</summary>
    internal static bool SliceBatches { get; set; } = true;

    /// <summary>What a sliced pass computes.</summary>
    private enum SlicedPass
    {
        Encode,
        Decode,
        Forward,
    }

    /// <summary>
    /// A new model with the same layers as this one, whose weights are then overwritten with this model's: inside
    /// <see cref="InferenceMode"/> it computes a slice of each batch on another thread. Generated classes return a new
    /// instance of themselves. The default, null, keeps every pass on this model, whose layers still use every thread.
    /// </summary>
    /// <returns>The replica, or null.</returns>
    protected virtual VaeModel? CreateReplica() => null;

    /// <summary>How many slices a pass over <paramref name="batch"/> samples is cut into here and now (1: not cut).</summary>
    private int SliceCount(int batch)
    {
        if (_inferenceScopes == 0 || !SliceBatches || _noReplicas || WeightCount > MaxSlicedWeights)
        {
            return 1;
        }

        // Only when every thread gets a slice: each slice runs on one thread, so fewer slices than threads would leave
        // cores idle that the layers, split over all of them, would use (a batch of 128 on 64 cores stays split by
        // layer). On a slice's own thread MaxThreads reads 1, so a replica never slices again.
        int slices = Sgemm.MaxThreads;
        if (slices < 2 || batch / MinSamplesPerSlice < slices)
        {
            return 1;
        }

        _slices ??= new BatchSlices(this);
        if (!_slices.EnsureReplicas(slices - 1))
        {
            _noReplicas = true;
            _slices = null;
            return 1;
        }

        return slices;
    }

    /// <summary>How many weights the model has, all parameters' elements together.</summary>
    private long WeightCount
    {
        get
        {
            if (_weightCount < 0)
            {
                long count = 0;
                foreach (NamedParameter named in _parameters)
                {
                    count += named.Parameter.Value.Length;
                }

                _weightCount = count;
            }

            return _weightCount;
        }
    }

    /// <summary>The replicas' weights are stale (new weights loaded inside the scope).</summary>
    private void SlicesWeightsChanged() => _slices?.WeightsChanged();

    /// <summary>Ends the replicas' scopes and lets them go with the outermost <see cref="InferenceMode"/> scope.</summary>
    private void ReleaseSlices()
    {
        _slices?.Release();
        _slices = null;
    }

    /// <summary>
    /// This model's slice 0 and its replicas' later slices of one pass, each on a thread of its own, writing into
    /// whole-batch outputs that this object owns.
    /// </summary>
    private sealed class BatchSlices
    {
        private readonly VaeModel _owner;
        private readonly List<Part> _parts = new();
        private readonly bool _conditional;

        /// <summary>The owner's noise stream before a pass that draws, which each later slice skips ahead from; then the last slice's after it.</summary>
        private readonly long[] _noiseState = new long[Rng.StateLength];
        private int _weightsVersion;

        // The pass being run: set on the calling thread before the fork, read by every part.
        private SlicedPass _pass;
        private Tensor _source = null!;
        private Tensor? _epsilon;
        private int[] _labels = Array.Empty<int>();
        private Tensor? _reconstruction;
        private Tensor? _mu;
        private Tensor? _logVar;

        public BatchSlices(VaeModel owner)
        {
            _owner = owner;
            _conditional = owner.Config.Classes > 0;
            _parts.Add(new Part(owner, scope: null, pairs: null));
        }

        /// <summary>Makes sure there are <paramref name="replicas"/> replicas; false if the model makes none.</summary>
        public bool EnsureReplicas(int replicas)
        {
            while (_parts.Count <= replicas)
            {
                VaeModel? replica = _owner.CreateReplica();
                if (replica is null)
                {
                    return false;
                }

                List<StateTensor> from = _owner.StateDict();
                List<StateTensor> to = replica.StateDict();
                if (replica.GetType() != _owner.GetType() || !SameEntries(from, to))
                {
                    throw new InvalidOperationException(
                        $"{_owner.GetType().Name}.CreateReplica must return a new model with the same layers and weights' shapes; it returned a {replica.GetType().Name}.");
                }

                var pairs = new (StateTensor From, StateTensor To)[from.Count];
                for (int i = 0; i < pairs.Length; i++)
                {
                    pairs[i] = (from[i], to[i]);
                }

                // Its scope holds its weights constant, so its layers pack them once, as this model's do.
                _parts.Add(new Part(replica, replica.InferenceMode(), pairs) { WeightsVersion = -1 });
            }

            return true;
        }

        public void WeightsChanged() => _weightsVersion++;

        public void Release()
        {
            foreach (Part part in _parts)
            {
                part.Scope?.Dispose();
            }

            _parts.Clear();
        }

        /// <summary>Runs <paramref name="pass"/> over <paramref name="source"/> (x or z) in <paramref name="slices"/> slices.</summary>
        public (Tensor? Reconstruction, Tensor? Mu, Tensor? LogVar) Run(SlicedPass pass, Tensor source, ReadOnlySpan<int> labels, Tensor? epsilon, int slices)
        {
            int batch = source.Dim(0);
            int latent = _owner.Config.LatentDim;
            for (int p = 1; p < slices; p++)
            {
                _parts[p].TakeWeights(_weightsVersion);
            }

            _pass = pass;
            _source = source;
            _epsilon = epsilon;
            if (_conditional)
            {
                if (_labels.Length != batch)
                {
                    _labels = new int[batch];
                }

                labels.CopyTo(_labels);
            }

            if (pass != SlicedPass.Decode)
            {
                _mu = Tensor.Reuse(_mu, stackalloc int[] { batch, latent });
                _logVar = Tensor.Reuse(_logVar, stackalloc int[] { batch, latent });
            }

            if (pass != SlicedPass.Encode)
            {
                ReadOnlySpan<int> sample = _owner.Config.InputShape;
                _reconstruction = Tensor.Reuse(_reconstruction, stackalloc int[] { batch, sample[0], sample[1], sample[2] });
            }

            bool draws = pass == SlicedPass.Forward && epsilon is null;
            if (draws)
            {
                _owner._noise.SaveState(_noiseState);
            }

            ForkJoin.Run(new SliceBody(this), slices);
            _owner.SlicedPasses++;
            if (draws)
            {
                // The last slice drew the batch's last normals: this model's stream goes on from there.
                _parts[slices - 1].Model._noise.SaveState(_noiseState);
                _owner._noise.RestoreState(_noiseState);
            }

            _source = null!;
            _epsilon = null;
            return (pass == SlicedPass.Encode ? null : _reconstruction, _mu, _logVar);
        }

        private void RunPart(int p, int parts)
        {
            using Sgemm.AloneScope alone = Sgemm.OnThisThreadAlone();
            (int first, int end) = ForkJoin.Share(_source.Dim(0), p, parts);
            int count = end - first;
            Part part = _parts[p];
            VaeModel model = part.Model;
            ReadOnlySpan<int> labels = _conditional ? _labels.AsSpan(first, count) : default;
            if (_pass == SlicedPass.Decode)
            {
                CopyRows(model.DecodeCore(Rows(_source, first, count, ref part.Latents), labels), _reconstruction!, first);
                return;
            }

            var (mu, logVar) = model.EncodeCore(Rows(_source, first, count, ref part.Inputs), labels);
            CopyRows(mu, _mu!, first);
            CopyRows(logVar, _logVar!, first);
            if (_pass == SlicedPass.Encode)
            {
                return;
            }

            Tensor z;
            if (_epsilon is not null)
            {
                z = model._reparameterize.Forward(mu, logVar, Rows(_epsilon, first, count, ref part.Epsilon));
            }
            else
            {
                if (p > 0)
                {
                    // Where one thread's draws for the samples before this slice would have left the stream.
                    model._noise.RestoreState(_noiseState);
                    model._noise.SkipNormals((long)first * model.Config.LatentDim);
                }

                z = model._reparameterize.Forward(mu, logVar);
            }

            CopyRows(model.DecodeCore(z, labels), _reconstruction!, first);
        }

        /// <summary>Rows [first, first + count) of <paramref name="whole"/>, copied into a tensor the part keeps.</summary>
        private static Tensor Rows(Tensor whole, int first, int count, ref Tensor? kept)
        {
            Span<int> shape = stackalloc int[whole.Rank];
            whole.Shape.CopyTo(shape);
            shape[0] = count;
            kept = Tensor.Reuse(kept, shape);
            int perRow = whole.Length / whole.Dim(0);
            whole.Data.AsSpan(first * perRow, count * perRow).CopyTo(kept.Span);
            return kept;
        }

        private static void CopyRows(Tensor slice, Tensor whole, int first)
        {
            int perRow = whole.Length / whole.Dim(0);
            slice.Span.CopyTo(whole.Data.AsSpan(first * perRow, slice.Length));
        }

        private static bool SameEntries(List<StateTensor> a, List<StateTensor> b)
        {
            if (a.Count != b.Count)
            {
                return false;
            }

            for (int i = 0; i < a.Count; i++)
            {
                if (a[i].Name != b[i].Name || !a[i].Shape.SequenceEqual(b[i].Shape) || (a[i].Float32 is null) != (b[i].Float32 is null))
                {
                    return false;
                }
            }

            return true;
        }

        /// <summary>A model computing one slice, with the inputs it was handed last.</summary>
        private sealed class Part(VaeModel model, InferenceScope? scope, (StateTensor From, StateTensor To)[]? pairs)
        {
            public VaeModel Model { get; } = model;

            public InferenceScope? Scope { get; } = scope;

            public int WeightsVersion { get; set; }

            // The slice's rows of the last batch handed to it, one tensor for each kind so that alternating passes reuse them.
            public Tensor? Inputs;

            public Tensor? Latents;

            public Tensor? Epsilon;

            /// <summary>Copies the owner's weights and buffers (batch norm's running statistics) if they changed since.</summary>
            public void TakeWeights(int version)
            {
                if (pairs is null || WeightsVersion == version)
                {
                    return;
                }

                foreach (var (from, to) in pairs)
                {
                    if (from.Float32 is { } values)
                    {
                        values.AsSpan().CopyTo(to.Float32);
                    }
                    else
                    {
                        from.Int64.AsSpan().CopyTo(to.Int64);
                    }
                }

                // Drops what its layers packed from the old weights.
                Model.HoldWeightsConstant(true);
                WeightsVersion = version;
            }
        }

        private readonly struct SliceBody(BatchSlices slices) : IForkJoinBody
        {
            public void Run(int part, int parts) => slices.RunPart(part, parts);
        }
    }
}
