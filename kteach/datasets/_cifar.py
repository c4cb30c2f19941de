"""CIFAR's batch files: Python 2 pickles of a dict with ``data`` (n x 3072 uint8: red plane,
green plane, blue plane, each 32x32 row by row) and the labels. Read with the restricted
unpickler (see ``_pickle``), since the authors published them only as pickles."""
from __future__ import annotations

import numpy as np

from ..engine.errors import DataError
from ._pickle import load_pickle


def load_batch(path: str, label_key: str = "labels") -> tuple[np.ndarray, list]:
    """Images ``(n, 3, 32, 32)`` (channels first, as stored) and the list of labels."""
    batch = load_pickle(path, encoding="bytes")
    if not isinstance(batch, dict):
        raise DataError(f"{path} should hold a dict of CIFAR data but holds a "
                        f"{type(batch).__name__}; delete it and download it again.")
    batch = {k.decode("utf8") if isinstance(k, bytes) else k: v for k, v in batch.items()}
    data = np.asarray(batch["data"])
    return data.reshape(len(data), 3, 32, 32), batch[label_key]
