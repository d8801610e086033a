"""Throughput of the PyTorch reference model of a spec: training and inference samples per second.

    OPENBLAS_NUM_THREADS=1 /usr/bin/python3 tools/torch/bench.py specs/fashion_mlp.vae.yaml \
        --batch 128 --seconds 3 [--threads 1,2] [--windows 3] [--warmup 3] [--json]

For each value T in --threads (default: 1), with torch.set_num_threads(T):
  * the model is rebuilt from the spec (tools/torch/spec_model.py, torch.manual_seed(--seed)), with
    a fresh torch.optim.Adam(lr=1e-3) (default betas/eps, no weight decay);
  * one fixed input batch is drawn once, uniform in the spec's input `range` (default [0, 1]),
    shape [batch] + input.shape in the declared layout (nhwc stays nhwc; the model permutes and
    divides by `scale` itself). Making the data is not timed and the same batch is reused;
  * training, model.train(): one timed step is
        optimizer.zero_grad(set_to_none=True); loss = mean_i(recon_i + beta * kl_i)  (forward:
        encode, reparameterize with torch.randn_like noise, decode, loss; tools/torch/vae_loss.py);
        loss.backward(); optimizer.step()
    After --warmup untimed steps, --seconds of wall time are split into --windows equal windows;
    in each window, steps run back to back until time.perf_counter() shows the window used up
    (the last step finishes, so a window is never shorter than its length), and the rate is
    steps * batch / measured elapsed time. train_samples_per_s is the best window.
  * inference, model.eval() and torch.inference_mode(): one timed step is model(x) = encode +
    reparameterize (torch.randn_like noise) + decode (+ the view permuting back to nhwc).
    Same warm-up and windows; infer_samples_per_s is the best window.
So each thread count costs about 2 * --seconds plus warm-up.

Output: a table (or with --json a single JSON object on stdout)
    {"spec": path, "batch": B, "results": [{"threads": T, "train_samples_per_s": ..,
     "infer_samples_per_s": ..}, ...], "best": {"train": .., "infer": ..}}
where best is the maximum over the thread counts.

Memory note: by default the tool first pins glibc malloc's mmap and trim thresholds
(tools/torch/malloc_tuning.py) so freed step temporaries stay in the heap; without that, this
machine showed ~1600 page faults per fashion_mlp training step and 3-4x lower training throughput,
depending on the process's allocation history. --no-malloc-tuning measures without it.

Thread note: Debian's PyTorch runs ATen ops (convolutions via oneDNN, elementwise ops) on OpenMP,
which torch.set_num_threads controls, but nn.Linear's matrix products go to OpenBLAS, whose thread
count OPENBLAS_NUM_THREADS=1 fixes at 1 whatever torch.set_num_threads says. --openblas-follow
makes OpenBLAS use T threads as well (openblas_set_num_threads through ctypes); off by default.
"""
import argparse
import ctypes
import ctypes.util
import json
import os
import sys
import time

import torch

sys.path.insert(0, os.path.dirname(os.path.abspath(__file__)))
import malloc_tuning  # noqa: E402
import spec_model  # noqa: E402
import vae_loss  # noqa: E402


def random_input(spec, batch, generator):
    inp = spec["input"]
    lo, hi = (float(v) for v in inp.get("range", [0, 1]))
    shape = (batch,) + tuple(int(d) for d in inp["shape"])
    return torch.rand(shape, generator=generator) * (hi - lo) + lo


def measure(step, batch, seconds, windows, warmup):
    """Best samples/s over `windows` windows of seconds/windows each (see the module docstring)."""
    for _ in range(warmup):
        step()
    window = seconds / windows
    best = 0.0
    for _ in range(windows):
        steps = 0
        start = time.perf_counter()
        while True:
            step()
            steps += 1
            elapsed = time.perf_counter() - start
            if elapsed >= window:
                break
        best = max(best, steps * batch / elapsed)
    return best


def openblas_setter():
    """openblas_set_num_threads from the loaded OpenBLAS, or None."""
    for name in ("libopenblas.so.0", ctypes.util.find_library("openblas")):
        if not name:
            continue
        try:
            return ctypes.CDLL(name).openblas_set_num_threads
        except (OSError, AttributeError):
            continue
    return None


def bench_one(spec, threads, batch, seconds, windows, warmup, seed, blas_set):
    torch.set_num_threads(threads)
    if blas_set is not None:
        blas_set(threads)
    torch.manual_seed(seed)
    model = spec_model.build_model(spec)
    loss_spec = vae_loss.LossSpec(spec)
    x = random_input(spec, batch, torch.Generator().manual_seed(seed + 1))
    optimizer = torch.optim.Adam(model.parameters(), lr=1e-3)

    def train_step():
        optimizer.zero_grad(set_to_none=True)
        loss = vae_loss.batch_loss(model, loss_spec, x)
        loss.backward()
        optimizer.step()

    model.train()
    train = measure(train_step, batch, seconds, windows, warmup)

    def infer_step():
        model(x)

    model.eval()
    with torch.inference_mode():
        infer = measure(infer_step, batch, seconds, windows, warmup)
    return {"threads": threads, "train_samples_per_s": train, "infer_samples_per_s": infer}


def main(argv=None):
    ap = argparse.ArgumentParser(description=__doc__.split("\n")[0])
    ap.add_argument("spec")
    ap.add_argument("--batch", type=int, default=64)
    ap.add_argument("--seconds", type=float, default=3.0, help="timed seconds per phase (train, infer) per thread count")
    ap.add_argument("--threads", default="1", help="comma-separated torch.set_num_threads values (default 1)")
    ap.add_argument("--windows", type=int, default=3, help="the timed seconds are split into this many windows; best counts")
    ap.add_argument("--warmup", type=int, default=3, help="untimed steps before each phase")
    ap.add_argument("--seed", type=int, default=0)
    ap.add_argument("--openblas-follow", action="store_true",
                    help="also set OpenBLAS's thread count to each --threads value (see the docstring)")
    ap.add_argument("--no-malloc-tuning", action="store_true",
                    help="leave glibc malloc's thresholds at their defaults (see the docstring)")
    ap.add_argument("--json", action="store_true")
    args = ap.parse_args(argv)
    if not args.no_malloc_tuning and not malloc_tuning.keep_freed_memory():
        print("warning: could not set glibc malloc thresholds", file=sys.stderr)

    thread_counts = [int(t) for t in args.threads.split(",") if t.strip()]
    if not thread_counts or min(thread_counts) < 1 or args.batch < 1 or args.seconds <= 0 or args.windows < 1:
        ap.error("need --threads >= 1, --batch >= 1, --seconds > 0, --windows >= 1")
    blas_set = None
    if args.openblas_follow:
        blas_set = openblas_setter()
        if blas_set is None:
            print("warning: OpenBLAS not found; --openblas-follow ignored", file=sys.stderr)

    spec = spec_model.load_spec(args.spec)
    results = [bench_one(spec, t, args.batch, args.seconds, args.windows, args.warmup, args.seed, blas_set)
               for t in thread_counts]
    best = {"train": max(r["train_samples_per_s"] for r in results),
            "infer": max(r["infer_samples_per_s"] for r in results)}
    report = {"spec": args.spec, "batch": args.batch, "results": results, "best": best}
    if args.json:
        json.dump(report, sys.stdout)
        sys.stdout.write("\n")
        return
    params = sum(p.numel() for p in spec_model.build_model(spec).parameters())
    print(f"spec {args.spec}  batch {args.batch}  parameters {params}  torch {torch.__version__}"
          f"  {args.seconds:g}s per phase in {args.windows} windows (best window)"
          f"{'  no malloc tuning' if args.no_malloc_tuning else ''}{'  openblas follows' if blas_set else ''}")
    print(f"{'threads':>7}  {'train samples/s':>16}  {'infer samples/s':>16}")
    for r in results:
        print(f"{r['threads']:>7}  {r['train_samples_per_s']:>16.1f}  {r['infer_samples_per_s']:>16.1f}")
    print(f"{'best':>7}  {best['train']:>16.1f}  {best['infer']:>16.1f}")


if __name__ == "__main__":
    main()
