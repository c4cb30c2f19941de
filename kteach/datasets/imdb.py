"""IMDB movie reviews: 25,000 to train and 25,000 to test, each a list of word indices and a
label (1 positive, 0 negative), as ``keras.datasets.imdb``. Andrew Maas et al., 2011.

How a review becomes numbers (the file stores each word as its frequency rank, 1 = the most
common word):

1. the reviews are shuffled with ``np.random.RandomState(seed)`` (train, then test);
2. every rank is shifted up by ``index_from`` and ``start_char`` is put in front, so that
   0 (padding), 1 (start) and 2 (unknown word) are free;
3. with ``maxlen``, only reviews shorter than ``maxlen`` are kept (the others are dropped);
4. indices outside ``[skip_top, num_words)`` become ``oov_char`` (or are removed if it is None).
"""
from __future__ import annotations

import numpy as np

from ..engine.errors import DataError
from ._common import (KERAS_DATA, Split, as_object_array, encode_reviews, keep_shorter_than,
                      limit_vocabulary, load_word_index)
from ._files import get_file
from ._pickle import load_npz

SHA256 = "69664113be75683a8fe16e3ed0ab59fda8886cb3cd7ada244f7d9544e4676b9f"
WORD_INDEX_MD5 = "bfafd718b763782e994055a2d397834f"


def load_data(path: str = "imdb.npz", num_words: int | None = None, skip_top: int = 0,
              maxlen: int | None = None, seed: int = 113, start_char: int | None = 1,
              oov_char: int | None = 2, index_from: int = 3, **kwargs) -> Split:
    """Return ``(x_train, y_train), (x_test, y_test)``: ``x`` a 1-D object array of lists of
    ints (reviews differ in length: use ``pad_sequences``), ``y`` int64 labels. See the
    module docstring for the arguments."""
    if kwargs:
        raise TypeError(f"imdb.load_data got unknown arguments {sorted(kwargs)}. It takes "
                        f"path, num_words, skip_top, maxlen, seed, start_char, oov_char and "
                        f"index_from.")
    path = get_file(fname=path, origin=KERAS_DATA + "imdb.npz", file_hash=SHA256)
    f = load_npz(path)
    rng = np.random.RandomState(seed)
    parts = []
    for x, y in ((f["x_train"], f["y_train"]), (f["x_test"], f["y_test"])):
        order = np.arange(len(x))
        rng.shuffle(order)   # one generator for both, in this order: the same split as Keras
        x = encode_reviews(list(x[order]), start_char, index_from)
        y = y[order]
        if maxlen:
            x, y = keep_shorter_than(maxlen, x, y)
        parts.append((x, np.asarray(y)))
    (x_train, y_train), (x_test, y_test) = parts
    if maxlen and (not x_train or not x_test):
        raise DataError(f"With maxlen={maxlen} no review is left in the "
                        f"{'training' if not x_train else 'test'} set: only reviews shorter "
                        f"than maxlen are kept. Increase maxlen (e.g. 200).")
    xs = limit_vocabulary(x_train + x_test, num_words, skip_top, oov_char)
    n = len(x_train)
    return (as_object_array(xs[:n]), y_train), (as_object_array(xs[n:]), y_test)


def get_word_index(path: str = "imdb_word_index.json") -> dict[str, int]:
    """The dict from word to its rank in the file (``{'the': 1, ...}``). In ``load_data``'s
    output the word with rank ``r`` has the index ``r + index_from`` (3 by default)."""
    return load_word_index(path, WORD_INDEX_MD5)
