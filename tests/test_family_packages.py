"""kteach.losses, kteach.metrics and kteach.training.callbacks are packages (a module per
member or small group); what a learner writes still works as it did when each was one file:
attribute and ``from`` imports, names given as strings, Keras' module names in configs, and
pickling."""
import pickle

import numpy as np
import pytest

import kteach
from kteach import callbacks, losses, metrics
from kteach.saving.serialization import keras_class_path, serialize_keras_object


def test_attribute_and_from_imports():
    from kteach.callbacks import EarlyStopping, ModelCheckpoint
    from kteach.losses import Huber, Loss, mean_squared_error
    from kteach.metrics import AUC, Metric, binary_accuracy
    from kteach.training.callbacks import Callback, CallbackList, History
    assert losses.Huber is Huber and issubclass(Huber, Loss)
    assert metrics.AUC is AUC and issubclass(AUC, Metric)
    assert callbacks.EarlyStopping is EarlyStopping and issubclass(ModelCheckpoint, Callback)
    assert kteach.callbacks.CallbackList is CallbackList and issubclass(History, Callback)
    assert float(mean_squared_error([1.0, 2.0], [1.0, 4.0])) == 2.0
    assert binary_accuracy(np.array([[1.0]]), np.array([[0.7]])).tolist() == [[1.0]]


@pytest.mark.parametrize("module, name, where", [
    (losses, "Huber", "kteach.losses.regression"),
    (losses, "mean_squared_error", "kteach.losses.functions"),
    (losses, "get", "kteach.losses.names"),
    (metrics, "AUC", "kteach.metrics.auc"),
    (metrics, "Precision", "kteach.metrics.confusion"),
    (callbacks, "EarlyStopping", "kteach.training.callbacks.stopping"),
    (callbacks, "CSVLogger", "kteach.training.callbacks.loggers"),
])
def test_each_member_lives_in_its_family_module(module, name, where):
    assert getattr(module, name).__module__ == where
    assert name in module.__all__


def test_names_as_strings():
    assert type(losses.get("mse")) is losses.MeanSquaredError
    assert type(losses.get("huber")) is losses.Huber
    assert type(metrics.get("auc")) is metrics.AUC
    assert type(metrics.get("accuracy", np.zeros((2, 1)), np.zeros((2, 1)))) \
        is metrics.BinaryAccuracy
    assert losses.serialize(losses.mean_squared_error) == "mean_squared_error"


def test_configs_name_keras_modules_not_ours():
    assert keras_class_path(losses.Huber()) == ("keras.losses", "Huber", None)
    assert keras_class_path(metrics.AUC()) == ("keras.metrics", "AUC", None)
    assert serialize_keras_object(losses.mean_squared_error) == {
        "module": "builtins", "class_name": "function", "config": "mean_squared_error",
        "registered_name": "function"}


def test_missing_names_still_say_what_keras_has():
    with pytest.raises(AttributeError, match=r"kteach does not have keras.losses.Dice "
                                             r"\(Keras 3 does\)"):
        losses.Dice  # noqa: B018
    with pytest.raises(AttributeError, match="Did you mean 'AUC'"):
        metrics.AUX  # noqa: B018
    # a package (unlike the single file it was) is asked for submodules: the same message
    with pytest.raises(ImportError, match=r"kteach does not have keras.losses.Dice"):
        from kteach.losses import Dice  # noqa: F401


def test_pickling_round_trips():
    loss = losses.Huber(delta=2.0)
    metric = metrics.Precision(thresholds=0.3)
    stop = callbacks.EarlyStopping(patience=3)
    loss2, metric2, stop2 = pickle.loads(pickle.dumps((loss, metric, stop)))
    assert (type(loss2), loss2.delta) == (losses.Huber, 2.0)
    assert (type(metric2), metric2.thresholds) == (metrics.Precision, [0.3])
    assert (type(stop2), stop2.patience) == (callbacks.EarlyStopping, 3)
