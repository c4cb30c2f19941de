"""Errors that teach: each says what happened, why, and the fix, and changes nothing."""
import numpy as np
import pytest

import kteach
from kteach import Input, Model, Sequential, layers
from kteach.engine.errors import (DataError, NotCompiledError, NumericalError,
                                  UnknownArgumentError, UnknownNameError)


def small_model(out_units=1, activation="sigmoid"):
    kteach.utils.set_random_seed(0)
    return Sequential([Input((4,)), layers.Dense(3, activation="relu"),
                       layers.Dense(out_units, activation=activation)])


def assert_unchanged(model, before):
    for a, b in zip(before, model.get_weights()):
        np.testing.assert_array_equal(a, b)


@pytest.mark.parametrize("call, word, suggestion", [
    (lambda m: m.fit(np.zeros((2, 4)), np.zeros(2), epoches=2), "epoches", "epochs"),
    (lambda m: m.fit(np.zeros((2, 4)), np.zeros(2), batchsize=2), "batchsize", "batch_size"),
    (lambda m: m.evaluate(np.zeros((2, 4)), np.zeros(2), verbos=0), "verbos", "verbose"),
    (lambda m: m.predict(np.zeros((2, 4)), batch_sise=2), "batch_sise", "batch_size"),
    (lambda m: m.compile(optimizr="sgd"), "optimizr", "optimizer"),
    (lambda m: Sequential(layer=[]), "layer", "layers"),
    (lambda m: Input(shap=(3,)), "shap", "shape"),
    (lambda m: layers.Dropout(rat=0.5), "rat", "rate"),
    (lambda m: kteach.utils.to_categorical([1, 2], num_class=3), "num_class", "num_classes"),
    (lambda m: kteach.callbacks.EarlyStopping(patiense=2), "patiense", "patience"),
    (lambda m: m.summary(line_lenght=80), "line_lenght", "line_length"),
    (lambda m: m.get_layer(nam="dense"), "nam", "name"),
    (lambda m: kteach.optimizers.Adam(learning_rat=0.1), "learning_rat", "learning_rate"),
    (lambda m: kteach.losses.BinaryCrossentropy(from_logit=True), "from_logit", "from_logits"),
])
def test_misspelt_keywords_suggest_the_right_one(call, word, suggestion):
    model = small_model()
    model.compile(optimizer="sgd", loss="binary_crossentropy")
    with pytest.raises(TypeError, match=rf"unexpected keyword argument '{word}'\. "
                                        rf"Did you mean '{suggestion}'"):
        call(model)


def test_keras1_nb_epoch_is_explained():
    model = small_model()
    model.compile(optimizer="sgd", loss="binary_crossentropy")
    with pytest.raises(UnknownArgumentError, match="Keras 3 calls it `epochs`"):
        model.fit(np.zeros((2, 4)), np.zeros(2), nb_epoch=2)


@pytest.mark.parametrize("kind, make, closest", [
    ("optimizer", lambda m: m.compile(optimizer="adma", loss="mse"), "adam"),
    ("loss", lambda m: m.compile(loss="mean_squared_errorr"), "mean_squared_error"),
    ("activation function", lambda m: layers.Dense(2, activation="sigmoidd"), "sigmoid"),
    ("initializer", lambda m: layers.Dense(2, kernel_initializer="glorot_unifrom"), "glorot_uniform"),
])
def test_unknown_names_list_the_closest(kind, make, closest):
    with pytest.raises(UnknownNameError, match=rf"Could not interpret {kind} identifier: .*"
                                               rf"Did you mean '{closest}'"):
        make(small_model())


def test_unknown_metric_name_is_refused_by_compile_and_changes_nothing():
    # Keras 3 finds out only when fit starts, after compile has replaced the optimizer;
    # kteach refuses it in compile, so a model compiled before keeps its optimizer.
    model = small_model()
    model.compile(optimizer="adam", loss="binary_crossentropy")
    optimizer = model.optimizer
    model.fit(np.zeros((2, 4)), np.zeros(2), verbose=0)
    with pytest.raises(ValueError, match="Could not interpret metric identifier: acuracy.*'accuracy'"):
        model.compile(optimizer="sgd", loss="binary_crossentropy", metrics=["acuracy"])
    assert model.optimizer is optimizer and optimizer.iterations == 1


def test_fit_and_evaluate_before_compile():
    model = small_model()
    for call in (lambda: model.fit(np.zeros((2, 4)), np.zeros(2)),
                 lambda: model.evaluate(np.zeros((2, 4)), np.zeros(2))):
        with pytest.raises(NotCompiledError, match=r"You must call `compile\(\)` before using the model"):
            call()
    with pytest.raises(ValueError, match="No loss to compute"):
        model.compile(optimizer="sgd")
        model.fit(np.zeros((2, 4)), np.zeros(2))


def test_count_params_before_the_shape_is_known():
    model = Sequential([layers.Dense(2)])
    with pytest.raises(ValueError, match="isn't built yet.*Input\\(shape="):
        model.count_params()


def test_integer_labels_with_categorical_crossentropy():
    model = small_model(3, "softmax")
    model.compile(loss="categorical_crossentropy")
    with pytest.raises(DataError, match=r"target\.shape=\(8,\), output\.shape=\(None, 3\).*"
                                        r"sparse_categorical_crossentropy.*to_categorical\(y, 3\)"):
        model.fit(np.zeros((8, 4)), np.arange(8) % 3, verbose=0)


def test_one_hot_labels_with_sparse_crossentropy():
    model = small_model(3, "softmax")
    model.compile(loss="sparse_categorical_crossentropy")
    y = kteach.utils.to_categorical(np.arange(8) % 3, 3)
    with pytest.raises(DataError, match=r"these look one-hot\. Use loss='categorical_crossentropy'"):
        model.fit(np.zeros((8, 4)), y, verbose=0)


def test_sparse_label_out_of_range():
    model = small_model(3, "softmax")
    model.compile(loss="sparse_categorical_crossentropy")
    with pytest.raises(DataError, match=r"has 3 classes \(labels 0 to 2\), "
                                        r"but the targets contain the label 5"):
        model.fit(np.zeros((3, 4)), np.array([0, 1, 5]), verbose=0)


def test_mse_with_mismatched_targets_is_refused_unlike_keras():
    # Keras broadcasts (32, 10) targets against a (32, 1) output and trains on nonsense.
    model = small_model(1, None)
    model.compile(loss="mse")
    before = model.get_weights()
    with pytest.raises(DataError, match=r"target\.shape=\(32, 10\), output\.shape=\(None, 1\)\..*"
                                        r"mean_squared_error compares them value by value"):
        model.fit(np.zeros((32, 4)), np.zeros((32, 10)), verbose=0)
    assert_unchanged(model, before)


def test_targets_with_a_trailing_one_are_aligned():
    model = small_model()
    model.compile(loss="binary_crossentropy")
    a = model.evaluate(np.ones((6, 4)), np.ones(6), verbose=0)
    b = model.evaluate(np.ones((6, 4)), np.ones((6, 1)), verbose=0)
    assert a == pytest.approx(b)


def test_input_feature_count_mismatch():
    model = small_model()
    model.compile(loss="binary_crossentropy")
    with pytest.raises(DataError, match=r"expects shape \(None, 4\).*x has shape \(32, 3\)"):
        model.fit(np.zeros((32, 3)), np.zeros(32), verbose=0)
    with pytest.raises(DataError, match=r"reshape: x\.reshape\(-1, 1\)"):
        Sequential([Input((1,)), layers.Dense(1)]).predict(np.zeros(5))


def test_sample_counts_must_match():
    model = small_model()
    model.compile(loss="binary_crossentropy")
    with pytest.raises(DataError, match=r"Data cardinality is ambiguous\. Make sure all arrays "
                                        r"contain the same number of samples\. 'x' sizes: 100 'y' sizes: 50"):
        model.fit(np.zeros((100, 4)), np.zeros(50), verbose=0)


def test_nested_lists_are_refused_with_the_fix():
    model = small_model()
    with pytest.raises(DataError, match=r"Unrecognized data type: x=\[\[.*np\.array\(x\)"):
        model.predict([[0.0, 1.0, 2.0, 3.0]])


def test_dict_keys_must_name_inputs():
    a, b = Input((2,), name="text"), Input((3,), name="question")
    model = Model([a, b], layers.Dense(1)(layers.concatenate([a, b])))
    with pytest.raises(DataError, match=r"Missing data for input \"text\"\. You passed a data "
                                        r"dictionary with keys \['txt', 'question'\]\. Expected the "
                                        r"following keys: \['text', 'question'\]\. Did you mean 'text'"):
        model.predict({"txt": np.zeros((2, 2)), "question": np.zeros((2, 3))})
    with pytest.raises(DataError, match="The model has 2 inputs"):
        model.predict(np.zeros((2, 2)))


def test_loss_dict_keys_must_name_outputs():
    x = Input((2,))
    model = Model(x, [layers.Dense(1, name="age")(x), layers.Dense(2, name="income")(x)])
    with pytest.raises(ValueError, match=r"Expected keys \['age', 'income'\] in loss dict, but "
                                         r"found loss\.keys\(\)=\['agee', 'income'\]\..*Did you mean 'age'"):
        model.compile(loss={"agee": "mse", "income": "categorical_crossentropy"})


def test_flat_metric_list_on_several_outputs_is_explained():
    x = Input((2,))
    model = Model(x, [layers.Dense(1, name="age")(x), layers.Dense(2, name="income")(x),
                      layers.Dense(1, name="gender")(x)])
    with pytest.raises(ValueError, match=r"matching the output names of the functional model "
                                         r"\['age', 'income', 'gender'\]"):
        model.compile(loss="mse", metrics=["accuracy"])


def test_bare_string_metrics():
    with pytest.raises(ValueError, match=r"Expected `metrics` argument to be a list, tuple, or "
                                         r"dict\..*metrics=\['mae'\]"):
        small_model().compile(loss="mse", metrics="mae")


def test_nan_in_data_is_refused_before_training():
    model = small_model()
    model.compile(loss="binary_crossentropy")
    x = np.zeros((4, 4))
    x[2, 1] = np.nan
    with pytest.raises(DataError, match=r"contains NaN or infinity \(first at index \(2, 1\)\)"):
        model.fit(x, np.zeros(4), verbose=0)


def test_exploding_loss_stops_with_epoch_batch_and_cause():
    kteach.utils.set_random_seed(0)
    x = np.random.random((64, 3)).astype("float32") * 100
    y = x.sum(axis=1, keepdims=True)
    model = Sequential([Input((3,)), layers.Dense(8), layers.Dense(1)])
    model.compile(optimizer=kteach.optimizers.SGD(learning_rate=0.5), loss="mse")
    with pytest.raises(NumericalError) as info:
        model.fit(x, y, epochs=20, batch_size=16, verbose=0)
    message = str(info.value)
    assert "The loss became" in message and "at epoch 1, batch" in message
    assert "the learning rate (0.5) is too large" in message
    assert "the inputs are not scaled (values up to" in message
    assert isinstance(info.value, FloatingPointError)
    # weights are those before the bad batch: all still finite
    assert all(np.isfinite(w).all() for w in model.get_weights())


def test_terminate_on_nan_stops_quietly(capsys):
    kteach.utils.set_random_seed(0)
    x = np.random.random((64, 3)).astype("float32") * 100
    model = Sequential([Input((3,)), layers.Dense(8), layers.Dense(1)])
    model.compile(optimizer=kteach.optimizers.SGD(learning_rate=0.5), loss="mse")
    history = model.fit(x, x.sum(axis=1), epochs=20, batch_size=16, verbose=0,
                        callbacks=[kteach.callbacks.TerminateOnNaN()])
    assert len(history.history["loss"]) < 20
    assert "Invalid loss, terminating training" in capsys.readouterr().out


def test_failed_compile_keeps_the_previous_compile():
    model = small_model()
    model.compile(optimizer="adam", loss="binary_crossentropy")
    optimizer = model.optimizer
    with pytest.raises(ValueError):
        model.compile(optimizer="adma", loss="binary_crossentropy")
    assert model.optimizer is optimizer


def test_errors_are_builtin_subclasses():
    assert issubclass(DataError, ValueError)
    assert issubclass(UnknownArgumentError, TypeError)
    assert issubclass(UnknownNameError, ValueError)
