"""MNIST: 70,000 grey 28x28 images of handwritten digits (60,000 to train, 10,000 to test),
as ``keras.datasets.mnist``. Yann LeCun and Corinna Cortes, CC BY-SA 3.0."""
from __future__ import annotations

import numpy as np

from ._common import KERAS_DATA, Split
from ._files import get_file

SHA256 = "731c5ac602752760c8e48fbffcf8c3b850d9dc2a2aedcf2cc48468fc17b673d1"


def load_data(path: str = "mnist.npz") -> Split:
    """Return ``(x_train, y_train), (x_test, y_test)``: images uint8 ``(n, 28, 28)`` with values
    0-255, labels uint8 ``(n,)`` with digits 0-9. ``path`` is the file name in the cache
    (``~/.keras/datasets/mnist.npz``), downloaded on first use."""
    path = get_file(fname=path, origin=KERAS_DATA + "mnist.npz", file_hash=SHA256)
    with np.load(path, allow_pickle=False) as f:
        return (f["x_train"], f["y_train"]), (f["x_test"], f["y_test"])
