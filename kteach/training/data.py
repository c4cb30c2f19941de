"""Turning what a learner passes to fit/evaluate/predict into checked arrays.

Every check here runs before training starts, so bad data never leaves a model half-trained.
Each error names the input or output, the shapes, and what to change.
"""
from __future__ import annotations

from typing import Any

import numpy as np

from ..engine.errors import DataError, SequenceTooShortError, did_you_mean
from ..engine.tensor import KerasTensor, format_shape


def _describe(value: Any) -> str:
    text = repr(value)
    return text if len(text) < 60 else text[:57] + "..."


def to_array(value: Any, what: str) -> np.ndarray:
    """One data array. Nested Python lists are refused as in Keras 3, with the fix."""
    if isinstance(value, np.ndarray):
        array = value
    elif isinstance(value, (list, tuple)):
        raise DataError(
            f"Unrecognized data type: {what}={_describe(value)} (of type {type(value)}). "
            f"kteach, like Keras 3, wants NumPy arrays: write np.array({what}) first.")
    elif hasattr(value, "__array__") and not isinstance(value, KerasTensor):
        array = np.asarray(value)
    else:
        raise DataError(f"Unrecognized data type: {what}={_describe(value)} (of type "
                        f"{type(value)}). Pass a NumPy array.")
    if array.dtype == object and not _all_strings(array):
        mixed = next((v for v in array.reshape(-1) if not isinstance(v, str)), None)
        if any(isinstance(v, str) for v in array.reshape(-1)) and not isinstance(mixed, list):
            raise DataError(f"{what} mixes strings with other values (such as {mixed!r}). Text "
                            f"layers take an array of strings only: convert with "
                            f"np.array({what}, dtype=str), or fill missing texts with ''.")
        raise DataError(f"{what} is an array of Python objects (dtype=object), probably rows of "
                        f"different lengths. Make every sample the same shape, e.g. with "
                        f"kteach.utils.pad_sequences, then pass a numeric array.")
    if array.ndim == 0:
        raise DataError(f"{what} is a single number; pass an array with one row per sample.")
    if np.iscomplexobj(array):
        raise DataError(f"{what} holds complex numbers (dtype {array.dtype}); kteach, like "
                        f"Keras, trains on real numbers. Pass np.real({what}) and np.imag({what}) "
                        f"as separate features if both parts matter.")
    if len(array) == 0:
        raise DataError(f"{what} has no samples (shape {array.shape}): there is nothing to "
                        f"train on or predict. Check how the data was sliced or filtered.")
    return array


def _all_strings(array: np.ndarray) -> bool:
    """An object array of Python strings: text for TextVectorization and StringLookup."""
    return array.size > 0 and all(isinstance(v, str) for v in array.reshape(-1))


def structure(model, data: Any, names: list[str], what: str, kind: str) -> list[np.ndarray]:
    """Arrays in the model's input (or output) order, from an array, a list or a dict."""
    if isinstance(data, dict):
        unknown = [k for k in data if k not in names]
        missing = [n for n in names if n not in data]
        if missing or unknown:
            hint = "".join(did_you_mean(k, names) for k in unknown)
            first = missing[0] if missing else unknown[0]
            raise DataError(
                f"Missing data for {kind} \"{first}\". You passed a data dictionary with keys "
                f"{list(data)}. Expected the following keys: {names}.{hint} The keys of {what} "
                f"must be the {kind} names of the model.")
        return [to_array(data[n], f"{what}['{n}']") for n in names]
    if isinstance(data, (list, tuple)) and len(names) > 1:
        if len(data) != len(names):
            raise DataError(
                f"The model has {len(names)} {kind}s {names}, but {what} is a list of "
                f"{len(data)} arrays. Pass one array per {kind}, in that order, or a dict "
                f"keyed by the names.")
        return [to_array(d, f"{what}[{i}]") for i, d in enumerate(data)]
    if isinstance(data, (list, tuple)) and len(data) == 1 and isinstance(data[0], np.ndarray):
        return [to_array(data[0], f"{what}[0]")]
    if len(names) > 1:
        raise DataError(
            f"The model has {len(names)} {kind}s {names}, but {what} is a single array. Pass a "
            f"list with one array per {kind} ([{', '.join(names)}]) or a dict such as "
            f"{{{', '.join(repr(n) + ': ...' for n in names)}}}.")
    return [to_array(data, what)]


def check_inputs(model, arrays: list[np.ndarray], what: str = "x") -> list[np.ndarray]:
    """Check each input array against its Input's shape and cast it to the Input's dtype."""
    out = []
    for t, a, name in zip(model.inputs, arrays, model.input_names):
        expected = t.shape
        fits = a.ndim == len(expected) and all(e is None or e == s for e, s in zip(expected[1:], a.shape[1:]))
        if not fits:
            raise DataError(_input_shape_message(model, name, expected, a, what))
        if t.dtype == "string":
            if a.dtype.kind not in "OU":
                raise DataError(f"{what} for input '{name}' has dtype {a.dtype}; the input "
                                f"was made with dtype='string', so give an array of strings.")
        elif np.issubdtype(np.dtype(t.dtype), np.floating):
            if not np.issubdtype(a.dtype, np.number) and a.dtype != bool:
                raise DataError(f"{what} for input '{name}' has dtype {a.dtype}; it must be numbers.")
            a = a.astype(t.dtype, copy=False)
            check_finite(a, f"{what} for input '{name}'")
        out.append(a)
    return out


def check_lengths(model, arrays: list[np.ndarray]) -> None:
    """For inputs of variable length (``Input(shape=(None,))``), check that the data's length
    gets through every layer; if not, say which layer runs out of steps and the shortest
    length the whole model accepts."""
    if not any(None in t.shape[1:] for t in model.inputs):
        return
    shapes = [(None,) + a.shape[1:] for a in arrays]
    try:
        model._graph.infer_shapes(shapes)
    except SequenceTooShortError as error:
        shortest = _shortest_length(model, shapes)
        extra = (f" The shortest input this model accepts has {shortest} steps; pad the "
                 f"sequences to at least that length (kteach.utils.pad_sequences(..., "
                 f"maxlen={shortest})) or use smaller kernels and pools." if shortest else "")
        raise SequenceTooShortError(str(error) + extra, error.layer_name, error.length) from None


def _shortest_length(model, shapes: list[tuple], limit: int = 100_000) -> int | None:
    """The smallest common length of the variable axes that passes shape inference."""
    variable = [[i > 0 and d is None for i, d in enumerate(t.shape)] for t in model.inputs]

    def passes(n: int) -> bool:
        trial = [tuple(n if var else d for d, var in zip(s, flags)) for s, flags in zip(shapes, variable)]
        try:
            model._graph.infer_shapes(trial)
            return True
        except SequenceTooShortError:
            return False

    low, high = 1, 1
    while not passes(high):
        high *= 2
        if high > limit:
            return None
    while low < high:  # lengths that pass form a range [shortest, ...): bisect it
        mid = (low + high) // 2
        low, high = (low, mid) if passes(mid) else (mid + 1, high)
    return low


def _input_shape_message(model, name: str, expected: tuple, a: np.ndarray, what: str) -> str:
    msg = (f"Input '{name}' of model '{model.name}' is incompatible with the data: the model "
           f"expects shape {format_shape(expected)} (the first axis is the batch), but {what} "
           f"has shape {a.shape}.")
    if a.ndim == len(expected) and a.ndim >= 2:
        msg += (f" Each sample has {a.shape[1:]} values where {format_shape(expected[1:])} were "
                f"expected: either give data with {expected[-1]} features per sample, or build "
                f"the model for {a.shape[-1]} (Input(shape={a.shape[1:]})).")
    elif a.ndim == 1 and len(expected) == 2 and expected[1] == 1:
        msg += f" For one feature per sample, reshape: {what}.reshape(-1, 1)."
    elif a.ndim == len(expected) - 1:
        msg += (f" {what} seems to be a single sample or to lack an axis; a batch of one sample "
                f"is {what}[np.newaxis].")
    return msg


def check_finite(a: np.ndarray, what: str) -> None:
    """NaN or infinity in the data would silently turn every weight into NaN."""
    if np.issubdtype(a.dtype, np.floating) and not np.isfinite(a).all():
        bad = np.argwhere(~np.isfinite(a))[0]
        raise DataError(
            f"{what} contains NaN or infinity (first at index {tuple(int(i) for i in bad)}). "
            f"One such value turns every weight into NaN after a single step. Remove those "
            f"samples or fill them in (e.g. np.nan_to_num, or the column mean) before training.")


def check_counts(xs: list[np.ndarray], ys: list[np.ndarray] | None) -> int:
    """The number of samples, after checking every array has the same."""
    sizes_x = [len(a) for a in xs]
    sizes_y = [len(a) for a in ys] if ys else []
    if len(set(sizes_x + sizes_y)) > 1:
        fmt = lambda s: ", ".join(str(n) for n in s)
        raise DataError(
            f"Data cardinality is ambiguous. Make sure all arrays contain the same number of "
            f"samples. 'x' sizes: {fmt(sizes_x)}" + (f" 'y' sizes: {fmt(sizes_y)}" if sizes_y else "")
            + ". Every input and target array needs one row per sample.")
    return sizes_x[0]
