"""TrainingStats: per-epoch weight and gradient norms, activation statistics and dead ReLUs."""
import math

import numpy as np
import pytest

import kteach
from kteach import Input, Sequential, layers
from kteach.callbacks import TrainingStats
from kteach.engine import graph
from kteach.engine.errors import NumericalError

X = np.array([[1.0, 2.0], [-1.0, 0.5], [0.5, -1.5], [2.0, 1.0]], "float32")
Y = np.array([[1.0], [0.0], [-1.0], [2.0]], "float32")
W1 = np.array([[0.5, -0.5, 0.2], [0.3, 0.4, -0.1]])
B1 = np.array([0.0, 0.1, -100.0])          # the third unit can never fire: it is dead
W2 = np.array([[1.0], [-2.0], [0.5]])
B2 = np.array([0.1])


def small_model():
    model = Sequential([Input((2,)), layers.Dense(3, activation="relu", name="hidden"),
                        layers.Dense(1, name="out")])
    model.set_weights([W1, B1, W2, B2])
    model.compile(optimizer=kteach.optimizers.SGD(learning_rate=0.1), loss="mse")
    return model


def by_hand(epochs=2, batch=2):
    """The same training in float64 NumPy: SGD on mean squared error, no shuffling."""
    params = [W1, B1, W2, B2]
    stats = {k: [] for k in ("norms", "grad_norms", "h", "p")}
    for _ in range(epochs):
        grad_norms, hs, ps = [], [], []
        for start in range(0, len(X), batch):
            x, y = X[start:start + batch].astype(float), Y[start:start + batch].astype(float)
            Wa, ba, Wb, bb = params
            z = x @ Wa + ba
            h = np.maximum(z, 0)
            p = h @ Wb + bb
            dp = 2 * (p - y) / len(x)
            dh = dp @ Wb.T
            dz = dh * (z > 0)
            grads = [x.T @ dz, dz.sum(0), h.T @ dp, dp.sum(0)]
            params = [w - 0.1 * g for w, g in zip(params, grads)]
            grad_norms.append([np.linalg.norm(g) for g in grads])
            hs.append(h)
            ps.append(p)
        stats["norms"].append([np.linalg.norm(w) for w in params])
        stats["grad_norms"].append(np.mean(grad_norms, axis=0))
        stats["h"].append(np.concatenate(hs))
        stats["p"].append(np.concatenate(ps))
    return stats


KEYS = ["hidden/kernel_norm", "hidden/kernel_grad_norm", "hidden/bias_norm",
        "hidden/bias_grad_norm", "hidden/activation_mean", "hidden/activation_std",
        "hidden/dead_fraction", "out/kernel_norm", "out/kernel_grad_norm", "out/bias_norm",
        "out/bias_grad_norm", "out/activation_mean", "out/activation_std"]


def test_values_agree_with_a_hand_computation():
    model = small_model()
    stats = TrainingStats()
    history = model.fit(X, Y, epochs=2, batch_size=2, shuffle=False, verbose=0, callbacks=[stats])
    assert list(history.history) == ["loss"]               # Keras' keys, untouched
    assert history.stats is stats.stats and list(stats.stats) == KEYS
    assert all(len(v) == 2 for v in stats.stats.values())
    hand = by_hand()
    s = stats.stats
    for e in range(2):
        norms, grads, h, p = (hand[k][e] for k in ("norms", "grad_norms", "h", "p"))
        got_norms = [s["hidden/kernel_norm"][e], s["hidden/bias_norm"][e],
                     s["out/kernel_norm"][e], s["out/bias_norm"][e]]
        np.testing.assert_allclose(got_norms, norms, rtol=1e-5)
        got_grads = [s["hidden/kernel_grad_norm"][e], s["hidden/bias_grad_norm"][e],
                     s["out/kernel_grad_norm"][e], s["out/bias_grad_norm"][e]]
        np.testing.assert_allclose(got_grads, grads, rtol=1e-5)
        assert s["hidden/activation_mean"][e] == pytest.approx(h.mean(), rel=1e-5)
        assert s["hidden/activation_std"][e] == pytest.approx(h.std(), rel=1e-5)
        assert s["out/activation_mean"][e] == pytest.approx(p.mean(), rel=1e-5)
        assert s["out/activation_std"][e] == pytest.approx(p.std(), rel=1e-5)
        dead = 1 - np.mean((h > 0).any(axis=0))
        assert dead == pytest.approx(1 / 3)
        assert s["hidden/dead_fraction"][e] == pytest.approx(dead)
    assert graph.TRACERS == []


def test_validation_passes_are_not_counted():
    plain, with_val = TrainingStats(), TrainingStats()
    small_model().fit(X, Y, epochs=1, batch_size=2, shuffle=False, verbose=0, callbacks=[plain])
    small_model().fit(X, Y, epochs=1, batch_size=2, shuffle=False, verbose=0, callbacks=[with_val],
                      validation_data=(10 * X, Y))
    assert with_val.stats == plain.stats


def test_frozen_weights_have_no_gradient_norm_and_dropout_is_seen():
    kteach.utils.set_random_seed(0)
    frozen = layers.Dense(3, name="frozen")
    frozen.trainable = False
    model = Sequential([Input((2,)), frozen, layers.Dropout(0.5, name="drop"), layers.Dense(1, name="out")])
    model.compile(optimizer="sgd", loss="mse")
    stats = TrainingStats()
    model.fit(X, Y, epochs=1, batch_size=4, verbose=0, callbacks=[stats])
    assert "frozen/kernel_norm" in stats.stats and "frozen/kernel_grad_norm" not in stats.stats
    assert "drop/activation_mean" in stats.stats and "drop/dead_fraction" not in stats.stats
    assert stats.stats["frozen/kernel_norm"][0] == pytest.approx(np.linalg.norm(frozen.kernel.value))


def test_table_and_a_failed_fit_leaves_no_tracer_behind():
    stats = TrainingStats()
    assert stats.table() == "No statistics yet: pass this callback to fit(..., callbacks=[...])."
    model = small_model()
    model.fit(X, Y, epochs=1, batch_size=4, shuffle=False, verbose=0, callbacks=[stats])
    lines = stats.table().splitlines()
    assert len(lines) == len(KEYS)
    assert lines[6] == f"hidden/dead_fraction     {1 / 3:.4f}"
    model.layers[1].kernel.assign(np.full((3, 1), 1e30, "float32"))
    with np.errstate(all="ignore"), pytest.raises(NumericalError):
        model.fit(X, Y, epochs=1, batch_size=4, verbose=0, callbacks=[stats])
    # fit stopped inside a batch, before on_train_batch_end; fit itself takes the listener away
    assert graph.TRACERS == []


def test_an_epoch_where_a_layer_did_not_run_gets_nan():
    stats = TrainingStats()
    stats.model = small_model()
    stats.on_train_begin()
    stats.on_epoch_begin(0)
    stats.on_epoch_end(0)
    assert math.isnan(stats.stats["hidden/activation_mean"][0])
    assert math.isnan(stats.stats["hidden/kernel_grad_norm"][0])
    assert stats.stats["hidden/kernel_norm"][0] == pytest.approx(np.linalg.norm(W1), rel=1e-6)

