"""Reuters newswires: 11,228 short news texts in 46 topics, each a list of word indices, as
``keras.datasets.reuters``. The words are encoded as in :mod:`kteach.datasets.imdb`; the
whole set is shuffled with ``seed`` and its last ``test_split`` fraction is the test set."""
from __future__ import annotations

import numpy as np

from ._common import (KERAS_DATA, Split, as_object_array, check_test_split, encode_reviews,
                      keep_shorter_than, limit_vocabulary, load_word_index)
from ._files import get_file
from ._pickle import load_npz

SHA256 = "d6586e694ee56d7a4e65172e12b3e987c03096cb01eab99753921ef915959916"
WORD_INDEX_MD5 = "4d44cc38712099c9e383dc6e5f11a921"

LABEL_NAMES = (
    "cocoa", "grain", "veg-oil", "earn", "acq", "wheat", "copper", "housing", "money-supply",
    "coffee", "sugar", "trade", "reserves", "ship", "cotton", "carcass", "crude", "nat-gas",
    "cpi", "money-fx", "interest", "gnp", "meal-feed", "alum", "oilseed", "gold", "tin",
    "strategic-metal", "livestock", "retail", "ipi", "iron-steel", "rubber", "heat", "jobs",
    "lei", "bop", "zinc", "orange", "pet-chem", "dlr", "gas", "silver", "wpi", "hog", "lead")


def load_data(path: str = "reuters.npz", num_words: int | None = None, skip_top: int = 0,
              maxlen: int | None = None, test_split: float = 0.2, seed: int = 113,
              start_char: int | None = 1, oov_char: int | None = 2,
              index_from: int = 3) -> Split:
    """Return ``(x_train, y_train), (x_test, y_test)``: ``x`` a 1-D object array of lists of
    ints, ``y`` int64 topic numbers 0-45 (names: :func:`get_label_names`)."""
    check_test_split(test_split)
    path = get_file(path, origin=KERAS_DATA + "reuters.npz", file_hash=SHA256)
    f = load_npz(path)
    order = np.arange(len(f["x"]))
    np.random.RandomState(seed).shuffle(order)
    xs = encode_reviews(list(f["x"][order]), start_char, index_from)
    labels = f["y"][order]
    if maxlen:
        xs, labels = keep_shorter_than(maxlen, xs, labels)
    xs = limit_vocabulary(xs, num_words, skip_top, oov_char)
    cut = int(len(xs) * (1 - test_split))
    labels = np.asarray(labels)
    return ((as_object_array(xs[:cut]), labels[:cut]),
            (as_object_array(xs[cut:]), labels[cut:]))


def get_word_index(path: str = "reuters_word_index.json") -> dict[str, int]:
    """The dict from word to its rank (index ``rank + index_from`` in ``load_data``)."""
    return load_word_index(path, WORD_INDEX_MD5)


def get_label_names() -> tuple[str, ...]:
    """The 46 topic names; ``get_label_names()[y]`` is the topic of label ``y``."""
    return LABEL_NAMES
