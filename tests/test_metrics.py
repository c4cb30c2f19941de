"""Tests for kteach.metrics: values on small batches, running means, names, the accuracy rule.

Literals marked "Keras 3.15.1" were printed by Keras 3.15.1 (torch backend) running the same
updates on the same float32 arrays, e.g.::

    m = keras.metrics.CategoricalAccuracy()
    m.update_state([[0, 0, 1], [0, 1, 0]], [[0.1, 0.9, 0.8], [0.05, 0.95, 0]])
"""
import numpy as np
import pytest

from kteach import losses, metrics
from kteach.engine.errors import UnknownArgumentError, UnknownNameError


def f32(a):
    return np.asarray(a, dtype=np.float32)


# ----- accuracies ---------------------------------------------------------------------------
def test_binary_accuracy_is_strictly_greater_than_the_threshold():
    m = metrics.BinaryAccuracy()
    # 0.5 is class 0 (strict >), so the first sample is wrong; 0.51 -> 1 is right.
    m.update_state([[1], [0], [1], [0]], [[0.5], [0.2], [0.51], [0.7]])
    assert m.result() == 0.5  # Keras 3.15.1: 0.5
    m.update_state([1, 0], [[0.9], [0.9]])  # (n,) targets with an (n, 1) output
    assert m.result() == pytest.approx(3 / 6)  # Keras 3.15.1: 0.5
    np.testing.assert_array_equal(metrics.binary_accuracy([1, 0, 1], [[0.5], [0.5], [0.6]]),
                                  [[0.0], [1.0], [1.0]])


def test_binary_accuracy_threshold_and_several_units():
    m = metrics.BinaryAccuracy(threshold=0.7)
    m.update_state(f32([1, 1, 0, 0]), f32([[0.7], [0.8], [0.1], [0.75]]))
    assert m.result() == 0.5  # Keras 3.15.1: 0.5
    m = metrics.BinaryAccuracy()
    # per sample: mean over the two units -> 0.5, 0.5, 0.5
    m.update_state(f32([[1, 0], [0, 1], [1, 1]]), f32([[0.6, 0.2], [0.9, 0.9], [0.4, 0.5]]))
    assert m.result() == 0.5  # Keras 3.15.1: 0.5


def test_categorical_accuracy_with_and_without_weights():
    m = metrics.CategoricalAccuracy()
    y, p = [[0, 0, 1], [0, 1, 0]], [[0.1, 0.9, 0.8], [0.05, 0.95, 0]]
    m.update_state(y, p)
    assert m.result() == 0.5  # Keras 3.15.1: 0.5
    m.update_state(y, p, sample_weight=[0.7, 0.3])
    # (0 + 1 + 0.7 * 0 + 0.3 * 1) / (2 + 1)
    assert m.result() == pytest.approx(1.3 / 3)  # Keras 3.15.1: 0.43333330750465393
    np.testing.assert_array_equal(metrics.categorical_accuracy(y, p), [0.0, 1.0])


def test_sparse_categorical_accuracy():
    m = metrics.SparseCategoricalAccuracy()
    m.update_state([[2], [1]], [[0.1, 0.6, 0.3], [0.05, 0.95, 0]])  # labels (n, 1)
    assert m.result() == 0.5  # Keras 3.15.1: 0.5
    m = metrics.SparseCategoricalAccuracy()
    p = f32([[0.1, 0.9, 0], [0.3, 0.3, 0.4], [0.5, 0.4, 0.1], [0.6, 0.2, 0.2]])
    m.update_state(np.array([1, 2, 0, 1]), p, sample_weight=f32([1, 2, 3, 4]))
    assert m.result() == pytest.approx(0.6)  # Keras 3.15.1: 0.6000000238418579
    out = metrics.sparse_categorical_accuracy(np.array([[1.0], [0.0]]), [[0.2, 0.8], [0.3, 0.7]])
    np.testing.assert_array_equal(out, [1.0, 0.0])


def test_accuracy_class_compares_exactly():
    m = metrics.Accuracy()
    m.update_state([1, 2, 3, 4], [[1], [2], [3], [0]])
    assert m.result() == 0.75


# ----- regression and cross-entropy metrics ------------------------------------------------
def test_mse_metric_over_two_batches_of_different_sizes():
    m = metrics.MeanSquaredError()
    assert m.name == "mean_squared_error" and m.result() == 0.0
    m.update_state(f32([1, 2, 3]), f32([[1.5], [2.0], [1.0]]))
    assert m.result() == pytest.approx((0.25 + 0 + 4) / 3)  # Keras 3.15.1: 1.4166666269302368
    m.update_state(f32([0]), f32([[4.0]]))
    # weighted by batch size: (4.25 + 16) / 4, not the mean of the two batch means
    assert m.result() == pytest.approx(20.25 / 4)  # Keras 3.15.1: 5.0625


def test_mae_metric():
    m = metrics.MeanAbsoluteError()
    m.update_state([[1.0, 2.0], [3.0, 4.0]], [[1.5, 1.0], [2.0, 6.0]])
    assert m.result() == pytest.approx(1.125)


def test_crossentropy_metrics():
    m = metrics.BinaryCrossentropy()
    m.update_state(f32([[0], [1], [1]]), f32([[0.3], [0.8], [0.6]]))
    assert m.result() == pytest.approx(0.36354804039001465, rel=1e-6)  # Keras 3.15.1
    # kteach also lines up (n,) targets here (Keras 3.15.1's metric raises a shape error).
    m = metrics.BinaryCrossentropy()
    m.update_state(f32([0, 1, 1]), f32([[0.3], [0.8], [0.6]]))
    assert m.result() == pytest.approx(0.36354804039001465, rel=1e-6)
    m = metrics.CategoricalCrossentropy()
    m.update_state(f32([[0, 1, 0], [0, 0, 1]]), f32([[0.05, 0.95, 0], [0.1, 0.8, 0.1]]))
    assert m.result() == pytest.approx(1.1769392490386963, rel=1e-6)  # Keras 3.15.1
    m = metrics.SparseCategoricalCrossentropy(from_logits=True)
    m.update_state(f32([1, 2, 0]), f32([[1.0, 2.0, -1.0], [0.5, 0.5, 3.0], [-2.0, 0.0, 2.0]]))
    assert m.result() == pytest.approx(1.547984004020691, rel=1e-6)  # Keras 3.15.1
    m = metrics.BinaryCrossentropy(label_smoothing=0.2)
    m.update_state([[1.0]], [[0.8]])
    assert m.result() == pytest.approx(-(0.9 * np.log(0.8) + 0.1 * np.log(0.2)), rel=1e-6)


# ----- Mean and reset -----------------------------------------------------------------------
def test_mean_weighted_running_mean():
    m = metrics.Mean()
    m.update_state(2.0, sample_weight=4)  # a batch of 4 with loss 2
    m.update_state(5.0, sample_weight=2)  # a batch of 2 with loss 5
    assert m.result() == pytest.approx((2 * 4 + 5 * 2) / 6)  # Keras 3.15.1: 3.0
    m = metrics.Mean()
    m.update_state([1, 3, 5, 7], sample_weight=[1, 1, 0, 0])
    assert m.result() == 2.0  # Keras 3.15.1: 2.0
    m = metrics.Mean()
    m.update_state([[1, 3], [5, 7]])  # rows are samples: count 2
    assert (m.result(), m.count) == (4.0, 2.0)  # Keras 3.15.1: 4.0, 2.0
    m = metrics.Mean()
    m.update_state(3.0)
    assert (m.result(), m.count) == (3.0, 1.0)  # Keras 3.15.1: count 1.0


def test_mean_with_weights_of_other_ranks():
    v = f32([[1, 2, 3], [4, 5, 6]])
    m = metrics.Mean()
    m.update_state(v, sample_weight=f32([[1, 0, 1], [1, 1, 1]]))  # one weight per value
    # total = mean([1, 0, 3]) + mean([4, 5, 6]); count = mean([1, 0, 1]) + mean([1, 1, 1])
    assert (m.result(), m.count) == (pytest.approx(3.8), pytest.approx(5 / 3))  # Keras 3.15.1
    m = metrics.Mean()
    m.update_state(v, sample_weight=f32([1, 3]))  # one weight per sample: rows averaged first
    assert (m.result(), m.count) == (4.25, 4.0)  # Keras 3.15.1: 4.25, 4.0
    m = metrics.MeanSquaredError()  # a sequence output (2 samples, 2 steps, 1 unit)
    m.update_state(f32([[[1], [2]], [[3], [4]]]), np.zeros((2, 2, 1)), sample_weight=f32([1, 3]))
    assert (m.result(), m.count) == (10.0, 4.0)  # Keras 3.15.1: 10.0, 4.0


def test_reset_state_forgets_everything():
    m = metrics.BinaryAccuracy()
    m.update_state([1, 1], [[0.9], [0.9]])
    assert m.result() == 1.0
    m.reset_state()
    assert (m.result(), m.total, m.count) == (0.0, 0.0, 0.0)
    m.update_state([1, 1], [[0.1], [0.9]])
    assert m.result() == 0.5


def test_calling_a_metric_updates_and_returns_the_result():
    m = metrics.MeanAbsoluteError()
    assert m([1.0, 2.0], [[2.0], [2.0]]) == 0.5
    assert m([0.0], [[3.0]]) == pytest.approx(4 / 3)


def test_plain_functions_become_metrics():
    def abs_error(y_true, y_pred):
        return np.abs(np.asarray(y_true) - np.asarray(y_pred)[:, 0])

    def batchMeanError(y_true, y_pred):  # returns one number per batch
        return np.mean(abs_error(y_true, y_pred))

    per_sample, per_batch = metrics.get(abs_error), metrics.get(batchMeanError)
    assert per_sample.name == "abs_error"
    assert per_batch.name == "batch_mean_error"  # snake_case, as Keras logs it
    for m in (per_sample, per_batch):
        m.update_state(np.zeros(4), np.ones((4, 1)))
        m.update_state(np.zeros(2), 4 * np.ones((2, 1)))
    assert per_sample.result() == pytest.approx((4 * 1 + 2 * 4) / 6)
    # a single number per batch counts once per batch (Keras 3.15.1 gives 2.0 here too)
    assert per_batch.result() == pytest.approx((1 + 4) / 2)
    assert metrics.get(lambda y, p: np.zeros(len(y))).name == "lambda"


def test_kteach_loss_objects_and_functions_as_metrics():
    m = metrics.get(losses.mean_squared_error)
    assert m.name == "mean_squared_error"
    m.update_state([1.0, 3.0], [[0.0], [0.0]])
    assert m.result() == 5.0
    m = metrics.get(losses.MeanAbsoluteError(name="l1"))
    assert m.name == "l1"
    m.update_state([1.0, 3.0], [[0.0], [0.0]])
    assert m.result() == 2.0


# ----- get: the accuracy rule ----------------------------------------------------------------
@pytest.mark.parametrize("y_shape, p_shape, cls", [
    # Keras 3.15.1 compile_utils.get_metric gave the same class for every row.
    ((8,), (8, 1), metrics.BinaryAccuracy),
    ((8, 1), (8, 1), metrics.BinaryAccuracy),
    ((8, 5), (8, 1), metrics.BinaryAccuracy),  # rule 1 wins whatever the targets are
    ((8,), (8, 5), metrics.SparseCategoricalAccuracy),
    ((8, 1), (8, 5), metrics.SparseCategoricalAccuracy),
    ((8, 7), (8, 7, 5), metrics.SparseCategoricalAccuracy),
    ((8, 7, 1), (8, 7, 5), metrics.SparseCategoricalAccuracy),
    ((8, 5), (8, 5), metrics.CategoricalAccuracy),
    ((8, 7, 5), (8, 7, 5), metrics.CategoricalAccuracy),
    ((8, 3), (8, 5), metrics.CategoricalAccuracy),
])
@pytest.mark.parametrize("name", ["accuracy", "acc", "ACC", "Accuracy"])
def test_accuracy_resolution_table(y_shape, p_shape, cls, name):
    m = metrics.get(name, np.zeros(y_shape), np.zeros(p_shape))
    assert type(m) is cls
    assert m.name == name  # logged as written: 'acc' stays 'acc'
    assert metrics.accuracy_for_shapes(y_shape, p_shape) is cls


def test_accuracy_from_symbolic_shapes_with_none():
    class Shaped:  # anything with .shape, e.g. a symbolic tensor
        def __init__(self, shape):
            self.shape = shape
    m = metrics.get("accuracy", Shaped((None,)), Shaped((None, 10)))
    assert type(m) is metrics.SparseCategoricalAccuracy


def test_accuracy_without_shapes_explains():
    with pytest.raises(ValueError, match="needs y_true and y_pred: 'acc' means binary, sparse "
                       "categorical or categorical accuracy depending on their shapes"):
        metrics.get("acc")


# ----- get: names ---------------------------------------------------------------------------
@pytest.mark.parametrize("name, cls", [
    ("mse", metrics.MeanSquaredError), ("MSE", metrics.MeanSquaredError),
    ("mean_squared_error", metrics.MeanSquaredError),
    ("MeanSquaredError", metrics.MeanSquaredError),
    ("mae", metrics.MeanAbsoluteError), ("MAE", metrics.MeanAbsoluteError),
    ("mean_absolute_error", metrics.MeanAbsoluteError),
    ("MeanAbsoluteError", metrics.MeanAbsoluteError),
    ("binary_accuracy", metrics.BinaryAccuracy), ("BinaryAccuracy", metrics.BinaryAccuracy),
    ("categorical_accuracy", metrics.CategoricalAccuracy),
    ("CategoricalAccuracy", metrics.CategoricalAccuracy),
    ("sparse_categorical_accuracy", metrics.SparseCategoricalAccuracy),
    ("SparseCategoricalAccuracy", metrics.SparseCategoricalAccuracy),
    ("bce", metrics.BinaryCrossentropy), ("BCE", metrics.BinaryCrossentropy),
    ("binary_crossentropy", metrics.BinaryCrossentropy),
    ("BinaryCrossentropy", metrics.BinaryCrossentropy),
    ("categorical_crossentropy", metrics.CategoricalCrossentropy),
    ("CategoricalCrossentropy", metrics.CategoricalCrossentropy),
    ("sparse_categorical_crossentropy", metrics.SparseCategoricalCrossentropy),
    ("SparseCategoricalCrossentropy", metrics.SparseCategoricalCrossentropy),
])
def test_metric_names(name, cls):
    m = metrics.get(name)
    assert type(m) is cls
    assert m.name == name  # Keras 3.15.1 logs metrics=['MSE'] under 'MSE', ['mse'] under 'mse'


@pytest.mark.parametrize("name", ["Mse", "cce", "rmse", "Binary_Accuracy"])
def test_names_keras_rejects(name):
    with pytest.raises(UnknownNameError,
                       match=f"^Could not interpret metric identifier: {name}\\."):
        metrics.get(name)


def test_unknown_metric_suggests_accuracy():
    with pytest.raises(ValueError, match=r"^Could not interpret metric identifier: acuracy\. "
                       r"Did you mean 'accuracy'"):
        metrics.get("acuracy")


def test_keras_only_metric_says_so():
    with pytest.raises(UnknownNameError, match="^Could not interpret metric identifier: poisson. "
                       "Keras 3 has this metric but kteach does not implement it"):
        metrics.get("poisson")


def test_get_objects():
    m = metrics.BinaryAccuracy(threshold=0.3)
    assert metrics.get(m) is m
    assert type(metrics.get(metrics.CategoricalAccuracy)) is metrics.CategoricalAccuracy
    with pytest.raises(UnknownNameError, match="^Could not interpret metric identifier: None"):
        metrics.get(None)
    with pytest.raises(UnknownArgumentError, match="Did you mean 'threshold'"):
        metrics.BinaryAccuracy(treshold=0.3)


def test_custom_metric_subclass():
    class Count(metrics.Metric):
        def __init__(self, name=None):
            super().__init__(name)
            self.reset_state()

        def reset_state(self):
            self.n = 0

        def update_state(self, y_true, y_pred, sample_weight=None):
            self.n += len(y_true)

        def result(self):
            return float(self.n)

    m = metrics.get(Count)
    assert m.name == "count"
    assert m([1, 2], [[1], [2]]) == 2.0
    assert repr(m) == "<Count name='count'>"
