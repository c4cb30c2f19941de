"""California housing: 20,640 block groups of the 1990 US census, 8 numbers each (longitude,
latitude, median age, rooms, bedrooms, population, households, median income) and the median
house value in dollars, as ``keras.datasets.california_housing``."""
from __future__ import annotations

import numpy as np

from ..engine.errors import InvalidArgumentError
from ._common import KERAS_DATA, Split, check_test_split, shuffle_and_split
from ._files import get_file

SHA256 = "1a2e3a52e0398de6463aebe6f4a8da34fb21fbb6b934cf88c3425e766f2a1a6f"


def load_data(version: str = "large", path: str = "california_housing.npz",
              test_split: float = 0.2, seed: int = 113) -> Split:
    """Return ``(x_train, y_train), (x_test, y_test)``: ``x`` ``(n, 8)`` and ``y`` ``(n,)``.
    ``version="small"`` keeps only the first 600 rows (before shuffling), as Keras does."""
    check_test_split(test_split)
    if version not in ("large", "small"):
        raise InvalidArgumentError(f"version={version!r}, but it must be 'large' (all 20,640 "
                                   f"rows) or 'small' (the first 600).")
    path = get_file(path, origin=KERAS_DATA + "california_housing.npz", file_hash=SHA256)
    with np.load(path, allow_pickle=False) as f:
        x, y = f["x"], f["y"]
    if version == "small":
        x, y = x[:600], y[:600]
    return shuffle_and_split(x, y, test_split, seed)
