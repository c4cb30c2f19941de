"""A failed call changes nothing, and every mistake gets a message that names the culprit and
the fix (issue 14). Each case: the exception class, the words that matter, and a snapshot of
the model before and after (tests/snapshot.py)."""
import warnings

import numpy as np
import pytest
from hypothesis import given, settings, strategies as st

import kteach
from kteach import Input, Sequential, layers
from kteach.engine.errors import KteachError, NotCompiledError, UnknownArgumentError
from snapshot import assert_unchanged, snapshot


def trained_model():
    kteach.utils.set_random_seed(0)
    model = Sequential([Input((3,)), layers.Dense(4, activation="relu"), layers.Dense(2)])
    model.compile(optimizer="adam", loss="mse")
    model.fit(np.ones((8, 3)), np.zeros((8, 2)), epochs=1, verbose=0)
    return model


X, Y = np.ones((8, 3), "float32"), np.zeros((8, 2), "float32")


# ----- compile -----------------------------------------------------------------------------------
@pytest.mark.parametrize("kwargs, error, words", [
    (dict(metrics=["acuracy"]), ValueError, "Could not interpret metric identifier: acuracy"),
    (dict(loss="mse", metrics=[3]), TypeError, "compile(metrics=...) takes metric names"),
    (dict(loss="mean_sqared_error"), ValueError, "mean_squared_error"),
    (dict(optimizer="adamm"), ValueError, "adam"),
])
def test_a_failed_compile_keeps_the_old_optimizer_and_loss(kwargs, error, words):
    model = trained_model()
    before = snapshot(model)
    args = dict(optimizer="sgd", loss="mse")
    args.update(kwargs)
    with pytest.raises(error, match=None) as info:
        model.compile(**args)
    assert words in str(info.value)
    assert_unchanged(before, model)


# ----- fit ---------------------------------------------------------------------------------------
@pytest.mark.parametrize("monitor", ["val_los", "val_loss", "acc"])
def test_a_callback_watching_a_value_fit_never_logs_is_refused_before_training(monitor):
    model = trained_model()
    before = snapshot(model)
    stop = kteach.callbacks.EarlyStopping(monitor=monitor)
    with pytest.raises(ValueError, match=f"EarlyStopping is watching '{monitor}', which fit will "
                                         f"not log: it logs \\['loss'\\].*Nothing was trained"):
        model.fit(X, Y, epochs=3, verbose=0, callbacks=[stop])
    assert_unchanged(before, model)


@pytest.mark.parametrize("x, y, words", [
    (np.zeros((0, 3)), np.zeros((0, 2)), "x has no samples (shape (0, 3))"),
    (np.ones((8, 3)) + 1j, Y, "x holds complex numbers"),
    ([[1.0, 2.0, 3.0]], Y[:1], "Unrecognized data type: x=[[1.0, 2.0, 3.0]]"),
    (X, np.zeros((5, 2)), "Data cardinality is ambiguous"),
    (X, np.zeros((8, 3)), "output"),
    (np.full((8, 3), np.nan), Y, "NaN"),
])
def test_bad_data_leaves_a_trained_model_as_it_was(x, y, words):
    model = trained_model()
    before = snapshot(model)
    with pytest.raises(KteachError) as info:
        model.fit(x, y, verbose=0)
    assert isinstance(info.value, ValueError) and words in str(info.value)
    assert_unchanged(before, model)


@pytest.mark.parametrize("x, y, words", [
    (np.ones(4), np.ones((4, 2)), "one number per sample?"),
    (np.ones((4, 3)), np.ones((5, 2)), "Data cardinality is ambiguous"),
    (np.ones((4, 3)), np.ones((4, 7)), "output"),
])
def test_a_failed_first_fit_leaves_an_unbuilt_model_unbuilt(x, y, words):
    model = Sequential([layers.Dense(4), layers.Dense(2)])
    model.compile(optimizer="sgd", loss="mse")
    with pytest.raises(KteachError, match=None) as info:
        model.fit(x, y, verbose=0)
    assert words in str(info.value)
    assert not model.built and model.weights == [] and all(not l.built for l in model.layers)
    model.fit(np.ones((4, 3)), np.ones((4, 2)), verbose=0)   # and it still works afterwards
    assert model.built and model.inputs[0].node.layer.name == "input_layer"


def test_fit_before_compile_is_a_value_error_as_in_keras():
    model = Sequential([Input((3,)), layers.Dense(2)])
    with pytest.raises(ValueError, match="You must call `compile\\(\\)` before using the model"):
        model.fit(X, Y, verbose=0)
    assert issubclass(NotCompiledError, ValueError)


# ----- weights -----------------------------------------------------------------------------------
@pytest.mark.parametrize("make, error, words", [
    (lambda m: m.get_weights()[:-1], ValueError, "with a weight list of length 3, but the layer "
                                                 "was expecting 4 weights"),
    (lambda m: [np.ones((4, 3))] + m.get_weights()[1:], ValueError, "is not compatible with "
                                                                    "provided weight shape (4, 3)"),
    (lambda m: m.get_weights()[:-1] + [np.array(["a", "b"])], TypeError, "cannot become float32"),
])
def test_set_weights_changes_nothing_unless_every_array_fits(make, error, words):
    model = trained_model()
    before = snapshot(model)
    with pytest.raises(error) as info:
        model.set_weights(make(model))
    assert words in str(info.value)
    assert_unchanged(before, model)


# ----- layers and models -------------------------------------------------------------------------
def test_misspelt_keyword_is_both_a_type_error_and_a_value_error():
    with pytest.raises(UnknownArgumentError, match="Did you mean 'units'") as info:
        layers.Dense(unit=3)
    assert isinstance(info.value, TypeError) and isinstance(info.value, ValueError)


@pytest.mark.parametrize("make, error, words", [
    (lambda: layers.Dense(2, name="a/b"), ValueError, "cannot contain character `/`"),
    (lambda: Input((3,), dtype="floatt32"), ValueError, "Did you mean 'float32'"),
    (lambda: Sequential(layers.Dense(3)), TypeError, "Sequential takes a list of layers"),
    (lambda: Sequential([Input((3,)), layers.Dense(2, name="d"), layers.Dense(2, name="d")]),
     ValueError, "Name 'd' is already the name of a layer in this model"),
    (lambda: kteach.Model(i := Input((3,)), layers.Dense(2, name="d")(layers.Dense(2, name="d")(i))),
     ValueError, 'The name "d" is used 2 times in the model'),
    (lambda: layers.Concatenate(axis=5)([Input((3,)), Input((3,))]), ValueError,
     "Concatenate(axis=5) was called on inputs of rank 2"),
    (lambda: kteach.optimizers.Adam(beta_1=1.5), ValueError, "beta_1 is the fraction of the old "
                                                             "average kept at each step"),
    (lambda: kteach.optimizers.RMSprop(rho=-0.1), ValueError, "rho"),
    (lambda: kteach.losses.MeanSquaredError()(np.ones((4, 3)), np.ones((4, 2))), ValueError,
     "mean_squared_error needs y_true and y_pred of the same shape"),
])
def test_mistakes_that_were_accepted_or_reached_numpy(make, error, words):
    with pytest.raises(error) as info:
        make()
    assert isinstance(info.value, KteachError) and words in str(info.value)


# ----- utils -------------------------------------------------------------------------------------
def test_to_categorical_refuses_names_and_explains_negative_labels():
    with pytest.raises(ValueError, match="to_categorical expects integer class labels"):
        kteach.utils.to_categorical(["cat", "dog"])
    with pytest.warns(kteach.engine.KteachWarning, match="Keras counts a negative label from "
                                                         "the end"):
        one_hot = kteach.utils.to_categorical([-1, 1], 3)
    np.testing.assert_array_equal(one_hot, [[0, 0, 1], [0, 1, 0]])   # Keras' result, kept


@pytest.mark.parametrize("kwargs, error, words", [
    (dict(eps=0), ValueError, "eps must be a positive number"),
    (dict(eps="small"), ValueError, "eps must be a positive number"),
    (dict(tolerance=-1.0), ValueError, "tolerance must be a positive number"),
    (dict(max_checks=0), ValueError, "checking nothing proves nothing"),
    (dict(epsilon=1e-3), TypeError, "Did you mean 'eps'"),
])
def test_gradient_checks_validate_their_arguments(kwargs, error, words):
    model = trained_model()
    before = snapshot(model)
    with pytest.raises(error) as info:
        kteach.utils.check_gradients(model, X[:2], Y[:2], **kwargs)
    assert words in str(info.value)
    assert_unchanged(before, model)


def test_gradient_check_of_a_layer_given_as_the_model_and_of_a_wrong_width():
    dense = layers.Dense(2)
    with pytest.raises(TypeError, match="check_gradients needs a compiled model, but got the "
                                        "layer 'dense' \\(Dense\\).*check_layer_gradients"):
        kteach.utils.check_gradients(dense, X, Y)
    dense(np.ones((1, 3)))
    with pytest.raises(ValueError, match="expected axis -1 of input shape to have value 3"):
        kteach.utils.check_layer_gradients(dense, np.ones((2, 4)))


# ----- random wrong shapes and dtypes, any model ---------------------------------------------------
@settings(max_examples=25, deadline=None)
@given(units=st.integers(1, 4), width=st.integers(1, 5), wrong_width=st.integers(1, 6),
       rows=st.integers(1, 6), target_width=st.integers(1, 6),
       dtype=st.sampled_from(["float32", "float64", "int32", "complex64"]))
def test_random_wrong_data_never_reaches_numpy_and_changes_nothing(units, width, wrong_width,
                                                                   rows, target_width, dtype):
    kteach.backend.clear_session()
    model = Sequential([Input((width,)), layers.Dense(units, activation="tanh"), layers.Dense(2)])
    model.compile(optimizer="sgd", loss="mse")
    x = np.ones((rows, wrong_width), dtype=dtype)
    y = np.zeros((rows, target_width), "float32")
    fits = wrong_width == width and target_width == 2 and dtype != "complex64"
    before = snapshot(model)
    with warnings.catch_warnings():
        warnings.simplefilter("error")   # no NumPy warning either
        if fits:
            model.fit(x, y, verbose=0)
            return
        with pytest.raises(KteachError):
            model.fit(x, y, verbose=0)
    assert_unchanged(before, model)


# ----- plots and widgets -------------------------------------------------------------------------
def test_plot_model_to_a_folder_that_does_not_exist(tmp_path):
    model = Sequential([Input((2,)), layers.Dense(1)])
    missing = tmp_path / "no" / "such" / "model.png"
    with pytest.raises(ValueError, match="the folder .* does not exist. Create it first"):
        kteach.utils.plot_model(model, to_file=str(missing))
    assert not missing.parent.exists()


@pytest.mark.parametrize("kwargs, words", [
    (dict(learning_rate="fast"), "Playground(learning_rate='fast'): learning_rate must be a number"),
    (dict(learning_rate=0), "learning_rate must be a number from 0 to 10 (above 0)"),
    (dict(batch_size=0), "Playground(batch_size=0): batch_size must be a whole number from 1"),
    (dict(batch_size=2.5), "batch_size must be a whole number"),
    (dict(regularization_rate=-1.0), "regularization_rate must be a number from 0 to 10"),
])
def test_playground_settings_that_cannot_work(kwargs, words):
    from kteach.widgets import Playground
    with pytest.raises(KteachError) as info:
        Playground(**kwargs)
    assert isinstance(info.value, ValueError) and words in str(info.value)


def test_liveplot_naming_a_value_fit_never_logs_is_refused_before_training():
    from kteach.widgets import LivePlot
    model = trained_model()
    before = snapshot(model)
    with pytest.raises((ValueError, KeyError), match="val_acc"):
        model.fit(X, Y, epochs=2, verbose=0, callbacks=[LivePlot(metrics=["val_acc"])])
    assert_unchanged(before, model)
