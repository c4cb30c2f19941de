"""kteach.random: shapes, dtypes, ranges, moments, Keras 3's seed rules, dropout's gradient.

The statistical checks use large samples with the seed fixed, and bounds of about six
standard errors, so they would hold for any seed and cannot flake with this one.
"""
from __future__ import annotations

import numpy as np
import pytest

import kteach
from kteach import random
from gradcheck import check_op

N = 100_000
DRAWS = {  # one small call of each sampler, for the shared checks
    "normal": lambda seed: random.normal((3, 4), seed=seed),
    "uniform": lambda seed: random.uniform((3, 4), seed=seed),
    "randint": lambda seed: random.randint((3, 4), 0, 100, seed=seed),
    "truncated_normal": lambda seed: random.truncated_normal((3, 4), seed=seed),
    "categorical": lambda seed: random.categorical(np.zeros((3, 5)), 4, seed=seed),
    "dropout": lambda seed: random.dropout(np.ones((3, 4), "float32"), 0.5, seed=seed),
    "shuffle": lambda seed: random.shuffle(np.arange(12), seed=seed),
}


# ----- shapes and dtypes --------------------------------------------------------------------------
def test_module_and_seed_generator_are_public():
    assert kteach.random is random
    assert isinstance(random.SeedGenerator(1), kteach.random.SeedGenerator)


@pytest.mark.parametrize("name", ["normal", "uniform", "truncated_normal"])
def test_float_samplers_default_to_floatx_and_take_a_dtype(name):
    sample = getattr(random, name)
    assert sample((2, 3), seed=1).dtype == np.float32
    assert sample((2, 3), seed=1).shape == (2, 3)
    assert sample([4], seed=1).shape == (4,)
    assert sample(5, seed=1).shape == (5,)
    assert sample((), seed=1).shape == ()
    assert sample((2, 0), seed=1).shape == (2, 0)
    assert sample((2,), dtype="float64", seed=1).dtype == np.float64
    with pytest.raises(ValueError, match="float type"):
        sample((2,), dtype="int32")


def test_float_samplers_follow_set_floatx():
    kteach.backend.set_floatx("float64")
    try:
        assert random.normal((2,), seed=1).dtype == np.float64
        assert random.uniform((2,), seed=1).dtype == np.float64
    finally:
        kteach.backend.set_floatx("float32")


def test_randint_and_categorical_default_to_int32():
    assert random.randint((2, 3), 0, 5, seed=1).dtype == np.int32
    assert random.randint((2,), 0, 5, dtype="int64", seed=1).dtype == np.int64
    assert random.categorical(np.zeros((2, 3)), 7, seed=1).dtype == np.int32
    assert random.categorical(np.zeros((2, 3)), 7, seed=1).shape == (2, 7)
    assert random.categorical(np.zeros((2, 3)), 7, dtype="int64", seed=1).dtype == np.int64
    with pytest.raises(ValueError, match="integer type"):
        random.randint((2,), 0, 5, dtype="float32")


def test_dropout_and_shuffle_keep_shape_and_dtype():
    x = np.ones((3, 4), "float64")
    assert random.dropout(x, 0.5, seed=1).dtype == np.float64
    assert random.dropout(x, 0.5, seed=1).shape == (3, 4)
    assert random.dropout([[1.0, 2.0]], 0.5, seed=1).dtype == np.float32
    ints = np.arange(12, dtype="int32").reshape(4, 3)
    assert random.shuffle(ints, seed=1).dtype == np.int32
    assert random.shuffle(ints, seed=1).shape == (4, 3)


# ----- ranges and moments -------------------------------------------------------------------------
def test_normal_moments():
    y = random.normal((N,), mean=2.0, stddev=3.0, seed=11).astype("float64")
    assert abs(y.mean() - 2.0) < 0.06          # standard error 3/sqrt(N) ≈ 0.0095
    assert abs(y.std() - 3.0) < 0.05
    assert abs(np.mean((y - 2.0) ** 3)) / 27 < 0.05   # symmetric


def test_uniform_range_and_moments():
    y = random.uniform((N,), minval=-2.0, maxval=3.0, seed=12).astype("float64")
    assert y.min() >= -2.0 and y.max() < 3.0
    assert abs(y.mean() - 0.5) < 0.03           # standard error 5/sqrt(12 N) ≈ 0.0046
    assert abs(y.var() - 25 / 12) < 0.05
    counts = np.histogram(y, bins=5, range=(-2, 3))[0]
    assert np.all(np.abs(counts - N / 5) < 6 * np.sqrt(N / 5))


def test_uniform_never_returns_maxval_even_after_rounding_to_float32():
    # In float32, 1 - 2**-25 rounds up to 1.0; the sampler must step back below maxval.
    y = random.uniform((N,), minval=0.0, maxval=1.0, seed=13)
    assert y.max() < 1.0
    tiny = random.uniform((1000,), minval=1.0, maxval=1.0000001, seed=14)
    assert np.all((tiny >= 1.0) & (tiny < np.float32(1.0000001)))


def test_randint_range_and_frequencies():
    y = random.randint((N,), minval=-3, maxval=4, seed=15)
    assert set(np.unique(y)) == set(range(-3, 4))
    counts = np.bincount(y + 3)
    assert np.all(np.abs(counts - N / 7) < 6 * np.sqrt(N / 7))
    assert np.all(random.randint((50,), 2.0, 3.0, seed=1) == 2)    # whole floats are fine


def test_truncated_normal_stays_within_two_stddevs():
    y = random.truncated_normal((N,), mean=1.0, stddev=0.5, seed=16).astype("float64")
    assert y.min() >= 0.0 and y.max() <= 2.0
    assert abs(y.mean() - 1.0) < 0.02
    # The std of N(0, 1) cut at ±2 is 0.8796; times 0.5.
    assert abs(y.std() - 0.5 * 0.8796) < 0.01


def test_categorical_frequencies_follow_softmax():
    p = np.array([[0.1, 0.2, 0.7], [0.5, 0.5, 0.0]])
    with np.errstate(divide="ignore"):
        logits = np.log(p) + 3.0          # a shift does not change the softmax
    y = random.categorical(logits, N, seed=17)
    for row in range(2):
        freq = np.bincount(y[row], minlength=3) / N
        assert np.all(np.abs(freq - p[row]) < 0.01), (row, freq)
    assert not np.any(y[1] == 2)              # probability 0 (logit -inf) is never drawn


def test_dropout_keeps_a_fraction_and_scales_it_up():
    x = np.full((N,), 2.0, "float32")
    y = random.dropout(x, 0.3, seed=18)
    kept = y != 0
    assert abs(kept.mean() - 0.7) < 0.01
    np.testing.assert_allclose(y[kept], 2.0 / 0.7, rtol=1e-6)
    assert abs(y.mean() - 2.0) < 0.05       # inverted dropout keeps the expectation


def test_dropout_noise_shape_shares_one_decision_along_an_axis():
    x = np.ones((200, 6), "float32")
    y = random.dropout(x, 0.5, noise_shape=(None, 1), seed=19)
    assert np.all((y == y[:, :1]))          # each row entirely kept or entirely dropped
    assert 0 < (y[:, 0] == 0).sum() < 200
    y = random.dropout(x, 0.5, noise_shape=(1, 6), seed=19)
    assert np.all((y == y[:1, :]))


def test_dropout_rate_zero_returns_the_input_and_draws_nothing():
    gen = random.SeedGenerator(3)
    x = np.arange(4.0, dtype="float32")
    np.testing.assert_array_equal(random.dropout(x, 0.0, seed=gen), x)
    assert gen.state[1] == 0


def test_shuffle_is_a_permutation_of_whole_slices():
    x = np.arange(40).reshape(10, 4)
    y = random.shuffle(x, seed=20)
    assert not np.array_equal(x, y)
    assert sorted(map(tuple, y)) == sorted(map(tuple, x))        # rows stay rows
    y = random.shuffle(x, axis=1, seed=20)
    assert sorted(map(tuple, y.T)) == sorted(map(tuple, x.T))    # columns stay columns
    y = random.shuffle(x, axis=-1, seed=20)
    assert sorted(map(tuple, y.T)) == sorted(map(tuple, x.T))


# ----- seed rules (Keras 3) -----------------------------------------------------------------------
@pytest.mark.parametrize("name", sorted(DRAWS))
def test_an_int_seed_gives_the_same_numbers_on_every_call(name):
    draw = DRAWS[name]
    np.testing.assert_array_equal(draw(7), draw(7))
    assert not np.array_equal(draw(7), draw(8))


@pytest.mark.parametrize("name", sorted(DRAWS))
def test_a_seed_generator_advances_and_repeats_from_a_fresh_one(name):
    draw = DRAWS[name]
    gen = random.SeedGenerator(5)
    first, second = draw(gen), draw(gen)
    assert not np.array_equal(first, second)
    again = random.SeedGenerator(5)
    np.testing.assert_array_equal(draw(again), first)
    np.testing.assert_array_equal(draw(again), second)


@pytest.mark.parametrize("name", sorted(DRAWS))
def test_seed_none_repeats_after_set_random_seed(name):
    draw = DRAWS[name]
    kteach.utils.set_random_seed(9)
    first, second = draw(None), draw(None)
    assert not np.array_equal(first, second)
    kteach.utils.set_random_seed(9)
    np.testing.assert_array_equal(draw(None), first)
    np.testing.assert_array_equal(draw(None), second)


def test_int_seed_equals_the_first_draw_of_a_seed_generator():
    # Keras 3: seed=s uses the state [s, 0], which is also SeedGenerator(s)'s first state.
    np.testing.assert_array_equal(random.normal((5,), seed=42),
                                  random.normal((5,), seed=random.SeedGenerator(42)))


def test_seed_generator_state_counts_calls():
    gen = random.SeedGenerator(123)
    np.testing.assert_array_equal(gen.state, [123, 0])
    random.uniform((2,), seed=gen)
    random.normal((2,), seed=gen)
    np.testing.assert_array_equal(gen.state, [123, 2])
    np.testing.assert_array_equal(gen.next(), [123, 2])
    np.testing.assert_array_equal(gen.state, [123, 3])


def test_seed_generator_without_seed_follows_set_random_seed():
    kteach.utils.set_random_seed(4)
    a = random.normal((3,), seed=random.SeedGenerator())
    kteach.utils.set_random_seed(4)
    b = random.normal((3,), seed=random.SeedGenerator())
    np.testing.assert_array_equal(a, b)


def test_seed_generator_names_and_config():
    kteach.backend.clear_session()
    first, second = random.SeedGenerator(1), random.SeedGenerator(2, name="noise")
    third = random.SeedGenerator()
    assert (first.name, second.name, third.name) == ("seed_generator", "noise", "seed_generator_1")
    assert first.get_config() == {"seed": 1, "name": "seed_generator"}
    copy = random.SeedGenerator.from_config(first.get_config())
    np.testing.assert_array_equal(random.normal((3,), seed=copy),
                                  random.normal((3,), seed=random.SeedGenerator(1)))


def test_numpy_integer_seeds_and_negative_seeds_work():
    np.testing.assert_array_equal(random.normal((3,), seed=np.int64(7)),
                                  random.normal((3,), seed=7))
    np.testing.assert_array_equal(random.normal((3,), seed=-1), random.normal((3,), seed=-1))


# ----- dropout's gradient -------------------------------------------------------------------------
def test_dropout_gradient_is_the_scaled_mask():
    x = np.linspace(-1.0, 1.0, 12, dtype="float32").reshape(3, 4) + 2.0
    with kteach.GradientTape() as tape:
        tape.watch(x)
        y = random.dropout(x, 0.25, seed=21)
        loss = kteach.ops.sum(y)
    (dx,) = tape.gradient(loss, [x])
    y = np.asarray(y)
    expected = np.where(y != 0, 1 / 0.75, 0.0)     # dy = 1 through mask / (1 - rate)
    np.testing.assert_allclose(dx, expected, rtol=1e-6)
    np.testing.assert_allclose(y, x * expected, rtol=1e-6)
    assert 0 < (y == 0).sum() < 12


def test_dropout_gradient_matches_central_differences():
    # check_op takes `seed` for itself, so the op's own seed is fixed inside a wrapper.
    def dropout(x, rate, noise_shape=None):
        return random.dropout(x, rate, noise_shape=noise_shape, seed=22)

    x = np.random.default_rng(0).normal(size=(4, 5))
    check_op(dropout, x, rate=0.4)
    check_op(dropout, x, rate=0.4, noise_shape=(4, 1))
    check_op(dropout, x, rate=0.0)


def test_dropout_under_a_tape_on_a_variable():
    v = kteach.engine.Variable(np.ones((2, 3), "float32"), name="v", path="v")
    with kteach.GradientTape() as tape:
        y = random.dropout(v, 0.5, seed=23)
        loss = kteach.ops.sum(y)
    (dv,) = tape.gradient(loss, [v])
    np.testing.assert_allclose(dv, np.asarray(y), rtol=1e-6)   # v = 1, so y = mask/(1 - rate)


def test_shuffle_gradient_goes_back_to_where_each_slice_came_from():
    def shuffle(x, axis=0):
        return random.shuffle(x, axis=axis, seed=24)

    x = np.random.default_rng(1).normal(size=(5, 3))
    y = np.asarray(check_op(shuffle, x))
    perm = [int(np.flatnonzero((x == row).all(axis=1))[0]) for row in y]
    np.testing.assert_array_equal(y, x[perm])
    assert perm != list(range(5))
    check_op(shuffle, x, axis=1)


# ----- errors that teach --------------------------------------------------------------------------
@pytest.mark.parametrize("rate", [1.0, 1.5, -0.1, "0.5", None, True])
def test_dropout_refuses_a_rate_outside_zero_to_one(rate):
    with pytest.raises(ValueError, match=r"rate.*\[0, 1\)"):
        random.dropout(np.ones(3), rate)


@pytest.mark.parametrize("sampler", [random.uniform, random.randint])
@pytest.mark.parametrize("low, high", [(1, 1), (2, 1)])
def test_minval_must_be_below_maxval(sampler, low, high):
    with pytest.raises(ValueError, match="minval < maxval"):
        sampler((3,), minval=low, maxval=high)


@pytest.mark.parametrize("seed", [1.5, "42", True, [1, 2]])
def test_a_seed_must_be_an_int_or_a_seed_generator(seed):
    with pytest.raises(ValueError, match="`seed` must be an integer or a SeedGenerator"):
        random.normal((2,), seed=seed)
    with pytest.raises(ValueError, match="`seed` must be an integer"):
        random.SeedGenerator(seed)


@pytest.mark.parametrize("shape", [(2, None), (-1,), "3", 2.5, None])
def test_shape_must_be_concrete_non_negative_ints(shape):
    with pytest.raises(ValueError, match="`shape` must be a tuple of non-negative ints"):
        random.normal(shape)


def test_other_argument_errors():
    with pytest.raises(ValueError, match="whole number"):
        random.randint((2,), 0.5, 3)
    with pytest.raises(ValueError, match="cannot be negative"):
        random.normal((2,), stddev=-1.0)
    with pytest.raises(ValueError, match="must be 2-D"):
        random.categorical(np.zeros(3), 2)
    with pytest.raises(ValueError, match="num_samples"):
        random.categorical(np.zeros((1, 3)), 2.0)
    with pytest.raises(ValueError, match="noise_shape"):
        random.dropout(np.ones((4, 3)), 0.5, noise_shape=(4, 2))
    with pytest.raises(ValueError, match="noise_shape"):
        random.dropout(np.ones((4, 3)), 0.5, noise_shape=(4,))
    with pytest.raises(ValueError, match="axis"):
        random.shuffle(np.ones((4, 3)), axis=2)


def test_errors_are_kteach_errors():
    with pytest.raises(kteach.engine.KteachError):
        random.uniform((2,), 1.0, 0.0)
