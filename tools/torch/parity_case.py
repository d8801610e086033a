"""Writes one PyTorch parity case for a spec: the weights, an input batch, eps, and everything one
training pass produces, so the managed backend can be held to PyTorch's numbers.

    OPENBLAS_NUM_THREADS=1 /usr/bin/python3 tools/torch/parity_case.py SPEC OUT_DIR [--batch 4] [--seed 0] [--eval-dropout] [--log-sigma x] [--step t]

OUT_DIR/weights.safetensors  the state_dict before the pass (PyTorch's initialisation, seed --seed)
OUT_DIR/case.safetensors     x (the spec's layout and range), eps [N, latent], labels (int64 [N], drawn
                             uniformly in 0..K-1 after eps, only for a spec with `condition`), and after
                             zero_grad(); loss.backward() on mean_i(recon_i + beta kl_i):
                             z = mu + exp(0.5 logvar) eps, recon (decoder output for that z,
                             in the spec's layout: logits for bce_logits),
                             mu, logvar, loss = [total, mean recon_i, mean kl_i] (float32),
                             grad.<param> for every parameter, state.<name> for every state_dict
                             entry after the pass (batchnorm running statistics move in training).

The model is in training mode, as a training step is. --eval-dropout puts dropout layers alone in
evaluation mode: their masks come from a random stream no other implementation shares.
"""
import argparse
import os
import sys

import torch

sys.path.insert(0, os.path.dirname(os.path.abspath(__file__)))
import safetensors_io  # noqa: E402
import spec_model  # noqa: E402
import vae_loss  # noqa: E402


def main():
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("spec")
    parser.add_argument("out_dir")
    parser.add_argument("--batch", type=int, default=4)
    parser.add_argument("--seed", type=int, default=0)
    parser.add_argument("--eval-dropout", action="store_true")
    parser.add_argument("--step", type=int, default=0, help="t, the optimizer steps taken so far, for a spec's kl schedule")
    parser.add_argument("--log-sigma", type=float, default=None,
                        help="start a learned sigma's log_sigma here instead of 0, so the soft floor's softplus is exercised")
    args = parser.parse_args()

    torch.set_num_threads(1)
    torch.manual_seed(args.seed)
    spec = spec_model.load_spec(args.spec)
    model = spec_model.build_model(spec)
    model.train()
    if args.eval_dropout:
        for module in model.modules():
            if isinstance(module, torch.nn.Dropout):
                module.eval()

    if args.log_sigma is not None:
        with torch.no_grad():
            model.log_sigma.fill_(args.log_sigma)

    os.makedirs(args.out_dir, exist_ok=True)
    safetensors_io.save(os.path.join(args.out_dir, "weights.safetensors"),
                        {k: v.clone() for k, v in model.state_dict().items()}, {"format": "pt"})

    inp = spec["input"]
    low, high = (float(v) for v in inp.get("range", [0, 1]))
    shape = (args.batch,) + tuple(int(d) for d in inp["shape"])
    x = low + (high - low) * torch.rand(shape)
    latent = int(spec["latent"])
    eps = torch.randn(args.batch, latent)
    labels = torch.randint(0, model.classes, (args.batch,), dtype=torch.int64) if model.classes else None

    loss_spec = vae_loss.LossSpec(spec)
    model.zero_grad()
    mu, logvar = model.encode(x, labels)
    z = mu + torch.exp(0.5 * logvar) * eps
    out = model.decode_nchw(z, labels)
    recon_view = out.permute(0, 2, 3, 1) if model.nhwc else out
    # The same terms vae_loss computes, from this one forward pass (a second pass would move batchnorm's statistics again).
    recon_i = vae_loss.recon_per_sample(model, loss_spec, out, vae_loss.target_nchw(model, x))
    kl_i = 0.5 * (logvar.exp() + mu ** 2 - 1 - logvar).sum(1)
    total = vae_loss.objective(loss_spec, recon_i, kl_i, args.step)
    total.backward()

    tensors = {
        "x": x, "eps": eps, "z": z.detach(), "recon": recon_view.detach(), "mu": mu.detach(), "logvar": logvar.detach(),
        "loss": torch.tensor([total.item(), recon_i.mean().item(), kl_i.mean().item()], dtype=torch.float32),
    }
    if labels is not None:
        tensors["labels"] = labels
    for name, p in model.named_parameters():
        tensors["grad." + name] = p.grad.detach().clone()
    for name, t in model.state_dict().items():
        tensors["state." + name] = t.clone()
    safetensors_io.save(os.path.join(args.out_dir, "case.safetensors"), tensors, {"spec": os.path.basename(args.spec)})


if __name__ == "__main__":
    main()
