"""Alt text on figures: IPython's picture of a matplotlib Figure carries a sentence saying
what it shows, in the metadata nbconvert and nbviewer read ({"image/png": {"alt": ...}})."""
import pytest

pytest.importorskip("IPython")
pytest.importorskip("matplotlib")

from IPython.core.formatters import DisplayFormatter  # noqa: E402
from IPython.core.pylabtools import print_figure  # noqa: E402
from matplotlib.figure import Figure  # noqa: E402

from kteach.viz import plot_history, plots  # noqa: E402


def formatter(retina: bool = False) -> DisplayFormatter:
    """What matplotlib's inline support registers, without an IPython shell."""
    display = DisplayFormatter()
    if retina:
        display.formatters["image/png"].for_type(
            Figure, lambda fig: (print_figure(fig, "retina"), {"width": 100, "height": 50}))
    else:
        display.formatters["image/png"].for_type(Figure, lambda fig: print_figure(fig, "png"))
    return display


def test_a_figure_shown_in_jupyter_has_alt_text():
    display = formatter()
    plots.add_alt_text(display.formatters)
    plots.add_alt_text(display.formatters)           # twice: wrapped once
    fig = plot_history({"loss": [1.0, 0.5], "val_loss": [1.0, 0.7], "mae": [0.9, 0.4]})
    data, metadata = display.format(fig)
    assert data["image/png"][:8] == b"\x89PNG\r\n\x1a\n"
    assert metadata == {"image/png": {"alt": "Figure with 2 panels: 'loss' by epoch: train, "
                                             "validation. 'mae' by epoch: train."}}
    retina = formatter(retina=True)
    plots.add_alt_text(retina.formatters)
    _, metadata = retina.format(fig)
    assert metadata["image/png"]["width"] == 100 and metadata["image/png"]["alt"].startswith(
        "Figure with 2 panels")


def test_alt_text_of_one_panel_with_a_title_and_axis_labels():
    fig = Figure()
    fig.suptitle("训练")
    ax = fig.add_subplot(1, 1, 1)
    ax.plot([1, 2], label="w")
    ax.set(title="weights", xlabel="step", ylabel="value")
    ax.legend()
    assert plots.figure_alt_text(fig) == "Figure '训练': 'weights' (value) by step: w."
    assert plots.figure_alt_text(Figure()) == "Figure (empty)."
