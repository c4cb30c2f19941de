"""Custom losses as Keras 3 allows them: a plain function, a Loss subclass that writes only
call(); their gradient comes from the tape. Also a loss called under a GradientTape."""
import contextlib

import numpy as np
import pytest

import kteach
from kteach import GradientTape, Input, Sequential, layers, losses, ops, optimizers
from kteach.engine import arrays
from kteach.engine.arrays import Tensor

from gradcheck import numeric_gradient


# ----- the losses under test ----------------------------------------------------------------
def per_sample_mse(y_true, y_pred):
    return ops.mean(ops.square(y_true - y_pred), axis=-1)


def scalar_mse(y_true, y_pred):
    """The keras-io guide's custom_mean_squared_error: one number for the whole batch."""
    return ops.mean(ops.square(y_true - y_pred))


class CustomMSE(losses.Loss):
    """The keras-io guide's CustomMSE: only call(), no gradient()."""

    def __init__(self, regularization_factor=0.1, name="custom_mse"):
        super().__init__(name=name)
        self.regularization_factor = regularization_factor

    def call(self, y_true, y_pred):
        mse = ops.mean(ops.square(y_true - y_pred), axis=-1)
        reg = ops.mean(ops.square(0.5 - y_pred), axis=-1)
        return mse + reg * self.regularization_factor


class HandMadeCustomMSE(CustomMSE):
    """CustomMSE with its gradient written by hand (the lesson's other way)."""

    def gradient(self, y_true, y_pred):
        K = y_pred.shape[-1]
        return 2 * (y_pred - y_true) / K + self.regularization_factor * 2 * (y_pred - 0.5) / K


rng = np.random.default_rng(0)
X = rng.normal(size=(10, 3)).astype("float32")
Y = rng.normal(size=(10, 2)).astype("float32")
W = rng.uniform(0.5, 2.0, size=10).astype("float32")


def small_model():
    kteach.utils.set_random_seed(3)
    return Sequential([Input((3,)), layers.Dense(4, activation="tanh"), layers.Dense(2)])


class WeightsPerBatch(kteach.callbacks.Callback):
    def __init__(self):
        super().__init__()
        self.seen = []

    def on_train_batch_end(self, batch, logs=None):
        self.seen.append(self.model.get_weights())


def train(loss, optimizer="adam", **fit_args):
    model = small_model()
    model.compile(optimizer=optimizers.get(optimizer), loss=loss)
    record = WeightsPerBatch()
    history = model.fit(X, Y, batch_size=4, epochs=3, shuffle=False, verbose=0,
                        callbacks=[record], **fit_args)
    return record.seen, history.history["loss"]


def assert_same_training(a, b, rtol=1e-6, atol=1e-7):
    (weights_a, loss_a), (weights_b, loss_b) = a, b
    assert len(weights_a) == len(weights_b) == 9          # 3 batches (4, 4, 2) x 3 epochs
    for step_a, step_b in zip(weights_a, weights_b):
        for wa, wb in zip(step_a, step_b):
            np.testing.assert_allclose(wa, wb, rtol=rtol, atol=atol)
    np.testing.assert_allclose(loss_a, loss_b, rtol=rtol)


# ----- training: the same weights, batch by batch -------------------------------------------
@pytest.mark.parametrize("custom", [per_sample_mse, scalar_mse, CustomMSE(0.0)],
                         ids=["per-sample function", "scalar function", "call-only subclass"])
@pytest.mark.parametrize("optimizer", ["sgd", "adam"])
def test_custom_losses_train_like_the_built_in_mse(custom, optimizer):
    assert_same_training(train(custom, optimizer), train("mse", optimizer))


def test_the_guides_custom_mse_trains_like_its_hand_written_twin():
    assert_same_training(train(CustomMSE()), train(HandMadeCustomMSE()))


def test_a_per_sample_function_weighs_samples_like_the_built_in_mse():
    assert_same_training(train(per_sample_mse, sample_weight=W),
                         train("mse", sample_weight=W))


def test_compile_wraps_a_function_under_its_name():
    model = small_model()
    model.compile(optimizer="sgd", loss=per_sample_mse)
    history = model.fit(X, Y, epochs=2, verbose=0)
    assert list(history.history) == ["loss"]
    loss = model._objective.losses[0]
    assert isinstance(loss, losses.LossFunctionWrapper) and loss.name == "per_sample_mse"
    assert model.evaluate(X, Y, verbose=0) == pytest.approx(losses.MeanSquaredError()(
        Y, model.predict(X, verbose=0)), rel=1e-6)


# ----- what a scalar means for sample weights (as Keras 3) -----------------------------------
def test_a_scalar_is_multiplied_by_the_weights_then_reduced():
    p = Y + 0.5
    s = float(np.mean((Y - p) ** 2))
    assert losses.get(scalar_mse)(Y, p) == pytest.approx(s)
    assert losses.get(scalar_mse)(Y, p, sample_weight=W) == pytest.approx(s * W.mean())
    summed = losses.LossFunctionWrapper(scalar_mse, reduction="sum")
    assert summed(Y, p) == pytest.approx(s)
    assert summed(Y, p, sample_weight=W) == pytest.approx(s * W.sum())
    by_weight = losses.LossFunctionWrapper(scalar_mse, reduction="mean_with_sample_weight")
    assert by_weight(Y, p, sample_weight=W) == pytest.approx(s)
    # per-sample values instead: the weights pick out the samples
    expected = np.sum(np.mean((Y - p) ** 2, axis=-1) * W) / len(W)
    assert losses.get(per_sample_mse)(Y, p, sample_weight=W) == pytest.approx(expected)


def test_function_keyword_arguments_are_passed_on():
    def scaled(y_true, y_pred, scale=1.0):
        return scale * ops.mean(ops.square(y_true - y_pred), axis=-1)

    loss = losses.LossFunctionWrapper(scaled, scale=3.0, name="three_mse")
    assert loss.name == "three_mse"
    assert loss(Y, Y + 1) == pytest.approx(3.0)
    close_grad = loss.value_and_gradient(Y, Y + 1)[1]
    np.testing.assert_allclose(close_grad, np.full(Y.shape, 3.0 * 2 / Y.size), rtol=1e-6)


# ----- gradients against central differences, float64 ---------------------------------------
def central(loss, y, p, sw):
    return numeric_gradient(lambda: loss(y, p, sample_weight=sw), p)


@pytest.mark.parametrize("loss", [
    losses.get(per_sample_mse), losses.get(scalar_mse), CustomMSE(),
    losses.LossFunctionWrapper(scalar_mse, reduction="sum"),
    CustomMSE(0.3),
    losses.LossFunctionWrapper(per_sample_mse, reduction="mean_with_sample_weight"),
], ids=["per-sample", "scalar", "CustomMSE", "scalar-sum", "CustomMSE-0.3", "by-weight"])
@pytest.mark.parametrize("weighted", [False, True])
def test_tape_gradients_match_central_differences(loss, weighted):
    data = np.random.default_rng(3)     # its own numbers, whatever ran before
    y = data.normal(size=(5, 3))
    p = data.normal(size=(5, 3))
    sw = data.uniform(0.5, 2.0, size=5) if weighted else None
    value, g = loss.value_and_gradient(y, p, sample_weight=sw)
    assert g.dtype == np.float64 and g.shape == p.shape
    assert value == loss(y, p, sample_weight=sw)
    # central differences of a loss near 1 with step 1e-6 round to about 1e-10 each, so atol
    # 1e-8 (the gradients are about 0.1): tighter made the test fail for entries near zero
    np.testing.assert_allclose(g, central(loss, y, p, sw), rtol=1e-7, atol=1e-8)


def test_the_tape_gradient_of_a_call_only_subclass_equals_the_hand_written_one():
    y, p = rng.normal(size=(6, 4)), rng.normal(size=(6, 4))
    np.testing.assert_allclose(CustomMSE().gradient(y, p), HandMadeCustomMSE().gradient(y, p),
                               rtol=1e-12)
    np.testing.assert_allclose(CustomMSE().gradient(y, p), losses.numerical_gradient(
        CustomMSE(), y, p), rtol=1e-7, atol=1e-10)


def test_a_rank_1_output_keeps_its_shape():
    y, p = np.array([1.0, 2.0, 4.0]), np.array([1.5, 1.0, 3.0])
    value, g = losses.get(per_sample_mse).value_and_gradient(y, p)
    assert g.shape == (3,) and value == pytest.approx(np.mean((y - p) ** 2))
    np.testing.assert_allclose(g, 2 * (p - y) / 3)


# ----- a loss called while a GradientTape records --------------------------------------------
@pytest.mark.parametrize("loss_fn", [losses.MeanSquaredError(), losses.get(per_sample_mse),
                                     losses.get(scalar_mse), CustomMSE(0.0)],
                         ids=["built-in", "function", "scalar function", "subclass"])
def test_a_loss_under_a_tape_is_one_entry_and_reaches_the_weights(loss_fn):
    model = small_model()
    with GradientTape() as tape:
        pred = model(X[:4])
        loss = loss_fn(Y[:4], pred)
    assert isinstance(loss, Tensor) and loss.shape == ()
    assert [e.name for e in tape.entries] == [model.name, loss_fn.name]
    assert tape.entries[-1].inputs[1] is pred and "Σ L·w / n" in tape.entries[-1].formula
    grads = tape.gradient(loss, model.trainable_weights)
    # the same gradients as the training step's loss and backward pass
    preds, graph_tape = model._graph.forward([X[:4]], training=False)
    _, dp = losses.MeanSquaredError().value_and_gradient(Y[:4], preds[0])
    _, expected = model._graph.backward(graph_tape, [dp])
    for v, g in zip(model.trainable_weights, grads):
        np.testing.assert_allclose(g, expected[id(v)], rtol=1e-5, atol=1e-7, err_msg=v.path)
    assert float(loss) == pytest.approx(losses.MeanSquaredError()(Y[:4], preds[0]), rel=1e-6)


def test_the_tape_gradient_through_a_custom_loss_is_right_in_float64():
    x, y = rng.normal(size=(5, 3)), rng.normal(size=(5, 2))
    dense = layers.Dense(2, dtype="float64")
    dense(x)
    loss_fn = CustomMSE()
    with GradientTape() as tape:
        loss = loss_fn(y, dense(x))
    dW, db = tape.gradient(loss, [dense.kernel, dense.bias])

    def value():
        return loss_fn(y, dense(x))

    np.testing.assert_allclose(dW, numeric_gradient(value, dense.kernel.value), rtol=1e-7)
    np.testing.assert_allclose(db, numeric_gradient(value, dense.bias.value), rtol=1e-7)


def test_a_persistent_tape_can_walk_the_loss_twice_and_add_to_it():
    model = small_model()
    loss_fn = losses.get(per_sample_mse)
    with GradientTape(persistent=True) as tape:
        pred = model(X)
        loss = loss_fn(Y, pred, sample_weight=W)
        total = loss + 0.0 * ops.sum(pred)
    once = tape.gradient(loss, model.trainable_weights)
    twice = tape.gradient(total, model.trainable_weights)
    for a, b in zip(once, twice):
        np.testing.assert_allclose(a, b, rtol=1e-6)


def test_reduction_none_under_a_tape_gives_one_tensor_value_per_sample():
    dense = layers.Dense(2)
    dense(X)
    loss_fn = losses.LossFunctionWrapper(per_sample_mse, reduction="none")
    with GradientTape() as tape:
        per_sample = loss_fn(Y, dense(X))
        loss = ops.sum(per_sample)
    assert isinstance(per_sample, Tensor) and per_sample.shape == (10,)
    dW = tape.gradient(loss, dense.kernel)
    p = X @ dense.kernel.value + dense.bias.value
    np.testing.assert_allclose(dW, X.T @ (2 * (p - Y) / 2), rtol=1e-5)


def test_outside_a_recording_a_loss_is_a_float():
    for loss_fn in [losses.MeanSquaredError(), losses.get(scalar_mse), CustomMSE()]:
        assert type(loss_fn(Y, X[:, :2])) is float
        with GradientTape():             # a tape that does not follow y_pred: a constant
            assert type(loss_fn(Y, X[:, :2])) is float


# ----- clear errors --------------------------------------------------------------------------
def test_a_function_returning_a_string_is_refused():
    def chatty(y_true, y_pred):
        return "the loss is small"

    loss = losses.get(chatty)
    for attempt in (lambda: loss(Y, Y), lambda: loss.value_and_gradient(Y, Y)):
        with pytest.raises(losses.NoGradientError, match=r"the function 'chatty' returned str "
                           r"'the loss is small', not an array of numbers\. A loss returns"):
            attempt()
    model = small_model()
    model.compile(optimizer="sgd", loss=chatty)
    weights = model.get_weights()
    with pytest.raises(TypeError, match="ops.mean\\(ops.square\\(y_true - y_pred\\), axis=-1\\)"):
        model.fit(X, Y, verbose=0)
    assert all(np.array_equal(a, b) for a, b in zip(model.get_weights(), weights))


@pytest.mark.parametrize("fn, shown", [
    (lambda y_pred: ops.mean(y_pred), "(y_pred)"),
    (lambda y_true, y_pred, scale: scale * ops.mean(y_pred), "(y_true, y_pred, scale)"),
])
def test_a_function_with_the_wrong_arguments_is_refused_at_compile(fn, shown):
    with pytest.raises(TypeError, match=r"cannot be called as <lambda>\(y_true, y_pred\)") as info:
        losses.get(fn)
    assert f"Its signature is <lambda>{shown}" in str(info.value)
    assert "write it as `lambda y_true, y_pred: ...`" in str(info.value)
    with pytest.raises(TypeError, match="cannot be called as"):
        small_model().compile(optimizer="sgd", loss=fn)


def test_a_named_function_with_the_wrong_arguments_is_shown_its_fix():
    def my_loss(y_pred):
        return ops.mean(y_pred)

    with pytest.raises(TypeError, match=r"^The loss function 'my_loss' cannot be called as "
                       r"my_loss\(y_true, y_pred\): too many positional arguments\. Its "
                       r"signature is my_loss\(y_pred\)\. Keras calls a loss with the targets "
                       r"first and the model's output second; write it as "
                       r"`def my_loss\(y_true, y_pred\): \.\.\.`"):
        losses.get(my_loss)


def test_a_class_that_is_not_a_loss_is_refused():
    class NotALoss:
        def __call__(self, y_true, y_pred):
            return ops.mean(y_pred)

    with pytest.raises(TypeError, match="the class NotALoss as a loss: it is not a subclass"):
        losses.get(NotALoss)
    assert isinstance(losses.get(NotALoss()), losses.LossFunctionWrapper)  # an instance is a function


def test_an_unrecorded_numpy_function_is_refused_with_what_to_write():
    assert np.nanmean not in arrays.FUNCTIONS, "pick a NumPy function kteach does not record"

    def nan_mse(y_true, y_pred):
        return np.nanmean((y_true - y_pred) ** 2, axis=-1)

    loss = losses.get(nan_mse)
    assert loss(Y, Y + 1) == pytest.approx(1.0)       # the value alone is fine
    first_time = "unrecorded-np.nanmean" not in kteach.engine.errors._warned
    with pytest.warns(UserWarning, match="np.nanmean is not recorded on the tape") if \
            first_time else contextlib.nullcontext():
        with pytest.raises(losses.NoGradientError) as info:
            loss.value_and_gradient(Y, Y + 1)
    text = str(info.value)
    assert "Cannot find the gradient of the loss 'nan_mse': the function 'nan_mse' started " \
           "with kteach ops, but the value it returned was computed from them with a NumPy " \
           "function that kteach does not record" in text
    assert "Write the loss with kteach.ops" in text

