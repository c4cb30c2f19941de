"""Automatic names as Keras gives them: ``dense``, ``dense_1``, ``dense_2`` ..."""
from __future__ import annotations

import re
from collections import defaultdict
from contextlib import contextmanager
from typing import Iterator

_counts: defaultdict[str, int] = defaultdict(int)


def snake_case(class_name: str) -> str:
    """``BatchNormalization`` -> ``batch_normalization``, ``Conv1D`` -> ``conv1d``."""
    s = re.sub(r"(.)([A-Z][a-z]+)", r"\1_\2", class_name)
    return re.sub(r"([a-z])([A-Z])", r"\1_\2", s).lower()


def unique_name(base: str) -> str:
    """The first use of ``base`` gets ``base``; later ones ``base_1``, ``base_2``, ..."""
    n = _counts[base]
    _counts[base] += 1
    return base if n == 0 else f"{base}_{n}"


def reset() -> None:
    """Forget every name given so far (``kteach.backend.clear_session()``)."""
    _counts.clear()


# Names of the models whose layers are being built right now (Keras' name scopes): a layer
# built inside a Sequential gets weight paths like ``sequential/dense/kernel``.
_scope: list[str] = []


@contextmanager
def name_scope(name: str) -> Iterator[None]:
    _scope.append(name)
    try:
        yield
    finally:
        _scope.pop()


def weight_path(layer_name: str, weight_name: str) -> str:
    return "/".join(_scope + [layer_name, weight_name])
