"""Optimizers: Keras 3.15.1 trajectories, worked examples by hand, legacy spellings, errors, state.

Three kinds of checks:

* replay: tests/fixtures/optimizer_steps.json holds the weights Keras 3.15.1 (torch backend)
  produced for 23 optimizer settings over five steps (made by make_optimizer_steps.py); kteach
  must give the same float32 numbers;
* worked examples: the first one or two steps of each rule written out in float64 NumPy, straight
  from the formula, so each test reads like a page of lecture notes;
* behaviour: Keras 2 spellings, error messages, state save/restore, ``variables`` counts.
"""
import json
import math
import os
import re

import numpy as np
import pytest

from kteach.engine import errors
from kteach.engine.errors import KteachWarning, ShapeError, UnknownArgumentError, UnknownNameError
from kteach.engine.variable import Variable
from kteach.optimizers import (SGD, Adadelta, Adagrad, Adam, Adamax, Nadam, Optimizer,
                               OptimizerError, RMSprop, get)

FIXTURE = os.path.join(os.path.dirname(__file__), "fixtures", "optimizer_steps.json")
with open(FIXTURE) as _f:
    KERAS = json.load(_f)


def weight(values, path="dense/kernel", dtype="float32") -> Variable:
    return Variable(np.array(values, dtype=dtype), name=path.split("/")[-1], path=path)


def assert_f32(actual, expected):
    """Equal to float32 precision."""
    np.testing.assert_allclose(actual, expected, rtol=1e-6, atol=1e-7)


@pytest.fixture
def fresh_warnings(monkeypatch):
    """warn_once warns once per session; forget what was shown so a test can see it again."""
    monkeypatch.setattr(errors, "_warned", set())


# ======================================================================= replay against Keras
@pytest.mark.parametrize("case", sorted(KERAS["cases"]))
def test_trajectory_matches_keras(case):
    spec = KERAS["cases"][case]
    opt = getattr(__import__("kteach.optimizers", fromlist=["x"]), spec["class_name"])(
        **spec["kwargs"])
    kernel = weight(KERAS["kernel"], "dense/kernel")
    bias = weight(KERAS["bias"], "dense/bias")
    for step, ((g_kernel, g_bias), (k_expected, b_expected)) in enumerate(
            zip(KERAS["grads"], spec["steps"]), start=1):
        grads = [np.array(g_kernel, dtype="float32"), np.array(g_bias, dtype="float32")]
        assert opt.apply_gradients(zip(grads, [kernel, bias])) == step
        assert kernel.value.dtype == np.float32 and bias.value.dtype == np.float32
        assert_f32(kernel.value, k_expected)
        assert_f32(bias.value, b_expected)
    # The optimizer's own variables: same count, order, shapes and values as Keras'.
    ours, theirs = opt.variables, spec["optimizer_variables"]
    assert len(ours) == len(theirs)
    for a, b in zip(ours, theirs):
        assert np.shape(a) == np.shape(b)
        assert_f32(np.asarray(a, dtype="float64"), b)


def test_fixture_came_from_keras_3_15_1():
    assert KERAS["keras_version"] == "3.15.1" and KERAS["backend"] == "torch"
    assert len(KERAS["cases"]) == 23


# ======================================================================= worked examples
W0 = np.array([0.5, -1.0, 2.0])
G1 = np.array([0.2, -0.4, 1.0])
G2 = np.array([-0.1, 0.3, 0.5])


def two_steps(opt):
    """Run two steps from W0 with G1 then G2; return the weight after each and the weight."""
    w = weight(W0)
    opt.apply_gradients([(G1.astype("float32"), w)])
    w1 = w.value.copy()
    opt.apply_gradients([(G2.astype("float32"), w)])
    return w1, w.value.copy(), w


def test_sgd_by_hand():
    w1, w2, _ = two_steps(SGD(learning_rate=0.1))
    assert_f32(w1, W0 - 0.1 * G1)                   # w ← w − lr·g
    assert_f32(w2, W0 - 0.1 * G1 - 0.1 * G2)


def test_sgd_momentum_by_hand():
    opt = SGD(learning_rate=0.1, momentum=0.9)
    w1, w2, w = two_steps(opt)
    v1 = 0.9 * 0.0 - 0.1 * G1                       # v ← μv − lr·g
    assert_f32(w1, W0 + v1)                         # w ← w + v
    v2 = 0.9 * v1 - 0.1 * G2
    assert_f32(w2, W0 + v1 + v2)
    assert_f32(opt.slots(w)["momentum"], v2)


def test_sgd_nesterov_by_hand():
    w1, w2, _ = two_steps(SGD(learning_rate=0.1, momentum=0.9, nesterov=True))
    v1 = -0.1 * G1
    w1_hand = W0 + 0.9 * v1 - 0.1 * G1             # w ← w + μv − lr·g (new v)
    assert_f32(w1, w1_hand)
    v2 = 0.9 * v1 - 0.1 * G2
    assert_f32(w2, w1_hand + 0.9 * v2 - 0.1 * G2)


@pytest.mark.parametrize("momentum, nesterov", [(0.0, False), (0.9, False), (0.9, True)])
def test_sgd_updates_in_place_with_the_bits_of_the_plain_formula(momentum, nesterov):
    """SGD writes into the weight and its momentum (no new arrays per step) and gets the
    very same float32 numbers as the formula written out with temporaries."""
    rng = np.random.default_rng(3)
    w = weight(rng.standard_normal((6, 5)))
    opt = SGD(learning_rate=0.05, momentum=momentum, nesterov=nesterov)
    array, expected, v = w.value, w.value.copy(), np.zeros((6, 5), np.float32)
    lr = np.float32(0.05)
    for _ in range(4):
        g = rng.standard_normal((6, 5)).astype(np.float32)
        g_before = g.copy()
        opt.apply_gradients([(g, w)])
        if momentum == 0:
            expected = expected - lr * g
        else:
            v = momentum * v - lr * g
            expected = expected - lr * g + momentum * v if nesterov else expected + v
        np.testing.assert_array_equal(g, g_before)     # the gradient is left as it was
    assert w.value is array                            # the same array, changed in place
    np.testing.assert_array_equal(w.value, expected)   # to the last bit


def test_sgd_replaces_a_read_only_weight_array_instead_of_failing():
    w = weight([1.0, 2.0])
    w.value.flags.writeable = False
    SGD(learning_rate=0.5).apply_gradients([(np.array([1.0, 1.0], np.float32), w)])
    np.testing.assert_array_equal(w.value, [0.5, 1.5])


def test_rmsprop_by_hand():
    w1, w2, _ = two_steps(RMSprop(learning_rate=0.01))
    s1 = 0.9 * 0.0 + 0.1 * G1**2                    # s ← ρs + (1−ρ)g²
    w1_hand = W0 - 0.01 * G1 / np.sqrt(s1 + 1e-7)  # ε inside the root
    assert_f32(w1, w1_hand)
    s2 = 0.9 * s1 + 0.1 * G2**2
    assert_f32(w2, w1_hand - 0.01 * G2 / np.sqrt(s2 + 1e-7))


def test_rmsprop_centered_with_momentum_by_hand():
    opt = RMSprop(learning_rate=0.01, momentum=0.5, centered=True)
    w1, w2, w = two_steps(opt)
    s1, mg1 = 0.1 * G1**2, 0.1 * G1                 # mg ← ρ·mg + (1−ρ)g
    m1 = 0.5 * 0.0 + 0.01 * G1 / np.sqrt(s1 + 1e-7 - mg1**2)   # a variance: s − mg²
    assert_f32(w1, W0 - m1)
    s2, mg2 = 0.9 * s1 + 0.1 * G2**2, 0.9 * mg1 + 0.1 * G2
    m2 = 0.5 * m1 + 0.01 * G2 / np.sqrt(s2 + 1e-7 - mg2**2)
    assert_f32(w2, W0 - m1 - m2)
    assert sorted(opt.slots(w)) == ["m", "mg", "s"]
    assert_f32(opt.slots(w)["mg"], mg2)


def test_adagrad_by_hand():
    opt = Adagrad(learning_rate=0.1)
    w = weight(W0)
    assert_f32(opt.slots(w)["a"], [0.1, 0.1, 0.1])  # the accumulator starts at 0.1, not 0
    w1, w2, _ = two_steps(Adagrad(learning_rate=0.1))
    a1 = 0.1 + G1**2
    w1_hand = W0 - 0.1 * G1 / np.sqrt(a1 + 1e-7)
    assert_f32(w1, w1_hand)
    a2 = a1 + G2**2
    assert_f32(w2, w1_hand - 0.1 * G2 / np.sqrt(a2 + 1e-7))


def test_adam_by_hand():
    opt = Adam(learning_rate=0.01)
    w1, w2, w = two_steps(opt)
    # step 1: m = 0.1·g, v = 0.001·g², α = lr·√(1−0.999)/(1−0.9); so w moves by ≈ lr·sign(g)
    m1, v1 = 0.1 * G1, 0.001 * G1**2
    alpha1 = 0.01 * math.sqrt(1 - 0.999) / (1 - 0.9)
    w1_hand = W0 - alpha1 * m1 / (np.sqrt(v1) + 1e-7)
    assert_f32(w1, w1_hand)
    np.testing.assert_allclose(w1_hand, W0 - 0.01 * np.sign(G1), atol=1e-5)
    # step 2
    m2, v2 = 0.9 * m1 + 0.1 * G2, 0.999 * v1 + 0.001 * G2**2
    alpha2 = 0.01 * math.sqrt(1 - 0.999**2) / (1 - 0.9**2)
    assert_f32(w2, w1_hand - alpha2 * m2 / (np.sqrt(v2) + 1e-7))
    assert_f32(opt.slots(w)["m"], m2)
    assert_f32(opt.slots(w)["v"], v2)


def test_adam_amsgrad_keeps_the_largest_v():
    opt = Adam(learning_rate=0.01, amsgrad=True)
    w = weight([1.0])
    opt.apply_gradients([(np.array([2.0], "float32"), w)])
    opt.apply_gradients([(np.array([0.1], "float32"), w)])
    v1 = 0.001 * 4.0
    v2 = 0.999 * v1 + 0.001 * 0.01
    assert_f32(opt.slots(w)["v_hat"], [max(v1, v2)])
    m2 = 0.9 * 0.2 + 0.1 * 0.1
    alpha2 = 0.01 * math.sqrt(1 - 0.999**2) / (1 - 0.9**2)
    w1 = 1.0 - 0.01 * math.sqrt(1 - 0.999) / 0.1 * 0.2 / (math.sqrt(v1) + 1e-7)
    assert_f32(w.value, [w1 - alpha2 * m2 / (math.sqrt(max(v1, v2)) + 1e-7)])


def test_adamax_by_hand():
    w1, w2, _ = two_steps(Adamax(learning_rate=0.01))
    m1, u1 = 0.1 * G1, np.maximum(0.999 * 0.0, np.abs(G1))     # u ← max(β2·u, |g|)
    w1_hand = W0 - 0.01 * m1 / ((u1 + 1e-7) * (1 - 0.9))
    assert_f32(w1, w1_hand)
    m2, u2 = 0.9 * m1 + 0.1 * G2, np.maximum(0.999 * u1, np.abs(G2))
    assert_f32(w2, w1_hand - 0.01 * m2 / ((u2 + 1e-7) * (1 - 0.9**2)))


def test_nadam_by_hand():
    opt = Nadam(learning_rate=0.01)
    w1, w2, _ = two_steps(opt)

    def mu(t):
        return 0.9 * (1 - 0.5 * 0.96**t)

    P1 = 1.0 * mu(1)                                # 0.9·(1 − 0.5·0.96) = 0.468
    assert mu(1) == pytest.approx(0.468)
    m1, v1 = 0.1 * G1, 0.001 * G1**2
    m_hat = mu(2) * m1 / (1 - P1 * mu(2)) + (1 - mu(1)) * G1 / (1 - P1)
    v_hat = v1 / (1 - 0.999)                        # = g² on step 1
    w1_hand = W0 - 0.01 * m_hat / (np.sqrt(v_hat) + 1e-7)
    assert_f32(w1, w1_hand)
    P2 = P1 * mu(2)
    m2, v2 = 0.9 * m1 + 0.1 * G2, 0.999 * v1 + 0.001 * G2**2
    m_hat = mu(3) * m2 / (1 - P2 * mu(3)) + (1 - mu(2)) * G2 / (1 - P2)
    v_hat = v2 / (1 - 0.999**2)
    assert_f32(w2, w1_hand - 0.01 * m_hat / (np.sqrt(v_hat) + 1e-7))
    assert_f32(opt.variables[-1], P2)               # one product shared by all weights


def test_adadelta_by_hand():
    w1, w2, w = two_steps(Adadelta(learning_rate=1.0))
    Eg1 = 0.05 * G1**2
    d1 = -np.sqrt(0.0 + 1e-7) / np.sqrt(Eg1 + 1e-7) * G1     # Δ = −√(Ed+ε)/√(Eg+ε)·g
    Ed1 = 0.05 * d1**2
    assert_f32(w1, W0 + 1.0 * d1)
    Eg2 = 0.95 * Eg1 + 0.05 * G2**2
    d2 = -np.sqrt(Ed1 + 1e-7) / np.sqrt(Eg2 + 1e-7) * G2
    assert_f32(w2, W0 + d1 + d2)


def test_weight_decay_shrinks_before_the_step():
    w1, _, _ = two_steps(SGD(learning_rate=0.1, weight_decay=0.05))
    assert_f32(w1, (W0 - W0 * 0.05 * 0.1) - 0.1 * G1)    # w ← w − w·wd·lr, then the rule


def test_exclude_from_weight_decay_by_name():
    opt = SGD(learning_rate=0.1, weight_decay=0.5)
    opt.exclude_from_weight_decay(var_names=["bias"])
    kernel, bias = weight([1.0], "d/kernel"), weight([1.0], "d/bias")
    opt.apply([np.zeros(1), np.zeros(1)], [kernel, bias])
    assert_f32(kernel.value, [1.0 - 0.5 * 0.1])
    assert_f32(bias.value, [1.0])


def test_clipnorm_clips_each_gradient_to_its_own_norm():
    opt = SGD(learning_rate=1.0, clipnorm=1.0)
    a, b = weight([0.0, 0.0], "d/kernel"), weight([0.0], "d/bias")
    opt.apply([np.array([3.0, 4.0]), np.array([0.5])], [a, b])
    assert_f32(a.value, [-0.6, -0.8])               # (3, 4)·1/5: norm 5 → 1
    assert_f32(b.value, [-0.5])                     # norm 0.5 ≤ 1: unchanged


def test_global_clipnorm_scales_all_gradients_together():
    opt = SGD(learning_rate=1.0, global_clipnorm=1.0)
    a, b = weight([0.0, 0.0], "d/kernel"), weight([0.0], "d/bias")
    opt.apply([np.array([3.0, 0.0]), np.array([4.0])], [a, b])
    assert_f32(a.value, [-0.6, 0.0])                # global norm √(9+16) = 5
    assert_f32(b.value, [-0.8])
    opt.apply([np.zeros(2), np.zeros(1)], [a, b])   # a zero norm must not give NaN
    assert_f32(a.value, [-0.6, 0.0])


def test_clipvalue_clips_each_entry():
    opt = SGD(learning_rate=1.0, clipvalue=0.5)
    w = weight([0.0, 0.0, 0.0])
    opt.apply_gradients([(np.array([-2.0, 0.1, 3.0]), w)])
    assert_f32(w.value, [0.5, -0.1, -0.5])


def test_only_one_kind_of_clipping():
    with pytest.raises(OptimizerError, match=re.escape(
            "Only one of `clipnorm`, `clipvalue` and `global_clipnorm` can be set. "
            "Received: clipnorm=1.0, clipvalue=0.5, global_clipnorm=None.")):
        SGD(clipnorm=1.0, clipvalue=0.5)


# ======================================================================= Keras 2 spellings
def test_tutorial_sgd_line_works_and_explains(fresh_warnings):
    with pytest.warns(KteachWarning) as record:
        opt = SGD(lr=0.01, decay=1e-6, momentum=0.9, nesterov=True)
    texts = [str(r.message) for r in record]
    assert any("`lr` is the Keras 2 name of `learning_rate`" in t
               and "Write SGD(learning_rate=0.01)" in t for t in texts)
    assert any("Keras 3 ignores it" in t and "InverseTimeDecay(initial_learning_rate=0.01, "
               "decay_steps=1, decay_rate=1e-06)" in t for t in texts)
    assert opt.learning_rate == 0.01 and opt.decay == 1e-6
    assert opt.momentum == 0.9 and opt.nesterov is True


def test_legacy_decay_follows_keras_2(fresh_warnings):
    with pytest.warns(KteachWarning):
        opt = SGD(learning_rate=0.1, decay=0.5)
    w = weight([1.0])
    lrs = []
    for _ in range(3):
        lrs.append(opt.current_learning_rate)
        opt.apply_gradients([(np.array([1.0]), w)])
    # Keras 2: lr_t = lr / (1 + decay·iterations), iterations counted before the step
    assert lrs == pytest.approx([0.1 / (1 + 0.5 * 0), 0.1 / (1 + 0.5 * 1), 0.1 / (1 + 0.5 * 2)])
    assert_f32(w.value, [1.0 - 0.1 - 0.1 / 1.5 - 0.1 / 2.0])
    assert opt.learning_rate == 0.1                   # the base rate is unchanged
    assert opt.get_config()["decay"] == 0.5


def test_legacy_lr_with_adam(fresh_warnings):
    with pytest.warns(KteachWarning, match="Keras 3 raises"):
        opt = Adam(lr=0.002)
    assert opt.learning_rate == 0.002 and opt.decay == 0.0
    assert "decay" not in opt.get_config()


def test_lr_and_learning_rate_together_is_an_error(fresh_warnings):
    with pytest.raises(OptimizerError, match=re.escape(
            "Adam() got both lr=0.2 and learning_rate=0.1. `lr` is the Keras 2 name of "
            "`learning_rate`; they mean the same thing. Give it once: Adam(learning_rate=0.2).")):
        Adam(learning_rate=0.1, lr=0.2)


# ======================================================================= errors
def test_int_momentum_raises_like_keras_and_says_the_fix():
    with pytest.raises(ValueError, match=re.escape(
            "`momentum` must be a float between [0, 1]. Received: momentum=0 (int). "
            "Keras 3 accepts only a float here: write momentum=0.0.")):
        SGD(momentum=0)


@pytest.mark.parametrize("momentum", [1.5, -0.1, "0.9"])
def test_momentum_outside_0_1_raises(momentum):
    with pytest.raises(OptimizerError,
                       match=re.escape("`momentum` must be a float between [0, 1].")):
        SGD(momentum=momentum)


def test_misspelt_keyword_suggests_the_name():
    with pytest.raises(UnknownArgumentError, match=re.escape(
            "SGD() got an unexpected keyword argument 'momentun'. Did you mean 'momentum' or "
            "'ema_momentum'? It accepts: learning_rate, momentum, nesterov, weight_decay, "
            "clipnorm")):
        SGD(momentun=0.9)
    with pytest.raises(TypeError, match="Did you mean 'beta_1'"):
        Adam(beta1=0.9)


@pytest.mark.parametrize("bad", [-0.1, float("nan"), float("inf")])
def test_learning_rate_must_be_finite_and_not_negative(bad):
    with pytest.raises(OptimizerError, match="The learning rate must be a finite number >= 0"):
        Adam(learning_rate=bad)
    opt = Adam()
    with pytest.raises(OptimizerError, match="finite number >= 0"):
        opt.learning_rate = bad
    assert opt.learning_rate == 0.001                 # a refused value changes nothing


def test_int_learning_rate_raises_like_keras_and_setter_accepts_it():
    with pytest.raises(OptimizerError, match=re.escape(
            "Argument `learning_rate` should be float, or an instance of LearningRateSchedule, "
            "or a callable (that takes in the current iteration value and returns the "
            "corresponding learning rate value). Received instead: learning_rate=1 (int)."
            " Keras 3 refuses anything else; write it as a float, e.g. "
            "SGD(learning_rate=1.0).")):
        SGD(learning_rate=1)
    opt = SGD()
    opt.learning_rate = 1                             # Keras' setter takes it too
    assert opt.learning_rate == 1.0 and isinstance(opt.learning_rate, float)


def test_unsupported_keras_options_say_so():
    with pytest.raises(NotImplementedError, match=re.escape(
            "Adam(loss_scale_factor=2.0): Keras has `loss_scale_factor`, but kteach does not "
            "implement it (yet).")):
        Adam(loss_scale_factor=2.0)


def test_bad_gradient_shape_changes_nothing():
    opt = Adam()
    a, b = weight([1.0, 2.0], "d/kernel"), weight([3.0], "d/bias")
    with pytest.raises(ShapeError, match=re.escape(
            "The gradient for d/bias has shape (2,) but the weight has shape (1,).")):
        opt.apply([np.ones(2), np.ones(2)], [a, b])
    assert_f32(a.value, [1.0, 2.0])
    assert opt.iterations == 0 and opt.variables[2:] == []


def test_none_gradient_skips_that_weight(fresh_warnings):
    opt = SGD(learning_rate=0.5)
    a, b = weight([1.0], "d/kernel"), weight([1.0], "d/bias")
    with pytest.warns(KteachWarning, match=re.escape("Gradients do not exist for variables "
                                                     "['d/bias']")):
        opt.apply([np.array([1.0]), None], [a, b])
    assert_f32(a.value, [0.5])
    assert_f32(b.value, [1.0])
    with pytest.raises(OptimizerError, match="No gradients provided for any variable."):
        opt.apply([None], [a])


# ======================================================================= get()
@pytest.mark.parametrize("name, cls", [("sgd", SGD), ("SGD", SGD), ("RMSprop", RMSprop),
                                       ("rmsprop", RMSprop), ("ADAM", Adam), ("adagrad", Adagrad),
                                       ("Adadelta", Adadelta), ("adamax", Adamax),
                                       ("nadam", Nadam)])
def test_get_by_name_is_case_insensitive(name, cls):
    opt = get(name)
    assert type(opt) is cls
    assert opt.get_config() == cls().get_config() | {"name": opt.name}


def test_get_returns_instances_and_builds_from_config():
    opt = SGD(learning_rate=0.3)
    assert get(opt) is opt and get(None) is None
    built = get({"class_name": "SGD", "config": {"learning_rate": 0.5, "momentum": 0.9}})
    assert isinstance(built, SGD) and built.learning_rate == 0.5 and built.momentum == 0.9


def test_get_unknown_name_suggests_the_closest():
    with pytest.raises(UnknownNameError, match=re.escape(
            "Could not interpret optimizer identifier: rmspropy. Did you mean 'rmsprop'? "
            "Known optimizer names: adadelta, adagrad, adam, adamax, adamw, ftrl, lion, "
            "nadam, rmsprop, sgd.")):
        get("rmspropy")


@pytest.mark.parametrize("name, cls_name", [("adafactor", "Adafactor"), ("muon", "Muon")])
def test_get_keras_only_optimizer_says_kteach_lacks_it(name, cls_name):
    with pytest.raises(UnknownNameError, match=re.escape(
            f"Could not interpret optimizer identifier: {name}. Keras has {cls_name}, but kteach "
            "does not implement it (yet). kteach has: adadelta, adagrad, adam, adamax, adamw, "
            "ftrl, lion, nadam, rmsprop, sgd.")):
        get(name)


def test_get_with_the_class_says_to_call_it():
    with pytest.raises(UnknownNameError, match=re.escape("Create an optimizer from it: Adam()")):
        get(Adam)


# ======================================================================= state and variables
def test_get_state_and_set_state_put_the_optimizer_back_exactly():
    for opt in (Adam(learning_rate=0.01, amsgrad=True), Nadam(learning_rate=0.01),
                SGD(learning_rate=0.1, momentum=0.9)):
        kernel, bias = weight([[1.0, -2.0]], "d/kernel"), weight([0.5], "d/bias")
        grads = [np.array([[0.3, -0.2]]), np.array([0.1])]
        opt.apply(grads, [kernel, bias])
        state = opt.get_state()
        before = [kernel.numpy(), bias.numpy()]
        before_vars = [v.copy() for v in opt.variables]
        opt.apply(grads, [kernel, bias])
        after = [kernel.numpy(), bias.numpy()]
        # undo: weights by hand, optimizer from its state; then the same step gives the same
        opt.set_state(state)
        kernel.assign(before[0]), bias.assign(before[1])
        assert opt.iterations == 1
        for a, b in zip(opt.variables, before_vars):
            np.testing.assert_array_equal(a, b)
        opt.apply(grads, [kernel, bias])
        np.testing.assert_array_equal(kernel.value, after[0])
        np.testing.assert_array_equal(bias.value, after[1])
        # the saved state was a deep copy: the steps did not change it
        opt.set_state(state)
        for a, b in zip(opt.variables, before_vars):
            np.testing.assert_array_equal(a, b)


def _dense_weights():
    """A Dense(3) on 4 inputs: kernel (4, 3) and bias (3,), 15 numbers."""
    return [weight(np.zeros((4, 3)), "dense/kernel"), weight(np.zeros(3), "dense/bias")]


# Optimizer params after one fit step on that Dense, as Keras 3.15.1's summary() prints them
# (Adam 32, Nadam 33, SGD 2); the other counts follow from Keras' variable lists (see fixture).
@pytest.mark.parametrize("opt, n_variables, n_params", [
    (SGD(), 2, 2), (SGD(momentum=0.9), 4, 17), (RMSprop(), 4, 17),
    (RMSprop(momentum=0.5, centered=True), 8, 47), (Adagrad(), 4, 17), (Adam(), 6, 32),
    (Adam(amsgrad=True), 8, 47), (Adamax(), 6, 32), (Nadam(), 7, 33), (Adadelta(), 6, 32)])
def test_variables_count_as_keras_summary(opt, n_variables, n_params):
    weights = _dense_weights()
    assert len(opt.variables) == 2                  # iterations and learning_rate
    opt.apply([np.ones(w.shape) for w in weights], weights)
    assert len(opt.variables) == n_variables
    assert sum(np.size(v) for v in opt.variables) == n_params
    assert opt.variables[0].dtype == np.int32 and opt.variables[0] == 1
    assert opt.variables[1].dtype == np.float32


def test_variables_are_in_keras_order():
    kernel, bias = _dense_weights()
    opt = Adam(amsgrad=True)
    opt.build([kernel, bias])
    shapes = [np.shape(v) for v in opt.variables]
    # Keras: kernel_momentum, kernel_velocity, bias_momentum, bias_velocity, then velocity_hats
    assert shapes == [(), (), (4, 3), (4, 3), (3,), (3,), (4, 3), (3,)]


def test_slots_are_created_lazily_as_zeros_in_the_weight_dtype():
    opt = Adam()
    w = weight([[1.0, 2.0]])
    s = opt.slots(w)
    assert sorted(s) == ["m", "v"]
    assert s["m"].dtype == np.float32 and s["m"].shape == (1, 2) and not s["m"].any()
    assert SGD().slots(w) == {}                     # plain SGD keeps no state


def test_float64_weights_are_updated_in_float64():
    w = weight([1.0], dtype="float64")
    Adam(learning_rate=0.1).apply_gradients([(np.array([0.5], "float32"), w)])
    assert w.value.dtype == np.float64
    alpha = 0.1 * math.sqrt(1 - 0.999) / (1 - 0.9)
    assert w.value[0] == pytest.approx(1.0 - alpha * 0.05 / (math.sqrt(0.001 * 0.25) + 1e-7),
                                       rel=1e-14)


# ======================================================================= config and text
def test_get_config_has_keras_keys_and_round_trips():
    opt = Adam(learning_rate=0.01, beta_1=0.8, amsgrad=True, clipnorm=1.0, name="my_adam")
    config = opt.get_config()
    assert list(config) == ["name", "learning_rate", "weight_decay", "clipnorm",
                            "global_clipnorm", "clipvalue", "use_ema", "ema_momentum",
                            "ema_overwrite_frequency", "loss_scale_factor",
                            "gradient_accumulation_steps", "beta_1", "beta_2", "epsilon",
                            "amsgrad"]
    copy = Adam.from_config(config)
    assert copy.get_config() == config and copy.name == "my_adam"


def test_default_names_follow_keras():
    assert re.fullmatch(r"rm_sprop(_\d+)?", RMSprop().name)
    assert re.fullmatch(r"sgd(_\d+)?", get("sgd").name)


def test_keras_defaults():
    assert (SGD().learning_rate, SGD().momentum, SGD().nesterov) == (0.01, 0.0, False)
    r = RMSprop()
    assert (r.learning_rate, r.rho, r.momentum, r.epsilon, r.centered) == (0.001, 0.9, 0.0, 1e-7,
                                                                           False)
    a = Adagrad()
    assert (a.learning_rate, a.initial_accumulator_value, a.epsilon) == (0.001, 0.1, 1e-7)
    for cls in (Adam, Adamax, Nadam):
        o = cls()
        assert (o.learning_rate, o.beta_1, o.beta_2, o.epsilon) == (0.001, 0.9, 0.999, 1e-7)
    assert Adam().amsgrad is False
    d = Adadelta()
    assert (d.learning_rate, d.rho, d.epsilon) == (0.001, 0.95, 1e-7)


def test_describe_update_writes_the_rule_with_the_numbers():
    w = weight([1.0])
    assert SGD().describe_update(w) == "w ← w − 0.01·g"
    assert SGD(learning_rate=0.1, momentum=0.9).describe_update(w) == (
        "v ← 0.9·v − 0.1·g;  w ← w + v")
    assert Adagrad().describe_update(w) == "a ← a + g²;  w ← w − 0.001·g/√(a + 1e-07)"
    assert RMSprop().describe_update(w) == (
        "s ← 0.9·s + 0.1·g²;  w ← w − 0.001·g/√(s + 1e-07)")
    adam = Adam(learning_rate=0.01)
    assert adam.describe_update(w) == (
        "m ← 0.9·m + 0.1·g;  v ← 0.999·v + 0.001·g²;  w ← w − 0.00316228·m/(√v + 1e-07)"
        "  [t=1: 0.01·√(1−0.999^1)/(1−0.9^1) = 0.00316228]")
    adam.apply_gradients([(np.array([1.0]), w)])
    assert "[t=2:" in adam.describe_update(w)
    assert SGD(learning_rate=0.1, weight_decay=0.01, clipvalue=1.0).describe_update(w) == (
        "g ← clip(g, −1, 1);  w ← w − 0.01·0.1·w;  w ← w − 0.1·g")
    for opt in (Adamax(), Nadam(), Adadelta(), RMSprop(momentum=0.5, centered=True)):
        text = opt.describe_update(w)
        assert text.count("w ← w") == 1 and "0.001" in text


def test_base_optimizer_needs_a_rule():
    opt = Optimizer(learning_rate=0.1)
    with pytest.raises(NotImplementedError, match="has no update rule"):
        opt.apply_gradients([(np.array([1.0]), weight([1.0]))])
