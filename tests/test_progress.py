"""Progress output of fit / evaluate / predict, in Keras 3's format (keras-facts.md section 10).

Most tests replace the module's clock by a fake one, so the timings are exact; the tests that
run a real ``fit`` match the timing parts with a regular expression instead. pytest's capsys
is not a terminal, so output is plain unless a test pretends that stdout is a terminal.
"""
import re
import sys

import numpy as np
import pytest

from kteach import Input, Sequential, layers
from kteach.training import progress
from kteach.training.progress import (Progbar, ProgbarLogger, format_eta,
                                      format_time_per_step, format_value)

BAR = "━" * 20
TIMING = r"\d+s \d+(s|ms|us)/step"  # the verbose=1 timing part, "0s 13ms/step"


class FakeClock:
    """Returns the given times one call after another."""

    def __init__(self, *times: float):
        self.times = list(times)

    def __call__(self) -> float:
        return self.times.pop(0)


def use_clock(monkeypatch, *times: float) -> None:
    monkeypatch.setattr(progress, "_clock", FakeClock(*times))


def pretend_terminal(monkeypatch) -> None:
    monkeypatch.setattr(sys.stdout, "isatty", lambda: True)


# ----- formatting rules --------------------------------------------------------------------------------
def test_value_format_switches_to_e_notation_at_1e_3():
    assert format_value(0.68054) == "0.6805"
    assert format_value(0.0011) == "0.0011"
    assert format_value(0.001) == "1.0000e-03"      # |v| > 1e-3 is needed for %.4f
    assert format_value(5.2e-4) == "5.2000e-04"
    assert format_value(0.0) == "0.0000e+00"
    assert format_value(-0.49) == "-0.4900"
    assert format_value(12345.678) == "12345.6780"
    assert format_value(np.float32(0.5)) == "0.5000"
    # verbose=2 in Keras 3.15.1 compares the signed value: "loss: -4.9000e-01".
    assert format_value(-0.49, signed_threshold=True) == "-4.9000e-01"


def test_time_per_step_units():
    assert format_time_per_step(0.013) == " 13ms/step"
    assert format_time_per_step(0.000492) == " 492us/step"
    assert format_time_per_step(2.4) == " 2s/step"
    assert format_time_per_step(0.0) == " 0s/step"
    assert format_time_per_step(0.0015, "sample") == " 2ms/sample"


def test_eta_formats():
    assert format_eta(42.7) == "42s"
    assert format_eta(65.2) == "1:05"
    assert format_eta(3723.0) == "1:02:03"


# ----- Progbar, not a terminal --------------------------------------------------------------------------
def test_only_the_final_line_is_printed_without_a_terminal(monkeypatch, capsys):
    # start 0; steps end at 0.5 (first step, slow), 0.513, 0.526; final update at 0.526.
    use_clock(monkeypatch, 0.0, 0.5, 0.513, 0.526, 0.526)
    bar = Progbar(3)
    bar.update(1, {"loss": 0.9, "accuracy": 0.4})
    bar.update(2, {"loss": 0.8, "accuracy": 0.45})
    bar.update(3, {"loss": 0.7, "accuracy": 0.5})
    assert capsys.readouterr().out == ""
    bar.update(3, {"loss": 0.68054, "accuracy": 0.4875, "val_loss": 0.6741,
                   "val_accuracy": 0.5}, finalize=True)
    # time per step leaves out the first step: (0.526 - 0.5) / 2 = 13 ms; elapsed 0.526 -> 1s.
    assert capsys.readouterr().out == (
        f"3/3 {BAR} 1s 13ms/step - accuracy: 0.4875 - loss: 0.6805 - val_accuracy: 0.5000 "
        f"- val_loss: 0.6741\n")


def test_keys_are_alphabetical_then_val_keys(monkeypatch, capsys):
    use_clock(monkeypatch, 0.0, 0.001)
    bar = Progbar(1)
    bar.update(1, {"val_loss": 1.0, "mae": 2.0, "loss": 3.0, "val_mae": 4.0, "age_loss": 5.0},
               finalize=True)
    out = capsys.readouterr().out
    keys = re.findall(r" - (\w+):", out)
    assert keys == ["age_loss", "loss", "mae", "val_loss", "val_mae"]


def test_counter_width_and_a_bar_that_never_saw_step_1(monkeypatch, capsys):
    pretend_terminal(monkeypatch)
    use_clock(monkeypatch, 0.0, 0.25, 0.0, 2.0)
    bar = Progbar(10)
    bar.update(3)  # the count is padded to the width of the target: " 3/10"
    assert capsys.readouterr().out.startswith("\r\x1b[1m 3/10\x1b[0m \x1b[32m━━━━━━\x1b[0m")
    monkeypatch.setattr(sys.stdout, "isatty", lambda: False)
    bar = Progbar(10)
    bar.update(10, [("loss", 5.2e-4)], finalize=True)  # a list of pairs works too
    # Step 1 was never reported, so the time is averaged over all 10 steps: 2 s / 10.
    assert capsys.readouterr().out == f"10/10 {BAR} 2s 200ms/step - loss: 5.2000e-04\n"


def test_verbose_2_prints_one_line_at_the_end(monkeypatch, capsys):
    use_clock(monkeypatch, 0.0, 0.5, 0.513, 0.526)
    bar = Progbar(3, verbose=2)
    bar.update(1, {"loss": 0.9})
    bar.update(2, {"loss": 0.8})
    assert capsys.readouterr().out == ""
    bar.update(3, {"loss": -0.49, "accuracy": 0.4875}, finalize=True)
    assert capsys.readouterr().out == "3/3 - 1s - 13ms/step - accuracy: 0.4875 - loss: -4.9000e-01\n"


def test_verbose_0_prints_nothing(monkeypatch, capsys):
    pretend_terminal(monkeypatch)
    bar = Progbar(2, verbose=0)
    bar.update(1, {"loss": 1.0})
    bar.update(2, {"loss": 1.0}, finalize=True)
    assert capsys.readouterr().out == ""


# ----- Progbar on a terminal ----------------------------------------------------------------------------
def styled(counter: str, done: int, clock: str) -> str:
    green = f"\x1b[32m{'━' * done}\x1b[0m" if done else ""
    return (f"\x1b[1m{counter}\x1b[0m {green}\x1b[37m{'━' * (20 - done)}\x1b[0m "
            f"\x1b[1m{clock}\x1b[0m")


def test_terminal_redraws_in_place_with_colours(monkeypatch, capsys):
    pretend_terminal(monkeypatch)
    use_clock(monkeypatch, 0.0, 2.0, 3.0, 4.0, 4.0)
    bar = Progbar(3)
    bar.update(1, {"loss": 0.123456})
    first = capsys.readouterr().out
    # 1 of 3 done: int(20/3) = 6 green; 2 s per step so far, 2 steps left -> 4s to go.
    assert first == "\r" + styled("1/3", 6, "4s") + " 2s/step - loss: 0.1235"
    bar.update(2, {"loss": 0.5})
    # (3.0 - 2.0) / 1 = 1 s per step after the first; 1 step left.
    assert capsys.readouterr().out == "\r" + styled("2/3", 13, "1s") + " 1s/step - loss: 0.5000"
    bar.update(3, {})
    bar.update(3, {"val_loss": 0.25}, finalize=True)
    out = capsys.readouterr().out
    assert out.endswith("\r" + styled("3/3", 20, "4s")
                        + " 1s/step - loss: 0.5000 - val_loss: 0.2500\n")


def test_terminal_pads_a_shorter_line_with_spaces(monkeypatch, capsys):
    pretend_terminal(monkeypatch)
    use_clock(monkeypatch, 0.0, 0.5, 1.0)
    bar = Progbar(2)
    bar.update(1, {"a_long_metric_name": 1.0})
    capsys.readouterr()
    bar._values.clear()  # the next line is shorter than the one on screen
    bar.update(2, finalize=True)
    out = capsys.readouterr().out
    plain_before = len(f"1/2 {BAR} 0s 500ms/step - a_long_metric_name: 1.0000")
    plain_now = len(f"2/2 {BAR} 1s 500ms/step")
    assert out == "\r" + styled("2/2", 20, "1s") + " 500ms/step" + " " * (plain_before - plain_now) + "\n"


# ----- ProgbarLogger, as fit drives it --------------------------------------------------------------------
def run_logger(params: dict, epochs_logs: list[list[dict]], final_logs: list[dict]) -> None:
    logger = ProgbarLogger()
    logger.set_params(params)
    for epoch, (batches, final) in enumerate(zip(epochs_logs, final_logs)):
        logger.on_epoch_begin(epoch)
        for i, logs in enumerate(batches):
            logger.on_train_batch_end(i, logs)
        logger.on_epoch_end(epoch, final)


def test_logger_epoch_lines_only_with_several_epochs(monkeypatch, capsys):
    use_clock(monkeypatch, *[0.0, 0.01, 0.02, 0.03] * 2)
    batches = [{"loss": 1.0}, {"loss": 0.5}]
    run_logger({"verbose": 1, "epochs": 2, "steps": 2}, [batches, batches],
               [{"loss": 0.5, "val_loss": 0.75}] * 2)
    line = f"2/2 {BAR} 0s 20ms/step - loss: 0.5000 - val_loss: 0.7500"
    assert capsys.readouterr().out == f"Epoch 1/2\n{line}\nEpoch 2/2\n{line}\n"
    use_clock(monkeypatch, 0.0, 0.01, 0.02, 0.03)
    run_logger({"verbose": 1, "epochs": 1, "steps": 2}, [batches], [{"loss": 0.5}])
    assert capsys.readouterr().out == f"2/2 {BAR} 0s 20ms/step - loss: 0.5000\n"


def test_logger_verbose_2_times_all_steps(monkeypatch, capsys):
    use_clock(monkeypatch, 0.0, 0.03)
    run_logger({"verbose": 2, "epochs": 3, "steps": 3},
               [[{"loss": 1.0}] * 3], [{"accuracy": 0.5, "loss": 0.25}])
    # Keras' logger does not tell a verbose=2 bar about single steps: 0.03 s / 3 steps.
    assert capsys.readouterr().out == "Epoch 1/3\n3/3 - 0s - 10ms/step - accuracy: 0.5000 - loss: 0.2500\n"


# ----- real fit / evaluate / predict -----------------------------------------------------------------------
@pytest.fixture
def model_and_data():
    rng = np.random.default_rng(0)
    x = rng.normal(size=(100, 3)).astype("float32")
    y = (rng.random((100, 1)) > 0.5).astype("float32")
    model = Sequential([Input(shape=(3,)), layers.Dense(1, activation="sigmoid")])
    model.compile(optimizer="adam", loss="binary_crossentropy", metrics=["accuracy"])
    return model, x, y


NUM = r"\d\.\d{4}"


def test_fit_prints_keras_lines(model_and_data, capsys):
    model, x, y = model_and_data
    model.fit(x, y, epochs=2, batch_size=32, validation_split=0.2)
    lines = capsys.readouterr().out.split("\n")
    train = rf"3/3 {BAR} {TIMING} - accuracy: {NUM} - loss: {NUM} - val_accuracy: {NUM} - val_loss: {NUM}"
    assert lines[0] == "Epoch 1/2" and lines[2] == "Epoch 2/2" and lines[4] == ""
    assert re.fullmatch(train, lines[1]) and re.fullmatch(train, lines[3])
    assert len(lines) == 5


def test_fit_one_epoch_has_no_epoch_line(model_and_data, capsys):
    model, x, y = model_and_data
    model.fit(x, y, epochs=1, batch_size=32)
    out = capsys.readouterr().out
    assert re.fullmatch(rf"4/4 {BAR} {TIMING} - accuracy: {NUM} - loss: {NUM}\n", out)
    assert "\x1b" not in out and "\r" not in out


def test_fit_verbose_2(model_and_data, capsys):
    model, x, y = model_and_data
    model.fit(x, y, epochs=2, batch_size=50, verbose=2)
    out = capsys.readouterr().out
    line = rf"2/2 - \d+s - \d+(s|ms|us)/step - accuracy: {NUM} - loss: {NUM}"
    assert re.fullmatch(rf"Epoch 1/2\n{line}\nEpoch 2/2\n{line}\n", out)


def test_fit_values_are_the_history_values(model_and_data, capsys):
    model, x, y = model_and_data
    history = model.fit(x, y, epochs=1, batch_size=32, validation_split=0.2)
    out = capsys.readouterr().out
    for key, values in history.history.items():
        assert f" - {key}: {values[0]:.4f}" in out


def test_evaluate_and_predict_lines(model_and_data, capsys):
    model, x, y = model_and_data
    model.evaluate(x, y)
    assert re.fullmatch(rf"4/4 {BAR} {TIMING} - accuracy: {NUM} - loss: {NUM}\n",
                        capsys.readouterr().out)
    model.predict(x)
    assert re.fullmatch(rf"4/4 {BAR} {TIMING}\n", capsys.readouterr().out)
    model.predict(x, verbose=2)
    assert re.fullmatch(r"4/4 - \d+s - \d+(s|ms|us)/step\n", capsys.readouterr().out)
    model.predict(x, verbose=0)
    assert capsys.readouterr().out == ""


def test_fit_on_a_terminal_redraws_every_step(model_and_data, monkeypatch, capsys):
    pretend_terminal(monkeypatch)
    model, x, y = model_and_data
    model.fit(x, y, epochs=1, batch_size=25)
    out = capsys.readouterr().out
    draws = out.split("\r")[1:]
    assert len(draws) == 5  # four steps, then the final line with the epoch's values
    assert [d[:len("\x1b[1m1/4\x1b[0m")] for d in draws] == [
        f"\x1b[1m{i}/4\x1b[0m" for i in (1, 2, 3, 4, 4)]
    assert draws[0].startswith("\x1b[1m1/4\x1b[0m \x1b[32m" + "━" * 5 + "\x1b[0m\x1b[37m"
                               + "━" * 15 + "\x1b[0m \x1b[1m")
    assert out.endswith("\n") and out.count("\n") == 1
