"""CIFAR-10: 60,000 colour 32x32 images in 10 classes (0 airplane, 1 automobile, 2 bird,
3 cat, 4 deer, 5 dog, 6 frog, 7 horse, 8 ship, 9 truck), as ``keras.datasets.cifar10``.
Alex Krizhevsky, 2009."""
from __future__ import annotations

import os

import numpy as np

from ._cifar import load_batch
from ._common import Split
from ._files import get_file

ORIGIN = "https://www.cs.toronto.edu/~kriz/cifar-10-python.tar.gz"
SHA256 = "6d958be074577803d12ecdefd02955f39262c83c16fe9348329d7fe0b5c001ce"


def load_data() -> Split:
    """Return ``(x_train, y_train), (x_test, y_test)``: uint8 images ``(n, 32, 32, 3)``
    (channels last, kteach's only layout) and uint8 labels ``(n, 1)``; 50,000 to train,
    10,000 to test. The archive is unpacked into
    ``~/.keras/datasets/cifar-10-batches-py-target/``, the folder Keras uses."""
    folder = get_file(fname="cifar-10-batches-py-target", origin=ORIGIN, extract=True,
                      file_hash=SHA256)
    folder = os.path.join(folder, "cifar-10-batches-py")
    parts = [load_batch(os.path.join(folder, f"data_batch_{i}")) for i in range(1, 6)]
    x_train = np.concatenate([x for x, _ in parts]).astype("uint8")
    y_train = np.concatenate([np.asarray(y) for _, y in parts]).astype("uint8")
    x_test, y_test = load_batch(os.path.join(folder, "test_batch"))
    x_test, y_test = x_test.astype("uint8"), np.asarray(y_test).astype("uint8")
    return ((x_train.transpose(0, 2, 3, 1), y_train.reshape(-1, 1)),
            (x_test.transpose(0, 2, 3, 1), y_test.reshape(-1, 1)))
