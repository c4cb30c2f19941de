"""The losses of issue 11 against real Keras 3 (tests/fixtures/losses_metrics_reference.json,
written by tests/fixtures/make_losses_metrics_reference.py), and their hand-written gradients
against central differences in float64."""
import json
from pathlib import Path

import numpy as np
import pytest

import kteach
from kteach import losses
from kteach.engine.errors import UnknownNameError

REF = json.loads((Path(__file__).parent / "fixtures" / "losses_metrics_reference.json").read_text())
CASES = REF["losses"]


def arrays(case):
    return (np.asarray(case["y_true"], np.float32), np.asarray(case["y_pred"], np.float32),
            np.asarray(case["sample_weight"], np.float32))


def close(a, b, rtol=2e-5, atol=2e-6):
    np.testing.assert_allclose(np.asarray(a, np.float64), np.asarray(b, np.float64),
                               rtol=rtol, atol=atol)


@pytest.mark.parametrize("name", sorted(CASES))
def test_values_match_keras(name):
    case = CASES[name]
    y, p, w = arrays(case)
    cls = getattr(losses, case["class"])
    loss = cls(**case["kwargs"])
    fn = getattr(losses, case["function"])
    close(fn(y, p, **case["function_kwargs"]), case["per_sample"])
    close(loss(y, p), case["value"])
    close(loss(y, p, sample_weight=w), case["value_weighted"])
    close(cls(reduction="sum", **case["kwargs"])(y, p), case["value_sum"])


@pytest.mark.parametrize("name", sorted(CASES))
def test_gradients_match_keras(name):
    case = CASES[name]
    y, p, w = arrays(case)
    loss = getattr(losses, case["class"])(**case["kwargs"])
    _, g = loss.value_and_gradient(y, p)
    close(g, case["gradient"], atol=1e-6)
    _, g_w = loss.value_and_gradient(y, p, sample_weight=w)
    close(g_w, case["gradient_weighted"], atol=1e-6)


@pytest.mark.parametrize("name", sorted(CASES))
def test_gradients_match_central_differences(name):
    case = CASES[name]
    y, p, _ = arrays(case)
    loss = getattr(losses, case["class"])(**case["kwargs"])
    y64, p64 = y.astype(np.float64), p.astype(np.float64)
    np.testing.assert_allclose(loss.gradient(*loss.align(y64, p64)),
                               losses.numerical_gradient(loss, y64, p64), rtol=1e-5, atol=1e-7)


@pytest.mark.parametrize("name", sorted(CASES))
def test_config_has_keras_keys_and_round_trips(name):
    case = CASES[name]
    loss = getattr(losses, case["class"])(**case["kwargs"])
    config = loss.get_config()
    for key, value in case["config"].items():
        assert config[key] == value, key
    again = type(loss).from_config(config)
    y, p, _ = arrays(case)
    close(again(y, p), loss(y, p), rtol=0, atol=0)


@pytest.mark.parametrize("string, keras_name", sorted(REF["loss_strings"].items()))
def test_string_names_resolve_as_keras(string, keras_name):
    if keras_name is None:
        with pytest.raises(UnknownNameError, match="Could not interpret loss identifier"):
            losses.get(string)
        return
    loss = losses.get(string)
    expected = losses._BY_NAME[keras_name]
    assert type(loss) is expected


@pytest.mark.parametrize("cls", ["Huber", "LogCosh", "Poisson", "Hinge", "CosineSimilarity"])
def test_compile_by_string_and_fit_one_step(cls):
    rng = np.random.default_rng(0)
    x = rng.normal(size=(16, 3)).astype("float32")
    y = (rng.uniform(size=(16, 2)) > 0.5).astype("float32")
    model = kteach.Sequential([kteach.Input((3,)), kteach.layers.Dense(2, activation="softplus")])
    model.compile(optimizer="sgd", loss=getattr(losses, cls)())
    history = model.fit(x, y, epochs=2, verbose=0)
    assert np.all(np.isfinite(history.history["loss"]))


def test_hinge_converts_zero_one_labels_only_when_all_are_binary():
    p = np.array([[0.3, -0.2]])
    close(losses.hinge([[0.0, 1.0]], p), losses.hinge([[-1.0, 1.0]], p))
    close(losses.hinge([[0.5, 1.0]], p), [np.mean(np.maximum(1 - np.array([0.5, 1]) * p, 0))])


def test_focal_with_gamma_zero_is_the_plain_cross_entropy():
    rng = np.random.default_rng(1)
    y = (rng.uniform(size=(6, 4)) > 0.5).astype("float64")
    p = rng.uniform(0.05, 0.95, size=(6, 4))
    close(losses.binary_focal_crossentropy(y, p, gamma=0.0), losses.binary_crossentropy(y, p),
          rtol=1e-6)
    onehot = np.eye(4)[rng.integers(0, 4, 6)]
    close(losses.categorical_focal_crossentropy(onehot, p, gamma=0.0, alpha=1.0),
          losses.categorical_crossentropy(onehot, p), rtol=1e-6)


def test_missing_keras_losses_say_so():
    with pytest.raises(UnknownNameError, match="Keras 3 has this loss"):
        losses.get("dice")
    with pytest.raises(AttributeError, match=r"kteach does not have keras.losses.Dice \(Keras 3 does\)"):
        losses.Dice  # noqa: B018


@pytest.mark.parametrize("name", ["huber", "binary_focal_logits", "categorical_focal",
                                  "cosine_similarity", "categorical_hinge"])
def test_under_a_gradient_tape_the_hand_written_gradient_is_used(name):
    case = CASES[name]
    y, p, w = arrays(case)
    loss = getattr(losses, case["class"])(**case["kwargs"])
    p_t = kteach.ops.convert_to_tensor(p)
    with kteach.GradientTape() as tape:
        tape.watch(p_t)
        value = loss(y, p_t, sample_weight=w)
    assert [e.name for e in tape.entries] == [loss.name]   # one step, its own vjp
    grad = tape.gradient(value, p_t)
    close(float(np.asarray(value)), case["value_weighted"])
    close(grad, case["gradient_weighted"], atol=1e-6)


@pytest.mark.parametrize("string", ["huber", "log_cosh", "kld", "msle", "mape", "poisson",
                                    "squared_hinge", "binary_focal_crossentropy"])
def test_compile_with_a_string_name(string):
    rng = np.random.default_rng(2)
    x = rng.normal(size=(16, 3)).astype("float32")
    y = rng.uniform(0.2, 0.8, size=(16, 2)).astype("float32")
    model = kteach.Sequential([kteach.Input((3,)), kteach.layers.Dense(2, activation="sigmoid")])
    model.compile(optimizer="sgd", loss=string)
    history = model.fit(x, y, epochs=2, verbose=0)
    assert np.all(np.isfinite(history.history["loss"]))


@pytest.mark.parametrize("make", [
    lambda: losses.CosineSimilarity(axis=1),
    lambda: losses.BinaryFocalCrossentropy(axis=1, gamma=1.5, apply_class_balancing=True),
    lambda: losses.BinaryFocalCrossentropy(axis=1, from_logits=True),
    lambda: losses.CategoricalFocalCrossentropy(axis=1, label_smoothing=0.1),
    lambda: losses.CategoricalFocalCrossentropy(axis=1, from_logits=True, gamma=0.5),
])
def test_another_axis_and_three_dimensions_gradient_check(make):
    rng = np.random.default_rng(3)
    loss = make()
    y = np.moveaxis(np.eye(4)[rng.integers(0, 4, size=(3, 5))], -1, 1)   # (3, 4, 5)
    p = rng.uniform(0.05, 0.95, size=y.shape)
    if getattr(loss, "from_logits", False) or isinstance(loss, losses.CosineSimilarity):
        p = rng.normal(size=y.shape)
    assert loss.call(y, p).shape == (3, 5)
    np.testing.assert_allclose(loss.gradient(y, p), losses.numerical_gradient(loss, y, p),
                               rtol=1e-5, atol=1e-7)


@pytest.mark.parametrize("make", [losses.Huber, losses.LogCosh, losses.Poisson,
                                  losses.MeanSquaredLogarithmicError,
                                  losses.MeanAbsolutePercentageError, losses.Hinge,
                                  losses.SquaredHinge])
def test_targets_of_shape_n_with_an_output_of_shape_n_1(make):
    rng = np.random.default_rng(4)
    y = rng.integers(0, 2, size=8).astype("float64") + 0.5
    p = rng.uniform(0.3, 2.0, size=(8, 1))
    loss = make()
    value, g = loss.value_and_gradient(y, p)
    assert g.shape == (8, 1)
    close(value, loss(y[:, None], p), rtol=1e-12, atol=0)
    np.testing.assert_allclose(g, losses.numerical_gradient(loss, y, p) / 8, rtol=1e-5,
                               atol=1e-8)


@pytest.mark.parametrize("dtype", [np.float32, np.float64])
@pytest.mark.parametrize("weights", [None, "per_sample", "one_number"])
@pytest.mark.parametrize("reduction", ["sum_over_batch_size", "sum",
                                       "mean_with_sample_weight", "none"])
def test_reduce_fast_path_for_plain_arrays_gives_the_bits_of_kteach_ops(reduction, weights,
                                                                         dtype):
    """Loss._reduce skips kteach.ops for a plain array (no tape can follow it); a Tensor goes
    through the ops. Both ways must give the same numbers to the last bit."""
    from kteach.engine.arrays import Tensor, plain
    rng = np.random.default_rng(3)
    L = (rng.random(37) * 3).astype(dtype)
    sw = {None: None, "per_sample": rng.random(37).astype(np.float32), "one_number": 0.7}[weights]
    loss = losses.MeanSquaredError(reduction=reduction)
    fast, by_ops = np.asarray(loss._reduce(L, sw)), np.asarray(plain(loss._reduce(L.view(Tensor), sw)))
    assert type(fast) is np.ndarray and fast.dtype == by_ops.dtype == dtype
    assert fast.shape == by_ops.shape and fast.tobytes() == by_ops.tobytes()
