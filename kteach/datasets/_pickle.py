"""Reading the two data formats that are Python pickles, without running a pickle's code.

Two of Keras' data files are pickles, and that cannot be avoided: CIFAR's batches are the
authors' pickled dicts, and the reviews in ``imdb.npz`` / ``reuters.npz`` are lists of
different lengths, which NumPy can only store as an object array, i.e. a pickle inside the
``.npy``. A pickle may name any Python function to call while loading, so a tampered file
could run code. Here the unpickler accepts only plain values (dicts, lists, bytes, str,
numbers -- these need no lookup) and the three NumPy names that rebuild an array; any other
name is refused.
"""
from __future__ import annotations

import io
import pickle
import zipfile

import numpy as np

from ..engine.errors import KteachError

_ALLOWED = {("numpy", "ndarray"), ("numpy", "dtype"),
            ("numpy.core.multiarray", "_reconstruct"),     # files written by NumPy 1
            ("numpy._core.multiarray", "_reconstruct")}    # files written by NumPy 2


class UnsafePickleError(KteachError, pickle.UnpicklingError):
    """A data file asked to load a Python object other than plain data and NumPy arrays."""


class RestrictedUnpickler(pickle.Unpickler):
    """An unpickler that looks up only NumPy's array-building names."""

    def find_class(self, module: str, name: str):
        if (module, name) in _ALLOWED:
            return super().find_class(module, name)
        raise UnsafePickleError(
            f"The data file asks to load {module}.{name}, which is neither plain data nor a "
            f"NumPy array, so kteach refused to load it (a pickle can run code). A genuine "
            f"data set file never needs this: delete the file and download it again.")


def load_pickle(path: str, encoding: str = "bytes"):
    """Load a pickle file of plain data and arrays (CIFAR's batches use ``encoding='bytes'``:
    they were written by Python 2, so their keys come back as bytes)."""
    with open(path, "rb") as f:
        return RestrictedUnpickler(f, encoding=encoding).load()


def _read_npy(buffer: io.BytesIO) -> np.ndarray:
    """One ``.npy`` member: numbers load with pickles off; an object array is the header
    followed by a pickle, which goes through the restricted unpickler."""
    try:
        return np.lib.format.read_array(buffer, allow_pickle=False)
    except ValueError:
        buffer.seek(0)
        major, _ = np.lib.format.read_magic(buffer)
        if major == 1:
            np.lib.format.read_array_header_1_0(buffer)
        else:   # versions 2 and 3 share the header layout (3 only allows utf-8 in it)
            np.lib.format.read_array_header_2_0(buffer)
        return RestrictedUnpickler(buffer).load()


def load_npz(path: str) -> dict[str, np.ndarray]:
    """All arrays of a ``.npz`` file, object arrays included, as a dict."""
    arrays = {}
    with zipfile.ZipFile(path) as archive:
        for member in archive.namelist():
            if member.endswith(".npy"):
                arrays[member[:-4]] = _read_npy(io.BytesIO(archive.read(member)))
    return arrays
