"""kteach.callbacks.LivePlot: live curves during an ordinary fit."""
import numpy as np
import pytest

import kteach
from kteach import layers


def trained_with(plot, epochs=4, **fit):
    rng = np.random.default_rng(0)
    x = rng.normal(size=(40, 2)).astype("float32")
    y = (x[:, 0] > 0).astype("float32")
    model = kteach.Sequential([kteach.Input((2,)), layers.Dense(1, activation="sigmoid")])
    model.compile(optimizer="adam", loss="binary_crossentropy", metrics=["accuracy"])
    return model.fit(x, y, epochs=epochs, batch_size=8, verbose=0, callbacks=[plot], **fit)


def test_liveplot_draws_every_logged_number_per_epoch():
    plot = kteach.callbacks.LivePlot(min_interval=0.0)
    history = trained_with(plot, validation_split=0.25)
    assert plot.history == history.history
    assert plot.panels() == ["loss", "accuracy"]
    assert plot.redraws == 4 + 1                      # every epoch, and once at the end
    loss_axes, accuracy_axes = plot.figure.axes
    train, val = loss_axes.get_lines()
    assert np.allclose(train.get_ydata(), history.history["loss"])
    assert np.allclose(val.get_ydata(), history.history["val_loss"])
    assert val.get_linestyle() == "--" and list(train.get_xdata()) == [1, 2, 3, 4]
    assert accuracy_axes.get_ylabel() == "accuracy"


def test_liveplot_draws_less_often_when_asked_and_only_chosen_panels():
    plot = kteach.callbacks.LivePlot(metrics=["loss"], min_interval=3600.0)
    trained_with(plot, epochs=5)
    assert plot.redraws == 2                          # the first epoch, then the end
    assert len(plot.figure.axes) == 1
    bad = kteach.callbacks.LivePlot(metrics=["acc"])
    with pytest.raises(ValueError, match=r"LivePlot is watching 'acc', which fit will not log: "
                                         r"it logs \['loss', 'accuracy'\].*Nothing was trained"):
        trained_with(bad, epochs=1)       # refused before the first batch


def test_liveplot_is_the_widgets_class_and_starts_afresh_in_each_fit():
    from kteach.widgets import LivePlot
    assert kteach.callbacks.LivePlot is LivePlot
    plot = LivePlot(min_interval=0.0)
    trained_with(plot, epochs=2)
    trained_with(plot, epochs=3)
    assert len(plot.history["loss"]) == 3


def test_liveplot_shows_its_png_at_the_size_it_is_drawn(monkeypatch):
    from kteach.widgets import figures, liveplot
    shown = []
    monkeypatch.setattr(liveplot, "_in_kernel", lambda: True)
    monkeypatch.setattr(liveplot.LivePlot, "_show", lambda self, image: shown.append(image))
    plot = kteach.callbacks.LivePlot(min_interval=0.0, width=3.5, height=2.5)
    trained_with(plot, epochs=1)
    image = shown[-1]
    assert figures.shown_size(plot.figure) == (2 * 336, 240)       # two panels of 3.5 x 2.5 in
    assert (image.width, image.height) == (672, 240)
    assert figures.png_size(image.data) == (2 * 672, 2 * 240)
