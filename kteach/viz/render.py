"""Turn DOT text into a picture: with the ``dot`` program if it is on PATH, else in-process.

Two renderers, tried in this order:

1. ``dot``, the Graphviz program (``apt-get install graphviz``, ``conda install graphviz``,
   ``brew install graphviz``). kteach runs it once per picture, DOT text in, bytes out.
2. ``pygraphviz`` 2.0.4 or later, whose wheels bundle Graphviz's libraries, so it lays out and
   draws in this Python process with no ``dot`` installed (``pip install 'kteach[viz]'``).

If neither is there, :class:`GraphvizNotFoundError` says how to get one. The DOT text itself
needs no renderer: ``model_to_dot(model).source``.

SVG is always drawn at 72 dots per inch, Graphviz's natural size: a ``dpi`` in the graph would
only scale the vector picture up (Keras' default ``dpi=200`` makes it almost three times too
big). PNG keeps the graph's ``dpi``, unless :func:`render` is given another.
"""
from __future__ import annotations

import os
import shutil
import subprocess
import sys
import tempfile
from contextlib import contextmanager
from typing import Iterator

from ..engine.errors import KteachError

# What the picture formats are called, and which of them Graphviz has to draw.
FORMATS = ("png", "svg", "pdf", "dot", "gv")
TEXT_FORMATS = ("dot", "gv")  # these are the DOT text itself, no drawing needed

INSTALL_HELP = (
    "Drawing a diagram needs Graphviz, and none was found: there is no `dot` program on "
    "PATH, and the Python package pygraphviz (2.0.4 or later, which brings its own Graphviz) "
    "is not installed. Get either one:\n"
    "  pip install 'kteach[viz]'        (installs pygraphviz; works without admin rights)\n"
    "  apt-get install graphviz         (Debian, Ubuntu; Binder: add graphviz to binder/apt.txt)\n"
    "  conda install graphviz           (conda, mamba)\n"
    "  brew install graphviz            (macOS)\n"
    "then restart the kernel. The DOT text needs no Graphviz: model_to_dot(model).source gives "
    "it, and any Graphviz viewer (or an online one) can draw it."
)


class GraphvizNotFoundError(KteachError, ImportError):
    """Neither the ``dot`` program nor pygraphviz is available to draw a diagram.

    An ImportError, as Keras raises when Graphviz is missing."""


def which_dot() -> str | None:
    """The path of the ``dot`` program, or None when it is not on PATH."""
    return shutil.which("dot")


def import_pygraphviz():
    """The pygraphviz module, or None when it cannot be imported."""
    try:
        import pygraphviz
    except ImportError:
        return None
    return pygraphviz


def renderer() -> str:
    """``"dot"`` or ``"pygraphviz"``: which one :func:`render` would use now."""
    if which_dot() is not None:
        return "dot"
    if import_pygraphviz() is not None:
        return "pygraphviz"
    raise GraphvizNotFoundError(INSTALL_HELP)


def render(source: str, format: str = "svg", dpi: float | None = None) -> bytes:
    """Draw DOT ``source`` as ``format`` (png, svg, pdf; dot/gv give the text back).

    ``dpi`` replaces the graph's own dots per inch in a PNG (an SVG is always at 72). Uses
    ``dot`` when it is on PATH, else pygraphviz in-process, else raises
    :class:`GraphvizNotFoundError`.
    """
    format = format.lower()
    if format not in FORMATS:
        raise ValueError(f"Cannot draw a diagram as {format!r}. Formats: {', '.join(FORMATS)}.")
    if format in TEXT_FORMATS:
        return source.encode("utf-8")
    if format == "svg":
        args = ["-Gdpi=72"]
    else:
        args = [] if dpi is None else [f"-Gdpi={float(dpi):g}"]
    dot = which_dot()
    if dot is not None:
        return _render_with_dot(dot, source, format, args)
    pygraphviz = import_pygraphviz()
    if pygraphviz is not None:
        return _render_in_process(pygraphviz, source, format, args)
    raise GraphvizNotFoundError(INSTALL_HELP)


def _render_with_dot(dot: str, source: str, format: str, args: list[str]) -> bytes:
    """Run ``dot``. Old Graphviz versions (2.43, Debian 12's) sometimes crash while routing
    right-angled arrows (``splines="ortho"``, Keras' default), mostly with ``rankdir="LR"``;
    then the picture is drawn again with straight-segment arrows (``polyline``)."""
    result = _run_dot(dot, source, format, args)
    if result.returncode != 0 and 'splines="ortho"' in source:
        result = _run_dot(dot, source, format, args + ["-Gsplines=polyline"])
    if result.returncode != 0:
        raise RuntimeError(f"Graphviz ({dot}) could not draw the diagram:\n"
                           f"{result.stderr.decode('utf-8', 'replace').strip()}")
    return result.stdout


def _run_dot(dot: str, source: str, format: str, args: list[str]) -> subprocess.CompletedProcess:
    return subprocess.run([dot, f"-T{format}", *args], input=source.encode("utf-8"),
                          capture_output=True, check=False)


def _render_in_process(pygraphviz, source: str, format: str, args: list[str]) -> bytes:
    """Lay out and draw with the Graphviz inside the pygraphviz wheel."""
    graph = pygraphviz.AGraph(string=source)
    with _without_fontconfig_warnings():
        return graph.draw(format=format, prog="dot", args=" ".join(args))


@contextmanager
def _without_fontconfig_warnings() -> Iterator[None]:
    """Drop fontconfig's complaints from the standard error stream, pass on everything else.

    The wheel's fontconfig is older than many systems' own, and the first time it starts it
    reads the system's settings templates and warns about what it does not know
    (``Fontconfig warning: ... unknown element "reset-dirs"`` on Debian 12). The warning comes
    from C code, so it goes straight to file descriptor 2, past ``sys.stderr``; kteach points
    that descriptor at a temporary file for the length of the call, then writes every line
    that is not such a warning to ``sys.stderr``, where Jupyter shows it.
    """
    sys.stderr.flush()
    saved = os.dup(2)
    with tempfile.TemporaryFile() as caught:
        os.dup2(caught.fileno(), 2)
        try:
            yield
        finally:
            os.dup2(saved, 2)
            os.close(saved)
            caught.seek(0)
            lines = caught.read().decode("utf-8", "replace").splitlines(keepends=True)
            rest = [line for line in lines if not line.startswith("Fontconfig warning")]
            if rest:
                sys.stderr.write("".join(rest))
