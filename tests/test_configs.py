"""Configs in Keras 3's form, held to what real Keras 3.15.1 writes (tests/fixtures/
keras_configs.json, made by tests/fixtures/make_configs.py, whose docstring lists the facts).
"""
import io
import json
import os
import sys
from contextlib import redirect_stdout

import numpy as np
import pytest

import kteach
from kteach.saving import (CustomObjectScope, deserialize_keras_object, get_registered_name,
                           register_keras_serializable, serialize_keras_object)

sys.path.insert(0, os.path.join(os.path.dirname(__file__), "fixtures"))
from config_cases import ALL_CASES, LAYER_CASES, MODEL_CASES  # noqa: E402
from text_cases import CONFIG_CASES as TEXT_CASES  # noqa: E402

with open(os.path.join(os.path.dirname(__file__), "fixtures", "keras_configs.json")) as f:
    KERAS = json.load(f)
# The text layers need TensorFlow in Keras: their configs come from make_text_layers.py.
with open(os.path.join(os.path.dirname(__file__), "fixtures", "text_layers.json")) as f:
    KERAS_TEXT = json.load(f)["configs"]

CASES = [(group, key, build) for group, cases in ALL_CASES.items() for key, build in cases]


def as_json(obj):
    return json.loads(json.dumps(obj))


def fresh(build):
    kteach.backend.clear_session()
    return build(kteach)


@pytest.mark.parametrize("group,key,build", CASES, ids=[f"{g}-{k}" for g, k, _ in CASES])
def test_serialized_config_is_keras(group, key, build):
    assert as_json(serialize_keras_object(fresh(build))) == KERAS[group][key]


@pytest.mark.parametrize("key,build", TEXT_CASES, ids=[k for k, _ in TEXT_CASES])
def test_text_layer_config_is_keras(key, build):
    assert as_json(serialize_keras_object(fresh(build))) == KERAS_TEXT[key]


@pytest.mark.parametrize("key", [k for k, _ in TEXT_CASES])
def test_keras_text_layer_config_loads_and_writes_back_the_same(key):
    kteach.backend.clear_session()
    obj = deserialize_keras_object(KERAS_TEXT[key])
    assert as_json(serialize_keras_object(obj)) == KERAS_TEXT[key]


def test_every_layer_class_has_a_case():
    covered = {type(build(kteach)).__name__ for _, build in LAYER_CASES + TEXT_CASES}
    exported = {obj.__name__ for name, obj in vars(kteach.layers).items()
                if isinstance(obj, type) and issubclass(obj, kteach.layers.Layer)
                and obj is not kteach.layers.Layer and obj.__name__ != "Lambda"}
    assert exported <= covered, f"layers without a config case: {sorted(exported - covered)}"


@pytest.mark.parametrize("name", sorted(KERAS["activations"]))
def test_activation_functions_as_keras(name):
    fn = kteach.activations.get(name)
    assert as_json(serialize_keras_object(fn)) == KERAS["activations"][name]
    assert deserialize_keras_object(KERAS["activations"][name]) is fn


@pytest.mark.parametrize("group,key,build", CASES, ids=[f"{g}-{k}" for g, k, _ in CASES])
def test_keras_config_loads_and_writes_back_the_same(group, key, build):
    kteach.backend.clear_session()
    obj = deserialize_keras_object(KERAS[group][key])
    assert as_json(serialize_keras_object(obj)) == KERAS[group][key]


def summary_text(model):
    out = io.StringIO()
    with redirect_stdout(out):
        model.summary()
    return out.getvalue()


def sample_inputs(model, rng):
    arrays = []
    for t in model.inputs:
        shape = (3,) + tuple(t.shape[1:])
        arrays.append(rng.integers(0, 5, shape).astype(t.dtype) if "int" in t.dtype
                      else rng.normal(size=shape).astype("float32"))
    return arrays if len(arrays) > 1 else arrays[0]


BUILT_MODELS = [(k, b) for k, b in MODEL_CASES if k != "Sequential_unbuilt"]


@pytest.mark.parametrize("key,build", BUILT_MODELS, ids=[k for k, _ in BUILT_MODELS])
def test_model_round_trip_same_config_summary_and_predictions(key, build):
    model = fresh(build)
    config = model.get_config()
    copy = type(model).from_config(config)
    assert as_json(copy.get_config()) == as_json(config)
    assert summary_text(copy) == summary_text(model)
    copy.set_weights(model.get_weights())
    x = sample_inputs(model, np.random.default_rng(0))
    ours, theirs = model.predict(x, verbose=0), copy.predict(x, verbose=0)
    for a, b in zip(ours if isinstance(ours, list) else [ours],
                    theirs if isinstance(theirs, list) else [theirs]):
        np.testing.assert_allclose(a, b, rtol=1e-6)


@pytest.mark.parametrize("key,build", LAYER_CASES, ids=[k for k, _ in LAYER_CASES])
def test_layer_round_trip(key, build):
    layer = fresh(build)
    copy = type(layer).from_config(layer.get_config())
    if layer.get_build_config():
        copy.build_from_config(layer.get_build_config())
        assert copy.get_build_config() == layer.get_build_config()
    assert as_json(serialize_keras_object(copy))["config"] == \
        as_json(serialize_keras_object(layer))["config"]


def test_to_json_and_model_from_json():
    model = fresh(dict(MODEL_CASES)["Functional_shared_multi"])
    again = kteach.models.model_from_json(model.to_json())
    assert json.loads(again.to_json()) == json.loads(model.to_json())
    with pytest.raises(ValueError, match="not JSON"):
        kteach.models.model_from_json("{oops")


@pytest.mark.parametrize("key", ["Sequential", "Functional_shared_multi", "Functional_nested"])
def test_clone_model_has_new_weights_and_same_architecture(key):
    model = fresh(dict(MODEL_CASES)[key])
    clone = kteach.models.clone_model(model)
    assert summary_text(clone) == summary_text(model)
    assert [w.shape for w in clone.get_weights()] == [w.shape for w in model.get_weights()]
    assert all(a is not b for a, b in zip(clone.weights, model.weights))
    kernels = [(a, b) for a, b in zip(clone.get_weights(), model.get_weights()) if a.ndim == 2]
    assert any(not np.allclose(a, b) for a, b in kernels)


def test_clone_model_with_clone_function_and_input_tensors():
    model = fresh(dict(MODEL_CASES)["Functional_chain"])
    seen = []

    def clone_function(layer):
        seen.append(layer.name)
        return type(layer).from_config(layer.get_config())
    x = kteach.Input((6,), name="other")
    clone = kteach.models.clone_model(model, input_tensors=x, clone_function=clone_function)
    assert clone.inputs[0] is x and "dense" in seen


def test_registered_custom_layer_round_trips():
    @register_keras_serializable(package="Lesson")
    class Scale(kteach.layers.Layer):
        def __init__(self, factor=2.0, **kwargs):
            super().__init__(**kwargs)
            self.factor = factor

        def call(self, x):
            return x * self.factor

        def get_config(self):
            return {**super().get_config(), "factor": self.factor}

    kteach.backend.clear_session()
    config = as_json(serialize_keras_object(Scale(3.0)))
    expected = dict(KERAS["custom_layer"], module=Scale.__module__)  # Keras' was in __main__
    assert config == expected
    assert get_registered_name(Scale) == KERAS["custom_registered_name"] == "Lesson>Scale"
    again = deserialize_keras_object(config)
    assert isinstance(again, Scale) and again.factor == 3.0
    model = kteach.Sequential([kteach.Input((2,)), Scale(3.0), kteach.layers.Dense(1)])
    copy = kteach.Sequential.from_config(model.get_config())
    assert isinstance(copy.layers[0], Scale)


def test_unregistered_custom_class_is_refused_as_keras():
    class Hidden(kteach.layers.Layer):
        pass

    config = as_json(serialize_keras_object(Hidden()))
    with pytest.raises(TypeError, match="Could not locate class 'Hidden'"):
        deserialize_keras_object(config)
    assert isinstance(deserialize_keras_object(config, custom_objects={"Hidden": Hidden}), Hidden)
    with CustomObjectScope({"Hidden": Hidden}):
        assert isinstance(deserialize_keras_object(config), Hidden)
    message = KERAS["unknown_class_message"].split(". Make sure")[0]
    with pytest.raises(TypeError, match=message):
        deserialize_keras_object({"module": None, "class_name": "Mystery", "config": {},
                                  "registered_name": "Mystery"})


def test_unknown_keras_layer_names_the_layer_and_points_to_keras():
    config = {"module": "keras.layers", "class_name": "Conv3D",
              "config": {"name": "voxels", "filters": 4}, "registered_name": None}
    with pytest.raises(TypeError) as e:
        deserialize_keras_object(config)
    text = str(e.value)
    assert "'voxels'" in text and "'Conv3D'" in text and "Real Keras 3" in text
    assert "Conv1D" in text or "Conv2D" in text   # the nearest classes kteach has


def test_lambda_is_refused_in_safe_mode_with_keras_message_and_never_run():
    ran = []
    kteach.backend.clear_session()
    model = kteach.Sequential([kteach.Input((2,)),
                               kteach.layers.Lambda(lambda x: x * 2, name="double")])
    config = as_json(serialize_keras_object(model))
    assert config["config"]["layers"][1]["config"]["function"]["class_name"] == "__lambda__"
    with pytest.raises(ValueError) as e:
        deserialize_keras_object(config)
    assert str(e.value) == KERAS["lambda_safe_mode_message"]
    assert not ran
    again = deserialize_keras_object(config, safe_mode=False)
    np.testing.assert_allclose(again.predict(np.ones((1, 2), "float32"), verbose=0), [[2, 2]])


def test_misspelt_config_key_gets_did_you_mean():
    config = as_json(serialize_keras_object(kteach.layers.Dense(3)))
    config["config"]["unit"] = config["config"].pop("units")
    with pytest.raises(TypeError, match="units"):
        deserialize_keras_object(config)


def test_no_pickle_in_saving():
    folder = os.path.join(os.path.dirname(kteach.__file__), "saving")
    for name in os.listdir(folder):
        if name.endswith(".py"):
            with open(os.path.join(folder, name)) as f:
                assert "pickle" not in f.read().replace("unpickled", ""), name


def test_keras_only_option_that_kteach_lacks_is_refused_clearly():
    config = as_json(serialize_keras_object(kteach.layers.LayerNormalization()))
    config["config"]["rms_scaling"] = True
    with pytest.raises(NotImplementedError, match="rms_scaling=True"):
        deserialize_keras_object(config)


def test_compiled_model_config_compiles_the_copy():
    model = fresh(dict(MODEL_CASES)["Sequential_compiled"])
    copy = deserialize_keras_object(as_json(serialize_keras_object(model)))
    assert copy.compiled and type(copy.optimizer).__name__ == "Adam"
