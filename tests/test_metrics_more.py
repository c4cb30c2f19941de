"""The metrics of issue 11 against real Keras 3: result() after each of several update_state
calls (one of them weighted), configs, and which string names resolve
(tests/fixtures/losses_metrics_reference.json, from make_losses_metrics_reference.py)."""
import json
import re
from pathlib import Path

import numpy as np
import pytest

import kteach
from kteach import metrics
from kteach.engine.errors import UnknownNameError

REF = json.loads((Path(__file__).parent / "fixtures" / "losses_metrics_reference.json").read_text())
CASES = REF["metrics"]


def run(case):
    metric = getattr(metrics, case["class"])(**case["kwargs"])
    out = []
    for y_true, y_pred, w in case["batches"]:
        w = None if w is None else np.asarray(w, np.float32)
        if y_pred is None:
            metric.update_state(np.asarray(y_true, np.float32), sample_weight=w)
        else:
            metric.update_state(np.asarray(y_true, np.float32), np.asarray(y_pred, np.float32),
                                sample_weight=w)
        out.append(metric.result())
    return metric, out


@pytest.mark.parametrize("name", sorted(CASES))
def test_results_over_batches_match_keras(name):
    case = CASES[name]
    _, results = run(case)
    for got, want in zip(results, case["results"]):
        np.testing.assert_allclose(np.asarray(got, np.float64), np.asarray(want, np.float64),
                                   rtol=1e-5, atol=1e-6)


@pytest.mark.parametrize("name", sorted(CASES))
def test_config_has_keras_keys_reset_and_rebuild(name):
    case = CASES[name]
    metric, results = run(case)
    config = metric.get_config()
    for key, value in case["config"].items():
        if key != "name":
            assert config[key] == value, key
    again = type(metric).from_config(config)
    assert again.get_config() == config
    metric.reset_state()
    for v in metric.variables:
        assert not np.any(np.asarray(v.value))


@pytest.mark.parametrize("string, keras", sorted(REF["metric_strings"].items()))
def test_string_names_resolve_as_keras(string, keras):
    if keras is None:
        with pytest.raises(UnknownNameError, match="Could not interpret metric identifier"):
            metrics.get(string)
        return
    metric = metrics.get(string)
    assert type(metric).__name__ == keras[0]
    assert metric.name == string   # kteach logs the name as written


def test_compile_and_fit_with_string_metrics():
    rng = np.random.default_rng(0)
    x = rng.normal(size=(32, 3)).astype("float32")
    y = (x[:, :1] > 0).astype("float32")
    model = kteach.Sequential([kteach.Input((3,)), kteach.layers.Dense(1, activation="sigmoid")])
    model.compile(optimizer="adam", loss="binary_crossentropy",
                  metrics=["auc", "precision", "recall", "true_positives",
                           metrics.F1Score(average="micro", threshold=0.5)])
    history = model.fit(x, y, batch_size=8, epochs=2, verbose=0)
    for key in ("auc", "precision", "recall", "true_positives", "f1_score"):
        assert len(history.history[key]) == 2 and np.isfinite(history.history[key][-1])


def test_mean_iou_is_not_a_string_name_as_in_keras():
    with pytest.raises(UnknownNameError):
        metrics.get("mean_io_u")
    assert metrics.get(metrics.MeanIoU(num_classes=2)).num_classes == 2


def test_bad_arguments_say_why():
    with pytest.raises(ValueError, match="Threshold values must be in"):
        metrics.Precision(thresholds=1.5)
    with pytest.raises(ValueError, match="average"):
        metrics.F1Score(average="mean")
    with pytest.raises(ValueError, match="curve"):
        metrics.AUC(curve="XY")
    with pytest.raises(ValueError, match="2D inputs"):
        metrics.F1Score().update_state(np.ones(3), np.ones(3))


@pytest.mark.parametrize("metric, words", [
    (lambda: metrics.F1Score(), "F1Score(average='macro')"),
    (lambda: metrics.Precision(thresholds=[0.2, 0.5]), "one Precision(thresholds=t) per"),
    (lambda: metrics.R2Score(class_aggregation=None), "class_aggregation='uniform_average'"),
])
def test_a_per_class_metric_in_fit_says_what_to_write(metric, words):
    model = kteach.Sequential([kteach.Input((3,)), kteach.layers.Dense(2, activation="softmax")])
    model.compile(optimizer="sgd", loss="categorical_crossentropy", metrics=[metric()])
    with pytest.raises(metrics.MetricResultError, match="the logs need one number") as info:
        model.fit(np.ones((4, 3)), np.eye(2)[[0, 1, 0, 1]], verbose=0)
    assert words in str(info.value)


def test_mean_iou_spelt_as_in_the_issue_gets_did_you_mean():
    with pytest.raises(AttributeError, match="Did you mean 'MeanIoU'"):
        metrics.MeanIOU  # noqa: B018


@pytest.mark.parametrize("metric", [metrics.F1Score(), metrics.FBetaScore(beta=2.0),
                                    metrics.R2Score()])
def test_f_scores_and_r2_need_two_dimensional_arrays_as_in_keras(metric):
    name = type(metric).__name__
    with pytest.raises(ValueError, match=re.escape(
            f"{name} expects 2D inputs with shape (batch_size, output_dim). Received input "
            f"shapes: y_pred.shape=(3, 2, 2) and y_true.shape=(3, 2, 2).")):
        metric.update_state(np.zeros((3, 2, 2)), np.zeros((3, 2, 2)))
