"""Keras code for what a widget shows, and the optimizer choices the widgets offer.

The code is written so that it runs both ways: with ``import keras`` (Keras 3) and with
``import kteach as keras``. That is why every name is spelt in full (``keras.layers.Dense``):
``from keras.layers import Dense`` would look for a package really called ``keras``.

A model is described by a *spec*: the input size and a list of layer dicts such as
``{"type": "Dense", "units": 8, "activation": "relu"}``, ``{"type": "Dropout", "rate": 0.5}``
or ``{"type": "Activation", "activation": "tanh"}``.
"""
from __future__ import annotations

from typing import Any

from .. import activations, optimizers
from ..engine.errors import unknown_name_error
from ..layers import Activation, Dense, Dropout, Input
from ..models import Sequential

LAYER_TYPES = ("Dense", "Dropout", "Activation")

# The optimizer choices of the widgets: key -> label shown in the menu.
OPTIMIZERS = {"sgd": "SGD", "momentum": "SGD + momentum", "nesterov": "SGD + Nesterov",
              "rmsprop": "RMSprop", "adagrad": "Adagrad", "adam": "Adam"}

HEADER = "import kteach as keras   # with Keras itself: import keras\n"


def number(value: float) -> str:
    """A float as a Python literal that stays a float: 0.03, 1.0, 1e-05."""
    return repr(float(f"{float(value):.10g}"))


def check_optimizer(name: str) -> str:
    key = str(name).lower().replace(" ", "")
    key = {"sgd+momentum": "momentum", "sgd+nesterov": "nesterov"}.get(key, key)
    if key not in OPTIMIZERS:
        raise unknown_name_error("optimizer choice", name, OPTIMIZERS)
    return key


def make_optimizer(name: str, learning_rate: float, momentum: float = 0.9) -> optimizers.Optimizer:
    """A new kteach optimizer for one of the :data:`OPTIMIZERS` choices.

    ``momentum`` is used by "momentum" and "nesterov" only (plain "sgd" has none)."""
    key = check_optimizer(name)
    lr = float(learning_rate)
    if key == "sgd":
        return optimizers.SGD(learning_rate=lr)
    if key in ("momentum", "nesterov"):
        return optimizers.SGD(learning_rate=lr, momentum=float(momentum),
                              nesterov=key == "nesterov")
    cls = {"rmsprop": optimizers.RMSprop, "adagrad": optimizers.Adagrad,
           "adam": optimizers.Adam}[key]
    return cls(learning_rate=lr)


def optimizer_code(name: str, learning_rate: float, momentum: float = 0.9) -> str:
    """The same optimizer as :func:`make_optimizer`, as code."""
    key = check_optimizer(name)
    lr = f"learning_rate={number(learning_rate)}"
    if key == "sgd":
        return f"keras.optimizers.SGD({lr})"
    if key == "momentum":
        return f"keras.optimizers.SGD({lr}, momentum={number(momentum)})"
    if key == "nesterov":
        return f"keras.optimizers.SGD({lr}, momentum={number(momentum)}, nesterov=True)"
    cls = {"rmsprop": "RMSprop", "adagrad": "Adagrad", "adam": "Adam"}[key]
    return f"keras.optimizers.{cls}({lr})"


# ----- layers ---------------------------------------------------------------------------------
def check_layer(spec: dict) -> dict:
    """A complete, checked copy of one layer dict (defaults filled in)."""
    kind = spec.get("type", "Dense")
    if kind not in LAYER_TYPES:
        raise unknown_name_error("layer type", kind, LAYER_TYPES)
    if kind == "Dense":
        out = {"type": "Dense", "units": int(spec.get("units", 8)),
               "activation": spec.get("activation") or "linear"}
        if out["units"] < 1:
            raise ValueError(f"A Dense layer needs at least 1 unit, not {out['units']}.")
    elif kind == "Dropout":
        out = {"type": "Dropout", "rate": round(float(spec.get("rate", 0.5)), 4)}
        if not 0 <= out["rate"] < 1:
            raise ValueError(f"A Dropout rate is the fraction of values dropped in training: "
                             f"a number in [0, 1), not {out['rate']}.")
    else:
        out = {"type": "Activation", "activation": spec.get("activation") or "relu"}
    if "activation" in out:
        activations.get(out["activation"])     # an unknown name raises here, with hints
    return out


def make_layer(spec: dict, name: str | None = None):
    """The kteach layer for a layer dict."""
    spec = check_layer(spec)
    if spec["type"] == "Dense":
        return Dense(spec["units"], activation=spec["activation"], name=name)
    if spec["type"] == "Dropout":
        return Dropout(spec["rate"], name=name)
    return Activation(spec["activation"], name=name)


def layer_code(spec: dict) -> str:
    spec = check_layer(spec)
    if spec["type"] == "Dense":
        act = spec["activation"]
        return (f"keras.layers.Dense({spec['units']})" if act == "linear"
                else f"keras.layers.Dense({spec['units']}, activation=\"{act}\")")
    if spec["type"] == "Dropout":
        return f"keras.layers.Dropout({number(spec['rate'])})"
    return f"keras.layers.Activation(\"{spec['activation']}\")"


def fresh_names(specs: list[dict]) -> list[str]:
    """The names Keras gives these layers in a fresh session: dense, dense_1, dropout, ..."""
    seen: dict[str, int] = {}
    names = []
    for spec in specs:
        base = spec["type"].lower()
        count = seen.get(base, 0)
        names.append(base if count == 0 else f"{base}_{count}")
        seen[base] = count + 1
    return names


def make_sequential(input_size: int, specs: list[dict], name: str = "sequential") -> Sequential:
    """``Sequential([Input((input_size,)), layers...])`` with the names of a fresh session,
    so the summary reads the same however often the model is rebuilt."""
    specs = [check_layer(s) for s in specs]
    layers = [make_layer(s, n) for s, n in zip(specs, fresh_names(specs))]
    return Sequential([Input(shape=(int(input_size),), name="input_layer")] + layers, name=name)


def sequential_code(input_size: int, specs: list[dict]) -> str:
    """``model = keras.Sequential([...])`` for a spec, one layer per line."""
    lines = [f"    keras.Input(shape=({int(input_size)},)),"]
    lines += [f"    {layer_code(s)}," for s in specs]
    return "model = keras.Sequential([\n" + "\n".join(lines) + "\n])\n"


def describe_layer(layer: Any) -> dict:
    """The layer dict of a built kteach (or Keras) Dense, Dropout or Activation layer."""
    kind = type(layer).__name__
    if kind == "Dense":
        return {"type": "Dense", "units": int(layer.units),
                "activation": activations.serialize(layer.activation)}
    if kind == "Dropout":
        return {"type": "Dropout", "rate": round(float(layer.rate), 4)}
    if kind == "Activation":
        return {"type": "Activation", "activation": activations.serialize(layer.activation)}
    raise ValueError(f"The widgets know Dense, Dropout and Activation layers, not {kind}.")
