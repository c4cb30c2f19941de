"""``model.summary()``: the table of layers, output shapes and parameter counts, as Keras 3.

The text is character for character what Keras 3.15 prints when there is no terminal (in a
pipe, a file or Jupyter), for example::

    Model: "sequential"
    ┏━━━━━━━━━━━━━━━━━━━━━━━━━━━━━━━━━┳━━━━━━━━━━━━━━━━━━━━━━━━┳━━━━━━━━━━━━━━━┓
    ┃ Layer (type)                    ┃ Output Shape           ┃       Param # ┃
    ┡━━━━━━━━━━━━━━━━━━━━━━━━━━━━━━━━━╇━━━━━━━━━━━━━━━━━━━━━━━━╇━━━━━━━━━━━━━━━┩
    │ dense (Dense)                   │ (None, 4)              │            16 │
    ├─────────────────────────────────┼────────────────────────┼───────────────┤
    │ dense_1 (Dense)                 │ (None, 1)              │             5 │
    └─────────────────────────────────┴────────────────────────┴───────────────┘
     Total params: 21 (84.00 B)
     Trainable params: 21 (84.00 B)
     Non-trainable params: 0 (0.00 B)

How the table is laid out:

* A *chain-shaped* model (a Sequential, or a functional model that is one straight chain) has
  three columns, 88 characters by default; any other functional model adds "Connected to"
  (``name[call][output]`` of every input tensor of the layer) and is 108 wide.
  ``show_trainable=True`` adds a ``Trainable`` column (Y / N / ``-`` for no weights).
* The width is ``min(default, terminal columns - 4)``; without a terminal (and always in
  Jupyter, so that notebooks print the same everywhere) the terminal counts as 80 columns,
  so tables are 76 wide. Column ``i`` gets ``int(positions[i]·width) - int(positions[i-1]·width)``
  characters; the four border characters and a space either side of every cell do not fit in
  that, so every column then gives up the same share of the excess (Keras draws the table
  with ``rich``, and this is rich's rule).
* Text wraps at spaces inside its cell; a word longer than the cell is cut with ``…``.
* Parameter counts use comma thousands; sizes are bytes (count · itemsize) in B, KB, MB or GB
  (÷1024, two decimals). Once the optimizer has made its variables (after the first training
  step) they are listed as "Optimizer params" and included in "Total params", as in Keras.

In Jupyter, ``summary()`` displays an object whose plain text is this table and whose HTML is
the same table as an HTML ``<table>``. With ``print_fn`` the whole text (ending in a newline)
is passed to ``print_fn`` once, as Keras 3 does.
"""
from __future__ import annotations

import html
import re
import shutil
import sys
from typing import Any, Callable

import numpy as np

from ..engine.numbers import readable_size
from ..engine.tensor import Node

__all__ = ["print_summary", "summary_text", "SummaryTable"]

# Layout of the two kinds of table: default width, column positions, headers, alignment.
CHAIN_LAYOUT = (88, [0.45, 0.80, 1.0], ["Layer (type)", "Output Shape", "Param #"],
                ["left", "left", "right"])
GRAPH_LAYOUT = (108, [0.3, 0.56, 0.74, 1.0],
                ["Layer (type)", "Output Shape", "Param #", "Connected to"],
                ["left", "left", "right", "left"])
NO_TERMINAL_COLUMNS = 80


# ----- reading the model ------------------------------------------------------------------------
def _graph_nodes(model) -> list[Node]:
    graph = getattr(model, "_graph", None)
    return list(graph.nodes) if graph is not None else []


def is_chain_shaped(model) -> bool:
    """True for a Sequential, or a functional model whose calls form one straight line.

    "Straight" means: every call takes one input tensor, no two calls are equally far from
    the outputs, and no layer is called twice (a shared layer makes a fork).
    """
    if getattr(model, "_class_label", None) == "Sequential":
        return True
    nodes = _graph_nodes(model)
    if any(len(node.flat_inputs) > 1 for node in nodes):
        return False
    depths = list(_node_depths(nodes).values())
    layers = [id(node.layer) for node in nodes]
    return len(set(depths)) == len(depths) and len(set(layers)) == len(layers)


def _node_depths(nodes: list[Node]) -> dict[int, int]:
    """For each node (by id): the number of calls on the longest path from it to an output."""
    made_by = {id(t): node for node in nodes for t in node.outputs}
    depth = {id(node): 0 for node in nodes}
    for node in reversed(nodes):  # nodes run from the inputs to the outputs
        for t in node.flat_inputs:
            parent = made_by.get(id(t))
            if parent is not None:
                depth[id(parent)] = max(depth[id(parent)], depth[id(node)] + 1)
    return depth


def _layer_label(layer) -> str:
    """``dense (Dense)``; a functional model shows as ``(Functional)``, as in Keras 3."""
    cls = type(layer).__name__
    if cls == "Model":
        cls = getattr(layer, "_class_label", "Functional")
    return f"{layer.name} ({cls})"


def _shape_text(shape) -> str:
    """``(None, 4)``: Keras' summary writes a one-axis shape as ``(None)``, without a comma."""
    return "(" + ", ".join("None" if d is None else str(d) for d in shape) + ")"


def _output_shape(layer, nodes: list[Node]) -> str:
    """The output shape of the layer's (last) call inside this model; ``?`` if never called."""
    in_model = {id(n) for n in nodes}
    calls = [n for n in layer._inbound_nodes if id(n) in in_model] or layer._inbound_nodes
    if not calls:
        return "?"
    shapes = [_shape_text(t.shape) for t in calls[-1].outputs]
    return shapes[0] if len(shapes) == 1 else "[" + ", ".join(shapes) + "]"


def _param_text(layer) -> str:
    if not layer.built:
        return "0 (unbuilt)"
    return f"{layer.count_params():,}"


def _connections(layer, nodes: list[Node]) -> str:
    """``input_layer[0][0], dense[1][0]``: the layer, call and output index of every tensor
    this layer was called on in this model; ``-`` for an Input."""
    in_model = {id(n) for n in nodes}
    parts = []
    for node in layer._inbound_nodes:
        if id(node) not in in_model:
            continue  # a call that belongs to another model
        for t in node.flat_inputs:
            parts.append(f"{t.node.layer.name}[{t.node.index_in_layer}][{t.index}]")
    return ", ".join(parts) or "-"


def _trainable_text(layer) -> str:
    if not layer.weights:
        return "-"
    return "Y" if layer.trainable else "N"


def _rows(model, chain: bool, show_trainable: bool, expand_nested: bool,
          layer_range) -> list[list[str]]:
    nodes = _graph_nodes(model)
    layers = getattr(model, "operations", model.layers)   # op nodes are rows too, as in Keras
    start, stop = _layer_index_range(layers, layer_range)
    rows: list[list[str]] = []

    def add(layer, owner_nodes: list[Node], level: int) -> None:
        prefix = "   " * level + "└ " if level else ""
        row = [prefix + _layer_label(layer), _output_shape(layer, owner_nodes), _param_text(layer)]
        if not chain:
            row.append(_connections(layer, nodes))  # inner layers of a nested model show "-"
        if show_trainable:
            row.append(_trainable_text(layer))
        rows.append(row)
        inner = getattr(layer, "layers", None)
        if expand_nested and inner:
            for sub in inner:
                add(sub, _graph_nodes(layer), level + 1)

    for layer in layers[start:stop]:
        add(layer, nodes, 0)
    return rows


def _layer_index_range(layers: list, layer_range) -> tuple[int, int]:
    """``layer_range=("dense", "dense_2")``: from the first layer whose name matches the first
    pattern to the last that matches the second (regular expressions, as in Keras)."""
    if layer_range is None:
        return 0, len(layers)
    if not isinstance(layer_range, (list, tuple)) or len(layer_range) != 2:
        raise ValueError(f"layer_range must be a list or tuple of length 2, e.g. "
                         f"layer_range=['dense', 'dense_2']. Received: layer_range={layer_range!r}")
    first, last = layer_range
    if not isinstance(first, str) or not isinstance(last, str):
        raise ValueError(f"layer_range should contain string type only (layer names or "
                         f"patterns). Received: {layer_range!r}")
    lower = [i for i, layer in enumerate(layers) if re.match(first, layer.name)]
    upper = [i for i, layer in enumerate(layers) if re.match(last, layer.name)]
    if not lower or not upper:
        names = [layer.name for layer in layers]
        raise ValueError(f"Passed layer_names do not match the layer names in the model. "
                         f"Received: {list(layer_range)}. The layers are: {names}")
    if min(lower) > max(upper):
        return min(upper), max(lower) + 1
    return min(lower), max(upper) + 1


# ----- counting -------------------------------------------------------------------------------------
def _count_and_bytes(arrays: list) -> tuple[int, int]:
    """Number of values and bytes in a list of weights (each counted once)."""
    unique = {id(a): np.asarray(a) for a in arrays}.values()
    return int(sum(a.size for a in unique)), int(sum(a.size * a.dtype.itemsize for a in unique))


def _optimizer_variables(model) -> list | None:
    """The optimizer's variables once it has made them (after its first step), else None."""
    optimizer = getattr(model, "optimizer", None)
    if not getattr(model, "compiled", False) or optimizer is None:
        return None
    if not hasattr(optimizer, "variables"):
        return None
    variables = list(optimizer.variables)
    built = getattr(optimizer, "built", None)
    if built is None:  # kteach's optimizers make their state on first use
        built = int(getattr(optimizer, "iterations", 0)) > 0 or len(variables) > 2
    return variables if built else None


def _footer(model) -> list[str]:
    trainable = _count_and_bytes(model.trainable_weights)
    frozen = _count_and_bytes(model.non_trainable_weights)
    optimizer_vars = _optimizer_variables(model)
    optimizer = _count_and_bytes(optimizer_vars) if optimizer_vars is not None else (0, 0)
    total = tuple(a + b + c for a, b, c in zip(trainable, frozen, optimizer))

    def line(label: str, count_bytes: tuple[int, int]) -> str:
        return f" {label}: {count_bytes[0]:,} ({readable_size(count_bytes[1])})"

    lines = [line("Total params", total), line("Trainable params", trainable),
             line("Non-trainable params", frozen)]
    if optimizer_vars is not None:
        lines.append(line("Optimizer params", optimizer))
    if getattr(model, "_graph", None) is None and model.layers and not model.built:
        lines.append(" Not built yet: start with Input(shape=...) or call fit() on data.")
    return lines


# ----- drawing the table -------------------------------------------------------------------------------
def column_widths(line_length: int, positions: list[float]) -> list[int]:
    """Keras' column widths: ``int(p·line_length)`` minus the previous column's end."""
    widths, end = [], 0
    for p in positions:
        width = int(p * line_length) - end
        if width < 4:
            raise ValueError(
                f"Insufficient console width to print summary: a column would be {width} "
                f"characters wide (line_length={line_length}, positions={list(positions)}). "
                f"Give a larger line_length or positions further apart.")
        widths.append(width)
        end += width
    return widths


def fit_widths(widths: list[int], line_length: int) -> list[int]:
    """Widths of the cells including their 1-space padding, fitted into ``line_length``.

    Each cell wants ``width + 2``; the table has ``len(widths) + 1`` border characters. If that
    is too much, the excess is taken evenly from the columns (left to right, rounding each share
    to the nearest integer), which is how rich shrinks fixed-width columns.
    """
    wanted = [w + 2 for w in widths]
    excess = sum(wanted) - (line_length - len(widths) - 1)
    if excess <= 0:
        return wanted
    fitted, left = [], len(wanted)
    for w in wanted:
        share = min(w, round(excess / left))
        fitted.append(w - share)
        excess -= share
        left -= 1
    return fitted


def wrap_cell(text: str, width: int) -> list[str]:
    """Break ``text`` into lines of at most ``width`` characters at spaces; cut a word that
    is longer than a whole line with ``…``."""
    lines = [""]
    for word in re.findall(r"\s*\S+\s*", text):  # a word and the spaces after it
        if lines[-1] and len(lines[-1]) + len(word.rstrip()) > width:
            lines.append("")
        lines[-1] += word
    lines = [line.rstrip() for line in lines]
    return [line if len(line) <= width else line[:width - 1] + "…" for line in lines]


def _align(text: str, width: int, how: str) -> str:
    space = width - len(text)
    if how == "right":
        return " " * space + text
    if how == "center":
        return " " * (space // 2) + text + " " * (space - space // 2)
    return text + " " * space


def draw_table(header: list[str], rows: list[list[str]], widths: list[int],
               alignment: list[str]) -> list[str]:
    """The box-drawn table: heavy lines around the header, light lines between rows.

    ``widths`` include the one space of padding on each side of a cell.
    """
    def rule(left: str, fill: str, cross: str, right: str) -> str:
        return left + cross.join(fill * w for w in widths) + right

    def text_lines(cells: list[str], bar: str) -> list[str]:
        wrapped = [wrap_cell(c, w - 2) for c, w in zip(cells, widths)]
        height = max(len(c) for c in wrapped)
        out = []
        for i in range(height):
            parts = [" " + _align(c[i] if i < len(c) else "", w - 2, a) + " "
                     for c, w, a in zip(wrapped, widths, alignment)]
            out.append(bar + bar.join(parts) + bar)
        return out

    lines = [rule("┏", "━", "┳", "┓")]
    lines += text_lines(header, "┃")
    lines.append(rule("┡", "━", "╇", "┩"))
    for i, row in enumerate(rows):
        if i:
            lines.append(rule("├", "─", "┼", "┤"))
        lines += text_lines(row, "│")
    lines.append(rule("└", "─", "┴", "┘"))
    return lines


# ----- the summary object -------------------------------------------------------------------------------
class SummaryTable:
    """Everything ``summary()`` shows: the title, the table and the footer lines.

    ``text`` is what Keras prints; ``_repr_html_`` gives the same table as HTML (Jupyter shows
    that). ``header``, ``rows`` and ``footer`` hold the cell texts, unwrapped.
    """

    def __init__(self, title: str, header: list[str], rows: list[list[str]],
                 alignment: list[str], widths: list[int], footer: list[str]):
        self.title, self.header, self.rows = title, header, rows
        self.alignment, self.widths, self.footer = alignment, widths, footer

    @property
    def text(self) -> str:
        lines = [self.title] + draw_table(self.header, self.rows, self.widths, self.alignment)
        return "\n".join(lines + self.footer) + "\n"

    def __repr__(self) -> str:
        return self.text.rstrip("\n")

    def _repr_pretty_(self, printer, cycle: bool) -> None:
        printer.text(repr(self))

    def _repr_html_(self) -> str:
        def cells(tag: str, texts: list[str]) -> str:
            return "".join(f'<{tag} style="text-align:{a}; white-space:pre-wrap; padding:0.1em 0.8em">'
                           f"{html.escape(t)}</{tag}>" for t, a in zip(texts, self.alignment))

        body = "".join(f"<tr>{cells('td', row)}</tr>" for row in self.rows)
        footer = "<br>".join(html.escape(line.strip()) for line in self.footer)
        return (f'<div class="kteach-summary" style="font-family:monospace">'
                f"<b>{html.escape(self.title)}</b>"
                f'<table style="border-collapse:collapse">'
                f"<thead><tr>{cells('th', self.header)}</tr></thead>"
                f"<tbody>{body}</tbody></table>"
                f"<p>{footer}</p></div>")


def _terminal_columns() -> int:
    if _in_notebook():
        return NO_TERMINAL_COLUMNS  # the same width for every reader of a notebook
    return shutil.get_terminal_size((NO_TERMINAL_COLUMNS, 24)).columns


def summarize(model, line_length: int | None = None, positions: list[float] | None = None,
              expand_nested: bool = False, show_trainable: bool = False,
              layer_range=None) -> SummaryTable:
    """Build the :class:`SummaryTable` of ``model`` (see :func:`print_summary`)."""
    chain = is_chain_shaped(model)
    default_length, default_positions, header, alignment = CHAIN_LAYOUT if chain else GRAPH_LAYOUT
    header, alignment = list(header), list(alignment)
    positions = list(positions or default_positions)
    if len(positions) != len(header):
        raise ValueError(
            f"positions={positions!r} gives {len(positions)} column ends, but this table has "
            f"{len(header)} columns ({', '.join(header)}). Give one end per column, as "
            f"fractions of the line, e.g. positions={list(default_positions)}.")
    if show_trainable:  # the Trainable column takes the last tenth of the line
        default_length += 12
        positions = [p * 0.9 for p in positions] + [1.0]
        header.append("Trainable")
        alignment.append("center")
    line_length = line_length or min(default_length, _terminal_columns() - 4)
    widths = fit_widths(column_widths(line_length, positions), line_length)
    rows = _rows(model, chain, show_trainable, expand_nested, layer_range)
    return SummaryTable(f'Model: "{model.name}"', header, rows, alignment, widths, _footer(model))


def summary_text(model, line_length: int | None = None, positions: list[float] | None = None,
                 expand_nested: bool = False, show_trainable: bool = False,
                 layer_range=None) -> str:
    """The text ``model.summary()`` prints, as one string ending in a newline."""
    return summarize(model, line_length, positions, expand_nested, show_trainable,
                     layer_range).text


def print_summary(model, line_length: int | None = None, positions: list[float] | None = None,
                  print_fn: Callable[[str], Any] | None = None, expand_nested: bool = False,
                  show_trainable: bool = False, layer_range=None) -> None:
    """Show the summary of ``model``: through ``print_fn`` if given (called once with the whole
    text), as a rich display in Jupyter, else printed to standard output."""
    table = summarize(model, line_length, positions, expand_nested, show_trainable, layer_range)
    if print_fn is not None:
        print_fn(table.text)
    elif _in_notebook():
        _display(table)
    else:
        sys.stdout.write(table.text)
        sys.stdout.flush()


def _in_notebook() -> bool:
    """True inside a Jupyter kernel. IPython is never imported here: if it is not loaded
    already, this is not a notebook."""
    ipython = sys.modules.get("IPython")
    get_ipython = getattr(ipython, "get_ipython", None)
    shell = get_ipython() if get_ipython is not None else None
    return shell is not None and getattr(shell, "kernel", None) is not None


def _display(table: SummaryTable) -> None:
    from IPython.display import display
    display(table)
