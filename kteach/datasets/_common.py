"""Pieces the loaders share: Keras' address of its data files, the shuffle-and-split rule, and
the word-index rules of the two text data sets (IMDB, Reuters)."""
from __future__ import annotations

import json

import numpy as np

from ..engine.errors import InvalidArgumentError
from ._files import get_file

# What every load_data returns: (x_train, y_train), (x_test, y_test).
Split = tuple[tuple[np.ndarray, np.ndarray], tuple[np.ndarray, np.ndarray]]

# Where Keras keeps its copies of the classic data sets.
KERAS_DATA = "https://storage.googleapis.com/tensorflow/tf-keras-datasets/"


def check_test_split(test_split: float) -> None:
    if not 0 <= test_split < 1:
        raise InvalidArgumentError(
            f"test_split={test_split!r}, but it is the fraction of samples kept for testing, "
            f"so it must be at least 0 and below 1 (e.g. 0.2 for a fifth).")


def shuffle_and_split(x, y, test_split: float, seed: int) -> Split:
    """Shuffle with ``np.random.RandomState(seed)`` and cut at ``int(n * (1 - test_split))``:
    Keras' rule, so the same seed gives the same train/test samples as in Keras."""
    order = np.arange(len(x))
    np.random.RandomState(seed).shuffle(order)
    x, y = x[order], y[order]
    cut = int(len(x) * (1 - test_split))
    return (np.array(x[:cut]), np.array(y[:cut])), (np.array(x[cut:]), np.array(y[cut:]))


def encode_reviews(seqs: list, start_char, index_from: int) -> list[list[int]]:
    """Shift every word rank by ``index_from`` (freeing 0 = padding, 1 = start, 2 = unknown)
    and put ``start_char`` in front of each sequence."""
    head = [] if start_char is None else [start_char]
    return [head + [int(w) + index_from for w in s] for s in seqs]


def keep_shorter_than(maxlen, seqs: list, labels) -> tuple[list, list]:
    """Keras keeps only sequences *shorter* than ``maxlen`` (``len(s) < maxlen``, start
    character included) and drops the rest, rather than cutting them."""
    kept = [(s, t) for s, t in zip(seqs, labels) if len(s) < maxlen]
    return [s for s, _ in kept], [t for _, t in kept]


def limit_vocabulary(seqs: list, num_words, skip_top: int, oov_char) -> list[list[int]]:
    """Words with an index outside ``[skip_top, num_words)`` become ``oov_char``, or are
    dropped when ``oov_char`` is None. As in Keras, a missing ``num_words`` is the largest
    index present -- and since the range excludes its end, that one word becomes ``oov_char``
    too; the start character is an index like the others, so ``skip_top > start_char``
    replaces it."""
    if not num_words:
        num_words = max((max(s) for s in seqs if s), default=0)
    if oov_char is not None:
        return [[w if skip_top <= w < num_words else oov_char for w in s] for s in seqs]
    return [[w for w in s if skip_top <= w < num_words] for s in seqs]


def as_object_array(seqs: list) -> np.ndarray:
    """A 1-D object array of lists. (Keras calls np.array(lists, dtype=object), which gives
    the same for the real files but a 2-D array when every list has the same length.)"""
    out = np.empty(len(seqs), dtype=object)
    out[:] = seqs
    return out


def load_word_index(fname: str, file_hash: str) -> dict[str, int]:
    path = get_file(fname, origin=KERAS_DATA + fname, file_hash=file_hash)
    with open(path, encoding="utf-8") as f:
        return json.load(f)
