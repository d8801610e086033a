"""Generates the PyTorch parity fixtures used by tests/VaeGen.Runtime.Tests (TorchParityTests, AdamParityTests).

Run from the repository root (PyTorch 1.13, e.g. Debian's python3-torch):
    OPENBLAS_NUM_THREADS=1 /usr/bin/python3 tools/torch/make_layer_fixtures.py

Writes tests/VaeGen.Runtime.Tests/Fixtures/{layers,losses,adam}.safetensors. For every layer case
"<case>" it stores <case>.input, .grad_output (random upstream gradient), .output, .grad_input, and
for parametrised layers the parameters (.weight, .bias) and their gradients (.grad_weight,
.grad_bias); batch norm also stores the running statistics after the forward pass. The C# tests
rebuild each layer with the configuration listed in CASES below, load these tensors and compare.
"""
import os
import sys

import torch
import torch.nn as nn

sys.path.insert(0, os.path.dirname(os.path.abspath(__file__)))
import safetensors_io  # noqa: E402

OUT = os.path.join(os.path.dirname(os.path.abspath(__file__)), "..", "..", "tests", "VaeGen.Runtime.Tests", "Fixtures")


def cases():
    """(name, module factory, input shape, train mode). Keep in sync with TorchParityTests.cs."""
    return [
        ("conv_s2x1_p1x2_d1x2", lambda: nn.Conv2d(3, 4, (3, 2), stride=(2, 1), padding=(1, 2), dilation=(1, 2)), (2, 3, 7, 6), True),
        ("conv_1x1_nobias", lambda: nn.Conv2d(4, 3, 1, bias=False), (2, 4, 5, 5), True),
        ("conv_k3_s1_p1", lambda: nn.Conv2d(2, 5, 3, padding=1), (3, 2, 6, 5), True),
        ("convT_s2x3_p1_op1x2", lambda: nn.ConvTranspose2d(3, 2, (3, 4), stride=(2, 3), padding=1, output_padding=(1, 2)), (2, 3, 4, 3), True),
        ("convT_d2_op1_nobias", lambda: nn.ConvTranspose2d(2, 3, 3, stride=1, padding=1, output_padding=1, dilation=2, bias=False), (2, 2, 4, 5), True),
        ("convT_k4_s2_p1", lambda: nn.ConvTranspose2d(4, 2, 4, stride=2, padding=1), (2, 4, 3, 3), True),
        ("maxpool_k3_s2_p1_ceil", lambda: nn.MaxPool2d(3, stride=2, padding=1, ceil_mode=True), (2, 3, 8, 9), True),
        ("maxpool_k2x3_d2_p1", lambda: nn.MaxPool2d((2, 3), stride=(1, 2), padding=1, dilation=(2, 1)), (2, 2, 7, 8), True),
        ("avgpool_k3_s2_p1_ceil", lambda: nn.AvgPool2d(3, stride=2, padding=1, ceil_mode=True), (2, 3, 8, 9), True),
        ("avgpool_k3_s2_p1_ceil_nopad", lambda: nn.AvgPool2d(3, stride=2, padding=1, ceil_mode=True, count_include_pad=False), (2, 3, 8, 9), True),
        ("avgpool_k2", lambda: nn.AvgPool2d(2), (2, 3, 6, 7), True),
        ("upsample_nearest_x2", lambda: nn.Upsample(scale_factor=2, mode="nearest"), (2, 3, 3, 4), True),
        ("upsample_nearest_x1_5", lambda: nn.Upsample(scale_factor=1.5, mode="nearest"), (2, 2, 4, 5), True),
        ("upsample_bilinear_x2", lambda: nn.Upsample(scale_factor=2, mode="bilinear", align_corners=False), (2, 3, 3, 4), True),
        ("upsample_bilinear_size7x5", lambda: nn.Upsample(size=(7, 5), mode="bilinear", align_corners=False), (2, 2, 4, 3), True),
        ("linear_5_3", lambda: nn.Linear(5, 3), (4, 5), True),
        ("linear_7_2_nobias", lambda: nn.Linear(7, 2, bias=False), (3, 7), True),
        ("bn1d_train", lambda: nn.BatchNorm1d(5), (6, 5), True),
        ("bn2d_train", lambda: nn.BatchNorm2d(3), (4, 3, 5, 6), True),
        ("bn2d_eval", lambda: nn.BatchNorm2d(3), (4, 3, 5, 6), False),
        ("relu", lambda: nn.ReLU(), (3, 4, 5), True),
        ("sigmoid", lambda: nn.Sigmoid(), (3, 4, 5), True),
        ("tanh", lambda: nn.Tanh(), (3, 4, 5), True),
        ("gelu", lambda: nn.GELU(), (3, 4, 5), True),
        ("silu", lambda: nn.SiLU(), (3, 4, 5), True),
        ("elu", lambda: nn.ELU(), (3, 4, 5), True),
        ("leaky_relu_0_2", lambda: nn.LeakyReLU(0.2), (3, 4, 5), True),
    ]


def layer_fixtures():
    out = {}
    for name, factory, shape, train in cases():
        torch.manual_seed(1000 + [c[0] for c in cases()].index(name))
        module = factory()
        with torch.no_grad():
            if isinstance(module, nn.modules.batchnorm._BatchNorm):
                # Non-trivial affine parameters and running statistics.
                module.weight.uniform_(0.5, 1.5)
                module.bias.uniform_(-0.5, 0.5)
                module.running_mean.uniform_(-0.5, 0.5)
                module.running_var.uniform_(0.5, 1.5)
        module.train(train)
        x = (torch.rand(shape) * 8 - 4) if not isinstance(module, (nn.Conv2d, nn.ConvTranspose2d, nn.Linear)) else torch.randn(shape)
        x.requires_grad_(True)
        for pname, p in module.named_parameters():
            out[f"{name}.{pname}"] = p.detach().clone()
        for bname, b in module.named_buffers():
            out[f"{name}.{bname}_before"] = b.detach().clone()
        y = module(x)
        gy = torch.randn(y.shape)
        y.backward(gy)
        out[f"{name}.input"] = x.detach()
        out[f"{name}.output"] = y.detach()
        out[f"{name}.grad_output"] = gy
        out[f"{name}.grad_input"] = x.grad.detach()
        for pname, p in module.named_parameters():
            out[f"{name}.grad_{pname}"] = p.grad.detach()
        for bname, b in module.named_buffers():
            out[f"{name}.{bname}"] = b.detach().clone()
    return out


def loss_fixtures():
    """VAE loss per the runtime's contract, differentiated by autograd."""
    torch.manual_seed(100)
    out = {}
    n, c, h, w, z = 3, 2, 4, 5, 6
    x = torch.rand(n, c, h, w)
    mu = torch.randn(n, z)
    logvar = torch.randn(n, z) * 0.5
    out["x"], out["mu"], out["logvar"] = x, mu, logvar
    probs = torch.rand(n, c, h, w) * 0.9 + 0.05
    logits = torch.randn(n, c, h, w) * 3
    values = torch.randn(n, c, h, w)
    out["probs"], out["logits"], out["values"] = probs, logits, values
    for term, recon in (("mse", values), ("bce", probs), ("bce_logits", logits)):
        for reduction in ("sum", "mean"):
            for beta in (1.0, 0.5):
                r = recon.clone().requires_grad_(True)
                m = mu.clone().requires_grad_(True)
                lv = logvar.clone().requires_grad_(True)
                if term == "mse":
                    e = (r - x) ** 2
                elif term == "bce":
                    e = nn.functional.binary_cross_entropy(r, x, reduction="none")
                else:
                    e = nn.functional.binary_cross_entropy_with_logits(r, x, reduction="none")
                e = e.flatten(1)
                recon_i = e.sum(1) if reduction == "sum" else e.mean(1)
                kl_i = 0.5 * (lv.exp() + m ** 2 - 1 - lv).sum(1)
                loss = (recon_i + beta * kl_i).mean()
                loss.backward()
                key = f"{term}.{reduction}.beta{beta}"
                out[f"{key}.loss"] = loss.detach().reshape(1)
                out[f"{key}.grad_recon"] = r.grad
                out[f"{key}.grad_mu"] = m.grad
                out[f"{key}.grad_logvar"] = lv.grad
    return out


def adam_fixtures():
    """Three torch.optim.Adam steps (lr 0.01, weight_decay 0.1) on fixed gradients, plus the state after each."""
    torch.manual_seed(200)
    out = {}
    p = torch.nn.Parameter(torch.randn(37))
    out["param0"] = p.detach().clone()
    opt = torch.optim.Adam([p], lr=0.01, betas=(0.9, 0.999), eps=1e-8, weight_decay=0.1)
    for step in range(1, 4):
        g = torch.randn(37) * (10.0 ** (step - 2))
        out[f"grad{step}"] = g
        p.grad = g.clone()
        opt.step()
        out[f"param{step}"] = p.detach().clone()
        st = opt.state[p]
        out[f"exp_avg{step}"] = st["exp_avg"].clone()
        out[f"exp_avg_sq{step}"] = st["exp_avg_sq"].clone()
    return out


def main():
    torch.set_num_threads(1)
    os.makedirs(OUT, exist_ok=True)
    meta = {"generator": "tools/torch/make_layer_fixtures.py", "torch": torch.__version__}
    safetensors_io.save(os.path.join(OUT, "layers.safetensors"), layer_fixtures(), meta)
    safetensors_io.save(os.path.join(OUT, "losses.safetensors"), loss_fixtures(), meta)
    safetensors_io.save(os.path.join(OUT, "adam.safetensors"), adam_fixtures(), meta)
    for f in sorted(os.listdir(OUT)):
        print(f, os.path.getsize(os.path.join(OUT, f)))


if __name__ == "__main__":
    main()
