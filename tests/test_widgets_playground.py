"""Playground driven without a browser: controls, Play / Pause / Step / Reset, state, code."""
import asyncio
import json

import numpy as np
import pytest

from kteach.widgets import Playground
from kteach.widgets.codegen import describe_layer


def same(a, b):
    return len(a) == len(b) and all(np.array_equal(u, v) for u, v in zip(a, b))


def shape_of(pg):
    return [(d["units"], d["activation"]) for d in map(describe_layer, pg.model.layers)]


@pytest.fixture
def pg():
    return Playground(n_samples=100, resolution=12)


def test_the_default_is_tensorflow_playgrounds(pg):
    assert shape_of(pg) == [(4, "tanh"), (2, "tanh"), (1, "sigmoid")]
    assert pg.model.input_shape == (None, 2)
    assert (len(pg.data["x_train"]), len(pg.data["x_test"])) == (50, 50)
    opt = pg.model.optimizer
    assert (type(opt).__name__, opt.learning_rate, opt.momentum) == ("SGD", 0.03, 0.0)
    assert pg.epoch == 0 and len(pg.history["train_loss"]) == 1
    assert pg.controls["dataset"].value == "circle" and pg.feature_buttons["x1"].value
    assert not pg.feature_buttons["x1^2"].value


def test_step_trains_one_epoch_of_fit_and_the_code_gives_the_same_numbers(pg):
    pg.step_button.click()
    pg.step(2)
    assert pg.epoch == 3 and len(pg.history["test_loss"]) == 4
    scope = dict(pg.data)                              # x_train, y_train, x_test, y_test
    exec(pg.code().replace("print(", "result = ("), scope)
    assert same(scope["model"].get_weights(), pg.model.get_weights())
    assert scope["result"][0] == pytest.approx(pg.history["test_loss"][-1], rel=1e-6)
    assert "epochs=3" in pg.code() and "keras.optimizers.SGD(learning_rate=0.03)" in pg.code()


def test_the_surface_and_the_network_are_redrawn_after_a_step(pg):
    pg.draw()
    png = pg.plot.value
    surface_axes = pg.figure.axes[1]
    before = surface_axes.get_images()[0].get_array().copy()
    assert before.shape == (12, 12, 3)
    pg.step()
    assert pg.plot.value == png and pg.redraw.out_of_date   # no event loop: drawn on demand
    pg.draw()
    after = pg.figure.axes[1].get_images()[0].get_array()
    assert pg.plot.value != png and not np.allclose(before, after)
    grid = pg.predict_grid()
    assert grid.shape == (12, 12, 2) and np.allclose(grid.sum(axis=-1), 1.0)
    # one small picture per neuron: 2 inputs + 4 + 2 + 1
    assert len(pg.figure.axes[0].get_images()) == 9
    assert "epoch 1  train loss" in pg.loss_label.value


def test_every_weight_and_bias_is_shown(pg):
    text = pg.weights_table()
    W, b = pg.model.layers[0].get_weights()
    assert text.splitlines()[0] == "layer 1 (dense): W 2×4, b 4"
    assert text.splitlines()[2].split() == ["x1"] + [f"{v:.4f}" for v in W[0]]
    out_W, out_b = pg.model.layers[2].get_weights()
    assert text.splitlines()[-1].split() == ["bias", f"{out_b[0]:.4f}"]
    assert f"{W[1, 3]:.3f}" in pg.weights_html.value


def test_architecture_controls_rebuild_the_model(pg):
    pg.add_layer_button.click()
    assert shape_of(pg) == [(4, "tanh"), (2, "tanh"), (4, "tanh"), (1, "sigmoid")]
    pg.layer_controls(1)["plus"].click()
    pg.layer_controls(0)["minus"].click()
    pg.layer_controls(2)["activation"].value = "relu"
    assert shape_of(pg) == [(3, "tanh"), (3, "tanh"), (4, "relu"), (1, "sigmoid")]
    pg.activation_all.value = "sigmoid"
    assert [a for _, a in shape_of(pg)] == ["sigmoid"] * 3 + ["sigmoid"]
    pg.remove_layer_button.click()
    pg.feature_buttons["x1^2"].value = True
    pg.feature_buttons["x2^2"].value = True
    assert pg.model.input_shape == (None, 4)
    assert pg.settings["features"] == ["x1", "x2", "x1^2", "x2^2"]
    for name in ("x1", "x2", "x1^2"):
        pg.feature_buttons[name].value = False
    pg.feature_buttons["x2^2"].value = False     # the last feature cannot be switched off
    assert pg.settings["features"] == ["x2^2"] and pg.feature_buttons["x2^2"].value


def test_live_settings_keep_the_run_and_others_restart_it(pg):
    pg.step(2)
    pg.controls["learning_rate"].value = 0.1
    pg.controls["batch_size"].value = 5
    assert pg.epoch == 2 and pg.model.optimizer.learning_rate == 0.1
    assert pg.state["changes"] == [[2, {"learning_rate": 0.1, "batch_size": 5}]]
    pg.controls["noise"].value = 0.2
    assert pg.epoch == 0 and pg.state["changes"] == [] and pg.state["noise"] == 0.2
    assert pg.state["learning_rate"] == 0.1


def test_the_state_makes_the_same_run_again(pg):
    pg.set(optimizer="adam", regularization="l2", regularization_rate=0.01, features=["x1", "x2", "x1*x2"])
    pg.step(2)
    pg.set(learning_rate=0.1)
    pg.step()
    pg.set(regularization="l1")
    pg.step()
    state = json.loads(json.dumps(pg.state))          # it survives JSON
    again = Playground.from_state(state, resolution=8)
    assert again.epoch == 4 and again.state == pg.state
    assert again.controls["learning_rate"].value == 0.1 and again.controls["regularization"].value == "l1"
    assert same(again.model.get_weights(), pg.model.get_weights())
    assert again.history == pg.history


def test_more_than_two_classes_and_regression():
    pg = Playground(dataset="spiral", n_classes=3, n_samples=60, resolution=8)
    assert shape_of(pg)[-1] == (3, "softmax")
    pg.step()
    assert pg.predict_grid().shape == (8, 8, 3) and "train_accuracy" in pg.history
    pg.controls["problem"].value = "regression"
    assert pg.settings["dataset"] == "plane" and shape_of(pg)[-1] == (1, "linear")
    assert pg.controls["n_classes"].disabled and pg.loss_and_metrics() == ("mse", [])
    pg.controls["dataset"].value = "multi_gauss"
    pg.step()
    assert pg.predict_grid().shape == (8, 8) and "train_accuracy" not in pg.history


def test_your_own_points():
    rng = np.random.default_rng(0)
    x = rng.uniform(-1, 1, size=(40, 2))
    y = (x[:, 0] > 0).astype(int) + (x[:, 1] > 0)    # classes 0, 1, 2
    pg = Playground(x, y, train_ratio=0.75, resolution=8)
    assert pg.settings["dataset"] == "custom" and pg.settings["n_classes"] == 3
    assert pg.controls["dataset"].options == ("custom",) and pg.regenerate_button.disabled
    assert len(pg.data["x_train"]) == 30 and pg.extent[0] < x[:, 0].min()
    pg.step(2)
    again = Playground.from_state(pg.state, resolution=8)
    assert same(again.model.get_weights(), pg.model.get_weights())
    with pytest.raises(ValueError, match=r"x must have shape \(n, 2\), but it has shape \(40, 3\)"):
        Playground(np.zeros((40, 3)), y)
    with pytest.raises(ValueError, match=r"labels 0, 1, ... up to 7 .* values from 0 to 9\. "
                                         r"For numbers to predict, pass problem='regression'"):
        Playground(x, np.arange(40) % 10, problem="classification")
    heights = Playground(x, np.arange(40) % 10, problem="regression", resolution=8)
    assert heights.loss_and_metrics() == ("mse", []) and heights.data["y_train"].dtype == np.float32
    assert Playground(x, x[:, 0] * 0.5, resolution=8).settings["problem"] == "regression"


def test_play_and_pause_buttons_with_the_work_cranked_by_hand(pg):
    pg.play_button.click()
    assert pg.running and pg.play_button.disabled and not pg.pause_button.disabled
    pg.job.run_chunks(3)
    pg.pause_button.click()
    assert (pg.epoch, pg.running, pg.play_button.disabled) == (3, False, False)
    pg.reset_button.click()
    assert pg.epoch == 0 and pg.history["train_loss"] == pg.history["train_loss"][:1]
    with pytest.raises(RuntimeError, match=r"no event loop is running here .* pg.play\(epochs=50\)"):
        pg.play()
    pg.play(epochs=2)
    assert pg.epoch == 2


def test_l1_regularisation_makes_weights_exactly_zero():
    pg = Playground(n_samples=60, resolution=8, regularization="l1", regularization_rate=0.3,
                    learning_rate=0.3)
    pg.step(3)
    kernel = pg.model.layers[0].get_weights()[0]
    assert (kernel == 0).sum() >= 4
    assert "penalty" in pg.loss_text()
    assert "kernel_regularizer=keras.regularizers.L1(0.3)" in pg.code()


def test_a_diverging_run_stops_with_a_message():
    pg = Playground(problem="regression", n_samples=60, resolution=8, learning_rate=10.0,
                    activation="linear")
    pg.step(5)
    assert pg.message.startswith("Diverged. The loss became ") and \
        f"in epoch {pg.epoch + 1}: " in pg.message and pg.message.endswith("Then press Reset.")
    assert pg.epoch < 5 and "Diverged" in pg.loss_label.value


def test_in_a_notebook_a_burst_of_changes_is_drawn_once():
    pg = Playground(n_samples=60, resolution=8)
    drawn = pg.redraw.count

    async def cell():
        pg.step()
        pg.controls["learning_rate"].value = 0.1
        pg.controls["batch_size"].value = 20
        assert pg.redraw.count == drawn              # nothing drawn during the cell
        await asyncio.sleep(0)                        # the cell is over: the loop draws
        return pg.redraw.count

    assert asyncio.run(cell()) == drawn + 1 and not pg.redraw.out_of_date


def test_a_playground_nobody_has_seen_is_not_drawn_until_it_is_shown():
    async def cell():
        pg = Playground(n_samples=60, resolution=8)
        pg.step()
        await asyncio.sleep(0)
        not_shown = (pg.redraw.count, pg.redraw.out_of_date)
        bundle = pg._repr_mimebundle_()              # what display(pg) calls
        shown = pg.redraw.count
        pg.step()
        await asyncio.sleep(0)
        return not_shown, bundle, shown, pg.redraw.count

    not_shown, bundle, shown, later = asyncio.run(cell())
    assert not_shown == (0, True) and (shown, later) == (1, 2)
    assert bundle["text/plain"] == "<Playground circle classification: hidden [4, 2], epoch 1>"
    assert "application/vnd.jupyter.widget-view+json" in bundle


def test_playing_in_the_background_and_pausing_mid_run():
    pg = Playground(n_samples=60, resolution=8)

    async def notebook():
        pg.play_button.click()
        while pg.epoch < 3:
            await asyncio.sleep(0)
        pg.pause_button.click()
        await pg.job.task
        await asyncio.sleep(0)

    asyncio.run(notebook())
    assert pg.job.status == "stopped" and 3 <= pg.epoch <= 4
    assert pg.redraw.count >= 2 and not pg.redraw.out_of_date   # drawn while playing and after
    assert f"epoch <b>{pg.epoch}</b>" == pg.epoch_label.value


def test_regenerate_draws_new_points_and_closing_stops_play(pg):
    old = pg.data["x_train"].copy()
    pg.regenerate_button.click()
    assert pg.settings["seed"] == 1 and not np.array_equal(old, pg.data["x_train"])
    pg.play_button.click()
    pg.job.run_chunks(1)
    pg.close()
    assert pg.job.status == "stopped" and pg.epoch == 1
    with pytest.raises(TypeError, match="unexpected keyword argument 'layers'"):
        Playground(layers=[3])


# ----- what the panel looks like: menus, buttons, pictures ----------------------------------------

def test_the_regularization_menu_always_shows_a_choice(pg):
    """A menu whose value is None has nothing chosen, and a browser shows it blank."""
    menu = pg.controls["regularization"]
    assert (menu.index, menu.label, pg.settings["regularization"]) == (0, "None", None)
    menu.value = "l2"                                # chosen in the menu
    assert pg.settings["regularization"] == "l2" and menu.label == "L2"
    pg.set(regularization=None)                      # and from code
    assert (menu.index, menu.label, pg.settings["regularization"]) == (0, "None", None)
    pg.set(regularization="L1")
    assert menu.label == "L1"
    menu.value = "none"
    assert pg.settings["regularization"] is None and "regularizer" not in pg.code()
    again = Playground(n_samples=60, resolution=8, regularization="l2")
    assert again.controls["regularization"].label == "L2"
    for control in list(pg.controls.values()) + [pg.activation_all]:
        if hasattr(control, "index"):                # every menu and toggle has a choice
            assert control.index is not None, control.description


BUTTON_PADDING = 10     # px, each side: ipywidgets' stylesheet for .jupyter-button


def _content_width(button) -> int:
    """The pixels a button has for its label: its width less the padding on both sides."""
    layout = button.layout
    padding = int(layout.padding.split()[-1].rstrip("px")) if layout.padding else BUTTON_PADDING
    return int(layout.width.rstrip("px")) - 2 * padding


def test_the_neuron_buttons_have_room_for_their_labels(pg):
    """30 px less 2 x 10 px of padding left 10 px for "+" and "−": the browser cut them
    to "−..". tests/test_browser.py checks the same in Chromium."""
    for i in range(len(pg.settings["hidden"])):
        controls = pg.layer_controls(i)
        for name, label in (("minus", "−"), ("plus", "+")):
            button = controls[name]
            assert button.description == label
            assert _content_width(button) >= 24, (name, button.layout)
    assert _content_width(pg.add_layer_button) >= 50


def test_the_picture_is_drawn_at_the_size_it_is_shown(pg):
    from kteach.widgets import figures
    pg.draw()
    width, height = figures.shown_size(pg.figure)
    assert (width, height) == (900, 420)
    assert (pg.plot.layout.width, pg.plot.layout.max_width, pg.plot.layout.height) == \
        (f"{width}px", "100%", "auto")
    assert figures.png_size(pg.plot.value) == (2 * width, 2 * height)


def test_the_loss_chart_starts_at_epoch_0_on_a_whole_epoch_axis(pg):
    """Before training there is one loss per part, at epoch 0: it is drawn at the left end
    of an axis of 10 whole epochs from a loss of 0, not as a lone dot in the middle of an
    axis from -0.04 to 0.04."""
    pg.draw()
    loss_axes = pg.figure.axes[2]
    assert loss_axes.get_ylabel() == "loss"
    assert loss_axes.get_xlim() == (0, 10) and loss_axes.get_ylim()[0] == 0
    first = max(pg.history["train_loss"][0], pg.history["test_loss"][0])
    assert loss_axes.get_ylim()[1] > 1.1 * first              # room above the first point
    train, test = loss_axes.get_lines()[:2]
    assert list(train.get_xdata()) == [0] and train.get_ydata()[0] == pg.history["train_loss"][0]
    assert list(test.get_xdata()) == [0] and test.get_ydata()[0] == pg.history["test_loss"][0]
    assert all(float(t).is_integer() for t in loss_axes.get_xticks())
    assert "before training" in " ".join(t.get_text() for t in loss_axes.texts)
    pg.step(12)
    pg.draw()
    loss_axes = pg.figure.axes[2]
    assert loss_axes.get_xlim() == (0, 12) and not loss_axes.texts
    assert list(loss_axes.get_lines()[0].get_xdata()) == list(range(13))
