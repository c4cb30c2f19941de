"""The tape: recording ops, walking back, GradientTape's rules and messages."""
import warnings

import numpy as np
import pytest

import kteach
from kteach import layers, ops
from kteach.engine.arrays import Tensor
from kteach.engine.tape import TapeError
from kteach.engine.variable import Variable


def variable(a, name="w"):
    return Variable(np.asarray(a, dtype="float64"), name=name, path=f"test/{name}")


def test_ops_outside_a_recording_return_plain_arrays():
    y = ops.add(np.ones(3), np.ones(3))
    assert type(y) is np.ndarray
    np.testing.assert_array_equal(y, [2.0, 2.0, 2.0])


def test_affine_map_gradients_equal_the_hand_formulas():
    rng = np.random.default_rng(0)
    x = rng.normal(size=(4, 3))
    W, b = variable(rng.normal(size=(3, 2)), "W"), variable(np.zeros(2), "b")
    with kteach.GradientTape() as tape:
        z = x @ W + b                 # operators on a Variable are recorded
        loss = ops.sum(z * z)
    assert isinstance(z, Tensor) and [e.name for e in tape.entries] == ["matmul", "add",
                                                                        "multiply", "sum"]
    dW, db = tape.gradient(loss, [W, b])
    zz = x @ W.value
    np.testing.assert_allclose(dW, 2 * x.T @ zz)       # dL/dW = xᵀ · 2z
    np.testing.assert_allclose(db, 2 * zz.sum(axis=0))  # dL/db = Σ_rows 2z


def test_a_value_used_twice_gets_the_sum_of_both_gradients():
    x = np.array([1.0, -2.0, 3.0])
    with kteach.GradientTape() as tape:
        tape.watch(x)
        y = ops.multiply(x, x)          # x feeds both inputs of the product
        loss = ops.sum(y)
    np.testing.assert_allclose(tape.gradient(loss, x), 2 * x)


def test_gradient_keeps_the_structure_of_sources():
    a, b = variable([1.0, 2.0], "a"), variable([3.0], "b")
    with kteach.GradientTape() as tape:
        loss = ops.sum(a * b)
    grads = tape.gradient(loss, {"first": a, "rest": [b]})
    np.testing.assert_allclose(grads["first"], [3.0, 3.0])
    np.testing.assert_allclose(grads["rest"][0], [3.0])


def test_a_non_persistent_tape_gives_gradients_once():
    w = variable([2.0])
    with kteach.GradientTape() as tape:
        loss = ops.sum(w * w)
    tape.gradient(loss, w)
    with pytest.raises(TapeError, match="A non-persistent GradientTape can only be used to "
                                        "compute one set of gradients"):
        tape.gradient(loss, w)
    with kteach.GradientTape(persistent=True) as tape:
        loss = ops.sum(w * w)
    np.testing.assert_allclose(tape.gradient(loss, w), [4.0])
    np.testing.assert_allclose(tape.gradient(loss, w), [4.0])


def test_a_value_the_tape_never_followed_gets_none_and_a_warning_that_says_why():
    x = np.array([1.0, 2.0])            # a plain array, not watched
    w = variable([1.0, 1.0])
    with kteach.GradientTape() as tape:
        loss = ops.sum(w * x)
    with pytest.warns(kteach.engine.KteachWarning, match="the tape never followed it"):
        g = tape.gradient(loss, [x, w])
    assert g[0] is None
    np.testing.assert_allclose(g[1], x)


def test_a_value_computed_with_numpy_instead_of_ops_breaks_the_chain_with_a_warning():
    w = variable([1.0, 2.0])
    with kteach.GradientTape() as tape:
        with pytest.warns(kteach.engine.KteachWarning, match="np.convolve is not recorded on the tape"):
            y = np.convolve(ops.multiply(w, 1.0), np.array([1.0, 1.0]))
        loss = ops.sum(y)
    with pytest.warns(kteach.engine.KteachWarning, match="returns None for variable 'test/w'"):
        assert tape.gradient(loss, w) is None


def test_unconnected_zero_and_output_gradients():
    w, v = variable([1.0, 2.0], "w"), variable([5.0], "v")
    with kteach.GradientTape() as tape:
        y = w * 3.0
    with warnings.catch_warnings():
        warnings.simplefilter("ignore")
        gw, gv = tape.gradient(y, [w, v], output_gradients=np.array([1.0, 10.0]),
                               unconnected_gradients="zero")
    np.testing.assert_allclose(gw, [3.0, 30.0])
    np.testing.assert_array_equal(gv, [0.0])


def test_stop_recording_leaves_steps_off_the_tape():
    w = variable([2.0])
    with kteach.GradientTape() as tape:
        with tape.stop_recording():
            frozen = w * 10.0
        loss = ops.sum(w * frozen)
    assert type(frozen) is np.ndarray
    np.testing.assert_allclose(tape.gradient(loss, w), [20.0])   # frozen is a constant


def test_watch_refuses_what_is_not_an_array():
    with kteach.GradientTape() as tape:
        with pytest.raises(TypeError, match="tape.watch\\(\\) takes arrays or Variables, not str"):
            tape.watch("x")


def test_a_built_in_layer_call_is_one_entry_whose_vjp_is_its_backward():
    kteach.utils.set_random_seed(0)
    dense = layers.Dense(3)
    x = np.random.default_rng(1).normal(size=(5, 4)).astype("float32")
    dense(x)
    with kteach.GradientTape() as tape:
        y = dense(x)
        loss = ops.sum(y * y)
    assert [(e.kind, e.name) for e in tape.entries][0] == ("layer", "dense")
    dW, db = tape.gradient(loss, dense.trainable_weights)
    _, cache = dense.forward(x)
    _, (dW_hand, db_hand) = dense.backward(cache, 2 * np.asarray(y))
    np.testing.assert_allclose(dW, dW_hand, rtol=1e-6)
    np.testing.assert_allclose(db, db_hand, rtol=1e-6)


def test_a_training_loop_from_scratch_matches_train_on_batch():
    def model():
        kteach.utils.set_random_seed(3)
        return kteach.Sequential([kteach.Input((4,)), layers.Dense(5, activation="tanh"),
                                  layers.Dense(1)])
    rng = np.random.default_rng(2)
    x, y = rng.normal(size=(16, 4)).astype("float32"), rng.normal(size=(16, 1)).astype("float32")
    by_fit = model()
    by_fit.compile(optimizer=kteach.optimizers.SGD(0.1), loss="mse")
    by_hand = model()
    optimizer = kteach.optimizers.SGD(0.1)
    for _ in range(3):
        by_fit.train_on_batch(x, y)
        with kteach.GradientTape() as tape:
            pred = by_hand(x, training=True)
            loss = ops.sum((pred - y) * (pred - y)) / 16.0
        grads = tape.gradient(loss, by_hand.trainable_weights)
        optimizer.apply_gradients(zip(grads, by_hand.trainable_weights))
    for a, b in zip(by_fit.get_weights(), by_hand.get_weights()):
        np.testing.assert_allclose(a, b, rtol=1e-5, atol=1e-6)
