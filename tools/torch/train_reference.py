"""Reference training run of a spec's PyTorch model on Fashion-MNIST (IDX files).

    OPENBLAS_NUM_THREADS=1 /usr/bin/python3 tools/torch/train_reference.py specs/fashion_mlp.vae.yaml \
        [--data /usr/share/datasets/fashion-mnist] [--epochs 10] [--batch 128] [--lr 1e-3] [--seed 0] \
        [--limit-train N] [--limit-test N] [--threads 1] [--json]

Data: {train,t10k}-images-idx3-ubyte, gzip-compressed (.gz, detected by its magic bytes) or raw,
parsed here with struct/numpy (no torchvision). The labels ({train,t10k}-labels-idx1-ubyte beside the
images) are read only for a conditional spec (spec 1.1 `condition: { classes: K }`): their count must
equal the images', and a label outside 0..K-1 stops the run naming the file and the first bad index,
as vaegen does; they then travel with their images through the shuffle into forward(x, labels). The 28x28 uint8 images are
mapped into the spec's input `range` [lo, hi] as lo + (byte / 255) * (hi - lo) -- for the fashion
specs (range [0, 255], scale 255) that is the byte value itself -- and shaped [N] + input.shape in
the declared layout (nhwc [28, 28, 1] or nchw [1, 28, 28]); the model divides by `scale` itself.
--limit-train N / --limit-test N keep the first N images of each file.

Training: torch.manual_seed(seed) before building the model (tools/torch/spec_model.py), so the
initial weights are PyTorch's default init under that seed; torch.optim.Adam(lr) with default
betas (0.9, 0.999), eps 1e-8, no weight decay, default (for-loop) implementation. Each epoch
shuffles the training set with torch.randperm from the same global generator and takes batches of
`batch` in that order, the last one smaller if N is not a multiple (no drop). The model is in train
mode; the reparameterization noise comes from the global generator (torch.randn_like). The loss is
mean_i(recon_i + beta * kl_i) as the spec says (tools/torch/vae_loss.py).

Before anything else the run pins glibc malloc's mmap and trim thresholds (tools/torch/
malloc_tuning.py) so that step temporaries are not returned to the kernel and faulted in again.

Reported per epoch:
  train_loss     mean over the epoch's training samples of the objective (recon_i + beta * kl_i, or the
                 kl schedule's at each step), as computed
                 during the epoch's training steps (each batch's loss at that step, weighted by
                 batch size), so it lags the model at the end of the epoch.
  test_neg_elbo  mean over the test images of the plain recon_i + kl_i (beta and a spec 1.1 kl schedule
                 shape only the training loss) with ONE sampled z per image,
                 z = mu + sigma * eps (not z = mu): the single-sample Monte Carlo estimate of the
                 negative ELBO (exactly -ELBO when beta = 1 and recon_i is a log-likelihood, as with
                 bce / bce_logits and reduction sum; with mse it is the squared-error objective).
                 Model layers in eval mode (batch norm uses running statistics, dropout is off),
                 under torch.no_grad(). eps comes from a separate generator reseeded with seed + 1
                 at every evaluation, so every epoch sees the same noise and evaluation does not
                 perturb the training random stream.
  seconds        wall time of the epoch's training loop (shuffle + steps), not the evaluation;
  eval_seconds   wall time of the test-set evaluation.

Output: one line per epoch (to stdout; to stderr with --json), and with --json a final JSON object
on stdout: {"spec": .., "config": {..}, "epochs": [{"epoch": 1, "train_loss": .., "test_neg_elbo":
.., "seconds": .., "eval_seconds": ..}, ...], "final_test_neg_elbo": ..}.
"""
import argparse
import gzip
import json
import os
import struct
import sys
import time

import numpy as np
import torch

sys.path.insert(0, os.path.dirname(os.path.abspath(__file__)))
import malloc_tuning  # noqa: E402
import spec_model  # noqa: E402
import vae_loss  # noqa: E402

DEFAULT_DATA = "/usr/share/datasets/fashion-mnist"
IDX_TYPES = {0x08: np.uint8, 0x09: np.int8, 0x0B: ">i2", 0x0C: ">i4", 0x0D: ">f4", 0x0E: ">f8"}


def read_idx(path):
    """An IDX file (gzip or raw) as a numpy array of its declared dtype and shape."""
    with open(path, "rb") as f:
        data = f.read()
    if data[:2] == b"\x1f\x8b":
        data = gzip.decompress(data)
    if len(data) < 4 or data[0] != 0 or data[1] != 0 or data[2] not in IDX_TYPES:
        raise ValueError(f"{path}: not an IDX file (magic {data[:4].hex()})")
    ndim = data[3]
    dims = struct.unpack(">" + "I" * ndim, data[4:4 + 4 * ndim])
    dtype = np.dtype(IDX_TYPES[data[2]])
    count = int(np.prod(dims)) if dims else 1
    offset = 4 + 4 * ndim
    if len(data) - offset < count * dtype.itemsize:
        raise ValueError(f"{path}: truncated: header says {dims}, {len(data) - offset} bytes of data")
    return np.frombuffer(data, dtype=dtype, count=count, offset=offset).reshape(dims)


def find_file(directory, split, kind="images", rank=3):
    """The images (or labels) file of a split ('train' or 't10k'), under its usual names, .gz or raw."""
    for stem in (f"{split}-{kind}-idx{rank}-ubyte", f"{split}-{kind}.idx{rank}-ubyte"):
        for name in (stem + ".gz", stem):
            path = os.path.join(directory, name)
            if os.path.exists(path):
                return path
    raise FileNotFoundError(f"no {split}-{kind}-idx{rank}-ubyte[.gz] in {directory}")


def find_images(directory, split):
    return find_file(directory, split)


def labels_for_spec(directory, split, count, classes):
    """int64 tensor [count] of a split's labels, checked as vaegen checks them (ClassLabels.Check)."""
    path = find_file(directory, split, "labels", 1)
    labels = read_idx(path)
    if labels.ndim != 1 or labels.shape[0] != count:
        raise ValueError(f"{path}: {labels.shape[0] if labels.ndim == 1 else labels.shape} labels for the {count} images")
    bad = np.flatnonzero(labels >= classes)
    if bad.size:
        raise ValueError(f"{path}: label {labels[bad[0]]} at index {bad[0]} is outside 0..{classes - 1}")
    return torch.from_numpy(labels.astype(np.int64))


def images_for_spec(images, spec):
    """uint8 [N, 28, 28] -> float32 tensor [N] + input.shape in the spec's layout and range."""
    inp = spec["input"]
    shape = tuple(int(d) for d in inp["shape"])
    nhwc = inp.get("layout", "nchw") == "nhwc"
    c, h, w = (shape[2], shape[0], shape[1]) if nhwc else shape
    if images.ndim != 3 or (c, h, w) != (1,) + images.shape[1:]:
        raise ValueError(f"spec input {list(shape)} ({'nhwc' if nhwc else 'nchw'}) does not fit "
                         f"{images.shape[1]}x{images.shape[2]} gray images")
    lo, hi = (float(v) for v in inp.get("range", [0, 1]))
    x = torch.from_numpy(images.astype(np.float32)).reshape((images.shape[0],) + shape)
    return x if (lo, hi) == (0.0, 255.0) else lo + x / 255.0 * (hi - lo)


def evaluate(model, loss_spec, x, latent, seed, labels=None, batch=1000):
    """Mean over x of the plain negative ELBO recon_i + kl_i, one sampled z per image: evaluation ignores beta and
    any kl schedule (spec 1.1), which shape only the training objective. labels: a conditional spec's, else None."""
    generator = torch.Generator().manual_seed(seed)
    model.eval()
    total = 0.0
    with torch.no_grad():
        for start in range(0, x.shape[0], batch):
            xb = x[start:start + batch]
            eps = torch.randn((xb.shape[0], latent), generator=generator)
            if labels is None:
                _, recon_i, kl_i = vae_loss.per_sample_terms(model, loss_spec, xb, eps)
            else:
                _, recon_i, kl_i = vae_loss.per_sample_terms(model, loss_spec, xb, eps, labels[start:start + batch])
            total += (recon_i + kl_i).double().sum().item()
    model.train()
    return total / x.shape[0]


def main(argv=None):
    ap = argparse.ArgumentParser(description=__doc__.split("\n")[0])
    ap.add_argument("spec")
    ap.add_argument("--data", default=DEFAULT_DATA, help=f"directory with the IDX files (default {DEFAULT_DATA})")
    ap.add_argument("--epochs", type=int, default=10)
    ap.add_argument("--batch", type=int, default=128)
    ap.add_argument("--lr", type=float, default=1e-3)
    ap.add_argument("--seed", type=int, default=0)
    ap.add_argument("--limit-train", type=int, default=None, help="use only the first N training images")
    ap.add_argument("--limit-test", type=int, default=None, help="use only the first N test images")
    ap.add_argument("--threads", type=int, default=1, help="torch.set_num_threads (default 1)")
    ap.add_argument("--json", action="store_true")
    args = ap.parse_args(argv)
    if args.epochs < 1 or args.batch < 1 or args.threads < 1:
        ap.error("--epochs, --batch and --threads must be >= 1")

    log = sys.stderr if args.json else sys.stdout
    malloc_tuning.keep_freed_memory()
    torch.set_num_threads(args.threads)
    spec = spec_model.load_spec(args.spec)
    train_all, test_all = read_idx(find_images(args.data, "train")), read_idx(find_images(args.data, "t10k"))
    train_u8, test_u8 = train_all[:args.limit_train], test_all[:args.limit_test]
    x_train, x_test = images_for_spec(train_u8, spec), images_for_spec(test_u8, spec)
    n = x_train.shape[0]
    classes = int((spec.get("condition") or {}).get("classes", 0))
    y_train = y_test = None
    if classes:
        y_train = labels_for_spec(args.data, "train", len(train_all), classes)[:args.limit_train]
        y_test = labels_for_spec(args.data, "t10k", len(test_all), classes)[:args.limit_test]

    torch.manual_seed(args.seed)
    model = spec_model.build_model(spec)
    loss_spec = vae_loss.LossSpec(spec)
    latent = int(spec["latent"])
    optimizer = torch.optim.Adam(model.parameters(), lr=args.lr)
    print(f"spec {args.spec}: {sum(p.numel() for p in model.parameters())} parameters, "
          f"{n} train / {x_test.shape[0]} test images, batch {args.batch}, lr {args.lr:g}, seed {args.seed}, "
          f"threads {args.threads}, torch {torch.__version__}", file=log, flush=True)

    epochs = []
    step = 0
    for epoch in range(1, args.epochs + 1):
        model.train()
        start = time.perf_counter()
        order = torch.randperm(n)
        total = 0.0
        for first in range(0, n, args.batch):
            batch_order = order[first:first + args.batch]
            xb = x_train[batch_order]
            optimizer.zero_grad()
            # t = the optimizer steps taken so far, as the kl schedules read it; a label goes with its image.
            if y_train is None:
                loss = vae_loss.batch_loss(model, loss_spec, xb, step=step)
            else:
                loss = vae_loss.batch_loss(model, loss_spec, xb, step=step, labels=y_train[batch_order])
            loss.backward()
            optimizer.step()
            step += 1
            total += loss.item() * xb.shape[0]
        seconds = time.perf_counter() - start
        start = time.perf_counter()
        test = evaluate(model, loss_spec, x_test, latent, args.seed + 1, y_test)
        eval_seconds = time.perf_counter() - start
        epochs.append({"epoch": epoch, "train_loss": total / n, "test_neg_elbo": test,
                       "seconds": seconds, "eval_seconds": eval_seconds})
        print(f"epoch {epoch:3d}  train_loss {total / n:10.4f}  test_neg_elbo {test:10.4f}  "
              f"{seconds:7.2f}s train  {eval_seconds:5.2f}s eval", file=log, flush=True)

    if args.json:
        config = {"data": args.data, "epochs": args.epochs, "batch": args.batch, "lr": args.lr, "seed": args.seed,
                  "train_images": n, "test_images": int(x_test.shape[0]), "classes": classes, "threads": args.threads,
                  "torch": torch.__version__}
        json.dump({"spec": args.spec, "config": config, "epochs": epochs,
                   "final_test_neg_elbo": epochs[-1]["test_neg_elbo"]}, sys.stdout)
        sys.stdout.write("\n")


if __name__ == "__main__":
    main()
