"""OptimizerLab driven without a browser: settings, Train / Stop / Reset, runs, curves."""
import asyncio

import numpy as np
import pytest

import kteach
from kteach import layers
from kteach.widgets import ModelBuilder, OptimizerLab
from kteach.widgets.lab import guess_loss


def blobs(n=64):
    """Two classes of points: label 1 where x1 + x2 > 0."""
    rng = np.random.default_rng(1)
    x = rng.normal(size=(n, 2)).astype("float32")
    return x, (x.sum(axis=1) > 0).astype("float32")


def small_model(seed=0):
    kteach.utils.set_random_seed(seed)
    return kteach.Sequential([kteach.Input((2,)), layers.Dense(4, activation="tanh"),
                              layers.Dense(1, activation="sigmoid")])


def same(a, b):
    return all(np.array_equal(u, v) for u, v in zip(a, b))


def test_a_run_gives_the_numbers_of_a_plain_fit_with_the_same_seed():
    x, y = blobs()
    model = small_model()
    start = model.get_weights()
    lab = OptimizerLab(model, x, y, validation_split=0.25, seed=3)
    run = lab.train(optimizer="adam", learning_rate=0.05, batch_size=8, epochs=4, wait=True)
    assert run.status == "done" and run.epochs_done == 4

    twin = small_model()
    twin.set_weights(start)
    twin.compile(optimizer=kteach.optimizers.Adam(learning_rate=0.05),
                 loss="binary_crossentropy", metrics=["accuracy"])
    kteach.utils.set_random_seed(3)
    history = twin.fit(x, y, batch_size=8, epochs=4, validation_split=0.25, verbose=0)
    assert run.history == history.history
    assert same(lab.model.get_weights(), twin.get_weights())
    assert "keras.optimizers.Adam(learning_rate=0.05)" in lab.code()
    assert "model.fit(x, y, batch_size=8, epochs=4, validation_split=0.25, verbose=0)" in lab.code()


def test_every_run_starts_from_the_same_weights_and_the_table_lists_them():
    x, y = blobs()
    lab = OptimizerLab(small_model(), x, y, validation_split=0.25, epochs=3)
    first = lab.train(optimizer="sgd", learning_rate=0.1, wait=True)
    second = lab.train(optimizer="momentum", learning_rate=0.1, momentum=0.5, wait=True)
    third = lab.train(optimizer="sgd", learning_rate=0.1, wait=True)
    assert third.history == first.history != second.history
    table = lab.runs_table().splitlines()
    assert table[0].split() == ["run", "optimizer", "lr", "momentum", "batch", "epochs",
                                "accuracy", "loss", "val_accuracy", "val_loss", "status"]
    assert table[2].split()[:8] == ["2", "SGD", "+", "momentum", "0.1", "0.5", "32", "3"]
    assert table[2].split()[-1] == "done"
    assert table[1].split()[6] == f"{first.final('accuracy'):.4f}"
    assert "<table" in lab.table.value and "SGD + momentum" in lab.table.value


def test_curves_of_earlier_runs_are_faded():
    x, y = blobs()
    lab = OptimizerLab(small_model(), x, y, validation_split=0.25, epochs=3)
    lab.draw()
    png_before = lab.plot.value
    lab.train(optimizer="sgd", learning_rate=0.1, wait=True)
    lab.train(optimizer="adam", learning_rate=0.01, wait=True)
    assert lab.plot.value == png_before and lab.redraw.out_of_date  # no loop: drawn on demand
    lab.draw()
    loss_axes, metric_axes = lab.figure.axes
    lines = loss_axes.get_lines()       # run 1: loss, val_loss; run 2: loss, val_loss
    assert [line.get_alpha() for line in lines] == [0.3, 0.3, 1.0, 1.0]
    assert np.allclose(lines[2].get_ydata(), lab.runs[1].history["loss"])
    assert np.allclose(metric_axes.get_lines()[0].get_ydata(), lab.runs[0].history["accuracy"])
    assert metric_axes.get_ylabel() == "accuracy" and lab.plot.value != png_before


def test_train_and_stop_buttons_with_the_work_cranked_by_hand():
    x, y = blobs()
    lab = OptimizerLab(small_model(), x, y, epochs=10)
    lab.train_button.click()            # no event loop here: the run waits to be cranked
    assert lab.running and lab.train_button.disabled and not lab.stop_button.disabled
    lab.job.run_chunks(3)
    lab.stop_button.click()
    lab.run_until_done()
    run = lab.runs[-1]
    assert (run.status, run.epochs_done) == ("stopped", 3)
    assert not lab.train_button.disabled and lab.stop_button.disabled
    assert "stopped, epoch 3/10" in lab.status.value


def test_train_runs_as_a_task_on_the_event_loop_and_stop_works_mid_run():
    x, y = blobs()
    lab = OptimizerLab(small_model(), x, y, epochs=50)

    async def notebook():
        lab.train_button.click()
        run = lab.runs[-1]
        while run.epochs_done < 2:
            await asyncio.sleep(0)
        lab.stop_button.click()
        await lab.job.task
        await asyncio.sleep(0)
        return run

    run = asyncio.run(notebook())
    assert run.status == "stopped" and 2 <= run.epochs_done < 50
    assert lab.redraw.count >= 1 and lab.plot.value       # curves drawn while it trained


def test_reset_forgets_the_runs_and_restores_the_starting_weights():
    x, y = blobs()
    model = small_model()
    start = model.get_weights()
    lab = OptimizerLab(model, x, y, epochs=2)
    lab.train(wait=True)
    assert not same(model.get_weights(), start)
    lab.reset_button.click()
    assert lab.runs == [] and same(model.get_weights(), start)
    assert lab.runs_table().split() == ["run", "optimizer", "lr", "momentum", "batch", "epochs",
                                        "status"]
    assert "No runs yet" in lab.status.value


def test_a_far_too_large_learning_rate_diverges_and_says_so():
    rng = np.random.default_rng(0)
    x = rng.normal(size=(32, 3)).astype("float32")
    y = x @ np.array([[1.0], [-2.0], [0.5]], dtype="float32")
    kteach.utils.set_random_seed(0)
    model = kteach.Sequential([kteach.Input((3,)), layers.Dense(1)])
    lab = OptimizerLab(model, x, y, validation_split=0.0, epochs=20)
    run = lab.train(optimizer="sgd", learning_rate=10.0, wait=True)
    assert run.status == "diverged"
    assert run.message == (f"The loss became inf in epoch {run.epochs_done}: the steps were "
                           f"so large that the weights blew up. Try a learning rate ten times "
                           f"smaller.")
    assert np.isnan(run.history["loss"][-1]) and run.epochs_done < 20
    assert "diverged" in lab.runs_table().splitlines()[1]
    good = lab.train(learning_rate=0.1, wait=True)
    assert good.status == "done" and good.final("loss") < 0.01


def test_momentum_is_only_offered_to_the_momentum_optimizers():
    x, y = blobs()
    lab = OptimizerLab(small_model(), x, y)
    assert lab.momentum.disabled
    lab.optimizer.value = "nesterov"
    assert not lab.momentum.disabled
    with pytest.raises(ValueError, match="The lab's learning rates go from 1e-05 to 10, not 30"):
        lab.set(learning_rate=30)
    with pytest.raises(TypeError, match="'lr'. `lr` is an old Keras spelling; "
                                        "Keras 3 calls it `learning_rate`"):
        lab.set(lr=0.1)


def test_a_builder_gives_the_lab_its_current_model():
    x, y = blobs()
    builder = ModelBuilder(input_size=2)
    lab = OptimizerLab(builder, x, y, epochs=1)
    lab.train(wait=True)
    assert lab.model.count_params() == 2 * 8 + 8 + 8 + 1
    builder.rows[0].units.value = 3
    lab.train(wait=True)
    assert lab.model.count_params() == 2 * 3 + 3 + 3 + 1


def test_the_loss_is_guessed_from_the_last_activation():
    kteach.utils.set_random_seed(0)
    soft = kteach.Sequential([kteach.Input((2,)), layers.Dense(3, activation="softmax")])
    linear = kteach.Sequential([kteach.Input((2,)), layers.Dense(3)])
    assert guess_loss(small_model(), np.zeros(4)) == ("binary_crossentropy", ["accuracy"])
    assert guess_loss(soft, np.zeros(4)) == ("sparse_categorical_crossentropy", ["accuracy"])
    assert guess_loss(soft, np.zeros((4, 3))) == ("categorical_crossentropy", ["accuracy"])
    assert guess_loss(linear, np.zeros((4, 3))) == ("mse", [])


def test_closing_the_lab_stops_its_run():
    x, y = blobs()
    lab = OptimizerLab(small_model(), x, y, epochs=10)
    lab.train(wait=False)
    lab.job.run_chunks(1)
    lab.close()
    assert lab.runs[-1].status == "stopped" and lab.runs[-1].epochs_done == 1


def test_the_controls_show_the_last_run_from_code_and_train_repeats_it():
    """Lesson 07 trains from code with rates the old log slider could not show (3.0 became
    10**0.5 = 3.162, sent back to the kernel): the menus show every value exactly."""
    x, y = blobs()
    lab = OptimizerLab(small_model(), x, y, validation_split=0.25, epochs=3)
    for learning_rate in (0.1, 3.0, 10.0, 0.1):
        last = lab.train(optimizer="sgd", learning_rate=learning_rate, wait=True)
    assert lab.learning_rate.value == 0.1 and lab.settings() == last.settings
    odd = lab.train(optimizer="nesterov", learning_rate=0.07, momentum=0.85, batch_size=8,
                    epochs=2, wait=True)
    assert (lab.learning_rate.value, lab.momentum.value) == (0.07, 0.85)   # exactly, not snapped
    assert lab.learning_rate.label == "0.07" and lab.momentum.label == "0.85"
    assert lab.settings() == odd.settings

    lab.train_button.click()                 # what a learner does next
    lab.run_until_done()
    again = lab.runs[-1]
    assert again.number == odd.number + 1
    assert again.settings == odd.settings and again.history == odd.history
    assert 0.07 in lab.learning_rate.options and 3.0 in lab.learning_rate.options


def test_the_menus_have_round_values_and_refuse_impossible_ones():
    x, y = blobs()
    lab = OptimizerLab(small_model(), x, y, learning_rate=0.05)
    assert lab.learning_rate.value == 0.05
    assert {1e-5, 0.001, 0.01, 0.1, 1.0, 10.0} <= set(lab.learning_rate.options)
    assert lab.momentum.value == 0.9 and 0.99 in lab.momentum.options
    with pytest.raises(ValueError, match="momentum must be at least 0 and below 1, not 1"):
        lab.set(momentum=1.0)
    assert lab.momentum.value == 0.9


def test_the_curves_are_drawn_at_the_size_they_are_shown():
    from kteach.widgets import figures
    x, y = blobs()
    lab = OptimizerLab(small_model(), x, y, epochs=2)
    lab.train(wait=True)
    lab.draw()
    width, height = figures.shown_size(lab.figure)
    assert (width, height) == (760, 290)
    # shown at the figure's width in CSS pixels, narrower only if the page is (never wider)
    assert (lab.plot.layout.width, lab.plot.layout.max_width, lab.plot.layout.height) == \
        (f"{width}px", "100%", "auto")
    assert figures.png_size(lab.plot.value) == (2 * width, 2 * height)    # sharp at 2x too
    picture = lab.picture()                  # for a lesson's output: same size, same pixels
    assert (picture.width, picture.height) == (width, height)
    assert picture.data == lab.plot.value


def test_the_learning_rate_is_a_log_slider_and_the_legend_is_beside_the_curves():
    import ipywidgets as W
    x, y = blobs()
    lab = OptimizerLab(small_model(), x, y, epochs=2)
    assert isinstance(lab.learning_rate, W.SelectionSlider)
    rates = [r for r in lab.learning_rate.options]
    ratios = [b / a for a, b in zip(rates, rates[1:])]
    assert rates[0] == 1e-5 and rates[-1] == 10.0 and all(2.9 < q < 3.5 for q in ratios)
    lab.train(optimizer="sgd", learning_rate=0.1, wait=True)
    lab.train(optimizer="adam", learning_rate=0.01, wait=True)
    lab.draw()
    legend = lab.figure.legends[0]
    assert [t.get_text() for t in legend.get_texts()] == [r.label() for r in lab.runs]
    assert all(ax.get_legend() is None for ax in lab.figure.axes)
    right_of_panels = max(ax.get_position().x1 for ax in lab.figure.axes)
    box = legend.get_window_extent().transformed(lab.figure.transFigure.inverted())
    assert box.x0 >= right_of_panels                   # outside the axes, not over a curve
