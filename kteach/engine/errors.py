"""Errors that teach.

Every kteach error says what happened, why, and how to fix it. Each class also inherits from
the builtin exception that Keras (or Python) would raise in the same place, so code written
for Keras -- ``except ValueError:`` -- keeps working.
"""
from __future__ import annotations

import difflib
import functools
import inspect
import os
import sys
import warnings
from typing import Any, Callable, Iterable


class KteachError(Exception):
    """Base class of every error raised on purpose by kteach."""


class ShapeError(KteachError, ValueError):
    """Data or a layer received an array whose shape does not fit."""


class SequenceTooShortError(ShapeError):
    """A convolution or pooling layer received fewer steps than its window needs.

    Raised by a layer's ``compute_output_shape`` with the layer and the length it got; the
    model adds the shortest input length its whole stack accepts.
    """

    def __init__(self, message: str, layer_name: str = "", length: int | None = None):
        super().__init__(message)
        self.layer_name, self.length = layer_name, length


class NotBuiltError(KteachError, ValueError):
    """A model or layer does not know its input shape yet."""


class NotCompiledError(KteachError, RuntimeError):
    """``fit``/``evaluate`` was called before ``compile``."""


class UnknownNameError(KteachError, ValueError):
    """A string names no known optimizer, loss, metric, activation or initializer."""


class UnknownArgumentError(KteachError, TypeError):
    """A keyword argument that the function does not take (often a typo)."""


class DataError(KteachError, ValueError):
    """Training data that does not fit the model (shapes, counts, names, types)."""


class NotSupportedError(KteachError, NotImplementedError):
    """A Keras feature that kteach does not implement (yet)."""


def refuse_unsupported(layer: str, **options: Any) -> None:
    """Keras options kteach does not implement (regularizers, constraints, ...): accepted when
    left at None, refused otherwise with :class:`NotSupportedError`."""
    for key, value in options.items():
        if value is not None:
            raise NotSupportedError(
                f"{layer}({key}=...) is not supported by kteach yet. Remove the `{key}` "
                f"argument (leave it None); everything else works as in Keras.")


class NumericalError(KteachError, FloatingPointError):
    """Training produced NaN or infinity."""


class KteachWarning(UserWarning):
    """A warning about a Keras 2 spelling or a likely mistake."""


def typo_distance(a: str, b: str) -> int:
    """Edits (insert, delete, replace, swap two neighbours) that turn ``a`` into ``b``."""
    prev2: list[int] = []
    prev = list(range(len(b) + 1))
    for i in range(1, len(a) + 1):
        row = [i] + [0] * len(b)
        for j in range(1, len(b) + 1):
            cost = a[i - 1] != b[j - 1]
            row[j] = min(prev[j] + 1, row[j - 1] + 1, prev[j - 1] + cost)
            if i > 1 and j > 1 and a[i - 1] == b[j - 2] and a[i - 2] == b[j - 1]:
                row[j] = min(row[j], prev2[j - 2] + 1)
        prev2, prev = prev, row
    return prev[-1]


def closest(word: str, candidates: Iterable[str], n: int = 3) -> list[str]:
    """The candidates that look most like ``word`` (case-insensitive), best first: typos
    (few edits) first, then names that share most letters."""
    candidates = list(dict.fromkeys(candidates))
    w = word.lower()
    limit = max(1, len(w) // 3)
    near = sorted((typo_distance(w, c.lower()), typo_distance(word, c), i, c)
                  for i, c in enumerate(candidates))
    hits = [c for d, _, _, c in near if d <= limit]
    lowered = {c.lower(): c for c in candidates}
    for h in difflib.get_close_matches(w, list(lowered), n=n, cutoff=0.6):
        if lowered[h] not in hits:
            hits.append(lowered[h])
    return hits[:n]


def did_you_mean(word: str, candidates: Iterable[str]) -> str:
    """' Did you mean 'x'?' or '' when nothing is close."""
    hits = closest(word, candidates)
    if not hits:
        return ""
    return " Did you mean " + " or ".join(repr(h) for h in hits) + "?"


def unknown_name_error(kind: str, name: str, valid: Iterable[str]) -> UnknownNameError:
    """The error for ``optimizer='rmspropy'``: the Keras text, the closest names, all names."""
    valid = sorted(set(valid))
    return UnknownNameError(
        f"Could not interpret {kind} identifier: {name}.{did_you_mean(name, valid)} "
        f"Known {kind} names: {', '.join(valid)}."
    )


# Keras 1/2 keyword spellings that tutorials still use, and their Keras 3 names.
RENAMED_KEYWORDS = {"nb_epoch": "epochs", "lr": "learning_rate", "input": "inputs",
                    "output": "outputs", "init": "kernel_initializer",
                    "output_dim": "units"}


def unknown_keyword_error(where: str, key: str, allowed: Iterable[str]) -> UnknownArgumentError:
    """The error for ``fit(epoches=20)``: what was wrong, the closest names, all names."""
    allowed = list(allowed)
    if RENAMED_KEYWORDS.get(key) in allowed:
        hint = f" `{key}` is an old Keras spelling; Keras 3 calls it `{RENAMED_KEYWORDS[key]}`."
    else:
        hint = did_you_mean(key, allowed)
    return UnknownArgumentError(
        f"{where}() got an unexpected keyword argument '{key}'.{hint} "
        f"It accepts: {', '.join(allowed)}."
    )


def keyword_names(func: Callable) -> list[str]:
    """The names a function accepts as keywords (without self and **kwargs)."""
    params = inspect.signature(func).parameters.values()
    return [p.name for p in params
            if p.name != "self" and p.kind in (p.POSITIONAL_OR_KEYWORD, p.KEYWORD_ONLY)]


def check_keywords(func: Callable) -> Callable:
    """Decorator: a misspelt keyword raises :class:`UnknownArgumentError` with a suggestion.

    Python would already refuse the keyword, but only with "unexpected keyword argument";
    this adds the closest correct names, which is what a learner needs.
    """
    allowed: list[str] = []  # filled on first call: reading signatures at import time is slow

    @functools.wraps(func)
    def wrapper(*args: Any, **kwargs: Any) -> Any:
        if kwargs:
            if not allowed:
                allowed.extend(keyword_names(func))
            for key in kwargs:
                if key not in allowed:
                    # a constructor is named after the class actually being made
                    where = type(args[0]).__name__ if func.__name__ == "__init__" else func.__name__
                    raise unknown_keyword_error(where, key, allowed)
        return func(*args, **kwargs)

    return wrapper


_warned: set[str] = set()


def warn_once(message: str, key: str | None = None) -> None:
    """Show a :class:`KteachWarning` once per session for each ``key`` (default: the text).

    The warning points at the learner's line of code, not at kteach's insides.
    """
    key = key or message
    if key in _warned:
        return
    _warned.add(key)
    warnings.warn(message, KteachWarning, stacklevel=_first_frame_outside_kteach())


def _first_frame_outside_kteach() -> int:
    package_dir = os.path.dirname(os.path.dirname(os.path.abspath(__file__)))
    frame, level = sys._getframe(2), 2
    while frame is not None and frame.f_code.co_filename.startswith(package_dir):
        frame, level = frame.f_back, level + 1
    return level
