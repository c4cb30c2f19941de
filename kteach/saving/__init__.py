"""Saving and loading in Keras 3's own formats, as ``keras.saving``.

``model.save('m.keras')`` / :func:`load_model` (the ``.keras`` zip: config and weights),
``model.save_weights('m.weights.h5')`` / ``model.load_weights(...)`` (the weights alone).
Files written here open in real Keras 3, and Keras 3's files open here. h5py is imported on
first save or load.
"""
from .keras_file import load_model, save_model
from .serialization import (CustomObjectScope, custom_object_scope, deserialize_keras_object,
                            get_custom_objects, get_registered_name, get_registered_object,
                            register_keras_serializable, serialize_keras_object)
from .weights_file import SavingError, load_weights, save_weights

__all__ = ["load_model", "save_model", "save_weights", "load_weights", "SavingError",
           "CustomObjectScope", "custom_object_scope", "deserialize_keras_object",
           "get_custom_objects", "get_registered_name", "get_registered_object",
           "register_keras_serializable", "serialize_keras_object"]
