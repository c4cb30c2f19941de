"""Errors that teach.

Every kteach error says what happened, why, and how to fix it. Each class also inherits from
the builtin exception that Keras (or Python) would raise in the same place, so code written
for Keras -- ``except ValueError:`` -- keeps working.
"""
from __future__ import annotations

import difflib
import functools
import html
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


class NotCompiledError(KteachError, ValueError):
    """``fit``/``evaluate`` was called before ``compile`` (a ValueError, as in Keras 3)."""


class UnknownNameError(KteachError, ValueError):
    """A string names no known optimizer, loss, metric, activation or initializer."""


class UnknownArgumentError(KteachError, TypeError, ValueError):
    """A keyword argument that the function does not take (often a typo). Python raises a
    TypeError for it and Keras' layers a ValueError, so it is both."""


class DataError(KteachError, ValueError):
    """Training data that does not fit the model (shapes, counts, names, types)."""


class InvalidArgumentError(KteachError, ValueError):
    """An argument with a value that cannot work (a name with '/', a duplicate name...)."""


class WrongTypeError(KteachError, TypeError):
    """An argument of the wrong kind (a layer where a list of layers belongs...)."""


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
    """Training produced NaN or infinity. ``loss`` is the value it became (nan or inf),
    ``epoch`` and ``batch`` (from 1) where, when known (None otherwise)."""

    def __init__(self, message: str = "", *, loss: float | None = None,
                 epoch: int | None = None, batch: int | None = None):
        super().__init__(message)
        self.loss, self.epoch, self.batch = loss, epoch, batch


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


def constructor_keywords(cls: type, base: type = object) -> tuple[list[str], bool]:
    """The keywords ``cls(...)`` accepts, collected from every ``__init__`` up the class chain.

    A constructor that takes ``**kwargs`` hands them on to its parent's, so a subclass need not
    repeat its parent's arguments: ``class Wide(Dense): def __init__(self, units=512,
    **kwargs)`` accepts ``activation=`` too. The walk follows ``cls.__mro__`` down to ``base``
    (classes that are not subclasses of ``base`` are passed over) and stops at the first
    ``__init__`` without ``**kwargs``. The class's own names come first, then each parent's
    new ones, in signature order. A parent's argument without a default is left out: the
    subclass must fill it itself (``Conv1D`` gives ``_Conv`` its ``filters``), so it is not the
    caller's to give. Returns the names and whether the walk reached ``base``.
    """
    names: list[str] = []
    own = True
    for klass in cls.__mro__:
        if klass is base:
            return names, True
        if not issubclass(klass, base) or "__init__" not in vars(klass):
            continue
        params = inspect.signature(inspect.unwrap(vars(klass)["__init__"])).parameters.values()
        for p in params:
            if p.name != "self" and p.kind in (p.POSITIONAL_OR_KEYWORD, p.KEYWORD_ONLY) \
                    and (own or p.default is not p.empty) and p.name not in names:
                names.append(p.name)
        own = False
        if not any(p.kind == p.VAR_KEYWORD for p in params):
            return names, False
    return names, True


def check_keywords(func: Callable) -> Callable:
    """Decorator: a misspelt keyword raises :class:`UnknownArgumentError` with a suggestion.

    Python would already refuse the keyword, but only with "unexpected keyword argument";
    this adds the closest correct names, which is what a learner needs.
    """
    allowed: list[str] = []  # filled on first call: reading signatures at import time is slow
    open_ended: list[bool] = []   # [True] when func takes **kwargs: then every keyword goes

    @functools.wraps(func)
    def wrapper(*args: Any, **kwargs: Any) -> Any:
        if kwargs:
            if not open_ended:
                allowed.extend(keyword_names(func))
                open_ended.append(any(p.kind == p.VAR_KEYWORD
                                      for p in inspect.signature(func).parameters.values()))
            for key in ([] if open_ended[0] else kwargs):
                if key not in allowed:
                    # a constructor is named after the class actually being made
                    where = type(args[0]).__name__ if func.__name__ == "__init__" else func.__name__
                    raise unknown_keyword_error(where, key, allowed)
        return func(*args, **kwargs)

    return wrapper


_warned: set[str] = set()


def warn_once(message: str, key: str | None = None) -> None:
    """Show a :class:`KteachWarning` once for each ``key`` (default: the text), until
    ``kteach.backend.clear_session()`` forgets what was shown.

    In a script or a test it is an ordinary Python warning that points at the learner's line
    of code, not at kteach's insides (so ``pytest.warns`` and warning filters work as usual).
    In Jupyter or IPython it is shown as a short note instead: see :class:`WarningNote`.
    """
    key = key or message
    if key in _warned:
        return
    _warned.add(key)
    if _ipython_shell() is not None:
        _show_warnings_as_notes()
    warnings.warn(message, KteachWarning, stacklevel=_first_frame_outside_kteach())


def forget_warnings() -> None:
    """Let every warning of :func:`warn_once` be shown again (``clear_session()`` calls this)."""
    _warned.clear()


# ----- KteachWarnings in a notebook --------------------------------------------------------------
# Python shows a warning on stderr as "<file>:<line>: KteachWarning: <text>" followed by the line
# of code. In a notebook the file is a temporary ipykernel file, and the block is as pink as an
# error. So under IPython, kteach puts its own function in ``warnings.showwarning``: a
# KteachWarning becomes a note (HTML in Jupyter, one line of text in a terminal), any other
# warning goes to the function that was there before. The warning still passes through Python's
# filters (``simplefilter("ignore", KteachWarning)`` hides it, "error" raises it), and
# ``catch_warnings(record=True)`` still records it.

class WarningNote:
    """A KteachWarning as a notebook shows it: ``KteachWarning: <message>``, no source line.

    Its HTML is a box with the `backticked` names set as code; its text form (terminals,
    text-only viewers) is the one line. Both depend on the message only, so nbval can compare
    them.
    """

    def __init__(self, message: str):
        self.message = message

    def __repr__(self) -> str:
        return f"KteachWarning: {self.message}"

    def _repr_html_(self) -> str:
        parts = html.escape(self.message).split("`")
        if len(parts) % 2 == 1:   # backticks come in pairs: the odd parts are code
            text = "".join(f"<code>{p}</code>" if i % 2 else p for i, p in enumerate(parts))
        else:
            text = html.escape(self.message)
        return ('<div class="kteach-warning" role="note" style="border-left: 4px solid '
                '#e6a700; background: #fff8e1; color: #333; padding: 6px 10px; margin: 2px 0; '
                f'line-height: 1.45"><b>KteachWarning</b> &middot; {text}</div>')


_ALWAYS = ("always", None, KteachWarning, None, 0)   # the entry filterwarnings adds below
_previous_showwarning: Callable | None = None


def _ipython_shell() -> Any:
    """The running IPython shell (a Jupyter kernel, or IPython in a terminal), else None.

    Only asked when a warning is shown, and only if something imported IPython already: plain
    Python never imports it, and ``import kteach`` stays light.
    """
    ipython = sys.modules.get("IPython")
    get_ipython = getattr(ipython, "get_ipython", None)
    return get_ipython() if get_ipython is not None else None


def _show_warnings_as_notes() -> None:
    """Under IPython: show KteachWarnings as notes, every time warn_once lets one through."""
    global _previous_showwarning
    if warnings.showwarning is not _show_warning and not _recording_warnings():
        _previous_showwarning = warnings.showwarning
        warnings.showwarning = _show_warning
    # Python shows a warning once per line of code ("default"), and a lesson run a second time
    # in the same kernel uses the same lines. warn_once already decides what is new, so let
    # every KteachWarning through; appended, so that a filter of the learner's comes first.
    if _ALWAYS not in warnings.filters:
        warnings.filterwarnings("always", category=KteachWarning, append=True)


def _recording_warnings() -> bool:
    """Inside ``catch_warnings(record=True)``, which shows warnings by appending them to its
    list: a function put in ``showwarning`` now would take them away from that list."""
    show = getattr(warnings, "_showwarnmsg_impl", None)
    return getattr(show, "__name__", "_showwarnmsg_impl") != "_showwarnmsg_impl"


def _show_warning(message, category, filename, lineno, file=None, line=None) -> None:
    if issubclass(category, KteachWarning) and file is None and _ipython_shell() is not None:
        from IPython.display import display
        display(WarningNote(str(message)))
    elif _previous_showwarning is not None:
        _previous_showwarning(message, category, filename, lineno, file, line)


def _first_frame_outside_kteach() -> int:
    package_dir = os.path.dirname(os.path.dirname(os.path.abspath(__file__)))
    frame, level = sys._getframe(2), 2
    while frame is not None and frame.f_code.co_filename.startswith(package_dir):
        frame, level = frame.f_back, level + 1
    return level
