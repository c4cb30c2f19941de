"""Progress output of ``fit``, ``evaluate`` and ``predict``, in Keras 3's format.

``verbose=1`` ends each epoch (and each ``evaluate``/``predict``) with one line::

    3/3 ━━━━━━━━━━━━━━━━━━━━ 0s 13ms/step - accuracy: 0.4875 - loss: 0.6805 - val_accuracy: 0.5000 - val_loss: 0.6741
    4/4 ━━━━━━━━━━━━━━━━━━━━ 0s 492us/step                       (predict: no values)

``verbose=2`` prints only that last line, without the bar::

    3/3 - 0s - 5ms/step - accuracy: 0.4875 - loss: 0.6805

and ``fit`` writes ``Epoch 2/10`` before each epoch when there is more than one epoch.

The parts: the steps done (``%{digits}d/%d``); a bar of 20 ``━``; the seconds since the epoch
began (while running: the estimated time left, ``12s``, ``1:05`` or ``1:02:03``); the time per
step (``s``, ``ms`` or ``us``), averaged over the steps *after the first*, because the first
step is slow for reasons (setting up) that do not repeat; then ``name: value`` for every
logged number, training values alphabetically and then the ``val_`` ones alphabetically. A
value prints as ``%.4f`` when ``|value| > 1e-3``, else as ``%.4e`` (``loss: 5.2000e-04``).
With ``verbose=2`` Keras tests the signed value, so negative values print as ``%.4e``; kteach
copies that so both print the same.

Where the output goes decides how it is drawn:

* **A terminal** (``sys.stdout.isatty()``): the line is redrawn in place after every step
  (``\\r``, then the new line, padded with spaces over a longer old one), with Keras' styling:
  bold step count and time, the done part of the bar green and the rest grey.
* **Anything else** (Jupyter, a pipe, a file): no line while running and no colour codes,
  only the final line of each epoch (and of ``evaluate``/``predict``). So a notebook's stored
  output is the same text on every run except for the timings, which nbval's sanitizer
  replaces.
"""  # noqa: E501 (the verbose=1 example above is one line of Keras' output, kept whole)
from __future__ import annotations

import sys
import time
from typing import Any

from .callbacks import Callback

BAR_WIDTH = 20
BAR_CHAR = "━"
# ANSI styles, as Keras 3 uses them on a terminal.
BOLD, GREEN, GREY, RESET = "\x1b[1m", "\x1b[32m", "\x1b[37m", "\x1b[0m"

# The clock; tests replace it with a fake one to check the timings exactly.
_clock = time.perf_counter


def _is_terminal() -> bool:
    isatty = getattr(sys.stdout, "isatty", None)
    try:
        return bool(isatty()) if isatty is not None else False
    except ValueError:  # a closed stream
        return False


def format_value(value: Any, signed_threshold: bool = False) -> str:
    """``0.6805`` or, for values with ``|value| <= 1e-3``, ``5.2000e-04``."""
    try:
        v = float(value)
    except (TypeError, ValueError):
        return str(value)
    small = v <= 1e-3 if signed_threshold else abs(v) <= 1e-3
    return f"{v:.4e}" if small else f"{v:.4f}"


def format_time_per_step(seconds: float, unit_name: str = "step") -> str:
    """`` 13ms/step``: whole seconds, milliseconds or microseconds (with a leading space)."""
    if seconds >= 1 or seconds == 0:
        return f" {seconds:.0f}s/{unit_name}"
    if seconds >= 1e-3:
        return f" {seconds * 1e3:.0f}ms/{unit_name}"
    return f" {seconds * 1e6:.0f}us/{unit_name}"


def format_eta(seconds: float) -> str:
    """Time left: ``42s``, ``1:05`` (over a minute) or ``1:02:03`` (over an hour)."""
    if seconds > 3600:
        return f"{int(seconds // 3600)}:{int(seconds % 3600 // 60):02d}:{int(seconds % 60):02d}"
    if seconds > 60:
        return f"{int(seconds // 60)}:{int(seconds % 60):02d}"
    return f"{int(seconds)}s"


def log_order(key: str) -> tuple[bool, str]:
    """Sort key: training values alphabetically, then the ``val_`` values alphabetically."""
    return key.startswith("val_"), key


class Progbar:
    """A progress bar over ``target`` steps (see the module docstring for the format).

    ``update(current, values, finalize)`` says that ``current`` steps are done; ``values``
    (a dict, or a list of ``(name, value)`` pairs) are shown as given -- ``fit`` passes the
    running means of the epoch. ``finalize=True`` prints the final line.
    """

    def __init__(self, target: int, verbose: int = 1, unit_name: str = "step"):
        self.target = target
        self.verbose = verbose
        self.unit_name = unit_name
        self.live = _is_terminal()
        self._values: dict[str, Any] = {}
        self._start = _clock()
        self._after_first_step: float | None = None
        self._drawn_width = 0

    def update(self, current: int, values: dict | list | None = None, finalize: bool = False) -> None:
        pairs = values.items() if isinstance(values, dict) else (values or [])
        for key, value in pairs:
            self._values[key] = value
        now = _clock()
        per_step = self._time_per_step(current, now)
        if self.verbose == 1 and (finalize or self.live):
            self._draw(current, now, per_step, finalize)
        elif self.verbose == 2 and finalize:
            self._write(self._line_verbose_2(current, now, per_step) + "\n")

    def _time_per_step(self, current: int, now: float) -> float:
        """Seconds per step, not counting the first step once there are later ones."""
        if not current:
            return 0.0
        if self._after_first_step is not None and current > 1:
            per_step = (now - self._after_first_step) / (current - 1)
        else:
            per_step = (now - self._start) / current
        if current == 1:
            self._after_first_step = now
        return per_step

    def _counter(self, current: int) -> str:
        if not self.target:
            return f"{current:7d}/Unknown"
        digits = len(str(self.target))
        return f"{current:{digits}d}/{self.target}"

    def _values_text(self, signed_threshold: bool = False) -> str:
        return "".join(f" - {key}: {format_value(self._values[key], signed_threshold)}"
                       for key in sorted(self._values, key=log_order))

    def _draw(self, current: int, now: float, per_step: float, finalize: bool) -> None:
        """Draw the verbose=1 line: plain once at the end, or styled in place on a terminal."""
        counter = self._counter(current)
        done = int(BAR_WIDTH * current / self.target) if self.target else 0
        if finalize or not self.target:
            clock = f"{now - self._start:.0f}s"
        else:
            clock = format_eta(per_step * (self.target - current))
        tail = format_time_per_step(per_step, self.unit_name) + self._values_text()
        bar = BAR_CHAR * BAR_WIDTH if self.target else ""
        plain = f"{counter} {bar} {clock}{tail}" if self.target else f"{counter} {clock}{tail}"
        if not self.live:
            self._write(plain + "\n")
            return
        styled = f"{BOLD}{counter}{RESET} "
        if self.target:
            if done:
                styled += f"{GREEN}{BAR_CHAR * done}{RESET}"
            styled += f"{GREY}{BAR_CHAR * (BAR_WIDTH - done)}{RESET} "
        styled += f"{BOLD}{clock}{RESET}{tail}"
        padding = " " * max(0, self._drawn_width - len(plain))
        self._drawn_width = len(plain)
        self._write("\r" + styled + padding + ("\n" if finalize else ""))

    def _line_verbose_2(self, current: int, now: float, per_step: float) -> str:
        return (f"{self._counter(current)} - {now - self._start:.0f}s -"
                f"{format_time_per_step(per_step, self.unit_name)}"
                f"{self._values_text(signed_threshold=True)}")

    @staticmethod
    def _write(text: str) -> None:
        sys.stdout.write(text)
        sys.stdout.flush()


class ProgbarLogger(Callback):
    """The callback ``fit`` adds when ``verbose`` is 1 or 2: ``Epoch i/N`` lines (only when
    ``epochs > 1``) and a :class:`Progbar` per epoch.

    It reads ``self.params``: ``verbose``, ``epochs`` and ``steps`` (steps per epoch).
    """

    def __init__(self) -> None:
        super().__init__()
        self.progbar: Progbar | None = None
        self.seen = 0

    @property
    def verbose(self) -> int:
        verbose = self.params.get("verbose", 1)
        return 1 if verbose == "auto" else int(verbose)

    def _new_progbar(self) -> Progbar:
        return Progbar(self.params.get("steps"), verbose=self.verbose)

    def on_epoch_begin(self, epoch, logs=None):
        self.seen = 0
        self.progbar = self._new_progbar()
        epochs = self.params.get("epochs", 1)
        if self.verbose and epochs > 1:
            Progbar._write(f"Epoch {epoch + 1}/{epochs}\n")

    def on_train_batch_end(self, batch, logs=None):
        if self.progbar is None:
            self.progbar = self._new_progbar()
        self.seen = batch + 1
        # With verbose=2 the bar only hears of the end (so its time per step includes the
        # first step, as in Keras).
        if self.verbose == 1:
            self.progbar.update(self.seen, logs)

    def on_epoch_end(self, epoch, logs=None):
        if self.progbar is None:
            self.progbar = self._new_progbar()
        target = self.params.get("steps") or self.seen
        self.progbar.target = target
        self.progbar.update(target, logs, finalize=True)
