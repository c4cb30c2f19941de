"""CIFAR-100: 60,000 colour 32x32 images in 100 classes grouped into 20 superclasses, as
``keras.datasets.cifar100``. Alex Krizhevsky, 2009."""
from __future__ import annotations

import os

import numpy as np

from ..engine.errors import InvalidArgumentError
from ._cifar import load_batch
from ._common import Split
from ._files import get_file

ORIGIN = "https://www.cs.toronto.edu/~kriz/cifar-100-python.tar.gz"
SHA256 = "85cd44d02ba6437773c5bbd22e183051d648de2e7d6b014e1ef29b855ba677a7"


def load_data(label_mode: str = "fine") -> Split:
    """Return ``(x_train, y_train), (x_test, y_test)``: uint8 images ``(n, 32, 32, 3)`` and
    labels ``(n, 1)`` -- the 100 classes (``label_mode="fine"``) or the 20 superclasses
    (``"coarse"``). As in Keras the labels come back as int64 (CIFAR-10's are uint8)."""
    if label_mode not in ("fine", "coarse"):
        raise InvalidArgumentError(
            f"label_mode={label_mode!r}, but CIFAR-100 has two kinds of labels: 'fine' (100 "
            f"classes) and 'coarse' (20 superclasses). Pass one of these.")
    folder = get_file(fname="cifar-100-python-target", origin=ORIGIN, extract=True,
                      file_hash=SHA256)
    folder = os.path.join(folder, "cifar-100-python")
    key = f"{label_mode}_labels"
    x_train, y_train = load_batch(os.path.join(folder, "train"), label_key=key)
    x_test, y_test = load_batch(os.path.join(folder, "test"), label_key=key)
    return ((x_train.transpose(0, 2, 3, 1), np.reshape(y_train, (-1, 1))),
            (x_test.transpose(0, 2, 3, 1), np.reshape(y_test, (-1, 1))))
