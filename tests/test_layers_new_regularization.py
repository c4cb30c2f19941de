"""ActivityRegularization: the identity whose input's penalty ``(l1·Σ|x| + l2·Σx²)/batch``
joins ``layer.losses``, as Keras 3.15.1 computes it (tests/fixtures/new_layers_reference.json,
made by tests/fixtures/make_new_layers_reference.py); float64 gradient checks of
``Σ r·y + penalty`` (the penalty's gradient is added in backward); training through it."""
from __future__ import annotations

import json
from pathlib import Path

import numpy as np
import pytest

import kteach
from kteach import layers
from kteach.utils import check_layer_gradients
from gradcheck import numeric_gradient

CASES = [c for c in json.loads((Path(__file__).parent / "fixtures" /
                                "new_layers_reference.json").read_text())["cases"]
         if c["cls"] == "ActivityRegularization"]


@pytest.mark.parametrize("case", CASES, ids=[c["name"] for c in CASES])
def test_output_and_penalty_match_keras(case):
    layer = layers.ActivityRegularization(**case["config"])
    x = np.array(case["input"], dtype="float32")
    np.testing.assert_array_equal(layer(x), case["output"])
    assert len(layer.losses) == len(case["losses"])
    np.testing.assert_allclose(layer.losses, case["losses"], rtol=1e-5)


@pytest.mark.parametrize("l1,l2", [(0.3, 0.0), (0.0, 0.7), (0.2, 0.4)])
def test_backward_is_the_gradient_of_output_plus_penalty(l1, l2):
    layer = layers.ActivityRegularization(l1, l2, dtype="float64")
    x = np.random.default_rng(0).normal(size=(4, 3))
    r = np.random.default_rng(1).normal(size=x.shape)
    y, cache = layer.forward(x)
    dx, _ = layer.backward(cache, r)

    def total():                      # a call starts the layer's losses afresh
        return float(np.sum(r * layer(x)) + sum(layer.losses))

    np.testing.assert_allclose(dx, numeric_gradient(total, x), rtol=1e-6, atol=1e-9)


def test_without_penalty_the_standard_gradient_check_passes():
    report = check_layer_gradients(layers.ActivityRegularization(),
                                   np.random.default_rng(0).normal(size=(3, 4)))
    assert report.passed, str(report)


def test_the_penalty_trains_activations_towards_zero():
    kteach.utils.set_random_seed(0)
    x = np.random.default_rng(0).normal(size=(16, 3)).astype("float32")
    model = kteach.Sequential([kteach.Input((3,)), layers.Dense(4),
                               layers.ActivityRegularization(l2=1.0)])
    model.compile("sgd", "mse")
    history = model.fit(x, np.zeros((16, 4), "float32"), epochs=5, verbose=0)
    losses = history.history["loss"]
    assert losses[-1] < losses[0]
    assert model.layers[-1].get_config()["l2"] == 1.0


def test_negative_factor_is_refused():
    with pytest.raises(ValueError, match=r"Invalid value for argument l1: expected a "
                                         r"non-negative float"):
        layers.ActivityRegularization(l1=-0.1)
