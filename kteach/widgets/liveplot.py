"""LivePlot: loss and metric curves that redraw during an ordinary ``fit``.

::

    model.fit(x, y, epochs=50, validation_split=0.2, verbose=0,
              callbacks=[kteach.callbacks.LivePlot()])

One panel per quantity (``loss``, ``accuracy``, ...), training as a solid line and validation
(``val_...``) dashed. In a Jupyter kernel the picture appears under the cell and is replaced
after every epoch (at most every ``min_interval`` seconds, and always after the last one);
elsewhere nothing is shown, and the numbers are in :attr:`LivePlot.history` and the picture in
:attr:`LivePlot.figure`. It needs matplotlib but not ipywidgets.
"""
from __future__ import annotations

import sys
import time

from ..training.callbacks import Callback
from . import figures


def _in_kernel() -> bool:
    ipython = sys.modules.get("IPython")
    shell = ipython.get_ipython() if ipython is not None else None
    return shell is not None and getattr(shell, "kernel", None) is not None


class LivePlot(Callback):
    """A callback that draws the logs of every epoch so far.

    ``metrics``: the panels to draw, by name (default: every logged name, ``loss`` first).
    ``min_interval``: seconds at least between two redraws (the last epoch is always drawn).
    ``width``/``height``: the size of one panel in inches, of 96 CSS pixels each (it is
    shown at that size, and its PNG has twice as many pixels, for sharp high-density screens).
    """

    def __init__(self, metrics: list[str] | None = None, min_interval: float = 0.5,
                 width: float = 3.6, height: float = 2.6):
        super().__init__()
        self.metrics = None if metrics is None else list(metrics)
        self.min_interval = float(min_interval)
        self.width, self.height = float(width), float(height)
        self.history: dict[str, list[float]] = {}
        self.figure = None
        self.redraws = 0
        self._handle = None
        self._last_draw = -float("inf")

    @property
    def monitors(self) -> list[str]:
        """The names it was asked to draw: fit checks them before the first batch."""
        return list(self.metrics or [])

    def on_train_begin(self, logs=None):
        self.history = {}
        self.redraws = 0
        self._handle = None
        self._last_draw = -float("inf")     # the first epoch is always drawn

    def on_epoch_end(self, epoch, logs=None):
        for key, value in (logs or {}).items():
            self.history.setdefault(key, []).append(float(value))
        if time.monotonic() - self._last_draw >= self.min_interval:
            self.draw()

    def on_train_end(self, logs=None):
        if self.history:
            self.draw()

    def panels(self) -> list[str]:
        """The panel names: the logged names without ``val_``, ``loss`` first."""
        names = sorted({k[4:] if k.startswith("val_") else k for k in self.history},
                       key=lambda k: (k != "loss", k))
        if self.metrics is None:
            return names
        unknown = [m for m in self.metrics if m not in names]
        if unknown and self.history:
            raise KeyError(f"LivePlot(metrics={self.metrics}) names {unknown}, which fit does "
                           f"not log. Logged names: {names}.")
        return self.metrics

    def draw(self) -> None:
        """Redraw the figure from :attr:`history` and show it (in a kernel)."""
        names = self.panels()
        if not names:
            return
        self.figure = fig = figures.new_figure(round(self.width * figures.DPI * len(names)),
                                               round(self.height * figures.DPI))
        axes = fig.subplots(1, len(names), squeeze=False)[0]
        for ax, name in zip(axes, names):
            curves = [{"values": self.history[key], "colour": figures.RUN_COLOURS[0],
                       "dashed": key.startswith("val_"), "label": key}
                      for key in (name, "val_" + name) if key in self.history]
            figures.draw_curves(ax, curves, name)
            ax.legend(fontsize=7)
        fig.subplots_adjust(left=0.1, right=0.97, bottom=0.18, top=0.95, wspace=0.3)
        self.redraws += 1
        self._last_draw = time.monotonic()
        if _in_kernel():
            self._show(figures.ipython_image(fig))

    def _show(self, image) -> None:
        from IPython.display import display
        if self._handle is None:
            self._handle = display(image, display_id=True)
        else:
            self._handle.update(image)
