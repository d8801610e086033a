"""The VAE loss of a spec (shared/spec-language.md, "Loss"), for the PyTorch reference tools.

Per sample i: recon_i = the spec's `reconstruction` term (mse | bce | bce_logits) between the
decoder's output (channels first, [N, C, H, W]) and the target x / scale (also channels first),
summed or averaged over C, H, W per `reduction`; kl_i = 0.5 * sum_k(exp(lv) + mu^2 - 1 - lv);
loss_i = recon_i + beta * kl_i. The training loss is the batch mean of loss_i.

Same formula as tools/torch/make_layer_fixtures.py (loss_fixtures); the model is the one
tools/torch/spec_model.py builds (SpecVae).
"""
import math

import torch
import torch.nn.functional as F


class LossSpec:
    """The spec's loss settings with their defaults applied."""

    def __init__(self, spec):
        self.reconstruction = spec.get("reconstruction", "mse")
        self.reduction = spec.get("reduction", "sum")
        self.beta = float(spec.get("beta", 1.0))
        # Spec 1.1: sigma of the gaussian term, a number or "learned" (the model's log_sigma parameter).
        sigma = spec.get("sigma", 1.0)
        self.sigma_learned = sigma == "learned"
        self.sigma = 1.0 if self.sigma_learned else float(sigma)
        # Spec 1.1 kl: {warmup: N} or {capacity: {max, steps, gamma}}, read at t, the optimizer steps taken so far.
        kl = spec.get("kl") or {}
        self.warmup = int(kl.get("warmup", 0))
        capacity = kl.get("capacity")
        self.capacity = None if capacity is None else (float(capacity["max"]), int(capacity["steps"]), float(capacity["gamma"]))
        if self.reconstruction not in ("mse", "bce", "bce_logits", "gaussian"):
            raise ValueError(f"unknown reconstruction {self.reconstruction!r}")
        if self.reduction not in ("sum", "mean"):
            raise ValueError(f"unknown reduction {self.reduction!r}")


def target_nchw(model, x):
    """The loss target: the input as it arrives (spec layout), permuted to NCHW and divided by scale."""
    return (x.permute(0, 3, 1, 2) if model.nhwc else x) / model.scale


def log_sigma(model, loss_spec):
    """ln sigma of the gaussian term: ln of the fixed sigma, or -6 + softplus(log_sigma + 6) (a soft floor at
    e^-6, as the sigma-VAE reference implementation, Rybkin et al. 2021)."""
    if loss_spec.sigma_learned:
        return -6 + F.softplus(model.log_sigma + 6)
    return torch.tensor(math.log(loss_spec.sigma))


def recon_elements(model, loss_spec, out, target):
    """The per-value reconstruction term between the decoder's output and the target (both NCHW)."""
    if loss_spec.reconstruction == "mse":
        return (out - target) ** 2
    if loss_spec.reconstruction == "bce":
        return F.binary_cross_entropy(out, target, reduction="none")
    if loss_spec.reconstruction == "bce_logits":
        return F.binary_cross_entropy_with_logits(out, target, reduction="none")
    ls = log_sigma(model, loss_spec)
    return (out - target) ** 2 / (2 * torch.exp(2 * ls)) + ls + 0.5 * math.log(2 * math.pi)


def recon_per_sample(model, loss_spec, out, target):
    """recon_i: the per-value term summed (or averaged, reduction mean) over C, H, W."""
    e = recon_elements(model, loss_spec, out, target).flatten(1)
    return e.sum(1) if loss_spec.reduction == "sum" else e.mean(1)


def per_sample_terms(model, loss_spec, x, eps=None, labels=None):
    """Runs encode -> reparameterize -> decode on x (spec layout, unscaled) and returns
    (loss_i, recon_i, kl_i), each of shape [N]. eps: the N(0, I) noise ([N, latent]); None draws
    it from the global generator (torch.randn_like), as SpecVae.forward does. labels: int64 [N]
    for a conditional spec (`condition`), else None."""
    mu, logvar = model.encode(x, labels)
    std = torch.exp(0.5 * logvar)
    z = mu + std * (torch.randn_like(std) if eps is None else eps)
    out = model.decode_nchw(z, labels)  # NCHW, before SpecVae.decode's permute back to the input layout
    recon_i = recon_per_sample(model, loss_spec, out, target_nchw(model, x))
    kl_i = 0.5 * (logvar.exp() + mu ** 2 - 1 - logvar).sum(1)
    return recon_i + loss_spec.beta * kl_i, recon_i, kl_i


def objective(loss_spec, recon_i, kl_i, step=0):
    """The training loss at optimizer step `step`: mean_i(recon_i + w_t kl_i) with w_t = beta (or beta * min(1, t / N)
    with a warm-up), or mean_i(recon_i) + gamma * |mean_i(kl_i) - C * min(1, t / T)| with a capacity."""
    if loss_spec.capacity is not None:
        c, t_steps, gamma = loss_spec.capacity
        return recon_i.mean() + gamma * (kl_i.mean() - c * min(1.0, step / t_steps)).abs()
    weight = loss_spec.beta * (min(1.0, step / loss_spec.warmup) if loss_spec.warmup > 0 else 1.0)
    return (recon_i + weight * kl_i).mean()


def batch_loss(model, loss_spec, x, eps=None, step=0, labels=None):
    """The training loss of a batch at optimizer step `step` (see objective); labels for a conditional spec."""
    _, recon_i, kl_i = per_sample_terms(model, loss_spec, x, eps, labels)
    return objective(loss_spec, recon_i, kl_i, step)
