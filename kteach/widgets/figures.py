"""Small matplotlib pictures for the widgets, drawn off-screen and shown as PNG.

The widgets draw on a :class:`matplotlib.figure.Figure` of their own (never through
``pyplot``, so no figure pops up by itself at the end of a cell) and show it in an
``ipywidgets.Image`` as PNG bytes. That works the same in JupyterLab, Notebook and Voilà, and
a test can look both at the figure (its lines and images hold the numbers) and at the bytes.

Sizes are CSS pixels, the unit a browser lays a page out in: a figure made with
``new_figure(760, 290)`` is shown at 760 × 290 CSS pixels (smaller only where the page is
narrower), never stretched. Its PNG holds :data:`PIXEL_RATIO` image pixels per CSS pixel, so it
stays sharp on high-density screens too, and text sizes in points mean what they mean in CSS
(96 pixels to the inch: a 9-point label is 12 pixels high).
"""
from __future__ import annotations

import io
import math
import struct
from typing import Sequence

import numpy as np

# Colours: TensorFlow Playground's orange (negative, class 0) and blue (positive, class 1),
# then more for more classes, and a cycle for the runs of the optimizer lab.
CLASS_COLOURS = ("#f59322", "#0877bd", "#2ca02c", "#d62728", "#9467bd", "#8c564b",
                 "#e377c2", "#17becf")
RUN_COLOURS = ("#1f77b4", "#ff7f0e", "#2ca02c", "#d62728", "#9467bd", "#8c564b",
               "#e377c2", "#7f7f7f", "#bcbd22", "#17becf")
DPI = 96            # CSS pixels per inch (fixed by CSS)
PIXEL_RATIO = 2     # image pixels per CSS pixel in the PNGs (a "retina" screen has 2)


def new_figure(width: int, height: int):
    """A Figure to be shown at ``width × height`` CSS pixels, not registered with pyplot.
    (No automatic layout engine: it would double the time of every redraw.)"""
    from matplotlib.figure import Figure
    return Figure(figsize=(width / DPI, height / DPI), dpi=DPI)


def shown_size(fig) -> tuple[int, int]:
    """The CSS pixels ``(width, height)`` a figure from :func:`new_figure` is shown at."""
    width, height = fig.get_size_inches() * DPI
    return round(width), round(height)


def to_png(fig) -> bytes:
    """The figure as PNG, :data:`PIXEL_RATIO` times its shown size in each direction."""
    buffer = io.BytesIO()
    fig.savefig(buffer, format="png", dpi=DPI * PIXEL_RATIO)
    return buffer.getvalue()


def png_size(png: bytes) -> tuple[int, int]:
    """``(width, height)`` in pixels of PNG bytes (read from the PNG's header)."""
    if png[:8] != b"\x89PNG\r\n\x1a\n":
        raise ValueError("not PNG bytes")
    return struct.unpack(">II", png[16:24])


def image_widget(fig):
    """An ``ipywidgets.Image`` that shows ``fig``'s PNG at the figure's size in CSS pixels
    (scaled down, never up, where the page is narrower)."""
    import ipywidgets as W
    width, _ = shown_size(fig)
    return W.Image(format="png", layout=W.Layout(width=f"{width}px", max_width="100%",
                                                 height="auto"))


def ipython_image(fig, png: bytes | None = None):
    """An ``IPython.display.Image`` of ``fig`` (or of its ``png``), shown at its size."""
    from IPython.display import Image
    width, height = shown_size(fig)
    return Image(data=png if png is not None else to_png(fig), format="png", width=width,
                 height=height)


def finite(values: Sequence[float], start: int = 1) -> tuple[np.ndarray, np.ndarray]:
    """Epoch numbers (from ``start``) and values, without the NaN and infinite values."""
    v = np.asarray(values, dtype=float)
    epochs = np.arange(start, start + len(v))
    keep = np.isfinite(v)
    return epochs[keep], v[keep]


def draw_curves(ax, curves: list[dict], ylabel: str, log: bool = False, start: int = 1) -> None:
    """Draw curves on ``ax``. Each curve is a dict: ``values`` (one per epoch, the first at
    epoch ``start``), ``colour``, ``label``, ``faded`` (drawn thin and pale), ``dashed``.
    ``log``: a logarithmic y axis (if every value is positive)."""
    from matplotlib.ticker import FormatStrFormatter, LogLocator, NullFormatter
    ax.clear()
    for curve in curves:
        x, y = finite(curve["values"], start)
        if len(y) == 0:
            continue
        faded = curve.get("faded", False)
        ax.plot(x, y, color=curve["colour"], linestyle="--" if curve.get("dashed") else "-",
                alpha=0.3 if faded else 1.0, linewidth=1.0 if faded else 2.0,
                label=curve.get("label"), marker="o" if len(y) == 1 else None, markersize=3)
        if len(y) < len(curve["values"]) and not np.isfinite(curve["values"][-1]):
            ax.plot(x[-1], y[-1], "x", color=curve["colour"], markersize=8)  # diverged here
    ax.set_xlabel("epoch")
    ax.set_ylabel(ylabel)
    values = [v for c in curves for v in finite(c["values"])[1]]
    if log and values and min(values) > 0:
        ax.set_yscale("log")
        ax.yaxis.set_major_locator(LogLocator(base=10, subs=(1.0, 2.0, 5.0)))
        ax.yaxis.set_major_formatter(FormatStrFormatter("%g"))
        ax.yaxis.set_minor_formatter(NullFormatter())
    ax.grid(True, alpha=0.3)


def epoch_axis(ax, last_epoch: int, first: int = 0, at_least: int = 10) -> None:
    """Whole epochs on the x axis, from ``first`` to ``last_epoch`` but never fewer than
    ``at_least`` (so a curve of one or two points does not fill the panel with fractions of
    an epoch), and the y axis from 0 (a loss is never negative; a curve that starts from 0
    shows how far it fell, not an exaggerated wiggle)."""
    from matplotlib.ticker import MaxNLocator
    ax.set_xlim(first, max(last_epoch, first + at_least))
    ax.xaxis.set_major_locator(MaxNLocator(integer=True))
    values = [v for line in ax.get_lines() for v in np.asarray(line.get_ydata(), float)
              if np.isfinite(v)]
    ax.set_ylim(0, 1.15 * max(values) if values and max(values) > 0 else 1.0)
    for line in ax.get_lines():
        if len(line.get_xdata()) == 1:
            line.set_clip_on(False)      # a lone first point sits on the axis: show it whole


def mix_colours(probabilities: np.ndarray) -> np.ndarray:
    """Per grid cell, the class colours mixed by probability: ``(h, w, k)`` -> ``(h, w, 3)``.
    A confident cell has its class's colour; an undecided one a pale mixture."""
    from matplotlib.colors import to_rgb
    k = probabilities.shape[-1]
    palette = np.array([to_rgb(c) for c in CLASS_COLOURS[:k]])
    rgb = probabilities @ palette
    confidence = probabilities.max(axis=-1, keepdims=True)
    strength = (confidence - 1.0 / k) / (1.0 - 1.0 / k)    # 0 when undecided, 1 when sure
    return 1.0 - (1.0 - rgb) * (0.15 + 0.45 * strength)     # paler than the points


def nice_limits(values: np.ndarray) -> float:
    """A symmetric colour range for values (at least ±1)."""
    m = float(np.nanmax(np.abs(values))) if np.size(values) else 1.0
    return max(1.0, m) if math.isfinite(m) else 1.0


# ----- the Playground's pictures ----------------------------------------------------------------
def diverging_colours():
    """TensorFlow Playground's scale: orange (negative) - white (0) - blue (positive)."""
    from matplotlib.colors import LinearSegmentedColormap
    return LinearSegmentedColormap.from_list("kteach_playground",
                                             [CLASS_COLOURS[0], "#ffffff", CLASS_COLOURS[1]])


def draw_surface(ax, image: np.ndarray, extent: tuple[float, float, float, float],
                 points: list[tuple[np.ndarray, np.ndarray, bool]], n_classes: int,
                 value_range: float = 1.0) -> None:
    """The model's output over the plane and the data points on top.

    ``image`` is ``(h, w, 3)`` RGB (classification, see :func:`mix_colours`) or ``(h, w)``
    values (regression, on the orange-white-blue scale over ``±value_range``). ``points`` is a
    list of ``(x, y, is_test)``: training points get a white rim, test points a black one."""
    ax.clear()
    if image.ndim == 3:
        ax.imshow(image, origin="lower", extent=extent, interpolation="bilinear")
    else:
        ax.imshow(image, origin="lower", extent=extent, interpolation="bilinear",
                  cmap=diverging_colours(), vmin=-value_range, vmax=value_range)
    from matplotlib.colors import to_rgb
    for x, y, is_test in points:
        if len(x) == 0:
            continue
        if n_classes > 1:
            colours = np.array([to_rgb(c) for c in CLASS_COLOURS])[y.astype(int)]
        else:
            colours = diverging_colours()((np.clip(y / value_range, -1, 1) + 1) / 2)
        ax.scatter(x[:, 0], x[:, 1], c=colours, s=14, linewidths=0.8,
                   edgecolors="black" if is_test else "white")
    ax.set_xlim(extent[0], extent[1])
    ax.set_ylim(extent[2], extent[3])
    ax.set_xticks([])
    ax.set_yticks([])


def draw_network(ax, names: list[str], kernels: list[np.ndarray], biases: list[np.ndarray],
                 pictures: list[np.ndarray] | None = None) -> None:
    """Every neuron as a small square and every weight as a line between two of them.

    A line is blue for a positive weight and orange for a negative one, and thicker the
    larger ``|w|``; the little bar left of a neuron is its bias, coloured the same way.
    ``names`` label the inputs. ``pictures[c]`` (optional) is ``(h, w, units)``: what each
    neuron of column ``c`` (0 = inputs) outputs over the plane, drawn inside its square."""
    from matplotlib.collections import LineCollection
    from matplotlib.patches import Rectangle
    ax.clear()
    sizes = [len(names)] + [k.shape[1] for k in kernels]
    columns = len(sizes)
    tallest = max(sizes)
    half = 0.32                                   # half the side of a neuron's square

    def position(c: int, i: int) -> tuple[float, float]:
        return 2.2 * c, (sizes[c] - 1) / 2 - i + (tallest - 1) / 2

    biggest = max([float(np.abs(k).max()) for k in kernels if k.size] + [1e-9])
    segments, colours, widths = [], [], []
    for c, W in enumerate(kernels):
        for i in range(W.shape[0]):
            for j in range(W.shape[1]):
                (x0, y0), (x1, y1) = position(c, i), position(c + 1, j)
                segments.append([(x0 + half, y0), (x1 - half, y1)])
                w = W[i, j]
                colours.append(CLASS_COLOURS[1] if w > 0 else CLASS_COLOURS[0])
                widths.append(0.3 + 3.5 * abs(w) / biggest)
    ax.add_collection(LineCollection(segments, colors=colours, linewidths=widths, alpha=0.8))
    cmap = diverging_colours()
    for c in range(columns):
        for i in range(sizes[c]):
            x, y = position(c, i)
            box = (x - half, x + half, y - half, y + half)
            if pictures is not None:
                picture = pictures[c][..., i]
                scale = max(float(np.abs(picture).max()), 1e-9)
                ax.imshow(picture, origin="lower", extent=box, cmap=cmap, vmin=-scale,
                          vmax=scale, interpolation="nearest")
            ax.add_patch(Rectangle((x - half, y - half), 2 * half, 2 * half, fill=False,
                                   linewidth=0.8, edgecolor="#555"))
            if c == 0:
                ax.text(x - half - 0.1, y, names[i], ha="right", va="center", fontsize=8)
            else:
                b = float(biases[c - 1][i])
                height = 2 * half * min(1.0, abs(b) / biggest)
                ax.add_patch(Rectangle((x - half - 0.16, y - half), 0.1, max(height, 0.02),
                                       color=CLASS_COLOURS[1] if b > 0 else CLASS_COLOURS[0]))
    ax.set_xlim(-1.6, 2.2 * (columns - 1) + 0.6)
    ax.set_ylim(-0.7, tallest - 0.3)
    ax.set_aspect("equal")
    ax.axis("off")
