"""Work that a widget does a little at a time, so the notebook never freezes.

A button's callback must return quickly: while it runs, the kernel handles no other message,
so a Stop click would wait until training is over. A :class:`Job` therefore cuts the work into
*chunks* (one epoch each, in the widgets) and, in a notebook, runs them in an asyncio task on
the kernel's own event loop::

    run a chunk  ->  await asyncio.sleep(pause)  ->  run a chunk  ->  ...

Between two chunks the kernel reads its messages, so a click on Stop or Pause is handled at
once and the task ends after the chunk that is running.

Where no event loop is running (a plain script, pytest), a started job waits for someone to
turn the crank: :meth:`Job.run_chunks` runs a given number of chunks, :meth:`Job.run_until_done`
runs until the work ends or a stop was asked for. The widgets' ``wait=True`` uses the latter.

:class:`RandomStream` gives a widget its own sequence of random numbers, so its runs repeat
exactly whatever else the notebook does with kteach's generator in between.
"""
from __future__ import annotations

import asyncio
import contextlib
import random as py_random
import time
from typing import Callable, Iterator

import numpy as np

from ..engine import random as kteach_random
from ..utils import set_random_seed

#: What a chunk returns: True while there is more work to do, False when the work is finished.
Chunk = Callable[[], bool]


def running_loop() -> asyncio.AbstractEventLoop | None:
    """The asyncio loop running this code (the kernel's, in a notebook), or None."""
    try:
        return asyncio.get_running_loop()
    except RuntimeError:
        return None


class Job:
    """Run ``chunk()`` again and again until it returns False or :meth:`stop` is called.

    ``on_end(status)`` is called once when the job ends, with ``status`` one of ``"done"``
    (the chunk said there is no more work), ``"stopped"`` (stop was asked for) or ``"failed"``
    (a chunk raised; the exception is kept in :attr:`error` and not raised again when the job
    runs as a task, since nobody would see it there).

    ``status`` is ``"idle"`` before the first start, ``"running"`` while started, then the
    ending status. ``chunks`` counts the chunks run since the last start.
    """

    def __init__(self, chunk: Chunk, on_end: Callable[[str], None] | None = None,
                 pause: float = 0.001):
        self.chunk = chunk
        self.on_end = on_end
        self.pause = float(pause)       # seconds between chunks; > 0 lets I/O be read
        self.status = "idle"
        self.chunks = 0
        self.error: BaseException | None = None
        self.task: asyncio.Task | None = None
        self._stop_asked = False

    @property
    def running(self) -> bool:
        return self.status == "running"

    def start(self, wait: bool | None = None) -> None:
        """Start the work. ``wait=True`` runs it here until it ends (the cell waits);
        ``wait=False`` runs it as a task on the running event loop, or, if there is none,
        leaves it started for :meth:`run_chunks` / :meth:`run_until_done`.
        ``wait=None`` waits only when no event loop is running (a plain script)."""
        if self.running:
            return
        loop = running_loop()
        self.status, self.chunks, self.error, self._stop_asked = "running", 0, None, False
        if wait or (wait is None and loop is None):
            self.run_until_done()
        elif loop is not None:
            self.task = loop.create_task(self._run_as_task())

    def stop(self) -> None:
        """Ask the job to stop. The chunk that is running finishes first (it is never cut in
        the middle, so the model is always in a consistent state)."""
        if self.running:
            self._stop_asked = True
            if self.task is None or self.task.done():
                self._end("stopped")

    def run_chunks(self, n: int) -> int:
        """Run up to ``n`` chunks now (no event loop needed); returns how many ran."""
        done = 0
        while done < n and self.running:
            self._one_chunk(raise_errors=True)
            done += 1
        return done

    def run_until_done(self, max_chunks: int | None = None) -> None:
        """Run chunks now until the work ends, a stop is asked for, or ``max_chunks`` ran."""
        count = 0
        while self.running and (max_chunks is None or count < max_chunks):
            self._one_chunk(raise_errors=True)
            count += 1

    async def _run_as_task(self) -> None:
        while self.running:
            self._one_chunk(raise_errors=False)
            # Let the kernel read its messages (a click on Stop) before the next chunk.
            await asyncio.sleep(self.pause)

    def _one_chunk(self, raise_errors: bool) -> None:
        if self._stop_asked:
            self._end("stopped")
            return
        try:
            more = self.chunk()
        except Exception as error:   # noqa: BLE001 -- reported through on_end / .error
            self.error = error
            self._end("failed")
            if raise_errors:
                raise
            return
        self.chunks += 1
        if self._stop_asked:
            self._end("stopped")
        elif not more:
            self._end("done")

    def _end(self, status: str) -> None:
        if not self.running:
            return
        self.status = status
        if self.on_end is not None:
            self.on_end(status)

    def __repr__(self) -> str:
        return f"<Job {self.status}, {self.chunks} chunks>"


class RandomStream:
    """A widget's own stream of kteach random numbers, seeded with ``seed``.

    Inside ``with stream.active():`` kteach's generator (weight initialisation, shuffling,
    dropout) continues this stream from where it stopped last time; on leaving, the
    learner's generator -- and NumPy's and Python's global ones, which
    ``kteach.utils.set_random_seed`` also seeds -- are put back as they were. So a widget's
    run gives the same numbers as a fresh ``set_random_seed(seed)`` followed by the same
    calls, whatever the notebook does between two chunks.
    """

    def __init__(self, seed: int):
        self.seed = int(seed)
        self._state: dict | None = None

    def restart(self, seed: int | None = None) -> None:
        """Begin the stream again (from ``seed`` if given)."""
        if seed is not None:
            self.seed = int(seed)
        self._state = None

    @contextlib.contextmanager
    def active(self) -> Iterator[None]:
        saved = (kteach_random.get_state(), np.random.get_state(), py_random.getstate())
        if self._state is None:
            set_random_seed(self.seed)
        else:
            kteach_random.set_state(self._state)
        try:
            yield
        finally:
            self._state = kteach_random.get_state()
            kteach_random.set_state(saved[0])
            np.random.set_state(saved[1])
            py_random.setstate(saved[2])


class Redraw:
    """Draw a widget's picture once after a burst of changes, not after every one, and only
    for a widget that is on screen.

    Drawing a picture takes much longer than changing a setting, and one click can change
    several settings. :meth:`request` marks the picture out of date; if the widget is
    :attr:`live` and an event loop runs (a notebook), it also schedules a single drawing for
    when the current click or cell is over, however many requests come first.

    A widget becomes live when it is displayed or used (a click). Until then, and where no
    loop runs (a script, a test), nothing is drawn until :meth:`draw` or
    :meth:`draw_if_needed` is called -- so a notebook can make many widgets without paying
    for pictures nobody sees.

    While a job trains in the background, :meth:`due` says whether it is time to draw again:
    at most every ``min_interval`` seconds, and never spending more than the part ``share``
    of the time (a quarter, unless told) on drawing.
    """

    def __init__(self, draw: Callable[[], None], min_interval: float = 0.2, share: float = 0.25):
        self._draw = draw
        self.min_interval = float(min_interval)
        self.share = float(share)        # at most this part of the time goes on drawing
        self.out_of_date = False
        self.live = False
        self.count = 0                   # pictures drawn so far
        self._scheduled = False
        self._last = 0.0
        self._seconds = 0.0

    def request(self) -> None:
        self.out_of_date = True
        loop = running_loop()
        if self.live and loop is not None and not self._scheduled:
            self._scheduled = True
            loop.call_soon(self._scheduled_draw)

    def _scheduled_draw(self) -> None:
        self._scheduled = False
        self.draw_if_needed()

    def draw_if_needed(self) -> None:
        if self.out_of_date:
            self.draw()

    def draw(self) -> None:
        start = time.monotonic()
        self._draw()
        self.out_of_date = False
        self.count += 1
        self._last = time.monotonic()
        self._seconds = self._last - start

    def due(self) -> bool:
        wait = max(self.min_interval, self._seconds * (1 - self.share) / self.share)
        return self.live and time.monotonic() - self._last > wait

    def go_live(self) -> None:
        """The widget is on screen: draw from now on (at once if out of date and a loop
        runs)."""
        if not self.live:
            self.live = True
            if self.out_of_date:
                self.request()


class LivePicture:
    """Mixin for a widget whose matplotlib picture (``self.figure``, shown as PNG in the
    ``self.plot`` Image) is kept by ``self.redraw`` (a :class:`Redraw`): drawn on demand, and
    kept up to date once the widget is on screen."""

    def draw(self) -> None:
        """Redraw the picture now (in a notebook this happens by itself)."""
        self.redraw.draw()

    def picture(self):
        """The picture as it is now, to show in a notebook's output (an
        ``IPython.display.Image`` shown at the size the widget shows it, and as sharp)."""
        from . import figures
        if self.redraw.out_of_date or not self.plot.value:
            self.redraw.draw()
        return figures.ipython_image(self.figure, self.plot.value)

    def _repr_mimebundle_(self, **kwargs):
        self.redraw.live = True              # displayed: keep the picture up to date
        self.redraw.draw_if_needed()
        return super()._repr_mimebundle_(**kwargs)

    def _clicked(self, action) -> None:
        self.redraw.go_live()                # a click: the widget is on screen
        action()
