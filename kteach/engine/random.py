"""The one random generator kteach uses (weight init, dropout masks, shuffling).

``kteach.utils.set_random_seed(s)`` replaces it, so a seeded run repeats exactly.
"""
from __future__ import annotations

import random as _py_random

import numpy as np

_rng = np.random.default_rng()


def rng() -> np.random.Generator:
    """The current generator. Always call this; never keep a reference across a reseed."""
    return _rng


def set_seed(seed: int) -> None:
    """Seed kteach's generator, and also Python's and NumPy's global ones as Keras does,
    so that a tutorial's ``np.random.random(...)`` data repeats too."""
    global _rng
    _rng = np.random.default_rng(seed)
    _py_random.seed(seed)
    np.random.seed(seed)


def get_state() -> dict:
    """The generator's state, to restore after a step that must leave no trace."""
    return _rng.bit_generator.state


def set_state(state: dict) -> None:
    _rng.bit_generator.state = state
