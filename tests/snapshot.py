"""One picture of everything a call could change in a model, to show that a failed call
changed nothing: weights (values and identity), the optimizer (identity, iterations, slots),
the compiled state, layer names, built flags and graph nodes."""
from __future__ import annotations

import numpy as np


def snapshot(model) -> dict:
    optimizer = getattr(model, "optimizer", None)
    state = optimizer.get_state() if optimizer is not None else None
    layers = _all_layers(model)
    return {
        "weights": [(v.path, v.value.copy()) for v in model.weights],
        "weight_ids": [id(v) for v in model.weights],
        "optimizer": id(optimizer),
        "iterations": getattr(optimizer, "iterations", None),
        "optimizer_state": state,
        "compiled": getattr(model, "compiled", None),
        "layers": [(l.name, l.built, len(l._weights), len(l._inbound_nodes)) for l in layers],
        "built": model.built,
        "graph": id(getattr(model, "_graph", None)),
    }


def assert_unchanged(before: dict, model) -> None:
    after = snapshot(model)
    assert [p for p, _ in before["weights"]] == [p for p, _ in after["weights"]]
    for (path, a), (_, b) in zip(before["weights"], after["weights"]):
        np.testing.assert_array_equal(a, b, err_msg=f"weight {path} changed")
    for key in ("weight_ids", "optimizer", "iterations", "compiled", "layers", "built", "graph"):
        assert before[key] == after[key], f"{key} changed: {before[key]} -> {after[key]}"
    assert _same_state(before["optimizer_state"], after["optimizer_state"]), "optimizer state changed"


def _same_state(a, b) -> bool:
    if isinstance(a, dict) and isinstance(b, dict):
        return a.keys() == b.keys() and all(_same_state(a[k], b[k]) for k in a)
    if isinstance(a, (list, tuple)) and isinstance(b, (list, tuple)):
        return len(a) == len(b) and all(_same_state(x, y) for x, y in zip(a, b))
    if isinstance(a, np.ndarray) or isinstance(b, np.ndarray):
        return np.array_equal(a, b)
    return a == b


def _all_layers(model) -> list:
    out, todo = [], list(getattr(model, "layers", []))
    while todo:
        layer = todo.pop(0)
        if all(layer is not seen for seen in out):
            out.append(layer)
            todo += list(getattr(layer, "layers", []))
    return out
