"""Fashion-MNIST: 70,000 grey 28x28 images of clothes in 10 classes (0 T-shirt/top, 1 trouser,
2 pullover, 3 dress, 4 coat, 5 sandal, 6 shirt, 7 sneaker, 8 bag, 9 ankle boot), as
``keras.datasets.fashion_mnist``. Zalando Research, MIT licence."""
from __future__ import annotations

import gzip
import os

import numpy as np

from ._common import KERAS_DATA, Split
from ._files import get_file

FILES = ("train-labels-idx1-ubyte.gz", "train-images-idx3-ubyte.gz",
         "t10k-labels-idx1-ubyte.gz", "t10k-images-idx3-ubyte.gz")


def read_idx(path: str, header: int) -> np.ndarray:
    """The bytes of a gzipped IDX file after its header (8 bytes for labels: magic number and
    count; 16 for images: magic, count, rows, columns)."""
    with gzip.open(path, "rb") as f:
        return np.frombuffer(f.read(), np.uint8, offset=header)


def load_data() -> Split:
    """Return ``(x_train, y_train), (x_test, y_test)``: uint8 images ``(n, 28, 28)`` and uint8
    labels ``(n,)``; the four files are cached in ``~/.keras/datasets/fashion-mnist/``."""
    folder = os.path.join("datasets", "fashion-mnist")
    paths = [get_file(name, origin=KERAS_DATA + name, cache_subdir=folder) for name in FILES]
    y_train, y_test = read_idx(paths[0], 8), read_idx(paths[2], 8)
    x_train = read_idx(paths[1], 16).reshape(len(y_train), 28, 28)
    x_test = read_idx(paths[3], 16).reshape(len(y_test), 28, 28)
    return (x_train, y_train), (x_test, y_test)
