"""End-to-end parity with Keras 3.15.1: same model, same weights, same data -> same numbers.

The reference numbers come from the real Keras 3.15.1 (torch backend, CPU), made by
tests/fixtures/make_keras_parity.py and stored in tests/fixtures/keras_parity.json / .npz.
Each test builds the same architecture in kteach, loads the same initial weights, trains with
``shuffle=False`` (no random numbers are drawn) and compares:

* layer names, ``get_weights()`` shapes (Keras' order) and weight paths;
* the keys of ``history.history`` (Keras 3 sorts them) and every value, epoch by epoch;
* the final weights, the ``evaluate()`` list (Keras' order), ``predict()`` outputs;
* for the multi-output model, ``train_on_batch`` / ``test_on_batch`` results.

Keras computes in float32 with torch's kernels and kteach in float32 with NumPy's, so the
numbers agree to float32 round-off, not bit for bit: rtol 1e-5 (weights: atol 1e-6 too).
"""
from __future__ import annotations

import json
from pathlib import Path

import numpy as np
import pytest

import kteach
from kteach import layers, losses, optimizers

FIXTURES = Path(__file__).parent / "fixtures"
REFERENCE = json.loads((FIXTURES / "keras_parity.json").read_text())
CASES = REFERENCE["cases"]
with np.load(FIXTURES / "keras_parity.npz") as _npz:
    ARRAYS = {key: _npz[key] for key in _npz.files}

RTOL = 1e-5
ATOL_WEIGHTS = 1e-6
ATOL_VALUES = 1e-7  # for values that are (close to) zero, such as an accuracy of 0.0


def data(name: str) -> dict[str, np.ndarray]:
    """One of the generator's data sets, e.g. data('binary') -> {'x': ..., 'y': ...}."""
    prefix = f"data/{name}/"
    return {k[len(prefix):]: v for k, v in ARRAYS.items() if k.startswith(prefix)}


def arrays(case: str, kind: str) -> list[np.ndarray]:
    """``init``, ``final`` or ``pred`` arrays of a case, in order."""
    n = CASES[case]["n_pred" if kind == "pred" else "n_init"]
    return [ARRAYS[f"{case}/{kind}/{i}"] for i in range(n)]


# ----- the models, written as in the generator but with kteach ---------------------------------------
def mlp_sgd_nesterov():
    model = kteach.Sequential([kteach.Input(shape=(20,)),
                               layers.Dense(64, activation="relu"),
                               layers.Dense(64, activation="relu"),
                               layers.Dense(10, activation="softmax")])
    model.compile(optimizer=optimizers.SGD(learning_rate=0.01, momentum=0.9, nesterov=True),
                  loss="categorical_crossentropy", metrics=["accuracy"])
    return model


def binary_model():
    model = kteach.Sequential([kteach.Input(shape=(8,)),
                               layers.Dense(16, activation="relu"),
                               layers.Dense(1, activation="sigmoid")])
    model.compile(optimizer="rmsprop", loss="binary_crossentropy", metrics=["acc"])
    return model


def sparse_adam():
    model = kteach.Sequential([kteach.Input(shape=(10,)),
                               layers.Dense(16, activation="relu"),
                               layers.Dense(5, activation="softmax")])
    model.compile(optimizer=optimizers.Adam(learning_rate=0.01),
                  loss="sparse_categorical_crossentropy", metrics=["accuracy"])
    return model


def regression_model(optimizer):
    def build():
        model = kteach.Sequential([kteach.Input(shape=(6,)),
                                   layers.Dense(8, activation="relu"),
                                   layers.Dense(1)])
        model.compile(optimizer=optimizer(), loss="mse", metrics=["mae"])
        return model
    return build


def two_input_model():
    left = kteach.Input(shape=(6,), name="left")
    right = kteach.Input(shape=(4,), name="right")
    h = layers.concatenate([layers.Dense(8, activation="relu")(left),
                            layers.Dense(8, activation="relu")(right)])
    out = layers.Dense(3, activation="softmax")(h)
    model = kteach.Model(inputs=[left, right], outputs=out)
    model.compile(optimizer=optimizers.Adam(learning_rate=0.01),
                  loss="categorical_crossentropy", metrics=["accuracy"])
    return model


def posts_model():
    posts = kteach.Input(shape=(12,), name="posts")
    h = layers.Dense(16, activation="relu")(posts)
    h = layers.Dense(16, activation="relu")(h)
    age = layers.Dense(1, name="age")(h)
    income = layers.Dense(10, activation="softmax", name="income")(h)
    gender = layers.Dense(1, activation="sigmoid", name="gender")(h)
    return kteach.Model(posts, [age, income, gender])


def posts_loss_list():
    model = posts_model()
    model.compile(optimizer="rmsprop",
                  loss=["mse", "categorical_crossentropy", "binary_crossentropy"])
    return model


def posts_loss_dict():
    model = posts_model()
    model.compile(optimizer="rmsprop",
                  loss={"age": "mse", "income": "categorical_crossentropy",
                        "gender": "binary_crossentropy"},
                  loss_weights={"age": 0.25, "income": 1.0, "gender": 10.0},
                  metrics={"income": ["accuracy"], "gender": ["accuracy"]})
    return model


def logits_model(units, loss):
    def build():
        model = kteach.Sequential([kteach.Input(shape=(8,)),
                                   layers.Dense(8, activation="relu"),
                                   layers.Dense(units)])
        model.compile(optimizer=optimizers.SGD(learning_rate=0.1), loss=loss(), metrics=["accuracy"])
        return model
    return build


def shared_add():
    a = kteach.Input(shape=(5,))
    b = kteach.Input(shape=(5,))
    shared = layers.Dense(4, activation="relu")
    out = layers.Dense(1)(layers.Add()([shared(a), shared(b)]))
    model = kteach.Model([a, b], out)
    model.compile(optimizer=optimizers.Adam(learning_rate=0.01), loss="mse", metrics=["mae"])
    return model


def dropout_model():
    model = kteach.Sequential([kteach.Input(shape=(6,)),
                               layers.Dense(8, activation="relu"),
                               layers.Dropout(0.5),
                               layers.Dense(2, activation="softmax")])
    model.compile(optimizer="sgd", loss="categorical_crossentropy", metrics=["accuracy"])
    return model


# ----- how each case is trained (the same calls as in the generator) ---------------------------------
def simple_fit(x, y, batch_size=32, epochs=3, validation_split=0.0):
    def run(model):
        history = model.fit(x, y, batch_size=batch_size, epochs=epochs, verbose=0,
                            shuffle=False, validation_split=validation_split)
        return history, model.evaluate(x, y, verbose=0), model.predict(x, verbose=0), {}
    return run


def posts_run(x, y, y_batch):
    def run(model):
        history = model.fit(x, y, batch_size=32, epochs=2, verbose=0, shuffle=False,
                            validation_split=0.2)
        evaluated = model.evaluate(x, y, verbose=0)
        evaluated_dict = model.evaluate(x, y, verbose=0, return_dict=True)
        preds = model.predict(x, verbose=0)
        extra = {"evaluate_dict": evaluated_dict,
                 "train_on_batch": model.train_on_batch(x[:16], y_batch),
                 "test_on_batch": model.test_on_batch(x[:16], y_batch)}
        return history, evaluated, preds, extra
    return run


def inference_only(x, y):
    def run(model):
        return None, model.evaluate(x, y, verbose=0), model.predict(x, verbose=0), {}
    return run


def _posts_data():
    d = data("posts")
    y_list = [d["age"], d["income"], d["gender"]]
    y_dict = {"age": d["age"], "income": d["income"], "gender": d["gender"]}
    return d["posts"], y_list, y_dict


def runs() -> dict:
    """case name -> (build the compiled kteach model, train/evaluate/predict it)."""
    blobs, binary, sparse, reg = data("blobs10"), data("binary"), data("sparse5"), data("regression")
    two, logits, siamese, drop = data("two_inputs"), data("logits"), data("siamese"), data("dropout")
    posts, y_list, y_dict = _posts_data()
    return {
        "mlp_sgd_nesterov": (mlp_sgd_nesterov,
                             simple_fit(blobs["x"], blobs["y"], batch_size=128, validation_split=0.2)),
        "binary_y_flat": (binary_model, simple_fit(binary["x"], binary["y"], validation_split=0.2)),
        "binary_y_column": (binary_model,
                            simple_fit(binary["x"], binary["y"][:, None], validation_split=0.2)),
        "sparse_adam": (sparse_adam, simple_fit(sparse["x"], sparse["y"], validation_split=0.25)),
        "regression_adagrad": (regression_model(lambda: optimizers.Adagrad(learning_rate=0.05)),
                               simple_fit(reg["x"], reg["y"])),
        "regression_adadelta": (regression_model(lambda: optimizers.Adadelta(learning_rate=1.0)),
                                simple_fit(reg["x"], reg["y"])),
        "regression_nadam": (regression_model(lambda: optimizers.Nadam(learning_rate=0.01)),
                             simple_fit(reg["x"], reg["y"])),
        "regression_adamax": (regression_model(lambda: optimizers.Adamax(learning_rate=0.01)),
                              simple_fit(reg["x"], reg["y"])),
        "two_inputs_list": (two_input_model,
                            simple_fit([two["left"], two["right"]], two["y"], validation_split=0.25)),
        "two_inputs_dict": (two_input_model,
                            simple_fit({"left": two["left"], "right": two["right"]}, two["y"],
                                       validation_split=0.25)),
        "posts_loss_list": (posts_loss_list, posts_run(posts, y_list, [a[:16] for a in y_list])),
        "posts_loss_dict": (posts_loss_dict,
                            posts_run(posts, y_dict, {k: v[:16] for k, v in y_dict.items()})),
        "logits_bce": (logits_model(1, lambda: losses.BinaryCrossentropy(from_logits=True)),
                       simple_fit(logits["x"], logits["y_binary"], validation_split=0.2)),
        "logits_cce": (logits_model(4, lambda: losses.CategoricalCrossentropy(from_logits=True)),
                       simple_fit(logits["x"], logits["y_onehot"], validation_split=0.2)),
        "shared_add": (shared_add, simple_fit([siamese["a"], siamese["b"]], siamese["y"])),
        "dropout_inference": (dropout_model, inference_only(drop["x"], drop["y"])),
    }


RUNS = runs()


def test_every_recorded_case_has_a_kteach_run():
    assert sorted(RUNS) == sorted(CASES)
    assert REFERENCE["keras_version"] == "3.15.1"


def build(case: str):
    """The compiled kteach model with Keras' initial weights loaded (names start afresh)."""
    kteach.backend.clear_session()
    model = RUNS[case][0]()
    model.set_weights(arrays(case, "init"))
    return model


def trained(case: str):
    """Build, load the initial weights and run the case: (model, history, evaluate, preds, extra)."""
    model = build(case)
    history, evaluated, preds, extra = RUNS[case][1](model)
    return model, history, evaluated, preds, extra


def assert_close(actual, expected, what: str, atol: float = ATOL_VALUES) -> None:
    np.testing.assert_allclose(np.asarray(actual, dtype="float64"), np.asarray(expected),
                               rtol=RTOL, atol=atol, err_msg=what)


# ----- structure: names, weight order and shapes ------------------------------------------------------
@pytest.mark.parametrize("case", sorted(CASES))
def test_layer_names_and_weight_shapes_match_keras(case):
    model = build(case)
    assert [layer.name for layer in model.layers] == CASES[case]["layer_names"]
    assert [list(w.shape) for w in model.get_weights()] == CASES[case]["weight_shapes"]


# Keras builds a Sequential's layers inside the model's name scope: 'sequential/dense/kernel';
# a functional model's layers are built outside it: 'dense/kernel'.
@pytest.mark.parametrize("case", sorted(CASES))
def test_weight_paths_match_keras(case):
    model = build(case)
    assert [w.path for w in model.weights] == CASES[case]["weight_paths"]


# ----- training runs ---------------------------------------------------------------------------------
@pytest.mark.parametrize("case", sorted(CASES))
def test_training_run_matches_keras(case):
    expected = CASES[case]
    model, history, evaluated, preds, extra = trained(case)

    if expected["history"] is None:
        assert history is None
    else:
        assert list(history.history) == expected["history_keys"]
        for key, values in expected["history"].items():
            assert len(history.history[key]) == len(values), key
            assert_close(history.history[key], values, f"history['{key}']")

    final = model.get_weights()
    assert len(final) == expected["n_init"]
    for i, (w, w_keras) in enumerate(zip(final, arrays(case, "final"))):
        assert w.dtype == np.float32
        assert_close(w, w_keras, f"final weight {i} ({model.weights[i].path})", atol=ATOL_WEIGHTS)

    if isinstance(expected["evaluate"], list):
        assert isinstance(evaluated, list) and len(evaluated) == len(expected["evaluate"])
    else:
        assert isinstance(evaluated, float)
    assert_close(evaluated, expected["evaluate"], "evaluate()")

    preds = preds if isinstance(preds, list) else [preds]
    keras_preds = arrays(case, "pred")
    assert len(preds) == len(keras_preds)
    for i, (p, p_keras) in enumerate(zip(preds, keras_preds)):
        assert p.shape == p_keras.shape and p.dtype == np.float32, f"prediction {i}"
        assert_close(p, p_keras, f"prediction {i}", atol=1e-6)

    if "evaluate_dict" in expected:
        assert list(extra["evaluate_dict"]) == expected["evaluate_dict_keys"]
        for key, value in expected["evaluate_dict"].items():
            assert_close(extra["evaluate_dict"][key], value, f"evaluate(return_dict=True)['{key}']")
        for call in ("train_on_batch", "test_on_batch"):
            assert len(extra[call]) == len(expected[call]), call
            assert_close(extra[call], expected[call], call)


def test_multi_output_evaluate_order_is_keras_order():
    """Keras 3: [loss, per-output losses in output order, metrics sorted by name]."""
    assert CASES["posts_loss_dict"]["evaluate_dict_keys"] == [
        "age_loss", "gender_accuracy", "gender_loss", "income_accuracy", "income_loss", "loss"]
    model, _, evaluated, _, extra = trained("posts_loss_dict")
    order = ["loss", "age_loss", "income_loss", "gender_loss", "gender_accuracy", "income_accuracy"]
    assert evaluated == [extra["evaluate_dict"][k] for k in order]
    # the total is the weighted sum of the three output losses
    d = extra["evaluate_dict"]
    assert d["loss"] == pytest.approx(0.25 * d["age_loss"] + d["income_loss"] + 10 * d["gender_loss"],
                                      rel=1e-6)


def test_list_and_dict_inputs_give_the_same_run_as_keras():
    """Keras gives bit-identical runs for x as a list and as a dict keyed by Input names."""
    for key in ("history", "evaluate"):
        assert CASES["two_inputs_list"][key] == CASES["two_inputs_dict"][key]
    _, h_list, e_list, p_list, _ = trained("two_inputs_list")
    _, h_dict, e_dict, p_dict, _ = trained("two_inputs_dict")
    assert h_list.history == h_dict.history
    assert e_list == e_dict
    np.testing.assert_array_equal(p_list, p_dict)


def test_binary_targets_flat_or_column_train_identically():
    """Targets shaped (n,) and (n, 1) give the same run for a Dense(1) output (as in Keras)."""
    assert CASES["binary_y_flat"]["history"] == CASES["binary_y_column"]["history"]
    _, h_flat, _, _, _ = trained("binary_y_flat")
    _, h_column, _, _, _ = trained("binary_y_column")
    assert h_flat.history == h_column.history


# ----- to_categorical ----------------------------------------------------------------------------------
@pytest.mark.parametrize("key", sorted(REFERENCE["to_categorical"]))
def test_to_categorical_matches_keras(key):
    expected = REFERENCE["to_categorical"][key]
    result = kteach.utils.to_categorical(np.array(expected["labels"]),
                                         num_classes=expected["num_classes"])
    assert list(result.shape) == expected["shape"]
    assert str(result.dtype) == expected["dtype"] == "float64"
    np.testing.assert_array_equal(result, np.array(expected["value"]))
