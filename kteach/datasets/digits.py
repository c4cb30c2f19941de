"""The 8x8 handwritten digits, shipped inside kteach so that a lesson runs without internet.

1797 images of the digits 0-9 written by 13 people, each 8x8 pixels with values 0-16: a 32x32
black-and-white scan was cut into 4x4 blocks and each pixel counts the inked dots of its
block. From the UCI "Optical Recognition of Handwritten Digits" data set (E. Alpaydin and
C. Kaynak, 1998), licensed CC BY 4.0; source and licences in ``data/README.txt``.
"""
from __future__ import annotations

import gzip
import os

import numpy as np

from ._common import Split, check_test_split, shuffle_and_split

PATH = os.path.join(os.path.dirname(__file__), "data", "digits.csv.gz")


def load_data(test_split: float = 0.2, seed: int = 113) -> Split:
    """Return ``(x_train, y_train), (x_test, y_test)``: uint8 images ``(n, 8, 8)`` with values
    0-16 (divide by 16 to scale them to 0-1) and uint8 labels ``(n,)``. The samples are
    shuffled with ``np.random.RandomState(seed)`` and the last ``test_split`` of them form
    the test set (1437 and 360 by default), as in Keras' ``boston_housing``. Same seed,
    same split."""
    check_test_split(test_split)
    with gzip.open(PATH, "rt") as f:   # one row per image: 64 pixels, then the label
        table = np.loadtxt(f, delimiter=",", dtype=np.uint8)
    x, y = table[:, :64].reshape(-1, 8, 8), table[:, 64]
    return shuffle_and_split(x, y, test_split, seed)
