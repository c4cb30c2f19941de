"""The ``.keras`` file of Keras 3: ``model.save('m.keras')`` and ``load_model('m.keras')``.

A zip archive (entries stored, not compressed, as Keras writes them) of three files:

* ``metadata.json``: ``{"keras_version": "3.15.1", "date_saved": "2025-01-31@12:00:00"}``
  (kteach adds ``"kteach_version"``; Keras ignores keys it does not know);
* ``config.json``: the model as :func:`kteach.saving.serialize_keras_object` writes it
  (``module``, ``class_name``, ``config``, ``registered_name``, ``build_config`` and, after
  ``compile``, ``compile_config``): enough to build the same model again, without weights;
* ``model.weights.h5``: the weights and the optimizer's state, see
  :mod:`kteach.saving.weights_file`;
* ``assets/<path>/vocabulary.txt``: the vocabulary of an adapted StringLookup, IntegerLookup
  or TextVectorization, one token a line (no final newline), the reserved tokens first.
  ``<path>`` is the layer's place in the weights file (``layers/text_vectorization``);
  TextVectorization writes it for itself and again for its inner ``_lookup_layer``, as Keras
  does. tf_idf's weights are the dataset ``idf_weights`` of the layer's ``vars`` group.

Nothing in the file is code: loading builds layers by their class names and reads arrays, so a
``.keras`` file is safe to open (``Lambda`` layers are refused under ``safe_mode=True``).
"""
from __future__ import annotations

import datetime
import io
import json
import os
import zipfile
import zlib
from typing import Any

from ..engine.errors import check_keywords
from . import weights_file
from .files import atomic_write, may_overwrite
from .weights_file import SavingError

KERAS_VERSION = "3.15.1"   # the version of Keras whose files kteach's are checked against
CONFIG, METADATA, WEIGHTS = "config.json", "metadata.json", "model.weights.h5"
ASSETS = "assets"


def _serialization():
    from . import serialization
    return serialization


def model_config(model: Any) -> dict:
    """``config.json``: the serialized model with its build and compile configs."""
    config = _serialization().serialize_keras_object(model)
    if "compile_config" not in config and getattr(model, "compiled", False) and \
            hasattr(model, "get_compile_config"):
        config["compile_config"] = model.get_compile_config()
    return config


def metadata() -> dict:
    from .. import __version__
    return {"keras_version": KERAS_VERSION,
            "date_saved": datetime.datetime.now().strftime("%Y-%m-%d@%H:%M:%S"),
            "kteach_version": __version__}


def save_model(model: Any, filepath: Any, overwrite: bool = True, zipped: Any = None,
               **kwargs: Any) -> None:
    """Save ``model`` as a ``.keras`` file that Keras 3 (and kteach) can load.

    The file is written beside the target under a temporary name and renamed when complete,
    so a failed save never leaves a broken file, and an old file stays intact until then.
    ``overwrite=False`` asks before replacing an existing file (as Keras)."""
    filepath = os.fspath(filepath)
    if kwargs:
        from ..engine.errors import check_keywords, unknown_keyword_error
        raise unknown_keyword_error("save", next(iter(kwargs)), ["filepath", "overwrite", "zipped"])
    if filepath.endswith((".h5", ".hdf5")):
        raise ValueError(
            f"kteach does not write the legacy HDF5 model format (Keras 2's model.save('m.h5'); "
            f"Keras 3 only keeps it for old code). Save as .keras, Keras 3's own format: "
            f"model.save('{os.path.splitext(filepath)[0]}.keras'). Received: filepath={filepath}")
    if not filepath.endswith(".keras"):
        raise ValueError(
            f"Invalid filepath extension for saving. Give the file the `.keras` extension "
            f"(Keras 3's format), e.g. model.save('model.keras'); for the weights alone use "
            f"model.save_weights('model.weights.h5'). Received: filepath={filepath}")
    if zipped is False:
        raise ValueError("zipped=False (an unzipped folder) is not supported by kteach: save "
                         "the .keras zip (the default).")
    weights_file._require_built(model, filepath)
    if not may_overwrite(filepath, overwrite):
        return
    config = json.dumps(model_config(model))
    meta = json.dumps(metadata())
    weights = weights_bytes(model)
    assets = assets_of(model)

    def fill(tmp: str) -> None:
        with zipfile.ZipFile(tmp, "w", compression=zipfile.ZIP_STORED) as zf:
            zf.writestr(METADATA, meta)
            zf.writestr(CONFIG, config)
            zf.writestr(WEIGHTS, weights)
            for name, text in assets.items():
                zf.writestr(name, text)
    atomic_write(filepath, fill)


def weights_bytes(model: Any) -> bytes:
    """The ``model.weights.h5`` file, in memory (with the named arrays of layers that keep
    some, like tf_idf's ``idf_weights``)."""
    h5py = weights_file.h5py_module()
    buffer = io.BytesIO()
    with h5py.File(buffer, "w") as h5:
        weights_file.write(model, h5)
        for path, obj, _ in weights_file.walk(model):
            for name, array in (obj.own_arrays() if hasattr(obj, "own_arrays") else {}).items():
                h5[f"{path}/vars" if path else "vars"].create_dataset(name, data=array)
    return buffer.getvalue()


def assets_of(model: Any) -> dict[str, str]:
    """The ``assets/...`` entries: each layer's files (a vocabulary) under its path."""
    out: dict[str, str] = {}
    for path, obj, _ in weights_file.walk(model):
        files = obj.save_assets() if hasattr(obj, "save_assets") else None
        for name, text in (files or {}).items():
            out[f"{ASSETS}/{path}/{name}" if path else f"{ASSETS}/{name}"] = text
    return out


def _load_assets(model: Any, entries: dict[str, bytes], weights: bytes) -> None:
    """Give each layer that keeps files or named arrays what the archive holds for it."""
    h5py = weights_file.h5py_module()
    with h5py.File(io.BytesIO(weights), "r") as h5:
        for path, obj, _ in weights_file.walk(model):
            if hasattr(obj, "load_own_arrays"):
                group = h5.get(f"{path}/vars" if path else "vars")
                if group is not None:
                    obj.load_own_arrays({k: group[k][()] for k in group if not k.isdigit()})
            if hasattr(obj, "load_assets"):
                folder = f"{ASSETS}/{path}/" if path else f"{ASSETS}/"
                files = {n[len(folder):]: data.decode("utf-8") for n, data in entries.items()
                         if n.startswith(folder) and "/" not in n[len(folder):]}
                obj.load_assets(files)


# ===== reading ==================================================================================
def _open_zip(filepath: str) -> dict[str, bytes]:
    """The archive's entries, read and CRC-checked, or a clear error naming the file."""
    if not os.path.exists(filepath):
        raise FileNotFoundError(f"No such file: {filepath!r}. Check the path (the current "
                                f"folder is {os.getcwd()!r}).")
    if os.path.isdir(filepath):
        raise SavingError(f"{filepath!r} is a folder, not a .keras file. kteach reads the "
                          f".keras zip that model.save('m.keras') writes.")
    with open(filepath, "rb") as f:
        head = f.read(8)
    if head == b"\x89HDF\r\n\x1a\n":
        raise _legacy_or_weights_error(filepath)
    if not zipfile.is_zipfile(filepath):
        what = "empty" if not head else ("a truncated or damaged zip archive" if head[:2] == b"PK"
                                         else "not a zip archive")
        raise SavingError(
            f"Cannot load {filepath!r}: it is {what}. A .keras file is the zip that "
            f"model.save('m.keras') writes (metadata.json, config.json, model.weights.h5); "
            f"save the model again, or check that the download or copy finished.")
    try:
        with zipfile.ZipFile(filepath) as zf:
            names = zf.namelist()
            missing = [n for n in (CONFIG, WEIGHTS) if n not in names]
            if missing:
                raise SavingError(
                    f"Cannot load {filepath!r}: the zip has no {' and no '.join(missing)} "
                    f"(it holds {names}). It is not a .keras model file.")
            return {n: zf.read(n) for n in names
                    if n in (METADATA, CONFIG, WEIGHTS) or (n.startswith(ASSETS + "/")
                                                            and not n.endswith("/"))}
    except (zipfile.BadZipFile, zlib.error, EOFError, OSError) as error:
        raise SavingError(f"Cannot load {filepath!r}: the zip archive is damaged ({error}). "
                          f"Save the model again.") from None


def _legacy_or_weights_error(filepath: str) -> SavingError:
    h5py = weights_file.h5py_module()
    try:
        with h5py.File(filepath, "r") as h5:
            weights_file.refuse_legacy(h5, filepath)
    except SavingError as error:
        return error
    except OSError:
        pass
    return SavingError(f"Cannot load {filepath!r} as a model: it is an HDF5 weights file, not a "
                       f".keras zip. Build the model, then model.load_weights({filepath!r}).")


def _config_of(filepath: str, entries: dict[str, bytes]) -> dict:
    try:
        config = json.loads(entries[CONFIG].decode("utf-8"))
    except (UnicodeDecodeError, json.JSONDecodeError) as error:
        raise SavingError(f"Cannot load {filepath!r}: its config.json is not valid JSON "
                          f"({error}). The file is damaged; save the model again.") from None
    if not isinstance(config, dict) or "class_name" not in config:
        raise SavingError(f"Cannot load {filepath!r}: its config.json does not describe a "
                          f"model (no class_name).")
    return config


def _read_weights(model: Any, filepath: str, data: bytes, skip_mismatch: bool = False) -> None:
    h5py = weights_file.h5py_module()
    try:
        h5 = h5py.File(io.BytesIO(data), "r")
    except OSError as error:
        raise SavingError(f"Cannot load {filepath!r}: its model.weights.h5 is damaged "
                          f"({error}). Save the model again.") from None
    with h5:
        weights_file.read(model, h5, filepath, skip_mismatch)


@check_keywords
def load_model(filepath: Any, custom_objects: dict | None = None, compile: bool = True,
               safe_mode: bool = True) -> Any:
    """Load a model saved with ``model.save('m.keras')`` (by kteach or by Keras 3): the
    architecture from ``config.json``, then the weights, then (``compile=True``) the compile
    settings and the optimizer's state, so ``fit`` goes on where it stopped.

    ``custom_objects`` maps class names to a learner's classes (or register them with
    :func:`kteach.saving.register_keras_serializable`). ``safe_mode=True`` refuses ``Lambda``
    layers, whose code would have to be run from the file."""
    filepath = os.fspath(filepath)
    if filepath.endswith((".h5", ".hdf5")):
        weights_file.check_hdf5(filepath)
        raise _legacy_or_weights_error(filepath)
    if filepath.endswith(".weights.h5"):
        raise _legacy_or_weights_error(filepath)
    entries = _open_zip(filepath)
    config = _config_of(filepath, entries)
    if not compile:
        config = {k: v for k, v in config.items() if k != "compile_config"}
    model = _serialization().deserialize_keras_object(config, custom_objects=custom_objects,
                                                      safe_mode=safe_mode)
    _read_weights(model, filepath, entries[WEIGHTS])
    _load_assets(model, entries, entries[WEIGHTS])
    return model


def load_weights_from_zip(model: Any, filepath: str, skip_mismatch: bool = False) -> None:
    """``model.load_weights('m.keras')``: only the weights of a .keras file."""
    entries = _open_zip(filepath)
    _read_weights(model, filepath, entries[WEIGHTS], skip_mismatch)
