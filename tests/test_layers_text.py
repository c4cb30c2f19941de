"""TextVectorization, StringLookup and IntegerLookup held to real Keras 3.15.1.

Keras computes these layers with TensorFlow, which the test command's ``.venv-keras`` lacks,
so every Keras value here comes from tests/fixtures/text_layers.json (and the Keras-written
tests/fixtures/text_model.keras), recorded by tests/fixtures/make_text_layers.py, whose
docstring lists the facts; the cases themselves are in tests/fixtures/text_cases.py.
"""
import io
import json
import os
import re
import sys
from contextlib import redirect_stdout

import numpy as np
import pytest

import kteach
from kteach import layers
from kteach.engine.errors import NotSupportedError

FIXTURES = os.path.join(os.path.dirname(__file__), "fixtures")
sys.path.insert(0, FIXTURES)
from text_cases import (CASES, ERRORS, FILE_MODELS, SENTENCES,  # noqa: E402
                        keras_file_parts, vocabulary_file)

with open(os.path.join(FIXTURES, "text_layers.json"), encoding="utf-8") as f:
    KERAS = json.load(f)

BY_NAME = {c["name"]: c for c in CASES}


def make(case, tmp_path):
    config = dict(case["config"])
    if config.get("vocabulary") == "FILE":
        config["vocabulary"] = vocabulary_file(str(tmp_path), case["vocabulary_lines"])
    if isinstance(config.get("ngrams"), list):
        config["ngrams"] = tuple(config["ngrams"])
    kteach.backend.clear_session()
    layer = getattr(layers, case["cls"])(**config)
    if "adapt" in case:
        layer.adapt(case["adapt"])
    return layer


def as_array(data):
    """Strings as an object array (as a learner's lists become), numbers as they are."""
    a = np.asarray(data)
    return a.astype(object) if a.dtype.kind == "U" else a


# ===== values, vocabularies, dtypes ==============================================================
@pytest.mark.parametrize("name", [c["name"] for c in CASES])
def test_layer_computes_what_keras_computes(name, tmp_path):
    case, keras = BY_NAME[name], KERAS["cases"][name]
    layer = make(case, tmp_path)
    y = layer(as_array(case["input"]))
    assert list(y.shape) == keras["shape"]
    if keras["dtype"] == "string":
        assert y.dtype == object and y.tolist() == keras["output"]
    elif keras["dtype"] == "float32":
        assert y.dtype == np.float32
        np.testing.assert_allclose(y, keras["output"], rtol=1e-6, atol=1e-7)
    elif case["config"].get("output_mode", "int") == "int":
        assert y.dtype == np.int64 and y.tolist() == keras["output"]
    else:   # counts: int64 from TensorFlow, float32 (Keras' declared dtype) in kteach
        assert y.dtype == np.float32 and y.tolist() == keras["output"]
    assert layer.get_vocabulary() == keras["vocabulary"]
    assert layer.get_vocabulary(include_special_tokens=False) == keras["vocabulary_no_special"]
    assert layer.vocabulary_size() == keras["vocabulary_size"]


def test_ties_in_adapt_are_broken_by_the_token_highest_first():
    lookup = layers.StringLookup()
    lookup.adapt(["c", "d", "a", "b", "b"])
    assert lookup.get_vocabulary() == ["[UNK]", "b", "d", "c", "a"]
    assert KERAS["cases"]["sl_adapt"]["vocabulary"] == ["[UNK]", "d", "b", "a", "e", "c"]
    numbers = layers.IntegerLookup()
    numbers.adapt([3, 12, 3, 12, 5])
    assert numbers.get_vocabulary() == [-1, 12, 3, 5]


@pytest.mark.parametrize("name", [c["name"] for c in CASES
                                  if c["config"].get("vocabulary") != "FILE"])
def test_symbolic_output_is_keras_apart_from_two_documented_quirks(name, tmp_path):
    """Keras' symbolic tensor after TextVectorization in a counting mode is (None, 1, depth)
    for a (None, 1) input, but its arrays are (batch, depth): kteach's graph uses the arrays'
    shape. And Keras declares int64 for inverted StringLookup's strings: kteach says string."""
    case, keras = BY_NAME[name], KERAS["cases"][name]
    layer = make(case, tmp_path)
    kind = np.asarray(case["input"]).dtype.kind
    t = layer(kteach.Input(shape=tuple(case.get("symbolic_shape", (1,))),
                           dtype="int64" if kind in "iu" else "string"))
    want_shape, want_dtype = keras["symbolic"]["shape"], keras["symbolic"]["dtype"]
    if case["cls"] == "TextVectorization" and case["config"].get("output_mode", "int") != "int":
        assert want_shape[1] == 1
        want_shape = [None] + want_shape[2:]
    if case["config"].get("invert") and case["cls"] == "StringLookup":
        assert want_dtype == "int64"
        want_dtype = "string"
    assert [list(t.shape), t.dtype] == [want_shape, want_dtype]


# ===== bad arguments and bad calls ===============================================================
def keras_message(error):
    """Keras' message without what differs for reasons of no interest here: the frame that
    Keras wraps around errors raised in call(), the numbered layer names, NumPy's np.str_."""
    text = error["message"]
    inside = re.search(r"\x1b\[1m(.*?)\x1b\[0m", text, re.DOTALL)
    text = inside.group(1) if inside else text
    return re.sub(r"np\.str_\('([^']*)'\)", r"'\1'", text)


@pytest.mark.parametrize("error", ERRORS, ids=[e["name"] for e in ERRORS])
def test_bad_input_gets_keras_message(error):
    keras = KERAS["errors"][error["name"]]
    assert keras["raised"] is not None
    kteach.backend.clear_session()
    with pytest.raises(Exception) as info:
        layer = getattr(layers, error["cls"])(**error["config"])
        for step, data in error.get("then", []):
            layer.adapt(data) if step == "adapt" else layer(as_array(data))
    assert type(info.value).__name__ == keras["raised"] or \
        keras["raised"] in [c.__name__ for c in type(info.value).__mro__]
    # kteach may add how to fix it after Keras' text
    assert str(info.value).startswith(keras_message(keras)), str(info.value)


def test_a_refused_vocabulary_leaves_the_layer_as_it_was():
    lookup = layers.StringLookup()
    lookup.adapt(["a", "b", "b"])
    with pytest.raises(ValueError, match="repeated term"):
        lookup.set_vocabulary(["x", "y", "x"])
    with pytest.raises(TypeError, match="IntegerLookup"):
        lookup.adapt([1, 2, 3])
    assert lookup.get_vocabulary() == ["[UNK]", "b", "a"]
    assert lookup(np.array(["b", "x"], dtype=object)).tolist() == [1, 0]


def test_calling_before_adapt_says_how_to_fix_it():
    text = layers.TextVectorization()
    with pytest.raises(RuntimeError) as info:
        text(np.array([["hello"]], dtype=object))
    assert str(info.value).startswith("TextVectorization 'text_vectorization' has no "
                                      "vocabulary yet: call layer.adapt(data)")
    assert "vocabulary=[...]" in str(info.value)


def test_numbers_given_to_text_layers_are_refused_clearly():
    text = layers.TextVectorization()
    with pytest.raises(TypeError) as info:
        text.adapt(np.array([1.5, 2.0]))
    assert str(info.value) == (
        "TextVectorization works on strings, but the data to adapt on holds float values "
        "such as 1.5. Convert them first, e.g. np.array(x).astype(str).")
    with pytest.raises(TypeError, match="decode them first"):
        text.adapt([b"bytes"])
    with pytest.raises(TypeError, match="Use StringLookup for strings"):
        layers.IntegerLookup().adapt(["a"])
    assert text.get_vocabulary() == ["", "[UNK]"]


@pytest.mark.parametrize("cls, kwargs, words", [
    (layers.StringLookup, {"num_oov_indices": 2}, "FarmHash"),
    (layers.StringLookup, {"output_mode": "multi_hot", "sparse": True},
     "`sparse=True` can only be used with the TensorFlow backend"),
    (layers.TextVectorization, {"ragged": True},
     "`ragged=True` can only be used with the TensorFlow backend"),
    (layers.TextVectorization, {"output_mode": "count", "sparse": True}, "dense NumPy arrays"),
    (layers.IntegerLookup, {"oov_method": "farmhash"}, "num_oov_indices=1"),
    (layers.StringLookup, {"encoding": "latin-1"}, "only encoding='utf-8'"),
])
def test_what_kteach_does_not_implement_is_refused(cls, kwargs, words):
    with pytest.raises(NotSupportedError) as info:
        cls(**kwargs)
    assert words in str(info.value)


def test_no_oov_index_and_an_unknown_token():
    lookup = layers.StringLookup(vocabulary=["a"], num_oov_indices=0)
    with pytest.raises(ValueError) as info:
        lookup(np.array(["a", "zz"], dtype=object))
    assert str(info.value) == ("When `num_oov_indices=0` all inputs should be in vocabulary, "
                               "found OOV values ['zz'], consider setting `num_oov_indices=1`.")


# ===== standardize, split, adapt's sources =======================================================
def test_callable_standardize_and_split_get_numpy_arrays_of_strings():
    seen = []

    def shout(texts):
        seen.append(type(texts))
        return np.char.upper(texts)

    def on_commas(texts):
        return [t.split(",") for t in texts]

    text = layers.TextVectorization(standardize=shout, split=on_commas)
    text.adapt(["a,b", "b,c", "b"])
    assert seen[0] is np.ndarray
    assert text.get_vocabulary() == ["", "[UNK]", "B", "C", "A"]
    assert text(np.array([["c,a,x"]], dtype=object)).tolist() == [[3, 4, 1]]


def test_adapt_reads_generators_and_pydatasets_batch_by_batch():
    def batches():
        yield np.array(["a b", "b"], dtype=object)
        yield np.array(["c c c"], dtype=object)
        yield np.array(["never read"], dtype=object)

    text = layers.TextVectorization()
    text.adapt(batches(), steps=2)
    assert text.get_vocabulary() == ["", "[UNK]", "c", "b", "a"]

    class Sentences(kteach.utils.PyDataset):
        def __len__(self):
            return 2

        def __getitem__(self, i):     # (x, y) batches: adapt reads the x
            return np.array([SENTENCES[2 * i], SENTENCES[2 * i + 1]], dtype=object), np.ones(2)

    from_dataset = layers.TextVectorization()
    from_dataset.adapt(Sentences())
    from_list = layers.TextVectorization()
    from_list.adapt(SENTENCES[:4])
    assert from_dataset.get_vocabulary() == from_list.get_vocabulary()


def test_adapt_again_starts_afresh():
    lookup = layers.StringLookup()
    lookup.adapt(["a", "a", "b"])
    lookup.adapt(["z"])
    assert lookup.get_vocabulary() == ["[UNK]", "z"]


# ===== in a model ===============================================================================
def test_a_text_model_trains_on_string_arrays():
    kteach.utils.set_random_seed(0)
    text = layers.TextVectorization(max_tokens=20, output_sequence_length=4)
    text.adapt(SENTENCES)
    model = kteach.Sequential([kteach.Input(shape=(1,), dtype="string"), text,
                               layers.Embedding(20, 4), layers.GlobalAveragePooling1D(),
                               layers.Dense(1, activation="sigmoid")])
    x = np.array([[s] for s in SENTENCES])             # a NumPy str array ('<U...')
    y = np.array([[1], [0], [1], [0], [1], [0], [1], [0]], dtype="float32")
    model.compile(optimizer="adam", loss="binary_crossentropy")
    history = model.fit(x, y, epochs=3, batch_size=4, verbose=0)
    assert history.history["loss"][-1] < history.history["loss"][0]
    assert model.predict(x.astype(object), verbose=0).shape == (8, 1)
    out = io.StringIO()
    with redirect_stdout(out):
        model.summary()
    assert "│ text_vectorization              │ (None, 4)              │             0 │" in \
        out.getvalue()
    with pytest.raises(ValueError, match="dtype='string', so give an array of strings"):
        model.predict(np.zeros((2, 1)), verbose=0)


# ===== files ====================================================================================
def keras_input(data):
    a = np.asarray(data)
    return a.astype(object) if a.dtype.kind == "U" else a


def test_kteach_loads_the_file_keras_wrote():
    keras = KERAS["files"]["text_model"]
    model = kteach.saving.load_model(os.path.join(FIXTURES, "text_model.keras"))
    y = model.predict(keras_input(keras["input"]), verbose=0)
    np.testing.assert_allclose(y, keras["output"], rtol=1e-6, atol=1e-7)
    assert model.layers[1].get_vocabulary()[:4] == ["", "[UNK]", "the", "a"]


@pytest.mark.parametrize("name", [n for n, _ in FILE_MODELS])
def test_kteach_writes_the_file_keras_writes(name, tmp_path):
    """Same entries, same vocabulary assets, same weight groups, same layer configs; and
    real Keras loaded kteach's file and predicted what kteach predicts (recorded)."""
    keras = KERAS["files"][name]
    build = dict(FILE_MODELS)[name]
    kteach.backend.clear_session()
    model, x = build(kteach)
    path = tmp_path / f"{name}.keras"
    model.save(path)
    parts = keras_file_parts(path)
    for key in ("entries", "assets", "vars"):
        assert parts[key] == keras["file"][key], key
    want_layers = {l["name"]: l for l in keras["file"]["config"]["config"]["layers"]}
    for layer in parts["config"]["config"]["layers"]:
        if layer["class_name"] in ("TextVectorization", "StringLookup", "IntegerLookup"):
            assert layer == want_layers[layer["name"]]
    mine = model.predict(keras_input(x), verbose=0)
    loaded = kteach.saving.load_model(path).predict(keras_input(x), verbose=0)
    assert np.array_equal(mine, loaded)
    by_keras = KERAS["kteach_files"][name]
    np.testing.assert_allclose(mine, by_keras["kteach_output"], rtol=1e-6, atol=1e-7)
    np.testing.assert_allclose(by_keras["output"], by_keras["kteach_output"], rtol=1e-6,
                               atol=1e-7)


def test_a_given_vocabulary_travels_in_the_config_an_adapted_one_does_not():
    given = layers.StringLookup(vocabulary=["x", "y"])
    again = layers.StringLookup.from_config(given.get_config())
    assert again.get_vocabulary() == ["[UNK]", "x", "y"]
    adapted = layers.StringLookup()
    adapted.adapt(["q"])
    config = adapted.get_config()
    assert config["vocabulary"] is None and config["vocabulary_size"] == 2


def test_string_data_that_is_not_an_array_of_strings_is_refused_clearly():
    inp = kteach.Input(shape=(2,), dtype="string")
    model = kteach.Model(inp, layers.StringLookup(vocabulary=["a"])(inp))
    with pytest.raises(ValueError) as info:
        model.predict(np.array([["a", 1]], dtype=object), verbose=0)
    assert str(info.value) == ("x mixes strings with other values (such as 1). Text layers "
                               "take an array of strings only: convert with np.array(x, "
                               "dtype=str), or fill missing texts with ''.")
    with pytest.raises(ValueError, match="probably rows of different lengths"):
        model.predict(np.array([["a", "b"], ["a"]], dtype=object), verbose=0)
    assert model.predict(np.array([["a", "b"]]), verbose=0).tolist() == [[1, 0]]


def test_text_vectorization_refuses_one_hot_which_keras_gives_as_a_ragged_tensor():
    # Keras 3.15.1 with TensorFlow: a RaggedTensor of shape (None, 1, None, depth)
    with pytest.raises(NotSupportedError) as info:
        layers.TextVectorization(output_mode="one_hot")
    assert "kteach.ops.one_hot(ids, vocabulary_size)" in str(info.value)


def test_a_sequential_without_input_builds_from_string_data():
    """No Input: the model takes its input (dtype string) from the first data, as Keras."""
    model = kteach.Sequential([
        layers.TextVectorization(vocabulary=["a", "b"], output_sequence_length=3),
        layers.Embedding(4, 2), layers.Flatten(), layers.Dense(1)])
    assert model.predict(np.array(["a b", "b"]), verbose=0).shape == (2, 1)
    assert model.inputs[0].dtype == "string" and model.inputs[0].shape == (2,)


def test_a_python_list_is_one_input_as_in_keras():
    """Keras takes a plain list of strings (or ids) as one batch; kteach gives it exactly what
    the same values as a NumPy array give (a list is not several inputs here)."""
    vectorize = layers.TextVectorization(output_sequence_length=3)
    vectorize.adapt(["the cat sat", "the dog"])
    texts = ["the cat", "a dog sat"]
    assert vectorize(texts).tolist() == vectorize(np.array(texts)).tolist()
    strings = layers.StringLookup(vocabulary=["a", "b"])
    assert strings(["a", "b", "z"]).tolist() == strings(np.array(["a", "b", "z"])).tolist() \
        == [1, 2, 0]
    ids = layers.IntegerLookup(vocabulary=[7, 9])
    assert ids([[7], [9], [3]]).tolist() == [[1], [2], [0]]


def test_text_vectorization_takes_batch_and_batch_by_1_strings_after_either():
    tv = layers.TextVectorization(max_tokens=20, output_sequence_length=4)
    tv.adapt(np.array(["the cat sat", "a dog ran"]))
    flat = tv(np.array(["the dog", "a cat"]))                  # built on (batch,) ...
    column = tv(np.array([["the dog"], ["a cat"]]))            # ... then given (batch, 1)
    np.testing.assert_array_equal(np.asarray(flat), np.asarray(column))
    with pytest.raises(ValueError, match=r"inputs.shape=\(1, 2\) with rank=2"):
        tv(np.array([["the dog", "a cat"]]))
