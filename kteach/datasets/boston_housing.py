"""Boston housing prices: 506 districts of 1970s Boston, 13 numbers each (crime rate, rooms,
...), and the median house price in $1000s, as ``keras.datasets.boston_housing``. A
regression set; note that one of its columns (B) encodes the share of Black residents, which
is why scikit-learn removed this set -- worth discussing when it is used in a lesson."""
from __future__ import annotations

import numpy as np

from ._common import KERAS_DATA, Split, check_test_split, shuffle_and_split
from ._files import get_file

SHA256 = "f553886a1f8d56431e820c5b82552d9d95cfcb96d1e678153f8839538947dff5"


def load_data(path: str = "boston_housing.npz", test_split: float = 0.2,
              seed: int = 113) -> Split:
    """Return ``(x_train, y_train), (x_test, y_test)``: float64 ``x`` ``(n, 13)`` and ``y``
    ``(n,)``; 404 to train and 102 to test with the default split."""
    check_test_split(test_split)
    path = get_file(path, origin=KERAS_DATA + "boston_housing.npz", file_hash=SHA256)
    with np.load(path, allow_pickle=False) as f:
        x, y = f["x"], f["y"]
    return shuffle_and_split(x, y, test_split, seed)
