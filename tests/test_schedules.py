"""Learning-rate schedules, callables as learning rates, AdamW, Lion and Ftrl.

tests/fixtures/schedules.json comes from the real Keras 3.15.1 (make_schedules.py): every
schedule's value at many steps, and five-step weight trajectories of optimizers driven by a
schedule (or a callable) and of AdamW, Lion and Ftrl. kteach must give the same float32 numbers.
"""
import json
import math
import os

import numpy as np
import pytest

import kteach
from kteach import optimizers
from kteach.engine.variable import Variable
from kteach.optimizers import OptimizerError, schedules
from kteach.optimizers.schedules import ScheduleError

FIXTURE = os.path.join(os.path.dirname(__file__), "fixtures", "schedules.json")
with open(FIXTURE) as _f:
    KERAS = json.load(_f)
with open(os.path.join(os.path.dirname(__file__), "fixtures", "optimizer_steps.json")) as _f:
    DATA = json.load(_f)      # the same initial weights and gradients


def assert_f32(actual, expected, atol=1e-7):
    np.testing.assert_allclose(actual, expected, rtol=1e-6, atol=atol)


# Keras' own JAX and torch backends disagree on Nadam by up to 1.7e-7 (measured on the plain
# "nadam" case of optimizer_steps.json); kteach follows the torch order, so Nadam cases here,
# made with JAX, get that much room.
ATOL = {"nadam_restarts": 2e-7, "nadam_ema_schedule": 2e-7}


def test_fixture_came_from_keras_3_15_1():
    assert KERAS["keras_version"] == "3.15.1" and KERAS["backend"] == "jax"


@pytest.mark.parametrize("case", sorted(KERAS["schedules"]))
def test_schedule_values_match_keras(case):
    spec = KERAS["schedules"][case]
    schedule = getattr(schedules, spec["class_name"])(**spec["kwargs"])
    ours = [schedule(step) for step in KERAS["steps"]]
    assert all(isinstance(v, np.float32) for v in ours)
    assert_f32(np.array(ours, dtype="float64"), spec["values"])


def make_optimizer(spec):
    kwargs = dict(spec["kwargs"])
    if spec["schedule"] == "callable":
        kwargs["learning_rate"] = lambda: 0.05
    elif spec["schedule"] is not None:
        name, sched_kwargs = spec["schedule"]
        kwargs["learning_rate"] = getattr(schedules, name)(**sched_kwargs)
    return getattr(optimizers, spec["class_name"])(**kwargs)


@pytest.mark.parametrize("case", sorted(KERAS["optimizers"]))
def test_optimizer_trajectory_matches_keras(case):
    spec = KERAS["optimizers"][case]
    opt = make_optimizer(spec)
    kernel = Variable(np.array(DATA["kernel"], "float32"), name="kernel", path="dense/kernel")
    bias = Variable(np.array(DATA["bias"], "float32"), name="bias", path="dense/bias")
    assert_f32(opt.learning_rate, spec["learning_rates"][0])
    for (g_kernel, g_bias), (k_expected, b_expected), lr in zip(
            DATA["grads"], spec["steps"], spec["learning_rates"][1:]):
        grads = [np.array(g_kernel, "float32"), np.array(g_bias, "float32")]
        opt.apply_gradients(zip(grads, [kernel, bias]))
        assert_f32(kernel.value, k_expected, ATOL.get(case, 1e-7))
        assert_f32(bias.value, b_expected, ATOL.get(case, 1e-7))
        assert_f32(opt.learning_rate, lr)        # the rate the next step will use
    ours, theirs = opt.variables, spec["optimizer_variables"]
    assert len(ours) == len(theirs)
    for a, b in zip(ours, theirs):
        assert np.shape(a) == np.shape(b)
        assert_f32(np.asarray(a, dtype="float64"), b, ATOL.get(case, 1e-7))


def test_a_schedule_is_not_an_optimizer_variable_as_in_keras():
    names = KERAS["optimizers"]["sgd_momentum_piecewise"]["optimizer_variable_names"]
    assert names[0] == "iteration" and "learning_rate" not in names
    assert "learning_rate" in KERAS["optimizers"]["adamw"]["optimizer_variable_names"]


def test_get_config_serializes_the_schedule_as_keras():
    keras_config = KERAS["configs"]["sgd_exponential"]
    opt = optimizers.SGD(learning_rate=schedules.ExponentialDecay(0.1, 10, 0.5))
    ours = opt.get_config()
    assert ours["learning_rate"] == keras_config["learning_rate"]
    assert schedules.serialize(schedules.ExponentialDecay(0.1, 10, 0.5)) == \
        KERAS["configs"]["serialized"]
    back = optimizers.SGD.from_config(ours)
    assert isinstance(back.learning_rate_schedule, schedules.ExponentialDecay)
    assert back.get_config() == ours


@pytest.mark.parametrize("name", ["adamw", "lion", "ftrl"])
def test_new_optimizers_configs_have_keras_keys_and_defaults(name):
    theirs = KERAS["configs"][f"{name}_default"]
    ours = optimizers.get(name).get_config()
    assert set(ours) == set(theirs)
    for key, value in theirs.items():
        if key != "name":
            assert ours[key] == pytest.approx(value), key


def test_new_optimizers_by_name_case_insensitive():
    assert type(optimizers.get("AdamW")) is optimizers.AdamW
    assert type(optimizers.get("lion")) is optimizers.Lion
    assert type(optimizers.get("FTRL")) is optimizers.Ftrl


def test_import_paths_as_keras():
    from kteach.optimizers.schedules import CosineDecay, LearningRateSchedule
    assert kteach.optimizers.schedules.CosineDecay is CosineDecay
    assert issubclass(CosineDecay, LearningRateSchedule)


# ======================================================================= by hand
def test_exponential_decay_by_hand():
    lr = schedules.ExponentialDecay(0.1, decay_steps=100, decay_rate=0.5)
    assert [float(lr(s)) for s in (0, 100, 200)] == pytest.approx([0.1, 0.05, 0.025])
    stairs = schedules.ExponentialDecay(0.1, decay_steps=100, decay_rate=0.5, staircase=True)
    assert float(stairs(199)) == pytest.approx(0.05)


def test_cosine_warmup_rises_in_a_line_then_falls():
    lr = schedules.CosineDecay(0.0, decay_steps=10, warmup_target=1.0, warmup_steps=4)
    assert [float(lr(s)) for s in (0, 1, 2, 4)] == pytest.approx([0, 0.25, 0.5, 1.0])
    assert float(lr(9)) == pytest.approx(0.5 * (1 + math.cos(math.pi * 0.5)))
    assert float(lr(1000)) == pytest.approx(0.0, abs=1e-7)


def test_own_schedule_subclass_is_called_with_iterations():
    class Halving(schedules.LearningRateSchedule):
        def __call__(self, step):
            return 1.0 / 2 ** step

    opt = optimizers.SGD(learning_rate=Halving())
    w = Variable(np.array([1.0], "float32"), name="w", path="w")
    for expected in (0.0, -0.5, -0.75):      # w after each step, g = 1
        opt.apply_gradients([(np.array([1.0], "float32"), w)])
    assert float(w.value[0]) == pytest.approx(expected)
    assert opt.learning_rate == pytest.approx(1 / 8)


def test_describe_update_shows_this_steps_rate():
    opt = optimizers.SGD(learning_rate=schedules.ExponentialDecay(0.1, 1, 0.5))
    w = Variable(np.array([1.0], "float32"), name="w", path="w")
    assert opt.describe_update(w).startswith("w ← w − 0.1·g")
    opt.apply_gradients([(np.array([1.0], "float32"), w)])
    text = opt.describe_update(w)
    assert text.startswith("w ← w − 0.05·g") and "ExponentialDecay(step=1) = 0.05" in text


def test_lion_moves_every_entry_by_lr():
    opt = optimizers.Lion(learning_rate=0.1)
    w = Variable(np.array([1.0, 1.0], "float32"), name="w", path="w")
    opt.apply_gradients([(np.array([3.0, -0.001], "float32"), w)])
    assert_f32(w.value, [0.9, 1.1])


# ======================================================================= mistakes
def test_setting_a_float_on_a_scheduled_optimizer_is_refused_and_changes_nothing():
    sched = schedules.ExponentialDecay(0.1, 10, 0.5)
    opt = optimizers.Adam(learning_rate=sched)
    with pytest.raises(OptimizerError, match="its learning rate is not settable"):
        opt.learning_rate = 0.01
    assert opt.learning_rate_schedule is sched


def test_a_callable_needing_the_step_is_refused_with_the_fix():
    with pytest.raises(OptimizerError, match="LearningRateSchedule"):
        optimizers.SGD(learning_rate=lambda step: 0.1 * 0.9 ** step)


def test_schedule_argument_errors_say_why():
    with pytest.raises(ScheduleError, match="`decay_steps` must be > 0"):
        schedules.ExponentialDecay(0.1, 0, 0.5)
    with pytest.raises(ScheduleError, match="1 less than the length of values"):
        schedules.PiecewiseConstantDecay([10, 20], [1.0, 0.5])
    with pytest.raises(ScheduleError, match="first_decay_steps"):
        schedules.CosineDecayRestarts(0.1, 0)


def test_adamw_needs_a_weight_decay():
    with pytest.raises(OptimizerError, match="`weight_decay` must be a float"):
        optimizers.AdamW(weight_decay=None)


def test_lion_beta_1_zero_is_refused_as_keras():
    with pytest.raises(OptimizerError, match="degenerates to SignSGD"):
        optimizers.Lion(beta_1=0.0)


def test_ftrl_negative_strength_is_refused_as_keras():
    with pytest.raises(OptimizerError, match="`l1_regularization_strength` needs to be positive"):
        optimizers.Ftrl(l1_regularization_strength=-1.0)
    with pytest.raises(OptimizerError, match="`learning_rate_power` needs to be negative"):
        optimizers.Ftrl(learning_rate_power=0.5)


def test_a_misspelt_schedule_name_suggests_the_right_one():
    with pytest.raises(AttributeError, match="Did you mean 'CosineDecay'"):
        schedules.CosineDecy


# ======================================================================= use_ema
def test_fit_with_use_ema_ends_on_the_moving_averages_as_keras():
    spec = KERAS["fit_ema"]
    m = kteach.Sequential([kteach.Input((3,)), kteach.layers.Dense(3, activation="softmax")])
    m.set_weights([np.array(w, "float32") for w in spec["initial_weights"]])
    m.compile(optimizer=optimizers.SGD(0.1, use_ema=True, ema_momentum=0.9),
              loss="sparse_categorical_crossentropy")
    history = m.fit(np.array(spec["x"], "float32"), np.array(spec["y"]), batch_size=4,
                    epochs=2, shuffle=False, verbose=0)
    assert_f32(history.history["loss"], spec["history"]["loss"])
    for ours, theirs in zip(m.get_weights(), spec["final_weights"]):
        assert_f32(ours, theirs)


def test_ema_average_starts_at_the_weight_and_shows_in_the_rule():
    opt = optimizers.SGD(learning_rate=0.5, use_ema=True, ema_momentum=0.9)
    w = Variable(np.array([1.0], "float32"), name="w", path="w")
    opt.apply_gradients([(np.array([1.0], "float32"), w)])      # w = 0.5, w̄ = 0.5
    assert_f32(opt.slots(w)["average"], [0.5])
    assert opt.describe_update(w).endswith("w̄ ← 0.9·w̄ + 0.1·w")
    opt.apply_gradients([(np.array([1.0], "float32"), w)])      # w = 0, w̄ = 0.45
    assert_f32(opt.slots(w)["average"], [0.45])
    opt.finalize_variable_values([w])
    assert_f32(w.value, [0.45])


def test_bad_ema_arguments_are_refused_as_keras():
    with pytest.raises(OptimizerError, match=r"`ema_momentum` must be in the range \[0, 1\]"):
        optimizers.Adam(use_ema=True, ema_momentum=1.5)
    with pytest.raises(OptimizerError, match="`ema_overwrite_frequency` must be an integer"):
        optimizers.Adam(use_ema=True, ema_overwrite_frequency=0.5)
