"""Custom metrics written the Keras 3 way: ``add_variable`` in ``__init__``, ``update_state``,
``result`` and (if wanted) ``reset_state``, then ``compile(metrics=[...])`` and ``fit``.

The metric here counts the samples whose label is the model's largest output, as the "true
positives" metric of the keras-io guide "Training & evaluation with the built-in methods"
(section "Custom metrics") does. The expected numbers are counted by hand: a twin model with
the same weights takes the same steps with ``train_on_batch``, and before each step we count
the hits of its predictions with NumPy -- fit measures each batch before its own update.
"""
import numpy as np
import pytest

from kteach import GradientTape, Input, Sequential, layers, metrics, ops, optimizers
from kteach.engine.arrays import Tensor
from kteach.engine.errors import UnknownArgumentError, UnknownNameError
from kteach.engine.variable import Variable


# ----- the metrics --------------------------------------------------------------------------
class Hits(metrics.Metric):
    """How many samples have their label as the largest output (each counted w_i times with
    sample weights). No reset_state: the default one resets the variable."""

    def __init__(self, name="hits", **kwargs):
        super().__init__(name=name, **kwargs)
        self.hits = self.add_variable(shape=(), initializer="zeros", name="hits")

    def update_state(self, y_true, y_pred, sample_weight=None):
        guess = ops.reshape(ops.argmax(y_pred, axis=1), (-1, 1))
        # labels as a column too: a (n,) row against the (n, 1) column would broadcast to n x n
        label = ops.reshape(ops.cast(y_true, "int32"), (-1, 1))
        hit = ops.cast(label == ops.cast(guess, "int32"), "float32")
        if sample_weight is not None:
            hit = ops.multiply(hit, ops.reshape(ops.cast(sample_weight, "float32"), (-1, 1)))
        self.hits.assign_add(ops.sum(hit))

    def result(self):
        return self.hits.value


class HitsWithReset(Hits):
    """The guide's form: its own reset_state."""

    def reset_state(self):
        self.hits.assign(0.0)


class HitsKeras2Reset(Hits):
    """An old guide's form: the Keras 2 spelling reset_states."""

    def __init__(self, name="hits_k2", **kwargs):
        super().__init__(name=name, **kwargs)
        self.resets = 0

    def reset_states(self):
        self.resets += 1
        self.hits.assign(0.0)


class HitsAsVariable(Hits):
    """result() gives the Variable itself (Keras 2 guides return the variable)."""

    def result(self):
        return self.hits


# ----- a model, and the hand count ------------------------------------------------------------
N, BATCH, CLASSES = 24, 8, 3


def data():
    rng = np.random.default_rng(1)
    x = rng.normal(size=(N, 4)).astype("float32")
    y = rng.integers(0, CLASSES, size=N)
    return x, y


def model_with(metric_objects):
    model = Sequential([Input((4,)), layers.Dense(CLASSES, activation="softmax")])
    model.compile(optimizer=optimizers.SGD(learning_rate=0.5),
                  loss="sparse_categorical_crossentropy", metrics=metric_objects)
    return model


def hand_counts(model, x, y, epochs=2, sample_weight=None):
    """Per epoch: hits of each batch's predictions just before that batch's update."""
    twin = model_with([])
    twin.set_weights(model.get_weights())
    counts = []
    for _ in range(epochs):
        count = 0
        for start in range(0, N, BATCH):
            xb, yb = x[start:start + BATCH], y[start:start + BATCH]
            count += int((np.argmax(twin.predict_on_batch(xb), axis=1) == yb).sum())
            w = None if sample_weight is None else sample_weight[start:start + BATCH]
            twin.train_on_batch(xb, yb, sample_weight=w)
        counts.append(float(count))
    return counts


def fit_history(metric, sample_weight=None):
    x, y = data()
    model = model_with([metric])
    expected = hand_counts(model, x, y, sample_weight=sample_weight)
    history = model.fit(x, y, batch_size=BATCH, epochs=2, shuffle=False, verbose=0,
                        sample_weight=sample_weight)
    return history.history[metric.name], expected


# ----- fit ------------------------------------------------------------------------------------
def test_fit_logs_the_hand_count_of_each_epoch():
    got, expected = fit_history(HitsWithReset())
    assert got == expected
    assert expected[0] > 0 and expected[0] != expected[1]  # the two epochs really differ
    assert all(type(v) is float for v in got)


def test_a_metric_without_reset_state_resets_through_the_default():
    got, expected = fit_history(Hits())
    assert got == expected  # not expected[0] + expected[1]: the variable went back to zero


def test_an_overridden_keras2_reset_states_is_called_by_fit():
    metric = HitsKeras2Reset()
    got, expected = fit_history(metric)
    assert got == expected
    assert metric.resets >= 2  # at least once per epoch


def test_a_variable_as_result_is_logged_as_a_float():
    got, expected = fit_history(HitsAsVariable())
    assert got == expected
    assert all(type(v) is float for v in got)


def test_fit_passes_plain_arrays_to_a_metric():
    seen = []

    class Types(Hits):
        def update_state(self, y_true, y_pred, sample_weight=None):
            seen.append((type(y_true), type(y_pred)))
            super().update_state(y_true, y_pred, sample_weight)

    fit_history(Types())
    assert seen and all(t == (np.ndarray, np.ndarray) for t in seen)


def test_fit_does_not_weight_compiled_metrics():
    # As Keras 3: sample_weight weights the loss; compile(metrics=...) counts every sample
    # (Keras weights only `weighted_metrics`).
    weights = np.linspace(0.0, 2.0, N).astype("float32")
    got, expected = fit_history(Hits(), sample_weight=weights)
    assert got == expected


def test_the_targets_reach_a_metric_with_the_shape_they_were_given():
    # Keras 3 hands compile(metrics=...) the targets as given, so the guide's metric counts
    # right with (n, 1) labels (squeezed to (n,), its arithmetic would compare n x n).
    seen = []

    class Shapes(Hits):
        def update_state(self, y_true, y_pred, sample_weight=None):
            seen.append(np.shape(y_true))
            super().update_state(y_true, y_pred, sample_weight)

    x, y = data()
    model_with([Shapes()]).fit(x, y[:, None], batch_size=BATCH, epochs=1, verbose=0)
    assert seen[0] == (BATCH, 1)


# ----- the metric alone -----------------------------------------------------------------------
Y = np.array([0, 2, 1, 1])
P = np.array([[0.8, 0.1, 0.1],   # 0: hit
              [0.2, 0.3, 0.5],   # 2: hit
              [0.6, 0.3, 0.1],   # 1: miss
              [0.1, 0.7, 0.2]],  # 1: hit
             dtype="float32")


def test_update_state_result_and_call():
    m = Hits()
    m.update_state(Y, P)
    assert float(m.result()) == 3.0
    assert float(m(Y[:2], P[:2])) == 5.0  # update, then the result so far
    m.reset_state()
    assert float(m.result()) == 0.0


def test_sample_weight():
    m = Hits()
    m.update_state(Y, P, sample_weight=[0.5, 2.0, 10.0, 1.0])
    assert float(m.result()) == 0.5 + 2.0 + 1.0  # the miss's weight does not count
    assert float(m(Y, P, sample_weight=np.zeros(4))) == 3.5


def test_variables_names_and_config():
    m = Hits(name="my_hits")
    assert m.name == "my_hits" and m.dtype == "float32"
    assert [v.name for v in m.variables] == ["hits"]
    v = m.variables[0]
    assert isinstance(v, Variable) and v.path == "my_hits/hits" and not v.trainable
    assert (v.shape, v.dtype, v.aggregation) == ((), np.float32, "sum")
    assert m.get_config() == {"name": "my_hits", "dtype": "float32"}
    assert Hits.from_config(m.get_config()).name == "my_hits"
    assert Hits(dtype="float64").dtype == "float64"
    assert (metrics.Metric().name, metrics.Metric().name) == ("metric", "metric_1")


def test_the_builtin_mean_keeps_its_state_in_variables():
    m = metrics.Mean()
    assert [(v.name, v.path) for v in m.variables] == [("total", "mean/total"),
                                                       ("count", "mean/count")]
    m.update_state([1.0, 2.0, 6.0])
    assert (m.result(), m.total, m.count) == (3.0, 9.0, 3.0)
    b = metrics.BinaryAccuracy(threshold=0.3)
    assert b.get_config() == {"name": "binary_accuracy", "dtype": "float32", "threshold": 0.3}
    assert metrics.BinaryAccuracy.from_config(b.get_config()).threshold == 0.3


def test_the_default_reset_zeroes_every_variable_including_kept_metrics():
    class Averages(metrics.Metric):
        def __init__(self):
            super().__init__(name="averages")
            self.start = self.add_variable((2,), initializer="ones", name="start")
            self.inner = metrics.Mean(name="inner")

        def update_state(self, values):
            self.inner.update_state(values)
            self.start.assign_add([1.0, 1.0])

        def result(self):
            return self.inner.result()

    m = Averages()
    assert [v.path for v in m.variables] == ["averages/start", "inner/total", "inner/count"]
    np.testing.assert_array_equal(m.start.numpy(), [1.0, 1.0])
    m.update_state([4.0, 6.0])
    assert m.result() == 5.0
    m.reset_state()
    assert (m.inner.count, m.result()) == (0.0, 0.0)
    np.testing.assert_array_equal(m.start.numpy(), [0.0, 0.0])  # zeros, as Keras 3: not ones


def test_reset_states_and_reset_state_reach_each_other():
    m = HitsKeras2Reset()
    m.update_state(Y, P)
    m.reset_state()  # the trainer's spelling reaches the Keras 2 override
    assert (float(m.result()), m.resets) == (0.0, 1)

    m = HitsWithReset()
    m.update_state(Y, P)
    m.reset_states()  # the Keras 2 spelling reaches the Keras 3 override
    assert float(m.result()) == 0.0

    class Both(Hits):  # an override that calls the other spelling does not loop
        def reset_states(self):
            self.reset_state()

    m = Both()
    m.update_state(Y, P)
    m.reset_state()
    assert float(m.result()) == 0.0


def test_add_weight_is_add_variable_also_in_keras2_order():
    class Old(Hits):
        def __init__(self):
            super().__init__(name="old")
            self.tp = self.add_weight("tp", initializer="zeros")  # Keras 2: name first
            self.fp = self.add_weight(shape=(3,), initializer="ones", name="fp")

    m = Old()
    assert [(v.name, v.shape) for v in m.variables] == [("hits", ()), ("tp", ()), ("fp", (3,))]


def test_every_kind_of_result_becomes_a_float():
    class Gives(metrics.Metric):
        def __init__(self, value):
            super().__init__(name="gives")
            self.value = value

        def result(self):
            return self.value

    v = Variable(np.float32(2.0), name="v", path="v")
    for value in [2.0, 2, np.float32(2.0), np.array(2.0), np.array([2.0]),
                  np.array(2.0, dtype="float32").view(Tensor), v, np.True_ * 2]:
        out = metrics.result_as_float(Gives(value))
        assert (type(out), out) == (float, 2.0), value


# ----- inputs from a recording ----------------------------------------------------------------
def test_tensors_from_a_recording_are_not_recorded_by_metrics():
    seen = []

    class Types(Hits):
        def update_state(self, y_true, y_pred, sample_weight=None):
            seen.append(type(y_pred))
            super().update_state(y_true, y_pred, sample_weight)

    x = np.ones((4, 3), dtype="float32")
    with GradientTape() as tape:
        tape.watch(x)
        p = ops.multiply(x, P)
        assert isinstance(p, Tensor)
        before = len(tape.entries)
        Types()(Y, p)
        for built_in in [metrics.CategoricalAccuracy(), metrics.MeanSquaredError()]:
            built_in.update_state(P, p)
        metrics.SparseCategoricalAccuracy().update_state(Y, p)
        mean = metrics.Mean()
        mean.update_state(ops.sum(p, axis=1))
        after = len(tape.entries) - 1  # the ops.sum above is the learner's own entry
    assert seen == [np.ndarray]
    assert after == before
    assert mean.result() == pytest.approx(float(P.sum()) / 4)


# ----- mistakes -------------------------------------------------------------------------------
def test_an_unknown_initializer_name_gets_a_suggestion():
    class Typo(Hits):
        def __init__(self):
            super().__init__(name="typo")
            self.add_variable(shape=(), initializer="zeross")

    with pytest.raises(UnknownNameError, match="Did you mean 'zeros'"):
        Typo()


def test_a_result_that_is_not_a_number_names_the_metric():
    class Word(Hits):
        def result(self):
            return "many"

    x, y = data()
    model = model_with([Word(name="word_count")])
    with pytest.raises(metrics.MetricResultError,
                       match=r"'word_count' \(Word\) returned a str from result\(\)"):
        model.fit(x, y, batch_size=BATCH, epochs=1, verbose=0)
    for bad, what in [(None, "None"), ({"a": 1.0}, "a dict"), (np.zeros(3), r"shape \(3,\)")]:
        class Bad(Hits):
            def result(self, bad=bad):
                return bad

        with pytest.raises(metrics.MetricResultError, match=what):
            metrics.result_as_float(Bad())


def test_mistakes_in_init():
    class NoSuper(metrics.Metric):
        def __init__(self):
            self.v = self.add_variable(shape=(), initializer="zeros")

    with pytest.raises(RuntimeError, match=r"did not call super\(\).__init__\(\)"):
        NoSuper()

    class NameFirst(metrics.Metric):  # Keras 2's order: Metric(name, dtype)
        def __init__(self):
            super().__init__("my_metric")

    with pytest.raises(TypeError, match=r"super\(\).__init__\(name='my_metric'\)"):
        NameFirst()
    with pytest.raises(UnknownArgumentError, match="Did you mean 'name'"):
        Hits(nmae="x")
    with pytest.raises(ValueError, match="aggregation must be one of"):
        metrics.Metric().add_variable((), "zeros", aggregation="total")
    with pytest.raises(ValueError, match="needs an initializer"):
        metrics.Metric().add_weight(name="w")
    with pytest.raises(NotImplementedError, match="must define update_state"):
        metrics.Metric()([1], [[1.0]])
