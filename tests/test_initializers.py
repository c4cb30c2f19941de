"""Initializers: shapes, dtypes, distributions (limits and variances), seeds, names, errors."""
import math

import numpy as np
import pytest

from kteach import initializers
from kteach.engine import random as kt_random
from kteach.engine.errors import ShapeError, UnknownArgumentError, UnknownNameError

ALL_NAMES = ["zeros", "ones", "constant", "identity", "random_uniform", "random_normal",
             "truncated_normal", "variance_scaling", "glorot_uniform", "glorot_normal",
             "he_uniform", "he_normal", "lecun_uniform", "lecun_normal", "orthogonal",
             "uniform", "normal", "zero", "one"]


@pytest.mark.parametrize("name", ALL_NAMES)
def test_shape_and_dtype(name):
    init = initializers.get(name)
    w = init((4, 3))
    assert w.shape == (4, 3) and w.dtype == np.float32       # floatx() by default
    w64 = init((4, 3), "float64")
    assert w64.shape == (4, 3) and w64.dtype == np.float64


def test_compute_fans_like_keras():
    assert initializers.compute_fans(()) == (1, 1)
    assert initializers.compute_fans((7,)) == (7, 7)
    assert initializers.compute_fans((5, 3)) == (5, 3)
    assert initializers.compute_fans((3, 3, 16, 32)) == (9 * 16, 9 * 32)
    assert initializers.compute_fans((5, 16, 32)) == (80, 160)
    assert initializers.compute_fans((2, 3, 4), input_axes=[0, 1], output_axes=[2]) == (6, 4)


def test_glorot_uniform_limit_and_variance():
    fan_in, fan_out = 300, 200
    limit = math.sqrt(6 / (fan_in + fan_out))
    w = initializers.GlorotUniform(seed=0)((fan_in, fan_out), "float64")
    assert np.abs(w).max() <= limit
    assert np.abs(w).max() > 0.99 * limit                    # it does use the whole range
    assert w.var() == pytest.approx(limit ** 2 / 3, rel=0.03)  # = 2 / (fan_in + fan_out)
    assert abs(w.mean()) < 0.01 * limit


def test_glorot_uniform_counts_the_receptive_field_of_conv_kernels():
    w = initializers.get("glorot_uniform")((3, 3, 16, 32), "float64")
    limit = math.sqrt(6 / (9 * 16 + 9 * 32))
    assert np.abs(w).max() <= limit and np.abs(w).max() > 0.98 * limit


@pytest.mark.parametrize("cls, n, scale", [
    (initializers.HeNormal, 400, 2.0), (initializers.LecunNormal, 400, 1.0),
    (initializers.GlorotNormal, (400 + 300) / 2, 1.0)])
def test_variance_scaling_truncated_normals(cls, n, scale):
    w = cls(seed=1)((400, 300), "float64")
    stddev = math.sqrt(scale / n)
    assert w.std() == pytest.approx(stddev, rel=0.03)        # after truncation, thanks to /0.8796
    assert np.abs(w).max() < 2 * stddev / 0.87962566103423978  # nothing beyond 2 raw stddev


@pytest.mark.parametrize("cls, limit", [
    (initializers.HeUniform, math.sqrt(6 / 400)), (initializers.LecunUniform, math.sqrt(3 / 400))])
def test_variance_scaling_uniforms(cls, limit):
    w = cls(seed=2)((400, 300), "float64")
    assert limit * 0.99 < np.abs(w).max() <= limit


def test_variance_scaling_untruncated_and_fan_out():
    w = initializers.VarianceScaling(scale=3.0, mode="fan_out", distribution="untruncated_normal",
                                     seed=3)((500, 250), "float64")
    assert w.std() == pytest.approx(math.sqrt(3.0 / 250), rel=0.03)
    assert np.abs(w).max() > 3 * math.sqrt(3.0 / 250)        # untruncated: tails are there


def test_truncated_normal_stays_within_two_stddev():
    w = initializers.TruncatedNormal(mean=1.0, stddev=0.5, seed=4)((200, 200), "float64")
    assert np.all(np.abs(w - 1.0) < 1.0)
    assert w.mean() == pytest.approx(1.0, abs=0.01)
    assert w.std() == pytest.approx(0.5 * 0.87962566103423978, rel=0.02)


def test_random_uniform_and_normal_defaults_like_keras():
    u = initializers.get("uniform")
    assert (u.minval, u.maxval) == (-0.05, 0.05)
    w = u((200, 200), "float64")
    assert -0.05 <= w.min() < -0.049 and 0.049 < w.max() < 0.05
    n = initializers.get("normal")
    assert (n.mean, n.stddev) == (0.0, 0.05)
    assert n((200, 200), "float64").std() == pytest.approx(0.05, rel=0.02)


def test_constants_are_exact():
    assert np.array_equal(initializers.get("zeros")((2, 3)), np.zeros((2, 3)))
    assert np.array_equal(initializers.get("ones")((4,)), np.ones(4))
    w = initializers.Constant(2.5)((2, 2), "float64")
    assert w.dtype == np.float64 and np.array_equal(w, np.full((2, 2), 2.5))
    assert np.array_equal(initializers.get("constant")((3,)), np.zeros(3))
    assert np.array_equal(initializers.Identity(gain=2.0)((2, 3)), [[2, 0, 0], [0, 2, 0]])


@pytest.mark.parametrize("shape", [(5, 3), (3, 5), (4, 4)])
def test_orthogonal_rows_or_columns_are_orthonormal(shape):
    Q = initializers.Orthogonal(seed=5)(shape, "float64")
    small = min(shape)
    gram = Q.T @ Q if shape[0] >= shape[1] else Q @ Q.T
    np.testing.assert_allclose(gram, np.eye(small), atol=1e-12)


def test_orthogonal_conv_kernel_and_gain():
    Q = initializers.Orthogonal(gain=2.0, seed=6)((2, 2, 3, 4), "float64")
    assert Q.shape == (2, 2, 3, 4)
    flat = Q.reshape(12, 4)
    np.testing.assert_allclose(flat.T @ flat, 4.0 * np.eye(4), atol=1e-12)


def test_same_seed_same_array():
    a = initializers.GlorotUniform(seed=42)((6, 5))
    b = initializers.GlorotUniform(seed=42)((6, 5))
    init = initializers.RandomNormal(seed=42)
    assert np.array_equal(a, b)
    assert np.array_equal(init((3, 3)), init((3, 3)))        # a seeded instance repeats, as Keras
    assert not np.array_equal(a, initializers.GlorotUniform(seed=43)((6, 5)))


@pytest.mark.parametrize("name", ["glorot_uniform", "he_normal", "truncated_normal",
                                  "random_uniform", "orthogonal"])
def test_set_seed_makes_unseeded_initializers_repeat(name):
    init = initializers.get(name)
    kt_random.set_seed(123)
    a = init((6, 5))
    b = init((6, 5))
    kt_random.set_seed(123)
    assert np.array_equal(init((6, 5)), a)
    assert np.array_equal(init((6, 5)), b)
    assert not np.array_equal(a, b)                          # unseeded: each call is new


def test_get_like_keras():
    assert initializers.get(None) is None
    assert type(initializers.get("GlorotUniform")) is initializers.GlorotUniform
    assert type(initializers.get("zero")) is initializers.Zeros
    assert type(initializers.get("one")) is initializers.Ones
    assert type(initializers.get("OrthogonalInitializer")) is initializers.Orthogonal
    assert type(initializers.get(initializers.HeNormal)) is initializers.HeNormal
    init = initializers.RandomUniform(-1.0, 1.0)
    assert initializers.get(init) is init

    def my_init(shape, dtype=None):
        return np.full(shape, 7.0, dtype)
    assert initializers.get(my_init) is my_init


def test_get_array_copies_it_and_checks_the_shape():
    value = np.arange(6.0).reshape(2, 3)
    init = initializers.get(value)
    w = init((2, 3), "float32")
    assert w.dtype == np.float32 and np.array_equal(w, value) and w is not value
    with pytest.raises(ShapeError, match=r"has shape \(2, 3\), but the weight has shape \(3, 2\)"):
        init((3, 2))


def test_unknown_name_message():
    with pytest.raises(UnknownNameError, match=(
            r"^Could not interpret initializer identifier: glorot_unifrom\. "
            r"Did you mean 'glorot_uniform'")) as e:
        initializers.get("glorot_unifrom")
    assert isinstance(e.value, ValueError)


def test_names_are_case_sensitive_like_keras():
    # Keras 3.15.1: get('Glorot_uniform') -> "Could not interpret initializer identifier".
    with pytest.raises(UnknownNameError, match=r"Glorot_uniform\. Did you mean 'glorot_uniform'"):
        initializers.get("Glorot_uniform")


def test_bad_arguments():
    with pytest.raises(UnknownArgumentError, match=r"GlorotUniform\(\) got an unexpected "
                                                   r"keyword argument 'sed'\. Did you mean 'seed'"):
        initializers.GlorotUniform(sed=1)
    with pytest.raises(ValueError, match="positive scale"):
        initializers.VarianceScaling(scale=0.0)
    with pytest.raises(UnknownNameError,
                       match=r"mode identifier: fan_ave\. Did you mean 'fan_avg'"):
        initializers.VarianceScaling(mode="fan_ave")
    with pytest.raises(UnknownNameError, match="distribution identifier: gauss"):
        initializers.VarianceScaling(distribution="gauss")
    assert initializers.VarianceScaling(distribution="Normal").distribution == "truncated_normal"
    with pytest.raises(ShapeError, match=r"at least 2 dimensions, got \(3,\)"):
        initializers.Orthogonal()((3,))
    with pytest.raises(TypeError, match="seed must be an integer"):
        initializers.RandomNormal(seed=1.5)


def test_serialize_and_repr():
    assert initializers.serialize(initializers.GlorotUniform()) == "glorot_uniform"
    assert initializers.serialize(initializers.get("uniform")) == "random_uniform"
    assert type(initializers.deserialize("he_uniform")) is initializers.HeUniform
    assert repr(initializers.RandomUniform(seed=3)) == (
        "RandomUniform(minval=-0.05, maxval=0.05, seed=3)")
