"""How kteach writes a number in text, one function for each kind of place.

The kinds differ on purpose -- a step record lines its values up with four decimals, a diagram
keeps its labels short, an optimizer's rule and generated code show a value the way a learner
types it -- so each kind is written once here and every place of that kind uses it.
"""
from __future__ import annotations


def readable(x: float) -> str:
    """Records and messages: 4 decimals for everyday sizes (``0.2500``), else 4 significant
    digits (``1.235e-05``, ``1.235e+06``); 0 as ``0.0000``."""
    x = float(x)
    if x == 0 or (1e-3 <= abs(x) < 1e5):
        return f"{x:.4f}"
    return f"{x:.4g}"


def significant(x: float, digits: int = 4) -> str:
    """Diagram labels: at most ``digits`` significant digits, no trailing zeros (``0.25``)."""
    return f"{x:.{digits}g}"


def as_written(x: float) -> str:
    """A hyper-parameter as a learner would write it: ``0.001``, ``0.9``, ``1e-07``."""
    return f"{float(x):g}"


def readable_size(n_bytes: float) -> str:
    """``84.00 B``, ``13.54 KB``, ``2.55 MB``: divide by 1024 while it is at least 1024."""
    for unit in ("B", "KB", "MB", "GB", "TB"):
        if n_bytes / 1024 < 1:
            return f"{n_bytes:.2f} {unit}"
        n_bytes /= 1024
    return f"{n_bytes:.2f} PB"
