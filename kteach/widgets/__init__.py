"""Interactive widgets (ipywidgets 8) for notebooks: change a model or its training and watch.

* :class:`ModelBuilder` -- build a Sequential model by hand; live summary, diagram and code.
* :class:`OptimizerLab` -- train one model with different optimizers; curves and a table of runs.
* :class:`Playground` -- TensorFlow-Playground-like training on two-feature toy data.
* :class:`StepThrough` -- Next / Previous through ``model.explain(x, y)``, on the diagram.
* :class:`LivePlot` -- a callback that redraws loss curves during an ordinary ``fit``
  (also ``kteach.callbacks.LivePlot``).

``import kteach`` does not import this package, and this package loads ipywidgets and
matplotlib only when one of the widgets above is first used. Everything a widget does goes
through kteach's public API: ``compile``, ``fit``, ``evaluate``, ``predict``, weights.

Training started from a widget runs in chunks (one epoch each) on the notebook's event loop,
so the notebook stays responsive and Stop / Pause act at once; see :mod:`kteach.widgets.jobs`.
"""
from __future__ import annotations

import importlib
from typing import Any

_LAZY = {"ModelBuilder": ".builder", "OptimizerLab": ".lab", "Playground": ".playground",
         "LivePlot": ".liveplot", "StepThrough": ".stepthrough"}

__all__ = ["ModelBuilder", "OptimizerLab", "Playground", "LivePlot", "StepThrough"]


def __getattr__(name: str) -> Any:
    if name in _LAZY:
        try:
            module = importlib.import_module(_LAZY[name], __name__)
        except ModuleNotFoundError as error:
            if error.name not in ("ipywidgets", "matplotlib", "anywidget"):
                raise
            raise ImportError(
                f"kteach.widgets.{name} needs the package {error.name}, which is not "
                f"installed. Install the extras with: pip install 'kteach[widgets,viz]' "
                f"(in a notebook: %pip install 'kteach[widgets,viz]'), then restart the "
                f"kernel.") from None
        return getattr(module, name)
    raise AttributeError(f"module 'kteach.widgets' has no attribute '{name}'")


def __dir__() -> list[str]:
    return sorted(list(globals()) + list(_LAZY))
