"""kteach.utils.normalize and kteach.utils.get_file as names of kteach.utils (the data set
helpers; get_file itself is tested in test_datasets.py)."""
import numpy as np
import pytest

import kteach
from kteach.datasets import _files

# Printed by real Keras 3.15.1 (KERAS_BACKEND=numpy): keras.utils.normalize(X) and
# normalize(X, order=1).
X = np.array([[3.0, 4.0, 0.0], [0.0, 0.0, 0.0], [1.0, -2.0, 2.0]])
KERAS_L2 = [[0.6, 0.8, 0.0], [0.0, 0.0, 0.0], [1 / 3, -2 / 3, 2 / 3]]
KERAS_L1 = [[0.42857142857142855, 0.5714285714285714, 0.0], [0.0, 0.0, 0.0], [0.2, -0.4, 0.4]]


def test_normalize_as_keras():
    np.testing.assert_allclose(kteach.utils.normalize(X), KERAS_L2, rtol=1e-15)
    np.testing.assert_allclose(kteach.utils.normalize(X, order=1), KERAS_L1, rtol=1e-15)
    np.testing.assert_allclose(kteach.utils.normalize(np.array([3.0, 4.0])), [0.6, 0.8])
    cube = np.arange(24.0).reshape(2, 3, 4)
    np.testing.assert_allclose(np.linalg.norm(kteach.utils.normalize(cube), axis=-1)[1], 1.0)
    columns = kteach.utils.normalize(X, axis=0)
    np.testing.assert_allclose(np.linalg.norm(columns, axis=0), [1.0, 1.0, 1.0])


def test_normalize_refuses_what_it_cannot_do():
    with pytest.raises(ValueError, match="axis must be from -2 to 1"):
        kteach.utils.normalize(X, axis=2)
    with pytest.raises(ValueError, match="numbers"):
        kteach.utils.normalize(np.array(["a", "b"]))


def test_get_file_is_a_name_of_kteach_utils():
    assert kteach.utils.get_file is _files.get_file
    assert "get_file" in kteach.utils.__all__ and "normalize" in kteach.utils.__all__
