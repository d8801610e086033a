"""Builds the PyTorch model a *.vae.yaml spec describes (shared/spec-language.md, version 1 and 1.1's
`init`, `padding: same`, `zero_pad2d`, `residual` and `condition`).

The reference for the generated backends: build_model(spec) registers encoder (Sequential), fc_mu,
fc_logvar and decoder (Sequential) in that order, with every `activation:` shorthand expanded into
its own Sequential entry right after its layer, so state_dict keys are the ones the spec promises
(encoder.0.weight, encoder.1 = the ReLU, ...). Run as a script it prints the state_dict listing:

    OPENBLAS_NUM_THREADS=1 /usr/bin/python3 tools/torch/spec_model.py specs/seed000.vae.yaml

stdout: JSON [{"name": "encoder.0.weight", "shape": [32, 3, 3, 3]}, ...] in state_dict order;
stderr: the trainable parameter count.
"""
import json
import sys

import torch
import torch.nn as nn
import torch.nn.functional as F
import yaml


def pair(v):
    """A size written as int or [h, w] -> (h, w)."""
    return (int(v[0]), int(v[1])) if isinstance(v, (list, tuple)) else (int(v), int(v))


def activation(kind, params=None):
    params = params or {}
    if kind == "leaky_relu":
        return nn.LeakyReLU(float(params.get("slope", 0.01)))
    return {"relu": nn.ReLU, "sigmoid": nn.Sigmoid, "tanh": nn.Tanh, "gelu": nn.GELU,
            "silu": nn.SiLU, "elu": nn.ELU}[kind]()


INIT_SCHEMES = ("pytorch", "xavier_uniform", "xavier_normal", "kaiming_uniform", "kaiming_normal")


def apply_init(module, scheme):
    """Spec 1.1 `init:` on a conv or linear module already made with PyTorch's default: the weight is
    redrawn with the torch.nn.init function of that name and the bias set to 0 (`pytorch` keeps the default)."""
    if scheme not in INIT_SCHEMES:
        raise ValueError(f"unknown init {scheme!r}")
    if scheme == "pytorch":
        return module
    with torch.no_grad():
        if scheme == "xavier_uniform":
            nn.init.xavier_uniform_(module.weight, gain=1.0)
        elif scheme == "xavier_normal":
            nn.init.xavier_normal_(module.weight, gain=1.0)
        elif scheme == "kaiming_uniform":
            nn.init.kaiming_uniform_(module.weight, a=0, mode="fan_in", nonlinearity="relu")
        else:
            nn.init.kaiming_normal_(module.weight, a=0, mode="fan_in", nonlinearity="relu")
        if module.bias is not None:
            nn.init.zeros_(module.bias)
    return module


class Residual(nn.Module):
    """Spec 1.1 `residual: [...]`, as the contract writes it: output = x + body(x)."""

    def __init__(self, *layers):
        super().__init__()
        self.body = nn.Sequential(*layers)

    def forward(self, x):
        return x + self.body(x)


def same_padding(size, kernel, stride, dilation):
    """TensorFlow's "same" for one spatial dim: (before, after), the extra pixel after."""
    out = -(-size // stride)
    total = max((out - 1) * stride + (kernel - 1) * dilation + 1 - size, 0)
    return total // 2, total - total // 2


def zero_pad(p):
    """`zero_pad2d: p` or `[left, right, top, bottom]` -> nn.ZeroPad2d."""
    return nn.ZeroPad2d(tuple(int(v) for v in p) if isinstance(p, (list, tuple)) else int(p))


def make_layer(kind, p, shape):
    """The module for one spec layer, given the per-sample shape coming in (channels first)."""
    if kind == "conv2d":
        return nn.Conv2d(shape[0], p["out"], pair(p["kernel"]), stride=pair(p.get("stride", 1)),
                         padding=pair(p.get("padding", 0)), dilation=pair(p.get("dilation", 1)),
                         bias=p.get("bias", True))
    if kind == "conv_transpose2d":
        return nn.ConvTranspose2d(shape[0], p["out"], pair(p["kernel"]), stride=pair(p.get("stride", 1)),
                                  padding=pair(p.get("padding", 0)), output_padding=pair(p.get("output_padding", 0)),
                                  dilation=pair(p.get("dilation", 1)), bias=p.get("bias", True))
    if kind in ("maxpool2d", "avgpool2d"):
        kernel = pair(p["kernel"])
        stride = pair(p["stride"]) if "stride" in p else kernel
        pool = nn.MaxPool2d if kind == "maxpool2d" else nn.AvgPool2d
        return pool(kernel, stride=stride, padding=pair(p.get("padding", 0)), ceil_mode=p.get("ceil_mode", False))
    if kind == "upsample":
        sh, sw = pair(p["scale"])
        mode = p.get("mode", "nearest")
        return nn.Upsample(scale_factor=(float(sh), float(sw)), mode=mode,
                           align_corners=False if mode == "bilinear" else None)
    if kind == "linear":
        return nn.Linear(shape[0], p["out"], bias=p.get("bias", True))
    if kind == "batchnorm":
        return nn.BatchNorm2d(shape[0]) if len(shape) == 3 else nn.BatchNorm1d(shape[0])
    if kind == "dropout":
        return nn.Dropout(float(p.get("p", 0.5)))
    if kind == "flatten":
        return nn.Flatten()
    if kind == "unflatten":
        return nn.Unflatten(1, tuple(int(d) for d in p))
    if kind == "zero_pad2d":
        return zero_pad(p)
    return activation(kind, p)


def output_shape(module, shape):
    """Runs the layer on a zero batch of two (eval mode) to get the per-sample shape it produces."""
    module.eval()
    with torch.no_grad():
        out = module(torch.zeros((2,) + tuple(shape)))
    module.train()
    return tuple(out.shape[1:])


def build_modules(layers, shape, init="pytorch"):
    """The modules of a spec layer list in Sequential order, with the per-sample output shape: an `activation:`
    shorthand and the zero_pad2d of an uneven `padding: same` take their own index; a residual is one module.
    init: the spec's top-level scheme, which a conv or linear layer without its own `init:` takes (in a
    residual body too)."""
    modules = []
    for entry in layers:
        kind, p = (entry, {}) if isinstance(entry, str) else next(iter(entry.items()))
        p = {} if p is None else p
        if kind == "residual":
            body, body_shape = build_modules(p, shape, init)
            assert tuple(body_shape) == tuple(shape), f"residual body changes {shape} into {body_shape}"
            layer = Residual(*body)
        elif kind == "conv2d" and p.get("padding") == "same":
            kh, kw = pair(p["kernel"])
            sh, sw = pair(p.get("stride", 1))
            dh, dw = pair(p.get("dilation", 1))
            top, bottom = same_padding(shape[1], kh, sh, dh)
            left, right = same_padding(shape[2], kw, sw, dw)
            if top == bottom and left == right:
                layer = make_layer(kind, dict(p, padding=[top, left]), shape)
            else:
                pad = nn.ZeroPad2d((left, right, top, bottom))
                shape = output_shape(pad, shape)
                modules.append(pad)
                layer = make_layer(kind, dict(p, padding=0), shape)
        else:
            layer = make_layer(kind, p, shape)
        if kind in ("conv2d", "conv_transpose2d", "linear"):
            apply_init(layer, p.get("init", init))
        shape = output_shape(layer, shape)
        modules.append(layer)
        if isinstance(p, dict) and p.get("activation"):
            act = p["activation"]
            kind, params = (act, None) if isinstance(act, str) else next(iter(act.items()))
            modules.append(activation(kind, params))
    return modules, shape


def build_sequential(layers, shape, init="pytorch"):
    """nn.Sequential for a spec layer list; returns it with the per-sample output shape. init: the
    spec's top-level scheme, which a conv or linear layer without its own `init:` takes."""
    modules, shape = build_modules(layers, shape, init)
    return nn.Sequential(*modules), shape


class SpecVae(nn.Module):
    def __init__(self, spec):
        super().__init__()
        inp = spec["input"]
        shape = tuple(int(d) for d in inp["shape"])
        self.nhwc = inp.get("layout", "nchw") == "nhwc"
        self.chw = (shape[2], shape[0], shape[1]) if self.nhwc else shape
        self.scale = float(inp.get("scale", 1))
        latent = int(spec["latent"])
        init = spec.get("init", "pytorch")
        # Spec 1.1 `condition: { classes: K }`: the heads read concat(h, one_hot(y)), the decoder concat(z, one_hot(y)).
        self.classes = int((spec.get("condition") or {}).get("classes", 0))
        # Attribute order is state_dict order (and, with PyTorch's global generator, draw order): encoder, fc_mu, fc_logvar, decoder.
        self.encoder, encoded = build_sequential(spec["encoder"], self.chw, init)
        self.fc_mu = apply_init(nn.Linear(encoded[0] + self.classes, latent), init)
        self.fc_logvar = apply_init(nn.Linear(encoded[0] + self.classes, latent), init)
        self.decoder, _ = build_sequential(spec["decoder"], (latent + self.classes,), init)
        # Spec 1.1 `sigma: learned`: one trainable scalar, initially 0 (no draw); state_dict lists it first.
        if spec.get("reconstruction") == "gaussian" and spec.get("sigma") == "learned":
            self.log_sigma = nn.Parameter(torch.zeros(1))

    def with_labels(self, v, labels):
        """concat(v, one_hot(labels, K)) for a conditional spec ([N, F] -> [N, F + K]); v itself otherwise.
        labels: int64 [N] in 0..K-1 (None for an unconditional spec)."""
        if self.classes == 0:
            if labels is not None:
                raise ValueError("the spec has no condition, so it takes no labels")
            return v
        if labels is None:
            raise ValueError(f"the spec is conditional (condition: {{ classes: {self.classes} }}): pass the labels")
        return torch.cat([v, F.one_hot(labels.long(), self.classes).to(v.dtype)], 1)

    def encode(self, x, labels=None):
        h = (x.permute(0, 3, 1, 2) if self.nhwc else x) / self.scale
        h = self.with_labels(self.encoder(h), labels)
        return self.fc_mu(h), self.fc_logvar(h)

    def decode_nchw(self, z, labels=None):
        """The decoder's output channels first (what the loss reads), before decode's permute back to the input layout."""
        return self.decoder(self.with_labels(z, labels))

    def decode(self, z, labels=None):
        y = self.decode_nchw(z, labels)
        return y.permute(0, 2, 3, 1) if self.nhwc else y

    def forward(self, x, labels=None, eps=None):
        mu, logvar = self.encode(x, labels)
        std = torch.exp(0.5 * logvar)
        z = mu + std * (torch.randn_like(std) if eps is None else eps)
        return self.decode(z, labels), mu, logvar


def load_spec(path):
    with open(path, encoding="utf-8") as f:
        return yaml.safe_load(f)


def build_model(spec_dict):
    return SpecVae(spec_dict)


def state_dict_listing(model):
    return [{"name": name, "shape": list(t.shape)} for name, t in model.state_dict().items()]


if __name__ == "__main__":
    torch.set_num_threads(1)
    model = build_model(load_spec(sys.argv[1]))
    json.dump(state_dict_listing(model), sys.stdout)
    sys.stdout.write("\n")
    print("parameters:", sum(p.numel() for p in model.parameters()), file=sys.stderr)
