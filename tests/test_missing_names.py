"""A Keras 3 name that kteach lacks, and a typo, give an AttributeError that says which.

The Keras names come from tests/fixtures/keras_names.json (written from a real Keras 3 by
tests/fixtures/make_keras_names.py); kteach ships the same list as
kteach/engine/keras_names.json.
"""
import importlib
import json
from pathlib import Path

import pytest

import kteach
from kteach.engine.errors import KteachError
from kteach.engine.keras_names import MissingNameError, keras_names

FIXTURE = json.loads((Path(__file__).parent / "fixtures" / "keras_names.json").read_text())
MODULES = {"keras": "kteach", **{m: "kteach" + m[len("keras"):] for m in FIXTURE["modules"]
                                 if m != "keras"}}


def test_the_package_ships_the_fixture_list():
    shipped = Path(kteach.__file__).parent / "engine" / "keras_names.json"
    assert json.loads(shipped.read_text()) == FIXTURE
    assert FIXTURE["keras_version"].startswith("3.")
    assert "Conv3D" in keras_names()["keras.layers"]


@pytest.mark.parametrize("keras_module", sorted(FIXTURE["modules"]))
def test_every_keras_name_exists_or_says_so(keras_module):
    module = importlib.import_module(MODULES[keras_module])
    for name in FIXTURE["modules"][keras_module]:
        try:
            getattr(module, name)
        except MissingNameError as e:
            assert f"kteach does not have {keras_module}.{name} (Keras 3 does)." in str(e)
            assert not hasattr(module, name)
        # any other exception (a bare AttributeError, an ImportError) fails the test


@pytest.mark.parametrize("expr, words", [
    ("kteach.layers.Conv3D", ["kteach does not have keras.layers.Conv3D (Keras 3 does).",
                              "kteach.layers.Conv2D", "kteach.layers.Conv1D"]),
    # names outside what kteach plans to cover, so that they stay missing
    ("kteach.optimizers.Lamb", ["kteach does not have keras.optimizers.Lamb (Keras 3 does)."]),
    ("kteach.quantizers", ["kteach does not have keras.quantizers (Keras 3 does)."]),
    ("kteach.callbacks.SwapEMAWeights", ["keras.callbacks.SwapEMAWeights (Keras 3 does)"]),
    ("kteach.losses.Circle", ["keras.losses.Circle (Keras 3 does)", "kteach has: Binary"]),
])
def test_a_keras_name_kteach_lacks(expr, words):
    module, name = expr.rsplit(".", 1)
    with pytest.raises(AttributeError) as info:
        getattr(importlib.import_module(module), name)
    assert isinstance(info.value, MissingNameError) and isinstance(info.value, KteachError)
    for w in words:
        assert w in str(info.value)


@pytest.mark.parametrize("module, typo, right", [
    ("kteach.layers", "Dnese", "Dense"), ("kteach", "Sequentail", "Sequential"),
    ("kteach.activations", "rellu", "relu"), ("kteach.losses", "mean_squard_error",
                                               "mean_squared_error"),
    ("kteach.metrics", "BinaryAcuracy", "BinaryAccuracy"),
    ("kteach.initializers", "GlorotUnifrom", "GlorotUniform"),
    ("kteach.optimizers", "RMSProp", "RMSprop"), ("kteach.callbacks", "EarlyStoping",
                                                   "EarlyStopping"),
])
def test_a_typo_gets_did_you_mean(module, typo, right):
    with pytest.raises(MissingNameError) as info:
        getattr(importlib.import_module(module), typo)
    message = str(info.value)
    assert f"module {module!r} has no attribute {typo!r}" in message
    assert f"Did you mean {right!r}" in message
    assert "Keras 3 does" not in message


def test_a_name_neither_has():
    with pytest.raises(MissingNameError, match="does not have it either"):
        kteach.layers.Xyzzy  # noqa: B018


def test_hasattr_getattr_default_and_dunders():
    assert not hasattr(kteach.layers, "Conv3D")
    assert getattr(kteach.losses, "Huber_x", 42) == 42
    assert not hasattr(kteach.metrics, "__wrapped__")
    with pytest.raises(AttributeError, match="^module 'kteach.layers' has no attribute '__x__'$"):
        kteach.layers.__x__  # noqa: B018


def test_lazy_attributes_still_work():
    assert kteach.saving.load_model is not None
    assert kteach.callbacks.LivePlot.__name__ == "LivePlot"
    assert kteach.layers.Dense is not None and kteach.losses.get("mse") is not None


def test_from_import_of_a_keras_name_says_so_too():
    with pytest.raises(ImportError, match=r"kteach does not have keras.layers.Conv3D "
                                          r"\(Keras 3 does\)\. The closest names kteach has"):
        from kteach.layers import Conv3D  # noqa: F401
    with pytest.raises(ImportError, match=r"kteach does not have keras.quantizers"):
        from kteach import quantizers  # noqa: F401
    with pytest.raises(ImportError, match="Keras 3 does"):
        import kteach.layers.Conv3D  # noqa: F401


def test_from_import_of_other_names_is_left_to_python():
    with pytest.raises(ImportError) as info:
        from kteach.layers import NotAKerasName  # noqa: F401
    assert "Keras 3 does" not in str(info.value)
    from kteach.layers import Dense  # noqa: F401
    import kteach.layers.core  # noqa: F401
