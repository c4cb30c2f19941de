"""Tests for kteach.losses: values (by hand and from Keras 3.15.1), gradients, names, errors.

Literals marked "Keras 3.15.1" were printed by Keras 3.15.1 with the torch 2.13 CPU backend
(float32 inputs; gradients from torch autograd on the Keras loss), e.g.::

    keras.losses.binary_crossentropy(np.float32([[0, 1], [1, 0], [1, 1]]),
                                     np.float32([[0.2, 0.7], [0.9, 0.4], [0.0, 1.0]]))
"""
import warnings

import numpy as np
import pytest

from kteach import losses
from kteach.engine import errors
from kteach.engine.errors import (DataError, ShapeError, UnknownArgumentError,
                                  UnknownNameError)


def f32(a):
    return np.asarray(a, dtype=np.float32)


# Shared float32 batches (the same arrays were given to Keras).
Y2 = f32([[0, 1], [1, 0], [1, 1]])
P2 = f32([[0.2, 0.7], [0.9, 0.4], [0.0, 1.0]])
X2 = f32([[-1.5, 2.0], [0.3, -0.4], [30.0, -30.0]])
YK = f32([[0, 1, 0], [0, 0, 1], [1, 0, 0]])
PK = f32([[0.05, 0.95, 0], [0.1, 0.8, 0.1], [0.5, 0.3, 0.4]])
XK = f32([[1.0, 2.0, -1.0], [0.5, 0.5, 3.0], [-2.0, 0.0, 2.0]])


def close(a, b, tol=1e-6):
    np.testing.assert_allclose(np.asarray(a, dtype=np.float64), b, rtol=tol, atol=tol)


# ----- values by hand ----------------------------------------------------------------------
def test_mse_and_mae_by_hand():
    y, p = [[1.0, 2.0], [3.0, 4.0]], [[1.5, 1.0], [2.0, 6.0]]
    close(losses.mean_squared_error(y, p), [(0.25 + 1) / 2, (1 + 4) / 2])
    close(losses.mean_absolute_error(y, p), [(0.5 + 1) / 2, (1 + 2) / 2])
    assert losses.MeanSquaredError()(y, p) == pytest.approx(1.5625)
    assert losses.MeanAbsoluteError()(y, p) == pytest.approx(1.125)


def test_bce_by_hand():
    L = losses.binary_crossentropy([[1.0], [0.0]], [[0.8], [0.8]])
    close(L, [-np.log(0.8), -np.log(0.2)])
    L = losses.binary_crossentropy([[1.0], [0.0]], [[2.0], [2.0]], from_logits=True)
    s = 1 / (1 + np.exp(-2.0))
    close(L, [-np.log(s), -np.log(1 - s)])
    # smoothing 0.2 moves the target 1 to 0.9
    L = losses.binary_crossentropy([[1.0]], [[0.8]], label_smoothing=0.2)
    close(L, [-(0.9 * np.log(0.8) + 0.1 * np.log(0.2))])


def test_cce_normalises_probabilities_first():
    # p = [1, 3] is normalised to [0.25, 0.75] before the log, as Keras does.
    close(losses.categorical_crossentropy([[0.0, 1.0]], [[1.0, 3.0]]), [-np.log(0.75)])
    # smoothing 0.3 over 2 classes: targets [0.15, 0.85]
    close(losses.categorical_crossentropy([[0.0, 1.0]], [[0.25, 0.75]], label_smoothing=0.3),
          [-(0.15 * np.log(0.25) + 0.85 * np.log(0.75))])
    x = np.array([[1.0, 2.0, 0.5]])
    q = np.exp(x) / np.exp(x).sum()
    close(losses.categorical_crossentropy([[0.0, 0.0, 1.0]], x, from_logits=True),
          [-np.log(q[0, 2])])


def test_sparse_equals_categorical_of_one_hot():
    labels = np.array([1, 2, 0])
    for from_logits, p in [(False, PK), (True, XK)]:
        close(losses.sparse_categorical_crossentropy(labels, p, from_logits=from_logits),
              losses.categorical_crossentropy(np.eye(3)[labels], p, from_logits=from_logits))


# ----- values from Keras 3.15.1 -----------------------------------------------------------
@pytest.mark.parametrize("fn, kwargs, y, p, expected", [
    (losses.binary_crossentropy, {}, Y2, P2,
     [0.2899092733860016, 0.3080931007862091, 8.05904769897461]),
    (losses.binary_crossentropy, {"label_smoothing": 0.1}, Y2, P2,
     [0.3457490801811218, 0.37316036224365234, 8.054655075073242]),
    (losses.binary_crossentropy, {"from_logits": True}, Y2, X2,
     [0.16417065262794495, 0.5336852073669434, 15.0]),
    (losses.binary_crossentropy, {"from_logits": True, "label_smoothing": 0.2}, Y2, X2,
     [0.3391706645488739, 0.5686851739883423, 15.0]),
    (losses.binary_crossentropy, {"axis": 0}, Y2, P2, [5.4822001457214355, 0.2891668975353241]),
    (losses.categorical_crossentropy, {}, YK, PK,
     [0.051293306052684784, 2.3025851249694824, 0.8754687309265137]),
    (losses.categorical_crossentropy, {"label_smoothing": 0.3}, YK, PK,
     [1.9524176120758057, 2.0946409702301025, 0.9488657116889954]),
    (losses.categorical_crossentropy, {"from_logits": True}, YK, XK,
     [0.349012166261673, 0.15200841426849365, 4.1429314613342285]),
    (losses.categorical_crossentropy, {"from_logits": True, "label_smoothing": 0.3}, YK, XK,
     [0.7490122318267822, 0.6520084738731384, 3.54293155670166]),
    (losses.categorical_crossentropy, {"axis": 0}, f32([[0, 1], [1, 0], [0, 0]]),
     f32([[0.2, 0.7], [0.5, 0.1], [0.3, 0.2]]), [0.6931471824645996, 0.3566749691963196]),
    (losses.sparse_categorical_crossentropy, {}, f32([1, 2, 0]), PK,
     [0.051293306052684784, 2.3025851249694824, 0.8754687309265137]),
    (losses.sparse_categorical_crossentropy, {"from_logits": True}, f32([1, 2, 0]), XK,
     [0.349012166261673, 0.15200841426849365, 4.1429314613342285]),
    (losses.mean_absolute_error, {}, f32([[1, 2], [3, 4]]), f32([[1.5, 1], [2, 6]]), [0.75, 1.5]),
    # MSE broadcasts targets (2, 3) against an output (2, 1), as Keras does.
    (losses.mean_squared_error, {}, f32([[1, 2, 3], [4, 5, 6]]), f32([[1], [2]]),
     [1.6666666269302368, 9.666666984558105]),
])
def test_per_sample_values_match_keras(fn, kwargs, y, p, expected):
    L = fn(y, p, **kwargs)
    assert L.dtype == np.float32  # float32 in, float32 out (the clip bounds are float32 too)
    close(L, expected)


@pytest.mark.parametrize("loss, sample_weight, expected", [
    (losses.BinaryCrossentropy(), None, 2.885683298110962),
    (losses.BinaryCrossentropy(), f32([1, 0.5, 2]), 5.520683765411377),
    (losses.BinaryCrossentropy(reduction="sum"), None, 8.657050132751465),
    (losses.BinaryCrossentropy(reduction="mean"), None, 2.885683298110962),
    (losses.BinaryCrossentropy(reduction="mean_with_sample_weight"), f32([1, 0.5, 2]),
     4.7320146560668945),
])
def test_reductions_match_keras(loss, sample_weight, expected):
    assert loss(Y2, P2, sample_weight=sample_weight) == pytest.approx(expected, rel=1e-6)


@pytest.mark.parametrize("reduction", ["sum_over_batch_size", "sum", "mean_with_sample_weight"])
def test_weights_shaped_n_by_1_act_as_one_weight_per_sample(reduction):
    # Keras lines (n,) losses up with (n, 1) weights by giving the losses the axis too; the
    # gradient used to spread the column of weights over every sample (and fail)
    loss = losses.BinaryCrossentropy(reduction=reduction)
    flat, column = f32([1, 0.5, 2]), f32([[1], [0.5], [2]])
    value, grad = loss.value_and_gradient(Y2, P2, sample_weight=column)
    expected_value, expected_grad = loss.value_and_gradient(Y2, P2, sample_weight=flat)
    assert value == pytest.approx(expected_value, rel=1e-7)
    assert grad.shape == P2.shape
    np.testing.assert_array_equal(grad, expected_grad)
    if reduction == "sum_over_batch_size":
        assert value == pytest.approx(5.520683765411377, rel=1e-6)   # Keras 3.15.1, above


def test_reduction_none_returns_the_weighted_array():
    L = losses.BinaryCrossentropy(reduction="none")(Y2, P2, sample_weight=[1, 0.5, 2])
    close(L, np.array([0.2899092733860016, 0.3080931007862091, 8.05904769897461]) * [1, 0.5, 2])
    assert losses.BinaryCrossentropy(reduction=None)(Y2, P2).shape == (3,)


def test_clipping_at_zero_and_one_matches_keras():
    y, p = f32([[0], [1], [0], [1]]), f32([[0], [0], [1], [1]])
    # Keras 3.15.1; float32 1 - 1e-7 rounds to 0.99999988, hence 15.94 rather than 16.12.
    np.testing.assert_allclose(
        losses.binary_crossentropy(y, p),
        [1.000000082740371e-07, 16.11809539794922, 15.942384719848633, 1.1920928955078125e-07],
        rtol=1e-6, atol=0)  # log1p(-p) as torch: log(1 - p) would give 1.19e-07 first
    # Keras 3.15.1 (torch autograd): a clipped probability gets no gradient.
    close(losses.BinaryCrossentropy().gradient(y, p), np.zeros((4, 1)))
    # The bounds themselves are inside (torch's clamp passes the gradient there).
    y, p = f32([[0], [1]]), f32([[1e-7], [1 - 1e-7]])
    close(losses.BinaryCrossentropy().gradient(y, p), [[1.0000001192092896], [-1.0000001192092896]])


def test_cce_clipping_and_normalisation_gradient_match_keras():
    # Keras 3.15.1 (torch autograd of sum(categorical_crossentropy(YK, PK))).
    close(losses.CategoricalCrossentropy().gradient(YK, PK),
          [[1.0, -0.05263161659240723, 1.0], [1.0, 1.0, -9.0],
           [-1.1666667461395264, 0.8333333134651184, 0.8333333134651184]])
    # A perfect one-hot output is clipped everywhere: zero gradient (Keras 3.15.1).
    close(losses.CategoricalCrossentropy().gradient(f32([[0, 1, 0]]), f32([[0, 1, 0]])),
          [[0.0, 0.0, 0.0]])


@pytest.mark.parametrize("loss, y, p, sw, value, grad", [
    (losses.BinaryCrossentropy(), Y2, P2, f32([1, 0.5, 2]), 5.520683765411377,
     [[0.2083333283662796, -0.2380952537059784], [-0.09259259700775146, 0.1388888955116272],
      [0.0, 0.0]]),
    (losses.BinaryCrossentropy(from_logits=True, label_smoothing=0.2, reduction="sum"), Y2, X2,
     None, 15.907855987548828,
     [[0.041212763637304306, -0.009601503610610962], [-0.16277876496315002, 0.15065617859363556],
      [0.04999998211860657, -0.45000001788139343]]),
    (losses.CategoricalCrossentropy(from_logits=True, label_smoothing=0.1), YK, XK,
     f32([2, 1, 0.5]), 1.0849438905715942,
     [[0.15077543258666992, -0.15196585655212402, 0.0011904631974175572],
      [0.01239203754812479, 0.01239203754812479, -0.024784089997410774],
      [-0.152909517288208, 0.013996181078255177, 0.1389133483171463]]),
    (losses.SparseCategoricalCrossentropy(), f32([[1], [2], [0]]),
     f32([[0.2, 1.0, 0.3], [0.1, 0.8, 0.1], [0.5, 0.3, 0.4]]), None, 1.194506287574768,
     [[0.2222222238779068, -0.111111119389534, 0.2222222238779068],
      [0.3333333432674408, 0.3333333432674408, -3.000000238418579],
      [-0.3888888955116272, 0.2777777910232544, 0.2777777910232544]]),
    (losses.MeanSquaredError(), f32([[1, 2, 3], [4, 5, 6]]), f32([[1], [2]]), None,
     5.6666669845581055, [[-1.0], [-3.0]]),
    (losses.BinaryCrossentropy(reduction="mean_with_sample_weight"), f32([0, 1, 1]),
     f32([[0.3], [0.8], [0.6]]), f32([1, 2, 3]), 0.3892397880554199,
     [[0.2380952537059784], [-0.4166666567325592], [-0.8333333134651184]]),
])
def test_value_and_gradient_match_keras(loss, y, p, sw, value, grad):
    v, g = loss.value_and_gradient(y, p, sample_weight=sw)
    assert v == pytest.approx(value, rel=1e-6)
    assert v == loss(y, p, sample_weight=sw)
    assert g.shape == p.shape and g.dtype == np.float32
    close(g, grad, tol=2e-6)


# ----- rank alignment ----------------------------------------------------------------------
def test_targets_of_shape_n_work_with_an_output_n_1():
    p = f32([[0.3], [0.8], [0.6]])
    # Keras 3.15.1
    assert losses.BinaryCrossentropy()(f32([0, 1, 1]), p) == pytest.approx(0.36354804039001465)
    assert losses.MeanSquaredError()(f32([0, 1, 1]), p) == pytest.approx(0.09666665643453598)
    assert losses.MeanSquaredError()(f32([[0], [1], [1]]), f32([0.3, 0.8, 0.6])) == \
        pytest.approx(0.09666665643453598)
    # Keras 3.15.1: SCCE with labels of shape (n, 1)
    assert losses.SparseCategoricalCrossentropy()(f32([[1], [2], [0]]), PK) == \
        pytest.approx(1.0764490365982056)
    assert losses.SparseCategoricalCrossentropy()(np.array([1, 2, 0]), PK, f32([0.3, 0.7, 1])) \
        == pytest.approx(0.834222137928009)


def test_align_ranks_rule():
    a, b = losses.align_ranks(np.zeros(4), np.zeros((4, 1)))
    assert a.shape == b.shape == (4, 1)
    a, b = losses.align_ranks(np.zeros((4, 1)), np.zeros(4))
    assert a.shape == b.shape == (4, 1)
    a, b = losses.align_ranks(np.zeros((4, 7, 1)), np.zeros((4, 7)))
    assert a.shape == b.shape == (4, 7)
    a, b = losses.align_ranks(np.zeros((4, 3)), np.zeros(4))  # no size-1 axis: unchanged
    assert (a.shape, b.shape) == ((4, 3), (4,))


def test_value_and_gradient_keeps_a_rank_1_output_shape():
    y, p = np.array([[1.0], [2.0]]), np.array([0.0, 0.0])
    v, g = losses.MeanSquaredError().value_and_gradient(y, p)
    assert v == pytest.approx(2.5)
    close(g, [-1.0, -2.0])


# ----- numerical gradient checks (float64) ---------------------------------------------------
def _rng():
    return np.random.default_rng(1234)


def _probs(shape, rng):
    return rng.uniform(0.05, 0.95, size=shape)


def _cases():
    rng = _rng()
    bin_n1 = (rng.integers(0, 2, (5, 1)).astype(float), _probs((5, 1), rng))
    bin_nk = (rng.integers(0, 2, (4, 3)).astype(float), _probs((4, 3), rng))
    logits_nk = rng.normal(0, 2, (4, 3))
    onehot = np.eye(4)[rng.integers(0, 4, 5)]
    unnormalised = rng.uniform(0.2, 2.0, (5, 4))  # not summing to 1: tests the normalisation
    labels = rng.integers(0, 4, 5)
    reg_y, reg_p = rng.normal(size=(4, 3)), rng.normal(size=(4, 3))
    return [
        ("mse", losses.MeanSquaredError(), reg_y, reg_p),
        ("mse broadcast", losses.MeanSquaredError(), reg_y, reg_p[:, :1]),
        ("mae", losses.MeanAbsoluteError(), reg_y, reg_p),
        ("bce (n,1)", losses.BinaryCrossentropy(), *bin_n1),
        ("bce (n,k)", losses.BinaryCrossentropy(), *bin_nk),
        ("bce smoothing", losses.BinaryCrossentropy(label_smoothing=0.2), *bin_nk),
        ("bce logits (n,1)", losses.BinaryCrossentropy(from_logits=True), bin_n1[0],
         rng.normal(0, 2, (5, 1))),
        ("bce logits (n,k)", losses.BinaryCrossentropy(from_logits=True), bin_nk[0], logits_nk),
        ("bce logits smoothing", losses.BinaryCrossentropy(from_logits=True, label_smoothing=0.3),
         bin_nk[0], logits_nk),
        ("bce axis 0", losses.BinaryCrossentropy(axis=0), *bin_nk),
        ("cce", losses.CategoricalCrossentropy(), onehot, unnormalised),
        ("cce smoothing", losses.CategoricalCrossentropy(label_smoothing=0.1), onehot,
         unnormalised),
        ("cce soft targets", losses.CategoricalCrossentropy(), rng.dirichlet(np.ones(4), 5),
         unnormalised),
        ("cce logits", losses.CategoricalCrossentropy(from_logits=True), onehot,
         rng.normal(0, 2, (5, 4))),
        ("cce logits smoothing",
         losses.CategoricalCrossentropy(from_logits=True, label_smoothing=0.2), onehot,
         rng.normal(0, 2, (5, 4))),
        ("cce logits multi-hot", losses.CategoricalCrossentropy(from_logits=True),
         rng.integers(0, 3, (5, 4)).astype(float), rng.normal(0, 2, (5, 4))),
        ("cce axis 0", losses.CategoricalCrossentropy(axis=0), onehot.T, unnormalised.T),
        ("cce rank 3", losses.CategoricalCrossentropy(), np.eye(4)[rng.integers(0, 4, (2, 3))],
         rng.uniform(0.2, 2.0, (2, 3, 4))),
        ("scce", losses.SparseCategoricalCrossentropy(), labels, unnormalised),
        ("scce logits", losses.SparseCategoricalCrossentropy(from_logits=True), labels,
         rng.normal(0, 2, (5, 4))),
        ("scce rank 3", losses.SparseCategoricalCrossentropy(from_logits=True),
         rng.integers(0, 4, (2, 3)), rng.normal(0, 2, (2, 3, 4))),
    ]


CASES = _cases()


@pytest.mark.parametrize("name, loss, y, p", CASES, ids=[c[0] for c in CASES])
def test_gradient_matches_central_differences(name, loss, y, p):
    g = loss.gradient(*loss.align(y, p))
    assert g.shape == p.shape
    g_num = losses.numerical_gradient(loss, y, p)
    rel = np.abs(g - g_num).max() / max(np.abs(g_num).max(), 1e-12)
    assert rel < 1e-7, f"{name}: relative error {rel:.2e}"


def _reduced_cases():
    rng = _rng()
    y, p = rng.integers(0, 3, 5), rng.uniform(0.2, 2.0, (5, 3))
    sw = [0.5, 2.0, 0.0, 1.0, 3.0]
    scce = losses.SparseCategoricalCrossentropy
    cases = [(scce(reduction=r), y, p, w) for r, w in [
        ("sum_over_batch_size", None), ("sum_over_batch_size", sw), ("sum", sw),
        ("mean_with_sample_weight", sw)]]
    # axis=0: the samples run along axis 1, so each weight scales a column
    yb, pb = rng.integers(0, 2, (4, 3)).astype(float), rng.uniform(0.1, 0.9, (4, 3))
    cases.append((losses.BinaryCrossentropy(axis=0), yb, pb, [1.0, 0.5, 2.0]))
    return cases


@pytest.mark.parametrize("loss, y, p, sw", _reduced_cases())
def test_value_and_gradient_is_the_derivative_of_the_reduced_loss(loss, y, p, sw):
    value, g = loss.value_and_gradient(y, p, sample_weight=sw)
    assert value == loss(y, p, sample_weight=sw)
    g_num = np.zeros_like(p)
    for i in np.ndindex(p.shape):
        d = np.zeros_like(p)
        d[i] = 1e-6
        g_num[i] = (loss(y, p + d, sample_weight=sw) - loss(y, p - d, sample_weight=sw)) / 2e-6
    np.testing.assert_allclose(g, g_num, rtol=1e-6, atol=1e-9)


def test_reduction_none_has_no_single_gradient():
    with pytest.raises(ValueError, match="one value per sample; a training step needs a single"):
        losses.MeanSquaredError(reduction="none").value_and_gradient([[1.0]], [[2.0]])


# ----- names --------------------------------------------------------------------------------
@pytest.mark.parametrize("name, cls, canonical", [
    ("mse", losses.MeanSquaredError, "mean_squared_error"),
    ("MSE", losses.MeanSquaredError, "mean_squared_error"),
    ("mean_squared_error", losses.MeanSquaredError, "mean_squared_error"),
    ("MeanSquaredError", losses.MeanSquaredError, "mean_squared_error"),
    ("mae", losses.MeanAbsoluteError, "mean_absolute_error"),
    ("MAE", losses.MeanAbsoluteError, "mean_absolute_error"),
    ("mean_absolute_error", losses.MeanAbsoluteError, "mean_absolute_error"),
    ("MeanAbsoluteError", losses.MeanAbsoluteError, "mean_absolute_error"),
    ("bce", losses.BinaryCrossentropy, "binary_crossentropy"),
    ("BCE", losses.BinaryCrossentropy, "binary_crossentropy"),
    ("binary_crossentropy", losses.BinaryCrossentropy, "binary_crossentropy"),
    ("BinaryCrossentropy", losses.BinaryCrossentropy, "binary_crossentropy"),
    ("categorical_crossentropy", losses.CategoricalCrossentropy, "categorical_crossentropy"),
    ("CategoricalCrossentropy", losses.CategoricalCrossentropy, "categorical_crossentropy"),
    ("sparse_categorical_crossentropy", losses.SparseCategoricalCrossentropy,
     "sparse_categorical_crossentropy"),
    ("SparseCategoricalCrossentropy", losses.SparseCategoricalCrossentropy,
     "sparse_categorical_crossentropy"),
])
def test_alias_table(name, cls, canonical):
    loss = losses.get(name)
    assert type(loss) is cls and loss.name == canonical
    assert losses.serialize(name) == canonical
    assert loss.sparse_targets == (cls is losses.SparseCategoricalCrossentropy)


@pytest.mark.parametrize("name", ["Mse", "cce", "logcosh", "crossentropy", "Mean_Squared_Error"])
def test_names_keras_rejects_are_rejected(name):
    with pytest.raises(UnknownNameError, match=f"^Could not interpret loss identifier: {name}\\."):
        losses.get(name)


def test_unknown_name_suggests_the_right_one():
    with pytest.raises(ValueError, match=r"^Could not interpret loss identifier: "
                       r"mean_squared_errorr\. Did you mean 'mean_squared_error'"):
        losses.get("mean_squared_errorr")
    with pytest.raises(UnknownNameError, match="Did you mean 'mse'"):
        losses.get("Mse")


def test_keras_only_name_says_so():
    with pytest.raises(UnknownNameError, match="^Could not interpret loss identifier: dice. "
                       "Keras 3 has this loss but kteach does not implement it"):
        losses.get("dice")


def test_get_objects():
    mse = losses.MeanSquaredError()
    assert losses.get(mse) is mse
    assert losses.get(None) is None
    assert type(losses.get(losses.MeanSquaredError)) is losses.MeanSquaredError
    for fn, cls in [(losses.mean_squared_error, losses.MeanSquaredError),
                    (losses.mean_absolute_error, losses.MeanAbsoluteError),
                    (losses.binary_crossentropy, losses.BinaryCrossentropy),
                    (losses.categorical_crossentropy, losses.CategoricalCrossentropy),
                    (losses.sparse_categorical_crossentropy,
                     losses.SparseCategoricalCrossentropy)]:
        assert type(losses.get(fn)) is cls
        assert losses.serialize(fn) == fn.__name__
    with pytest.raises(UnknownNameError, match="^Could not interpret loss identifier: 42"):
        losses.get(42)


def test_a_plain_function_is_wrapped_and_its_gradient_comes_from_the_tape():
    def my_loss(y_true, y_pred):
        return np.mean((y_true - y_pred) ** 2)   # NumPy on y_pred is recorded too

    loss = losses.get(my_loss)
    assert isinstance(loss, losses.LossFunctionWrapper) and loss.fn is my_loss
    assert loss.name == "my_loss" and losses.serialize(loss) == "my_loss"
    value, g = loss.value_and_gradient(Y2, P2)
    assert value == pytest.approx(float(np.mean((Y2 - P2) ** 2)))
    close(g, 2 * (P2 - Y2) / P2.size)


def test_a_function_the_tape_cannot_follow_is_refused_with_what_to_write():
    def my_loss(y_true, y_pred):
        return np.mean((y_true - np.asarray(y_pred)) ** 2, axis=-1)

    loss = losses.get(my_loss)
    assert loss(Y2, P2) == pytest.approx(float(np.mean((Y2 - P2) ** 2)))  # the value works
    with pytest.raises(TypeError, match="Cannot find the gradient of the loss 'my_loss'") as info:
        loss.value_and_gradient(Y2, P2)
    assert isinstance(info.value, losses.NoGradientError)
    assert "np.asarray(y_pred)" in str(info.value)
    assert "return ops.mean(ops.square(y_true - y_pred), axis=-1)" in str(info.value)
    assert "gradient(self, y_true, y_pred)" in str(info.value)


def test_the_documented_subclass_recipe_works():
    class MyMeanSquaredError(losses.Loss):
        def call(self, y_true, y_pred):
            return np.mean((y_pred - y_true) ** 2, axis=-1)

        def gradient(self, y_true, y_pred):
            return 2 * (y_pred - y_true) / y_pred.shape[-1]

    mine, keras_like = MyMeanSquaredError(), losses.MeanSquaredError()
    assert mine.name == "my_mean_squared_error" and losses.get(mine) is mine
    y, p = [1.0, 2.0, 4.0], [[1.5], [1.0], [3.0]]
    assert mine(y, p) == keras_like(y, p)
    v1, g1 = mine.value_and_gradient(y, p, sample_weight=[1, 2, 3])
    v2, g2 = keras_like.value_and_gradient(y, p, sample_weight=[1, 2, 3])
    assert v1 == v2
    close(g1, g2)
    close(losses.numerical_gradient(mine, y, p), mine.gradient(*mine.align(y, p)))


def test_a_subclass_without_gradient_gets_it_from_the_tape():
    class Half(losses.Loss):
        def call(self, y_true, y_pred):
            return np.sum(y_pred, axis=-1) / 2

    assert not Half().writes_gradient() and losses.MeanSquaredError().writes_gradient()
    close(Half().gradient(*Half().align([[1.0, 2.0]], [[1.0, 3.0]])), [[0.5, 0.5]])
    value, g = Half().value_and_gradient([[1.0], [0.0]], [[1.0], [3.0]])
    assert value == 1.0
    close(g, [[0.25], [0.25]])


def test_a_subclass_computing_on_plain_arrays_says_what_to_write():
    class Plain(losses.Loss):
        def call(self, y_true, y_pred):
            return np.sum(y_pred.numpy(), axis=-1)

    with pytest.raises(losses.NoGradientError, match=r"Plain\.call\(\) either does not use "
                       r"y_pred, or turned it into a plain array first"):
        Plain().value_and_gradient([[1.0]], [[1.0]])


# ----- errors and warnings -----------------------------------------------------------------
def test_bce_shape_mismatch_explains_one_hot_targets():
    y, p = np.eye(10)[[1, 2, 3]], np.full((3, 1), 0.5)
    with pytest.raises(ShapeError, match=r"binary_crossentropy needs y_true and y_pred of the "
                       r"same shape, but got y_true.shape=\(3, 10\) and y_pred.shape=\(3, 1\)\. "
                       r"The targets look one-hot encoded with 10 classes"):
        losses.binary_crossentropy(y, p)


def test_cce_with_integer_labels_points_to_sparse():
    with pytest.raises(ShapeError, match="use sparse_categorical_crossentropy"):
        losses.CategoricalCrossentropy()([1, 2, 0], PK)


def test_sparse_with_one_hot_targets():
    with pytest.raises(ShapeError, match=r"y_true.shape should be \(3,\) for "
                       r"y_pred.shape=\(3, 3\), "
                       r"but got \(3, 3\)\. If your targets are one-hot rows, use "
                       r"categorical_crossentropy"):
        losses.sparse_categorical_crossentropy(YK, PK)


def test_sparse_labels_must_be_classes():
    with pytest.raises(DataError, match="Label 3 is out of range: the output has 3 classes, so "
                       "labels must be 0 to 2. If your labels start at 1, subtract 1"):
        losses.sparse_categorical_crossentropy([1, 3, 0], PK)
    with pytest.raises(DataError, match="Label -1 is out of range"):
        losses.sparse_categorical_crossentropy([1, -1, 0], PK)
    with pytest.raises(DataError, match="needs whole-number class labels"):
        losses.sparse_categorical_crossentropy([1.5, 1, 0], PK)


def test_ignore_class_is_refused_with_a_workaround():
    with pytest.raises(ValueError, match="does not support ignore_class=255. To leave those "
                       "samples out of the loss, pass sample_weight=0"):
        losses.SparseCategoricalCrossentropy(ignore_class=255)


def test_bad_arguments():
    with pytest.raises(UnknownNameError, match="Invalid reduction 'summ'. Did you mean 'sum'"):
        losses.MeanSquaredError(reduction="summ")
    with pytest.raises(UnknownArgumentError, match="got an unexpected keyword argument "
                       "'from_logit'. Did you mean 'from_logits'"):
        losses.BinaryCrossentropy(from_logit=True)
    with pytest.raises(ValueError, match="label_smoothing must be between 0 and 1, got 1.5"):
        losses.CategoricalCrossentropy(label_smoothing=1.5)
    with pytest.raises(ShapeError, match=r"sample_weight of shape \(2,\) does not fit"):
        losses.MeanSquaredError()([[1.0], [2.0], [3.0]], [[1.0], [2.0], [3.0]],
                                  sample_weight=[1, 2])


def test_cce_on_one_unit_warns_to_use_binary_crossentropy():
    errors._warned.discard("cce_one_unit")
    with warnings.catch_warnings(record=True) as caught:
        warnings.simplefilter("always")
        L = losses.categorical_crossentropy(f32([[1], [0]]), f32([[0.3], [0.8]]))
    # Keras 3.15.1 gives the same near-zero values.
    close(L, [1.1920930376163597e-07, 0.0])
    assert len(caught) == 1 and issubclass(caught[0].category, errors.KteachWarning)
    assert "single unit on the class axis" in str(caught[0].message)
    assert "loss='binary_crossentropy'" in str(caught[0].message)
    errors._warned.discard("cce_one_unit")


def test_repr_and_names():
    assert repr(losses.MeanSquaredError()) == \
        "<MeanSquaredError name='mean_squared_error' reduction='sum_over_batch_size'>"
    assert losses.BinaryCrossentropy(name="my_bce").name == "my_bce"
    assert losses.serialize(losses.CategoricalCrossentropy(name="cce")) == "cce"
