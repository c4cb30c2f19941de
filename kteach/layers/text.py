"""Text and category preprocessing: StringLookup and IntegerLookup (token → index, by a
vocabulary) and TextVectorization (sentence → tokens → indices). As in Keras 3.

A vocabulary is a list; the index of a token is its place in :meth:`get_vocabulary`. With
``output_mode='int'`` the first places are reserved: 0 for the mask (when ``mask_token`` is
set; TextVectorization always has the mask ``''``, so 0 is also its padding), then
``num_oov_indices`` places for tokens not in the vocabulary (``'[UNK]'``; IntegerLookup
writes ``-1``), then the learnt tokens. ``adapt(data)`` learns the vocabulary: tokens by
count, most frequent first, ties broken by the token itself, *highest first* (Keras'
order: of ``'c'`` and ``'d'`` seen once each, ``'d'`` comes first).

These layers are **not differentiable**: their input is strings or ids, their output
indices or counts, so nothing flows back through them (``backward`` gives ``dx = None``) and
they have no trainable weights. They run inside a model like any layer, on an Input of
``dtype='string'`` (or ``'int64'`` for IntegerLookup).

Dtypes: 'int' gives int64; 'multi_hot', 'count', 'one_hot' and 'tf_idf' give float32, the
dtype Keras' symbolic tensor declares (real Keras computes these with TensorFlow, whose
arrays come out int64 except for tf_idf; the values are the same). A multi_hot or count
output of TextVectorization has shape ``(batch, depth)``; Keras' symbolic shape says
``(batch, 1, depth)`` for a ``(batch, 1)`` input, but its arrays are ``(batch, depth)``.
"""
from __future__ import annotations

import collections
import os
import string
from typing import Any, Callable

import numpy as np

from ..engine import config
from ..engine.errors import NotSupportedError
from ..engine.layer import Layer
from ..engine.tensor import format_shape

OUTPUT_MODES = ("int", "one_hot", "multi_hot", "count", "tf_idf")
_MAX_INT64 = np.iinfo(np.int64).max     # the index of a mask token outside 'int' mode: dropped


def _check_choice(value: Any, allowed: tuple, layer: str, arg: str, allow_none: bool = False,
                  allow_callable: bool = False) -> None:
    """Keras' message for an unknown string option."""
    if (allow_none and value is None) or (allow_callable and callable(value)):
        return
    if isinstance(value, str) and value in allowed:
        return
    raise ValueError(f"Unknown value for `{arg}` argument of {layer}. Allowed values are: "
                     f"{allowed}. Received: {arg}={value}")


def _refuse_sparse(layer: str, sparse: bool, ragged: bool = False) -> None:
    for what, value in (("sparse", sparse), ("ragged", ragged)):
        if value:
            raise NotSupportedError(
                f"`{what}=True` can only be used with the TensorFlow backend (Keras says so "
                f"too); kteach computes with dense NumPy arrays. Leave {what}=False: the "
                f"output is a dense array (padded with 0 where a row is shorter).")


def _plain_values(x: Any) -> bool:
    """Whether ``x`` is a (nested) list or tuple of plain Python values: strings or numbers."""
    if isinstance(x, (list, tuple)):
        return len(x) > 0 and all(_plain_values(item) for item in x)
    return isinstance(x, (str, int, float, np.generic))


class _ListIsOneInput:
    """A Python list of strings (or ids) is one input to these layers, as in Keras:
    ``vectorize(["the cat", "a dog"])`` is ``vectorize(np.array(["the cat", "a dog"]))``,
    not two inputs (which is what a list means to other layers, e.g. Concatenate)."""

    def __call__(self, inputs, *args, **kwargs):
        if _plain_values(inputs):
            inputs = np.asarray(inputs)
        return super().__call__(inputs, *args, **kwargs)


# ===== the lookup ===============================================================================
class _IndexLookup(_ListIsOneInput, Layer):
    """What StringLookup and IntegerLookup share: the vocabulary, ``adapt``, the lookup.

    ``x`` any shape of tokens → ``int``: the same shape of int64 indices;
    ``one_hot``: ``(..., depth)`` (a trailing axis of size 1 is replaced);
    ``multi_hot``/``count``: ``(batch, depth)`` with 1 / the count of each index per row (a 1-D
    input is one sample); ``tf_idf``: count · idf. ``depth`` = the vocabulary size, or
    ``max_tokens`` with ``pad_to_max_tokens=True``.
    """

    _config_keys = ("invert", "max_tokens", "num_oov_indices", "oov_token", "mask_token",
                    "output_mode", "sparse", "pad_to_max_tokens")
    _keras_build_config = True      # Keras writes an empty build_config: {}
    _kind = "string"                # the type of the tokens

    def __init__(self, max_tokens, num_oov_indices, mask_token, oov_token, vocabulary,
                 idf_weights, invert, output_mode, sparse, pad_to_max_tokens, oov_method,
                 salt, vocabulary_size, **kwargs):
        output_mode = {"binary": "multi_hot", "tf-idf": "tf_idf"}.get(output_mode, output_mode)
        self._check_arguments(max_tokens, num_oov_indices, vocabulary, idf_weights, invert,
                              output_mode, sparse, pad_to_max_tokens, oov_method, salt)
        super().__init__(**kwargs)
        self.invert, self.max_tokens, self.num_oov_indices = bool(invert), max_tokens, \
            num_oov_indices
        self.mask_token, self.oov_token, self.output_mode = mask_token, oov_token, output_mode
        self.sparse, self.pad_to_max_tokens = False, bool(pad_to_max_tokens)
        self.oov_method, self.salt = oov_method, salt
        self.input_vocabulary = None if isinstance(vocabulary, (str, os.PathLike)) else \
            _listed(vocabulary)
        self.input_idf_weights = _listed(idf_weights)
        self._has_input_vocabulary = vocabulary is not None
        self._tokens: list = []          # the learnt or given tokens, without the reserved ones
        self._index: dict = {}           # token -> index
        self.idf_weights: np.ndarray | None = None
        self._frozen_vocab_size = vocabulary_size
        self._vocabulary_set = False
        if vocabulary is not None:
            self.set_vocabulary(vocabulary, idf_weights)

    def forward(self, x, training=False):
        self._check_ready()
        if self.invert:
            return self._invert(np.asarray(x)), None
        ids = self._lookup(self._as_tokens(x, "the input", array=True))
        return self._encode(ids), None

    def backward(self, cache, dy):
        return None, []      # indices and counts of strings: there is nothing to differentiate

    def _check_arguments(self, max_tokens, num_oov_indices, vocabulary, idf_weights, invert,
                         output_mode, sparse, pad_to_max_tokens, oov_method, salt) -> None:
        """Keras' checks of the constructor's arguments, in Keras' order and words."""
        layer = type(self).__name__
        if max_tokens is not None and max_tokens <= 1:
            raise ValueError(self._max_tokens_message(max_tokens))
        if pad_to_max_tokens and max_tokens is None:
            raise ValueError(f"If pad_to_max_tokens is True, must set `max_tokens`. "
                             f"Received: max_tokens={max_tokens}")
        if isinstance(num_oov_indices, bool) or not isinstance(num_oov_indices, int) \
                or num_oov_indices < 0:
            raise ValueError(self._oov_count_message(num_oov_indices))
        _check_choice(oov_method, ("floormod", "farmhash"), layer, "oov_method")
        if oov_method != "floormod" or salt is not None or (num_oov_indices > 1
                                                            and self._kind == "string"):
            raise NotSupportedError(
                f"{layer} in kteach puts unknown tokens in one OOV index (num_oov_indices=1) "
                f"or, for integers, in index v mod num_oov_indices. Keras hashes strings into "
                f"several OOV indices with FarmHash (oov_method='farmhash', salt), which "
                f"kteach does not implement. Use num_oov_indices=1.")
        _check_choice(output_mode, OUTPUT_MODES, layer, "output_mode")
        if invert and output_mode != "int":
            raise ValueError(f"`output_mode` must be `'int'` when `invert` is true. "
                             f"Received: output_mode={output_mode}")
        if sparse and output_mode == "int":
            raise ValueError(f"`sparse` may only be true if `output_mode` is `'one_hot'`, "
                             f"`'multi_hot'`, `'count'` or `'tf_idf'`. Received: "
                             f"sparse={sparse} and output_mode={output_mode}")
        _refuse_sparse(layer, sparse)
        if idf_weights is not None and output_mode != "tf_idf":
            raise ValueError(f"`idf_weights` should only be set if `output_mode` is "
                             f"`'tf_idf'`. Received: idf_weights={idf_weights} and "
                             f"output_mode={output_mode}")
        if output_mode == "tf_idf" and vocabulary is not None and idf_weights is None:
            raise ValueError("When specifying the `vocabulary` argument, in TF-IDF output "
                             "mode, the `idf_weights` argument must also be provided.")

    # ----- Keras' messages that differ between the two classes --------------------------------
    def _max_tokens_message(self, max_tokens) -> str:
        return f"If set, `max_tokens` must be greater than 1. Received: max_tokens={max_tokens}"

    def _oov_count_message(self, n) -> str:
        return f"`num_oov_indices` must be greater than or equal to 0. Received: " \
               f"num_oov_indices={n}"

    # ----- the reserved indices -----------------------------------------------------------------
    def _oov_start(self) -> int:
        return 1 if self.mask_token is not None and self.output_mode == "int" else 0

    def _token_start(self) -> int:
        return self._oov_start() + self.num_oov_indices

    def vocabulary_size(self) -> int:
        """The number of indices: the reserved ones and the tokens."""
        return self._token_start() + len(self._tokens)

    def get_vocabulary(self, include_special_tokens: bool = True) -> list:
        """The token of every index, in order (``include_special_tokens=False``: only the
        learnt or given tokens)."""
        if not include_special_tokens:
            return list(self._tokens)
        return [self.mask_token] * self._oov_start() + [self.oov_token] * \
            self.num_oov_indices + list(self._tokens)

    # ----- setting the vocabulary ---------------------------------------------------------------
    def _read_file(self, path: str) -> list:
        from ..saving.serialization import _SAFE_MODE, in_safe_mode
        if _SAFE_MODE and in_safe_mode():
            raise ValueError(
                f"Requested the loading of a vocabulary file outside of the model archive. "
                f"This carries a potential risk of loading arbitrary and sensitive files and "
                f"thus it is disallowed by default. If you trust the source of the artifact, "
                f"you can override this error by passing `safe_mode=False` to the loading "
                f"function, or calling `keras.config.enable_unsafe_deserialization(). "
                f"Vocabulary file: '{path}'")
        if not os.path.exists(path):
            raise ValueError(f"Vocabulary file {path} does not exist.")
        if self.output_mode == "tf_idf":
            raise ValueError("output_mode `'tf_idf'` does not support loading a vocabulary "
                             "from file.")
        with open(path, encoding="utf-8") as f:
            lines = f.read().splitlines()
        return self._from_lines(lines, f"the vocabulary file {path!r}")

    def set_vocabulary(self, vocabulary: Any, idf_weights: Any = None) -> None:
        """Use ``vocabulary`` (a list or array of tokens, or the path of a text file with one
        token a line) instead of learning one with ``adapt``. The reserved tokens may lead
        the list (in their order) or be left out. Nothing changes when it is refused."""
        if self.output_mode == "tf_idf" and idf_weights is None:
            raise ValueError("`idf_weights` must be set if output_mode is 'tf_idf'.")
        if self.output_mode != "tf_idf" and idf_weights is not None:
            raise ValueError(f"`idf_weights` should only be set if output_mode is `'tf_idf'`. "
                             f"Received: output_mode={self.output_mode} and "
                             f"idf_weights={idf_weights}")
        if isinstance(vocabulary, (str, os.PathLike)):
            tokens, specials_given = self._read_file(os.fspath(vocabulary)), False
            given = None
        else:
            vocabulary = self._as_tokens(vocabulary, "vocabulary")
            if len(vocabulary) == 0:
                raise ValueError(f"Cannot set an empty vocabulary. Received: "
                                 f"vocabulary={vocabulary}")
            start = self._token_start()
            specials = self.get_vocabulary()[:start]
            specials_given = list(vocabulary[:start]) == specials
            tokens = list(vocabulary[start:]) if specials_given else list(vocabulary)
            given = list(vocabulary)
        self._check_tokens(tokens, given)
        idf = None
        if idf_weights is not None:
            idf = self._padded_idf(np.asarray(idf_weights, dtype="float64"),
                                   len(tokens) + (self._token_start() if specials_given else 0),
                                   specials_given)
        self._tokens = tokens
        self._index = {t: i for i, t in enumerate(tokens, self._token_start())}
        self.idf_weights = idf
        self._vocabulary_set = True
        self._record_vocabulary_size()

    def _check_tokens(self, tokens: list, given: list | None = None) -> None:
        repeated = [t for t, n in collections.Counter(tokens).items() if n > 1]
        if repeated:
            raise ValueError(f"The passed vocabulary has at least one repeated term. Please "
                             f"uniquify your dataset. The repeated terms are: {repeated}")
        specials = self.get_vocabulary()[:self._token_start()]
        for what, token in (("mask_token", self.mask_token), ("oov_token", self.oov_token)):
            if token is None or token not in tokens or (what == "oov_token" and not self.invert):
                continue
            where = (given if given is not None else tokens)
            index = len(where) - 1 - where[::-1].index(token)    # the last one, as Keras
            raise ValueError(
                f"Found reserved {'mask' if what == 'mask_token' else 'OOV'} token at "
                f"unexpected location in `vocabulary`. Note that passed `vocabulary` does not "
                f"need to include the OOV and mask tokens. Either remove all mask and OOV "
                f"tokens, or include them only at the start of the vocabulary in precisely "
                f"this order: {specials}. Received: {what}={token} at vocabulary index "
                f"[{index}]")
        size = self._token_start() + len(tokens)
        if self.max_tokens is not None and size > self.max_tokens:
            raise ValueError(f"Attempted to set a vocabulary larger than the maximum vocab "
                             f"size. Received vocabulary size is {size}; `max_tokens` is "
                             f"{self.max_tokens}.")

    def _padded_idf(self, idf: np.ndarray, n: int, specials_given: bool) -> np.ndarray:
        """The idf of every index: the given weights, after the reserved indices (which get
        the mean weight), then zeros up to ``max_tokens`` with ``pad_to_max_tokens``."""
        if idf.ndim != 1 or len(idf) != n:
            raise ValueError(f"`idf_weights` must be the same length as vocabulary. "
                             f"len(idf_weights) is {len(idf)}; len(vocabulary) is {n}")
        front = 0 if specials_given else self._token_start()
        idf = np.concatenate([np.full(front, idf.mean()), idf])
        if self.pad_to_max_tokens:
            idf = np.concatenate([idf, np.zeros(self.max_tokens - len(idf))])
        return idf.astype(config.floatx())

    def _record_vocabulary_size(self) -> None:
        self._frozen_vocab_size = self.vocabulary_size()

    # ----- learning the vocabulary --------------------------------------------------------------
    def adapt(self, data: Any, steps: int | None = None) -> None:
        """Learn the vocabulary from ``data``: a list or array of tokens (each row one
        document, for tf_idf), or an iterable of such batches (a generator, a
        ``kteach.utils.PyDataset`` -- of a batch ``(x, y)`` only ``x`` is read), at most
        ``steps`` batches. The tokens are ordered by count, most frequent first; ties by the
        token, highest first; ``max_tokens`` keeps the first ones. Adapting again starts
        afresh. Nothing changes when the data is refused."""
        self._adapt(data, steps, self._document_rows, self)

    def _adapt(self, data: Any, steps: int | None, rows_of: Callable, owner: Layer) -> None:
        """Count the tokens of every row (document) that ``rows_of(batch)`` gives, then
        learn from the counts. ``owner`` is the layer whose ``adapt`` was called."""
        if self._has_input_vocabulary:
            raise ValueError(f"Cannot adapt layer '{owner.name}' after setting a static "
                             f"vocabulary via `vocabulary` argument or `set_vocabulary()` "
                             f"method.")
        counts, documents, n_documents = collections.Counter(), collections.Counter(), 0
        for batch in _batches(data, steps):
            for row in rows_of(batch):
                counts.update(row)
                if self.output_mode == "tf_idf":
                    documents.update(set(row))
                n_documents += 1
        self._learn(counts, documents, n_documents)

    def _document_rows(self, batch: Any) -> list[list]:
        """A batch as documents (lists of tokens). A 1-D batch from an iterable is one
        document; the whole data given as a 1-D array is one token per document."""
        whole = isinstance(batch, _WholeData)
        x = self._as_tokens(batch.data if whole else batch, "the data to adapt on", array=True)
        if x.ndim <= 1:
            return [list(x.reshape(-1))] if not whole else [[t] for t in x.reshape(-1)]
        return [list(row.reshape(-1)) for row in x]

    def _learn(self, counts: collections.Counter, documents: collections.Counter,
               n_documents: int) -> None:
        for special in (self.mask_token, self.oov_token):
            counts.pop(special, None)
        if not counts:                 # nothing seen: the vocabulary stays as it was
            self._record_vocabulary_size()
            return
        ordered = sorted(counts.items(), key=lambda kv: (kv[1], kv[0]), reverse=True)
        if self.max_tokens:
            ordered = ordered[:self.max_tokens - self._token_start()]
        tokens = [t for t, _ in ordered]
        idf = None
        if self.output_mode == "tf_idf":
            df = np.array([documents[t] for t in tokens], dtype="float64")
            learnt = np.log(1 + n_documents / (1 + df)).astype(config.floatx())
            idf = self._padded_idf(learnt, len(tokens), False)
        self._tokens = tokens
        self._index = {t: i for i, t in enumerate(tokens, self._token_start())}
        self.idf_weights = idf
        self._vocabulary_set = True
        self._record_vocabulary_size()

    # ----- the tokens' type ---------------------------------------------------------------------
    def _from_lines(self, lines: list[str], what: str) -> list:
        """The tokens of a text file, one a line (integers for IntegerLookup)."""
        if self._kind == "string":
            return lines
        try:
            return [int(line) for line in lines]
        except ValueError:
            bad = next(line for line in lines if not line.strip().lstrip("-").isdigit())
            raise ValueError(f"IntegerLookup reads one integer a line from {what}, but a line "
                             f"holds {bad!r}.") from None

    def _as_tokens(self, data: Any, what: str, array: bool = False) -> Any:
        raise NotImplementedError

    # ----- calling ------------------------------------------------------------------------------
    def _depth(self) -> int:
        return self.max_tokens if self.pad_to_max_tokens else self._frozen_vocab_size

    def _check_ready(self, owner: Layer | None = None) -> None:
        """A clear error for a call before ``adapt`` (``owner``: the TextVectorization
        around this lookup, named in the message)."""
        owner = owner or self
        if self._vocabulary_set or self._frozen_vocab_size is not None:
            return
        if self.output_mode != "int" and not self.pad_to_max_tokens:
            raise RuntimeError(
                f"When using `output_mode={self.output_mode}` and `pad_to_max_tokens=False`, "
                f"you must set the layer's vocabulary before calling it. Either pass a "
                f"`vocabulary` argument to the layer, or call `adapt` with some sample data.")
        raise RuntimeError(
            f"{type(owner).__name__} '{owner.name}' has no vocabulary yet: call "
            f"layer.adapt(data) with some sample data first, or pass `vocabulary=[...]` "
            f"when making the layer. (Keras maps every token to the OOV index 1 in 'int' "
            f"mode then, which is never what was meant.)")

    def compute_output_shape(self, input_shape):
        shape = tuple(input_shape)
        if self.output_mode == "int":
            return shape
        depth = self._depth()
        if self.output_mode == "one_hot":
            return (shape[:-1] if len(shape) > 1 and shape[-1] == 1 else shape) + (depth,)
        return shape[:-1] + (depth,)

    def _output_dtype(self, inputs):
        if self.invert:
            return "string" if self._kind == "string" else "int64"
        return "int64" if self.output_mode == "int" else config.floatx()

    def formula(self, input_shape, output_shape):
        what = "token" if self.invert else "index"
        return (f"y = the {what} of each {'index' if self.invert else 'token'} "
                f"({self.output_mode}; vocabulary of {self.vocabulary_size()}) : "
                f"{format_shape(input_shape)} → {format_shape(output_shape)}")

    def _lookup(self, x: np.ndarray) -> np.ndarray:
        """The index of every token: its place, the OOV index (or v mod n for integers), or
        the mask's index (0 in 'int' mode; dropped later in the others)."""
        flat = x.reshape(-1).tolist()
        oov = self._oov_start()
        mask = 0 if self.output_mode == "int" else _MAX_INT64
        unknown = []
        ids = np.empty(len(flat), dtype="int64")
        for i, t in enumerate(flat):
            if self.mask_token is not None and t == self.mask_token:
                ids[i] = mask
            elif t in self._index:
                ids[i] = self._index[t]
            elif self.num_oov_indices == 0:
                unknown.append(t)
            else:
                ids[i] = oov + (t % self.num_oov_indices if self.num_oov_indices > 1 else 0)
        if unknown:
            raise ValueError(f"When `num_oov_indices=0` all inputs should be in vocabulary, "
                             f"found OOV values {unknown}, consider setting "
                             f"`num_oov_indices=1`.")
        return ids.reshape(x.shape)

    def _encode(self, ids: np.ndarray) -> np.ndarray:
        """The indices in ``output_mode``'s form."""
        if self.output_mode == "int":
            return ids
        depth = self._depth()
        if self.output_mode == "one_hot":
            if ids.ndim > 1 and ids.shape[-1] == 1:
                ids = ids[..., 0]
            return (ids[..., None] == np.arange(depth)).astype(config.floatx())
        if ids.ndim > 2:
            raise ValueError(f"When output_mode is not `'int'`, maximum supported output rank "
                             f"is 2. Received output_mode {self.output_mode} and input shape "
                             f"{ids.shape}, which would result in output rank {ids.ndim}.")
        rows = ids.reshape(1, -1) if ids.ndim <= 1 else ids
        counts = np.zeros((len(rows), depth), dtype="int64")
        for r, row in enumerate(rows):
            kept = row[row < depth]
            np.add.at(counts[r], kept, 1)
        if self.output_mode == "multi_hot":
            counts = np.minimum(counts, 1)
        out = counts.astype(config.floatx())
        if self.output_mode == "tf_idf":
            out = out * self.idf_weights
        return out[0] if ids.ndim <= 1 else out

    def _invert(self, ids: np.ndarray) -> np.ndarray:
        """The token of every index: the mask's for 0 (with a mask), the OOV token for any
        index that has no token."""
        vocabulary = self.get_vocabulary()
        if self._kind == "string":
            out = np.empty(ids.shape, dtype=object)
        else:
            out = np.empty(ids.shape, dtype="int64")
        flat = out.reshape(-1)
        for i, j in enumerate(ids.reshape(-1).tolist()):
            special = j < self._token_start() and not (j == 0 and self._oov_start())
            flat[i] = self.oov_token if special or not 0 <= j < len(vocabulary) else vocabulary[j]
        return out

    # ----- config -------------------------------------------------------------------------------
    def get_config(self) -> dict:
        config_ = super().get_config()
        config_.update({"vocabulary_dtype": self._kind if self._kind == "string" else "int64",
                        "idf_weights": self.input_idf_weights,
                        "vocabulary": self.input_vocabulary,
                        "vocabulary_size": self._frozen_vocab_size,
                        "oov_method": self.oov_method, "salt": self.salt})
        return config_

    def get_build_config(self) -> dict:
        return {}

    def build_from_config(self, config_: dict) -> None:
        self.built = True

    # ----- the vocabulary in a .keras file (kteach.saving.keras_file writes and reads it) ------
    def save_assets(self) -> dict[str, str] | None:
        """``{"vocabulary.txt": text}``, as Keras writes an adapted vocabulary (a given list is
        in the config instead)."""
        if self.input_vocabulary is not None:
            return None
        return {"vocabulary.txt": "\n".join(str(t) for t in self.get_vocabulary())}

    def load_assets(self, files: dict[str, str]) -> None:
        if self.input_vocabulary is not None or "vocabulary.txt" not in files:
            return
        lines = files["vocabulary.txt"].splitlines()
        while lines and lines[-1] == "":
            lines.pop()
        tokens = self._from_lines(lines, "the vocabulary asset")
        if not tokens:
            return
        idf = self.idf_weights
        # the asset lists the reserved tokens first, so the idf weights stay as they are
        self.set_vocabulary(tokens, None if idf is None else idf[:len(tokens)])

    def own_arrays(self) -> dict[str, np.ndarray]:
        """Arrays Keras keeps in the weights file by name: tf_idf's ``idf_weights``."""
        return {"idf_weights": self.idf_weights} if self.output_mode == "tf_idf" and \
            self.idf_weights is not None else {}

    def load_own_arrays(self, arrays: dict[str, np.ndarray]) -> None:
        if self.output_mode == "tf_idf" and "idf_weights" in arrays:
            self.idf_weights = np.asarray(arrays["idf_weights"], dtype=config.floatx())


def _listed(values: Any) -> Any:
    """A vocabulary or idf weights as a plain list (for the config), None stays."""
    if values is None:
        return None
    return [v.item() if isinstance(v, np.generic) else v for v in np.asarray(values).tolist()]


def _batches(data: Any, steps: int | None):
    """``data`` as batches: the whole of a list or array, else what an iterable yields."""
    from ..utils.data_adapter import PyDataset
    if isinstance(data, (list, tuple, np.ndarray, str)):
        yield _WholeData(data)
        return
    if isinstance(data, PyDataset):
        dataset = data
        data = (dataset[i] for i in range(len(dataset)))
    elif not hasattr(data, "__iter__"):
        raise TypeError(f"adapt() takes a list or array of samples, or an iterable of batches "
                        f"(a generator, a kteach.utils.PyDataset); received "
                        f"{type(data).__name__}.")
    for i, batch in enumerate(data):
        if steps is not None and i >= steps:
            break
        yield batch[0] if isinstance(batch, tuple) else batch


class _WholeData:
    """Data given all at once: a 1-D array is one token (one document) per element."""

    def __init__(self, data: Any):
        self.data = data


# ===== StringLookup =============================================================================
class StringLookup(_IndexLookup):
    """Strings → indices by a vocabulary (``invert=True``: indices → strings).

    ``y = index(x)`` elementwise: the token's place in ``get_vocabulary()``, 1 for an unknown
    token (``'[UNK]'``; 0 when there is no ``mask_token``, the default), 0 for the mask. In
    ``'multi_hot'``/``'count'``/``'one_hot'``/``'tf_idf'`` the indices become vectors of
    ``vocabulary_size()`` (see the base class). Output int64 in 'int' mode, else float32.

    >>> lookup = StringLookup(); lookup.adapt(["b", "a", "b"])
    >>> lookup.get_vocabulary(), lookup(np.array([["a", "z"]]))
    (['[UNK]', 'b', 'a'], array([[2, 0]]))
    """

    def __init__(self, max_tokens=None, num_oov_indices=1, mask_token=None, oov_token="[UNK]",
                 vocabulary=None, idf_weights=None, invert=False, output_mode="int",
                 pad_to_max_tokens=False, sparse=False, encoding="utf-8", name=None, salt=None,
                 oov_method="floormod", vocabulary_size=None, **kwargs):
        if encoding.lower().replace("_", "-") not in ("utf-8", "utf8"):
            raise NotSupportedError(f"StringLookup(encoding={encoding!r}): kteach's strings are "
                                    f"Python str; only encoding='utf-8' is implemented.")
        self.encoding = encoding
        kwargs.pop("vocabulary_dtype", None)
        super().__init__(max_tokens, num_oov_indices, mask_token, oov_token, vocabulary,
                         idf_weights, invert, output_mode, sparse, pad_to_max_tokens,
                         oov_method, salt, vocabulary_size, name=name, **kwargs)

    def _as_tokens(self, data, what, array=False):
        return _strings(data, type(self).__name__, what, array)

    def get_config(self):
        config_ = super().get_config()
        del config_["vocabulary_dtype"]
        return {**config_, "encoding": self.encoding}


def _strings(data: Any, layer: str, what: str, array: bool) -> Any:
    """``data`` as tokens of Python str (an object array when ``array``), or a clear error."""
    if isinstance(data, str):
        data = [data]
    try:
        x = np.asarray(data, dtype=object)
    except ValueError:
        raise ValueError(f"{layer} received {what} as rows of different lengths; give an "
                         f"array of strings of one shape (pad short rows with '').") from None
    flat = x.reshape(-1)
    for t in flat:
        if isinstance(t, bytes):
            raise TypeError(f"{layer} received bytes in {what} ({t!r}); decode them first: "
                            f"b.decode('utf-8').")
        if not isinstance(t, str):
            hint = " Use IntegerLookup for integer ids." if layer != "TextVectorization" \
                else " Convert them first, e.g. np.array(x).astype(str)."
            raise TypeError(f"{layer} works on strings, but {what} holds "
                            f"{type(t).__name__} values such as {t!r}.{hint}")
    return x if array else flat.tolist()


# ===== IntegerLookup ============================================================================
class IntegerLookup(_IndexLookup):
    """Integer ids → indices by a vocabulary (``invert=True``: indices → ids).

    Like StringLookup with integer tokens: ``oov_token=-1`` stands for unknown ids in
    ``get_vocabulary()``; with ``num_oov_indices=n > 1`` an unknown id ``v`` goes to OOV
    index ``oov_start + (v mod n)``. Output int64 in 'int' mode, else float32.
    """

    _kind = "int"

    def __init__(self, max_tokens=None, num_oov_indices=1, mask_token=None, oov_token=-1,
                 vocabulary=None, vocabulary_dtype="int64", idf_weights=None, invert=False,
                 output_mode="int", sparse=False, pad_to_max_tokens=False,
                 oov_method="floormod", salt=None, name=None, vocabulary_size=None, **kwargs):
        if vocabulary_dtype != "int64":
            raise ValueError(f"Only `vocabulary_dtype='int64'` is supported at this time. "
                             f"Received: vocabulary_dtype={vocabulary_dtype}")
        super().__init__(max_tokens, num_oov_indices, mask_token, oov_token, vocabulary,
                         idf_weights, invert, output_mode, sparse, pad_to_max_tokens,
                         oov_method, salt, vocabulary_size, name=name, **kwargs)
        self.vocabulary_dtype = "int64"

    def _max_tokens_message(self, max_tokens):
        return (f"If `max_tokens` is set for `IntegerLookup`, it must be greater than 1. "
                f"Received: max_tokens={max_tokens}")

    def _oov_count_message(self, n):
        return (f"The value of `num_oov_indices` argument for `IntegerLookup` must >= 0. "
                f"Received: num_oov_indices={n}")

    def _as_tokens(self, data, what, array=False):
        x = np.asarray(data)
        if x.dtype == object or x.dtype.kind not in "iub":
            raise TypeError(f"IntegerLookup works on integer ids, but {what} has dtype "
                            f"{x.dtype}. Use StringLookup for strings; round and cast floats "
                            f"first (x.astype('int64')).")
        x = x.astype("int64")
        return x if array else [int(v) for v in x.reshape(-1)]


# ===== TextVectorization ========================================================================
_PUNCTUATION = str.maketrans("", "", string.punctuation)
_ASCII_LOWER = str.maketrans(string.ascii_uppercase, string.ascii_lowercase)
_ASCII_SPACE = " \t\n\r\v\f"


class TextVectorization(_ListIsOneInput, Layer):
    """Sentences → integer sequences (or bags of words), in four steps per string:

    1. ``standardize``: ``'lower_and_strip_punctuation'`` (default) lowercases A–Z and
       deletes ASCII punctuation ``!"#$%&'()*+,-./:;<=>?@[\\]^_`{|}~``; ``'lower'``,
       ``'strip_punctuation'``, None, or a function of a NumPy array of strings. As in
       Keras, only ASCII letters are lowercased (``'Über'`` stays ``'Über'``).
    2. ``split``: ``'whitespace'`` (runs of ASCII spaces, tabs, newlines), ``'character'``,
       None (the whole string is one token), or a function of the array of strings that
       returns one list of tokens per string.
    3. ``ngrams=n`` adds the 2-grams ... n-grams (``ngrams=(1, 3)``: only those widths),
       tokens joined by a space, after all 1-grams.
    4. the tokens → indices by a StringLookup (``_lookup_layer``, mask ``''``): 0 padding,
       1 ``'[UNK]'``, 2... the vocabulary learnt by ``adapt`` (most frequent first).

    Shapes: ``(batch,)`` or ``(batch, 1)`` strings → ``'int'``: ``(batch, T)`` int64, padded
    with 0 to the longest row, or cut/padded to ``output_sequence_length``;
    ``'multi_hot'``/``'count'``/``'tf_idf'`` (float32): ``(batch, vocabulary_size)``
    (``max_tokens`` with ``pad_to_max_tokens=True``). Not differentiable: ``dx = None``.
    """

    _keras_build_config = True

    def __init__(self, max_tokens=None, standardize="lower_and_strip_punctuation",
                 split="whitespace", ngrams=None, output_mode="int", output_sequence_length=None,
                 pad_to_max_tokens=False, vocabulary=None, idf_weights=None, sparse=False,
                 ragged=False, encoding="utf-8", name=None, vocabulary_size=None, **kwargs):
        output_mode = {"binary": "multi_hot", "tf-idf": "tf_idf"}.get(output_mode, output_mode)
        _check_text_arguments(standardize, split, ngrams, output_mode, output_sequence_length,
                              sparse, ragged)
        lookup = StringLookup(max_tokens=max_tokens, vocabulary=vocabulary,
                              idf_weights=idf_weights, pad_to_max_tokens=pad_to_max_tokens,
                              mask_token="", output_mode=output_mode, encoding=encoding,
                              vocabulary_size=vocabulary_size)
        super().__init__(name=name, **kwargs)
        self.standardize, self.split, self.ngrams = standardize, split, ngrams
        self._ngrams = tuple(range(1, ngrams + 1)) if _is_int(ngrams) else ngrams
        self.output_mode, self.output_sequence_length = output_mode, output_sequence_length
        self.encoding = encoding
        self._lookup_layer = lookup

    def forward(self, x, training=False):
        lookup = self._lookup_layer
        lookup._check_ready(self)
        rows = self._token_rows(x, "the input")
        if self.output_mode != "int":
            width = max([len(r) for r in rows] + [1])
            padded = np.array([r + [""] * (width - len(r)) for r in rows], dtype=object)
            return lookup._encode(lookup._lookup(padded.reshape(len(rows), width))), None
        T = self.output_sequence_length
        if T is None:
            T = max([len(r) for r in rows] + [0])
        y = np.zeros((len(rows), T), dtype="int64")
        for i, row in enumerate(rows):
            ids = lookup._lookup(np.array(row[:T], dtype=object)) if row else []
            y[i, :len(ids)] = ids
        return y, None

    def backward(self, cache, dy):
        return None, []      # strings have no gradient

    # ----- the vocabulary is the lookup's ------------------------------------------------------
    def get_vocabulary(self, include_special_tokens: bool = True) -> list:
        """The token of every index: ``['', '[UNK]', ...]`` in 'int' mode."""
        return self._lookup_layer.get_vocabulary(include_special_tokens)

    def vocabulary_size(self) -> int:
        return self._lookup_layer.vocabulary_size()

    def set_vocabulary(self, vocabulary: Any, idf_weights: Any = None) -> None:
        self._lookup_layer.set_vocabulary(vocabulary, idf_weights)

    def adapt(self, data: Any, batch_size: Any = None, steps: int | None = None) -> None:
        """Learn the vocabulary from sentences: a list or array of strings (shape ``(n,)``
        or ``(n, 1)``), or an iterable of such batches (a generator, a PyDataset). Each
        sentence is standardized, split and n-grammed as in a call, then counted. Nothing
        changes when the data is refused."""
        def rows_of(batch: Any) -> list[list[str]]:
            batch = batch.data if isinstance(batch, _WholeData) else batch
            return self._token_rows(batch, "the data to adapt on")
        self._lookup_layer._adapt(data, steps, rows_of, self)

    # ----- the four steps ---------------------------------------------------------------------
    def _standardize(self, texts: np.ndarray) -> np.ndarray:
        if callable(self.standardize):
            return np.asarray(self.standardize(texts.astype(str)), dtype=object)
        out = texts
        if self.standardize in ("lower", "lower_and_strip_punctuation"):
            out = np.array([t.translate(_ASCII_LOWER) for t in out], dtype=object)
        if self.standardize in ("strip_punctuation", "lower_and_strip_punctuation"):
            out = np.array([t.translate(_PUNCTUATION) for t in out], dtype=object)
        return out

    def _split(self, texts: np.ndarray) -> list[list[str]]:
        if self.split is None:
            return [[t] for t in texts]
        if self.split == "character":
            return [list(t) for t in texts]
        if self.split == "whitespace":
            return [_split_ascii_whitespace(t) for t in texts]
        return [list(tokens) for tokens in self.split(texts.astype(str))]

    def _with_ngrams(self, tokens: list[str]) -> list[str]:
        if self._ngrams is None:
            return tokens
        return [" ".join(tokens[i:i + n]) for n in self._ngrams
                for i in range(len(tokens) - n + 1)]

    def _token_rows(self, x: Any, what: str) -> list[list[str]]:
        """Each string of ``x`` (``(batch,)`` or ``(batch, 1)``) as its list of tokens."""
        texts = _strings(x, "TextVectorization", what, array=True)
        if texts.ndim > 1:
            if texts.shape[-1] != 1 or texts.ndim > 2:
                raise ValueError(
                    f"When using `TextVectorization` to tokenize strings, the input rank must "
                    f"be 1 or the last shape dimension must be 1. Received: "
                    f"inputs.shape={texts.shape} with rank={texts.ndim}. Give one string per "
                    f"sample: an array of shape (batch,) or (batch, 1).")
            texts = texts[:, 0]
        texts = self._standardize(texts.reshape(-1))
        return [self._with_ngrams(tokens) for tokens in self._split(texts)]

    # ----- calling ----------------------------------------------------------------------------
    def build(self, input_shape):
        pass

    def check_input_shape(self, shape):
        """Any call may give one string per sample as ``(batch,)`` or ``(batch, 1)``, whatever
        the first call gave (as Keras); other shapes get Keras' message from
        :meth:`_token_rows`."""

    def compute_output_shape(self, input_shape):
        if self.output_mode == "int":
            return (input_shape[0], self.output_sequence_length)
        return (input_shape[0], self._lookup_layer._depth())

    def _output_dtype(self, inputs):
        return "int64" if self.output_mode == "int" else config.floatx()

    def formula(self, input_shape, output_shape):
        return (f"y = indices of the tokens of each string (standardize={self.standardize!r}, "
                f"split={self.split!r}, {self.output_mode}) : {format_shape(input_shape)} → "
                f"{format_shape(output_shape)}")

    # ----- config and file ---------------------------------------------------------------------
    def get_config(self) -> dict:
        from ..saving.serialization import serialize_keras_object
        lookup = self._lookup_layer
        config_ = super().get_config()
        config_.update({
            "max_tokens": lookup.max_tokens,
            "standardize": _function_or_name(self.standardize, serialize_keras_object),
            "split": _function_or_name(self.split, serialize_keras_object),
            "ngrams": self.ngrams, "output_mode": self.output_mode,
            "output_sequence_length": self.output_sequence_length,
            "pad_to_max_tokens": lookup.pad_to_max_tokens, "sparse": False, "ragged": False,
            "vocabulary": lookup.input_vocabulary, "idf_weights": lookup.input_idf_weights,
            "encoding": self.encoding, "vocabulary_size": self.vocabulary_size()})
        return config_

    @classmethod
    def from_config(cls, config_: dict) -> "TextVectorization":
        config_ = dict(config_)
        if isinstance(config_.get("ngrams"), list):    # JSON has no tuples
            config_["ngrams"] = tuple(config_["ngrams"])
        return super().from_config(config_)

    def save_assets(self) -> dict[str, str] | None:
        return self._lookup_layer.save_assets()

    def load_assets(self, files: dict[str, str]) -> None:
        self._lookup_layer.load_assets(files)

    def own_arrays(self) -> dict[str, np.ndarray]:
        return self._lookup_layer.own_arrays()

    def load_own_arrays(self, arrays: dict[str, np.ndarray]) -> None:
        self._lookup_layer.load_own_arrays(arrays)


def _check_text_arguments(standardize, split, ngrams, output_mode, output_sequence_length,
                          sparse, ragged) -> None:
    """Keras' checks of TextVectorization's arguments, in Keras' order and words."""
    layer = "TextVectorization"
    _refuse_sparse(layer, sparse, ragged and output_mode == "int")
    _check_choice(standardize, ("lower_and_strip_punctuation", "lower", "strip_punctuation"),
                  layer, "standardize", allow_none=True, allow_callable=True)
    _check_choice(split, ("whitespace", "character"), layer, "split", allow_none=True,
                  allow_callable=True)
    _check_choice(output_mode, OUTPUT_MODES, layer, "output_mode")
    if output_mode == "one_hot":
        raise NotSupportedError(
            "TextVectorization(output_mode='one_hot') is not in Keras' documented modes (int, "
            "multi_hot, count, tf_idf): Keras gives a ragged (batch, 1, tokens, depth) tensor "
            "that only TensorFlow holds. For one vector per token, use output_mode='int' and "
            "then kteach.ops.one_hot(ids, vocabulary_size), or an Embedding.")
    if not (ngrams is None or _is_int(ngrams) or (isinstance(ngrams, tuple)
                                                  and all(_is_int(n) for n in ngrams))):
        raise ValueError(f"`ngrams` must be None, an integer, or a tuple of integers. "
                         f"Received: ngrams={ngrams}")
    if output_mode == "int" and not (output_sequence_length is None
                                     or _is_int(output_sequence_length)):
        raise ValueError(f"`output_sequence_length` must be either None or an integer "
                         f"when `output_mode` is 'int'. Received: "
                         f"output_sequence_length={output_sequence_length}")
    if output_mode != "int" and output_sequence_length is not None:
        raise ValueError(f"`output_sequence_length` must not be set if `output_mode` is "
                         f"not 'int'. Received output_sequence_length="
                         f"{output_sequence_length}.")
    if ragged and output_mode != "int":
        raise ValueError(f"`ragged` must not be true if `output_mode` is `'int'`. "
                         f"Received: ragged={ragged} and output_mode={output_mode}")


def _is_int(value: Any) -> bool:
    return isinstance(value, (int, np.integer)) and not isinstance(value, bool)


def _function_or_name(value: Any, serialize: Callable) -> Any:
    return value if value is None or isinstance(value, str) else serialize(value)


def _split_ascii_whitespace(text: str) -> list[str]:
    """Split at runs of ASCII whitespace (as TensorFlow does: a no-break space U+00A0 or an
    ideographic space U+3000 is part of a word, unlike in Python's ``str.split()``)."""
    for c in _ASCII_SPACE[1:]:
        text = text.replace(c, " ")
    return [t for t in text.split(" ") if t]
