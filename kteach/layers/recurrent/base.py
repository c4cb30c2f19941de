"""What SimpleRNN, LSTM and GRU share: arguments, weights, shapes and the outputs.

A recurrent layer reads a sequence ``x`` of shape ``(batch, T, features)`` one step at a time
and carries a state ``h`` (LSTM: ``h`` and ``c``) from step to step, starting from zeros:

    h_t = step(x_t, h_{t-1}),   t = 1 … T

Output: the last state ``h_T`` ``(batch, units)``, or every ``h_t`` ``(batch, T, units)`` with
``return_sequences=True``; with ``return_state=True`` a list ``[output, h_T]`` (LSTM
``[output, h_T, c_T]``). ``go_backwards=True`` reads the sequence from the last step to the
first; the returned sequence is then in reading order too (its first entry belongs to the
last input step), as in Keras.

Weights, as Keras: ``kernel`` ``(features, g·units)`` for the input, ``recurrent_kernel``
``(units, g·units)`` for the state, ``bias``; ``g`` blocks side by side, one per gate
(SimpleRNN 1; LSTM 4 in the order i, f, c, o; GRU 3 in the order z, r, h).

Speed: the input part ``x_t·W + b`` of every step is one matrix product over the whole
sequence, before the loop; only the part that needs the previous state runs step by step.
Backpropagation through time is the same loop run backwards: at each step the gradient of
``h_t`` is what the output contributes plus what step ``t+1`` sends back. Inside, every
per-step array is kept time first, ``(T, b, ·)``, so that step t's slice ``a[t]`` is one
contiguous block of memory (in the ``(b, T, ·)`` layout of the input, ``x[:, t]`` is b
scattered rows, and the loop ran at half the speed); inputs and outputs keep Keras' layout.

Regularizers and constraints work as in Keras: ``kernel_``, ``recurrent_`` and
``bias_regularizer`` add penalties to ``layer.losses``, ``activity_regularizer`` penalises the
output ``y`` (not the returned states), constraints act after each update.

Masks (padding): with a mask ``(b, T)`` from ``Embedding(mask_zero=True)`` or ``Masking``, a
masked step changes nothing: ``h_t = h_{t−1}`` (LSTM: also ``c_t = c_{t−1}``), and the output
at that step repeats the previous one; backward, the gradient of ``h_t`` passes straight to
``h_{t−1}``. The sequence output keeps the mask; the last output and the states have none.
As in Keras 3, an RNN called with ``initial_state=`` gets no mask from its input.

Dropout (Keras 3's rule): in training only, one mask per call, drawn for the input features
``(b, n)`` and for the state ``(b, u)`` and used at every time step; kept values are scaled
by ``1/(1 − rate)``. LSTM and GRU draw one mask per gate when ``recurrent_dropout`` is on,
else one input mask shared by all gates.

``initial_state=[h_0]`` (LSTM ``[h_0, c_0]``), a call argument, starts from given states;
their gradients come back from backward with ``dx``.

Not supported (refused with a message): ``stateful=True``. ``unroll`` and ``use_cudnn`` are
accepted and ignored: they only change how Keras schedules the same computation.
"""
from __future__ import annotations

from typing import Any, Callable, NamedTuple

import numpy as np

from ... import activations, constraints, initializers, regularizers
from ...engine import masking, naming, random
from ...engine.errors import (KteachError, NotSupportedError, ShapeError,  # noqa: F401
                             refuse_unsupported, unknown_keyword_error, warn_once)
from ...engine.layer import Layer
from ...engine.tensor import format_shape
from ..core import _positive_int


# The arguments every recurrent layer passes on to RecurrentLayer unchanged.
SHARED_ARGUMENTS = ("activation", "use_bias", "kernel_initializer", "recurrent_initializer",
                    "bias_initializer", "dropout", "recurrent_dropout", "return_sequences",
                    "return_state", "go_backwards", "stateful", "unroll", "kernel_regularizer",
                    "recurrent_regularizer", "bias_regularizer", "kernel_constraint",
                    "recurrent_constraint", "bias_constraint", "activity_regularizer")


def shared_arguments(given: dict) -> dict:
    """The entries of a subclass's ``__init__`` arguments (its ``locals()``) that
    RecurrentLayer takes, so each layer lists its whole signature, as Keras shows it, without
    repeating the long hand-over."""
    return {key: given[key] for key in SHARED_ARGUMENTS}


def _shifted(hs: np.ndarray, h0: np.ndarray) -> np.ndarray:
    """The previous state of every step: ``[h_0, h_1, …, h_{T−1}]`` as ``(T, b, u)``."""
    prev = np.empty_like(hs)
    prev[0], prev[1:] = h0, hs[:-1]
    return prev


def _outer_sum(a: np.ndarray, b: np.ndarray) -> np.ndarray:
    """``Σ_t a_tᵀ·b_t`` over time and batch: ``(T, b, m)``, ``(T, b, n)`` → ``(m, n)``."""
    return a.reshape(-1, a.shape[-1]).T @ b.reshape(-1, b.shape[-1])


# ----- products by gate block, with an optional dropout mask per block ------------------------
# A dropout mask ``D`` is ``(b, k, n)``: k masks of the vector's n entries, one per block of
# columns of the matrix (k = 1: the same mask for every block). None: no dropout. For a whole
# sequence the caller gives it a time axis of 1, so that one mask serves every step: (1, b, k, n)
# for time-first arrays, (b, 1, k, n) for Keras' batch-first ones.
def blocks_product(v: np.ndarray, M: np.ndarray, D: np.ndarray | None) -> np.ndarray:
    """``[(v·D_1)·M_1, …, (v·D_k)·M_k]`` side by side; without D just ``v·M``. v ``(…, n)``."""
    if D is None:
        return v @ M
    width = M.shape[1] // D.shape[-2]
    return np.concatenate([(v * D[..., k, :]) @ M[:, k * width:(k + 1) * width]
                           for k in range(D.shape[-2])], axis=-1)


def blocks_product_back(d: np.ndarray, M: np.ndarray, D: np.ndarray | None) -> np.ndarray:
    """Gradient for ``v`` of :func:`blocks_product`: ``Σ_k (d_k·M_kᵀ)·D_k``."""
    if D is None:
        return d @ M.T
    width = M.shape[1] // D.shape[-2]
    return sum((d[..., k * width:(k + 1) * width] @ M[:, k * width:(k + 1) * width].T) * D[..., k, :]
               for k in range(D.shape[-2]))


def blocks_outer(vs: np.ndarray, D: np.ndarray | None, ds: np.ndarray) -> np.ndarray:
    """Gradient for ``M`` of :func:`blocks_product`, summed over batch and time:
    ``[Σ (v·D_k)ᵀ·d_k]_k`` -- ``vs (T, b, n)``, ``ds (T, b, k·u)`` → ``(n, k·u)``; ``D`` as
    drawn, ``(b, k, n)`` (it gets its time axis here)."""
    if D is None:
        return _outer_sum(vs, ds)
    width = ds.shape[-1] // D.shape[1]
    return np.concatenate([_outer_sum(vs * D[np.newaxis, :, k], ds[..., k * width:(k + 1) * width])
                           for k in range(D.shape[1])], axis=-1)


class Run(NamedTuple):
    """What one call's step loop starts from (and its backward needs again)."""

    xs: np.ndarray                  # the steps in reading order, time first (T, b, n)
    keep: np.ndarray | None         # (T, b, 1): True for real steps; None without a mask
    states: list                    # the initial states: zeros, or the given initial_state
    dx_drop: np.ndarray | None      # dropout masks of this call (None: off)
    dh_drop: np.ndarray | None
    given_states: bool              # initial_state was given: its gradient is returned

    def keep_at(self, t: int) -> np.ndarray | None:
        return None if self.keep is None else self.keep[t]


def carry_over(keep_t: np.ndarray | None, new: np.ndarray, old: np.ndarray) -> np.ndarray:
    """The state after step t: the new one where the step is real, the old one where it is
    masked (padding is skipped, the state carried over)."""
    return new if keep_t is None else np.where(keep_t, new, old)


def split_by_mask(keep_t: np.ndarray | None, d: np.ndarray) -> tuple[np.ndarray, Any]:
    """Backward of :func:`carry_over`: the part of ``d`` that enters the step's equations,
    and the part that skips a masked step straight to the previous state."""
    if keep_t is None:
        return d, 0.0
    return d * keep_t, d * ~keep_t


class RecurrentLayer(Layer):
    """What SimpleRNN, LSTM and GRU share: arguments, weights, shapes, masks, dropout masks,
    initial states, the time reversal and the assembly of outputs. Each subclass writes its
    own ``forward`` and ``backward`` (the step equations) with these pieces.

    (kteach's base class; Keras builds these layers from an ``RNN`` and a cell instead.)
    """

    _gates = 1                      # blocks of ``units`` columns in kernel / recurrent_kernel
    _cell_name = "simple_rnn_cell"  # Keras keeps the weights in a cell: lstm/lstm_cell/kernel
    _legacy_keywords = ("input_length",)

    _float_inputs = True        # integer input computes in the layer's dtype

    def __init__(self, units, activation="tanh", use_bias=True,
                 kernel_initializer="glorot_uniform", recurrent_initializer="orthogonal",
                 bias_initializer="zeros", dropout=0.0, recurrent_dropout=0.0,
                 return_sequences=False, return_state=False, go_backwards=False,
                 stateful=False, unroll=False, kernel_regularizer=None,
                 recurrent_regularizer=None, bias_regularizer=None, kernel_constraint=None,
                 recurrent_constraint=None, bias_constraint=None, activity_regularizer=None,
                 **kwargs):
        kind = type(self).__name__
        input_length = kwargs.pop("input_length", None)
        input_dim = kwargs.pop("input_dim", None)
        super().__init__(**kwargs)
        self.units = _positive_int(units, "units", kind)
        self._activation_arg = activation
        self.activation = activations.get(activation)
        self.use_bias = bool(use_bias)
        self._initializer_args = {"kernel_initializer": kernel_initializer,
                                  "recurrent_initializer": recurrent_initializer,
                                  "bias_initializer": bias_initializer}
        self.kernel_initializer = initializers.get(kernel_initializer)
        self.recurrent_initializer = initializers.get(recurrent_initializer)
        self.bias_initializer = initializers.get(bias_initializer)
        # A penalty added to the loss (model.losses) and a projection after each update.
        self.kernel_regularizer = regularizers.get(kernel_regularizer)
        self.recurrent_regularizer = regularizers.get(recurrent_regularizer)
        self.bias_regularizer = regularizers.get(bias_regularizer)
        self.kernel_constraint = constraints.get(kernel_constraint)
        self.recurrent_constraint = constraints.get(recurrent_constraint)
        self.bias_constraint = constraints.get(bias_constraint)
        self.activity_regularizer = regularizers.get(activity_regularizer)   # penalises y
        self.return_sequences = bool(return_sequences)
        self.return_state = bool(return_state)
        self.go_backwards = bool(go_backwards)
        self.unroll = bool(unroll)
        self.stateful = bool(stateful)
        if self.stateful:
            raise NotSupportedError(
                f"{kind}(stateful=True) is not supported by kteach. A stateful layer keeps its "
                f"last state between batches, so batch i+1 must continue the sequences of "
                f"batch i. Use stateful=False (the default) and give each sample its whole "
                f"sequence; the state then starts from zeros for every sample.")
        self.dropout = _rate(dropout, "dropout", kind)
        self.recurrent_dropout = _rate(recurrent_dropout, "recurrent_dropout", kind)
        if input_dim is not None or input_length is not None:
            self._batch_input_shape = _legacy_input_shape(kind, input_dim, input_length)

    # ----- configuration (used by Bidirectional to make its copies) ---------------------------
    _config_keys = ("units", "activation", "use_bias", "kernel_initializer",
                    "recurrent_initializer", "bias_initializer", "dropout", "recurrent_dropout",
                    "return_sequences", "return_state", "go_backwards", "stateful", "unroll",
                    "kernel_regularizer", "recurrent_regularizer", "bias_regularizer",
                    "kernel_constraint", "recurrent_constraint", "bias_constraint",
                    "activity_regularizer")
    _keras_config = {"zero_output_for_mask": False}

    def get_config(self) -> dict:
        """The arguments that rebuild this layer, with the keys Keras 3 writes."""
        config = super().get_config()
        # Keras' Bidirectional asks its copies for zeros at masked steps (see _outputs).
        config["zero_output_for_mask"] = getattr(self, "_zero_output_for_mask", False)
        return config

    @classmethod
    def from_config(cls, config: dict) -> "RecurrentLayer":
        """A new, unbuilt layer with the arguments of :meth:`get_config`."""
        zero_output = bool(config.get("zero_output_for_mask", False))
        layer = super().from_config(config)
        layer._zero_output_for_mask = zero_output
        return layer

    # ----- weights ----------------------------------------------------------------------------
    def _add_cell_weight(self, name: str, shape: tuple, initializer: Callable):
        """A weight with Keras' path ``<layer>/<cell>/<name>`` (e.g. ``lstm/lstm_cell/kernel``)."""
        option = "recurrent" if name == "recurrent_kernel" else name   # recurrent_regularizer
        v = self.add_weight(name, shape, initializer,
                            regularizer=getattr(self, f"{option}_regularizer"),
                            constraint=getattr(self, f"{option}_constraint"))
        v.path = naming.weight_path(self.name, f"{self._cell_name}/{name}")
        return v

    def build(self, input_shape):
        input_shape = self._sequence_shape(input_shape)
        n_in, g = input_shape[-1], self._gates * self.units
        self.kernel = self._add_cell_weight("kernel", (n_in, g), self.kernel_initializer)
        self.recurrent_kernel = self._add_cell_weight("recurrent_kernel", (self.units, g),
                                                      self.recurrent_initializer)
        if self.use_bias:
            self.bias = self._add_cell_weight("bias", self._bias_shape(), self._bias_init())

    def _bias_shape(self) -> tuple:
        return (self._gates * self.units,)

    def _bias_init(self) -> Callable:
        return self.bias_initializer

    # ----- shapes -----------------------------------------------------------------------------
    def _sequence_shape(self, shape: Any) -> tuple:
        """The sequence's shape, after checking it (and the initial states' shapes, when the
        input is ``[x, h_0, …]``)."""
        if isinstance(shape, list) and len(shape) == 1 + self._n_states():
            for i, s in enumerate(shape[1:]):
                if len(s) != 2 or s[-1] != self.units:
                    raise ShapeError(
                        f"initial_state[{i}] of layer '{self.name}' has shape "
                        f"{format_shape(tuple(s))}, but a state of {type(self).__name__}"
                        f"({self.units}) is (batch, {self.units}).")
            shape = shape[0]
        self._check_rank(shape)
        return tuple(shape)

    def _check_rank(self, shape: Any) -> None:
        if isinstance(shape, list) or len(shape) != 3 or shape[-1] is None:
            kind = type(self).__name__
            got = f"{len(shape)}" if not isinstance(shape, list) else f"a list of {len(shape)}"
            hint = (" If these are token ids (one integer per word), put an Embedding layer "
                    "before it; if each sample is one series of numbers, add a features axis: "
                    "x.reshape(batch, T, 1)." if not isinstance(shape, list) and len(shape) == 2
                    else "")
            raise ShapeError(
                f"Input 0 of layer '{self.name}' is incompatible with the layer: expected "
                f"ndim=3, found ndim={got}. Full shape received: "
                f"{format_shape(shape) if not isinstance(shape, list) else shape}. A {kind} "
                f"reads sequences shaped (batch, timesteps, features), with the features known."
                f"{hint}")

    def check_input_shape(self, shape):
        """Any sequence length is fine; the number of features must be the one built for."""
        shape = self._sequence_shape(shape)
        n_in = self.kernel.shape[0]
        if shape[-1] != n_in:
            raise ShapeError(
                f"Input 0 of layer '{self.name}' is incompatible with the layer: expected axis "
                f"-1 of input shape to have value {n_in}, but received input with shape "
                f"{format_shape(shape)}. This {type(self).__name__} was built for {n_in} "
                f"features per time step.")

    def compute_output_shape(self, input_shape):
        input_shape = self._sequence_shape(input_shape)
        b, T = input_shape[0], input_shape[1]
        out = (b, T, self.units) if self.return_sequences else (b, self.units)
        if self.return_state:
            return [out] + [(b, self.units)] * self._n_states()
        return out

    def _n_states(self) -> int:
        return 1

    # ----- calling with an initial state ------------------------------------------------------
    def __call__(self, inputs, initial_state=None, training=None, mask=None, **kwargs):
        """``layer(x)``, or ``layer(x, initial_state=[h_0])`` (LSTM ``[h_0, c_0]``) to start
        from given states instead of zeros; gradients flow back into them."""
        for key in kwargs:   # initial_states=..., a misspelling: say what the call takes
            raise unknown_keyword_error(f"{self.name}.__call__", key,
                                        ["inputs", "initial_state", "training", "mask"])
        if initial_state is not None:
            states = list(initial_state) if isinstance(initial_state, (list, tuple)) else [initial_state]
            if len(states) != self._n_states():
                raise ValueError(
                    f"An initial_state was passed that is not compatible with "
                    f"`cell.state_size`. Received initial_state of length {len(states)}, but "
                    f"{type(self).__name__} keeps {self._n_states()} state(s): initial_state="
                    f"{'[h_0, c_0]' if self._n_states() == 2 else '[h_0]'}, each (batch, "
                    f"{self.units}).")
            inputs = [inputs, *states]
        return super().__call__(inputs, training=training, mask=mask, **kwargs)

    # ----- pieces each layer's forward and backward use ---------------------------------------
    def _prepare(self, inputs: Any, training: bool, mask: Any) -> Run:
        """What every step loop starts from (see :class:`Run`)."""
        x, given = (inputs[0], list(inputs[1:])) if isinstance(inputs, list) else (inputs, [])
        if given:   # Keras 3 hands the mask to an RNN only when the sequence is its only input
            mask = None
        xs = self._reading_order(x)
        keep = None if mask is None else self._reading_order(
            np.asarray(masking.first_mask(mask), dtype=bool)[:, :, np.newaxis])
        states = [np.asarray(h, dtype=xs.dtype) for h in given] or \
            [np.zeros((x.shape[0], self.units), dtype=xs.dtype)] * self._n_states()
        return Run(xs, keep, states, *self._dropout_masks(x, training), bool(given))

    def _reading_order(self, x: np.ndarray) -> np.ndarray:
        """``(b, T, ·)`` → the steps in the order they are read (reversed when
        ``go_backwards``), time first: ``(T, b, ·)``, each step one contiguous block."""
        if x.ndim != 3 or x.shape[1] == 0:
            raise ShapeError(f"Layer '{self.name}' needs sequences shaped (batch, timesteps, "
                             f"features) with at least one step; got shape {x.shape}.")
        steps = x.transpose(1, 0, 2)
        return np.ascontiguousarray(steps[::-1] if self.go_backwards else steps)

    def _dropout_masks(self, x: np.ndarray, training: bool) -> tuple:
        """Keras' dropout masks, drawn once per call and used at every step: ``dx_drop``
        ``(b, k, n)`` for the inputs, ``dh_drop`` ``(b, k, u)`` for the state (None when off).
        Kept values are scaled by ``1/(1 − rate)``. LSTM and GRU draw one mask per gate
        (k = 4 or 3) when recurrent_dropout is on, else one input mask shared by all gates."""
        if not training:
            return None, None
        k = self._gates if self.recurrent_dropout and self._gates > 1 else 1
        rng = random.rng() if self.seed is None else self._seeded_rng()
        b, n = x.shape[0], x.shape[-1]

        def draw(rate: float, shape: tuple) -> np.ndarray | None:
            if not rate:
                return None
            return ((rng.random(shape) >= rate) / (1.0 - rate)).astype(x.dtype)
        return draw(self.dropout, (b, k, n)), draw(self.recurrent_dropout, (b, k, self.units))

    def _seeded_rng(self) -> np.random.Generator:
        if getattr(self, "_rng", None) is None:
            self._rng = np.random.default_rng(self.seed)
        return self._rng

    def _outputs(self, hs: np.ndarray, states: list, keep: np.ndarray | None) -> Any:
        """``h_T`` or every ``h_t`` (``return_sequences``, back in Keras' ``(b, T, u)``), then
        the final states. (With ``zero_output_for_mask``, which Bidirectional sets, masked
        steps output zeros.)"""
        y = self._output_of(hs, keep)
        self._activity_penalty(y)
        return [y] + states if self.return_state else y

    def _output_of(self, hs: np.ndarray, keep: np.ndarray | None) -> np.ndarray:
        """The layer's first output from the states ``hs`` ``(T, b, u)`` of every step."""
        ys = hs * keep if keep is not None and self._zero_output_for_mask else hs
        return np.ascontiguousarray(ys.transpose(1, 0, 2)) if self.return_sequences else ys[-1]

    def _step_gradients(self, hs: np.ndarray, dy: Any, keep: np.ndarray | None) -> tuple:
        """The gradients arriving at the outputs as ``dL/dh_t`` from outside the recurrence,
        one per step ``(T, b, u)``, and those of the returned final states (LSTM: h_T, c_T)."""
        d_out, d_states = (dy[0], list(dy[1:])) if self.return_state else (dy, [])
        if self.activity_regularizer is not None:     # (the output again, only when needed)
            d_out = self._activity_gradient(self._output_of(hs, keep), d_out)
        dhs = np.zeros_like(hs)
        if self.return_sequences:
            dhs += d_out.transpose(1, 0, 2)
        else:
            dhs[-1] += d_out
        if keep is not None and self._zero_output_for_mask:
            dhs *= keep
        if d_states and d_states[0] is not None:
            dhs[-1] += d_states[0]          # the returned h_T
        return dhs, d_states

    def _input_gradients(self, run: Run, dxs: np.ndarray, d_initial: list) -> Any:
        """``dx`` ``(b, T, n)`` in the input's time order; with an initial state also ``dh_0``
        (, ``dc_0``)."""
        dx = dxs[:, ::-1] if self.go_backwards else dxs
        return [dx, *d_initial] if run.given_states else dx

    def _input_part(self, xs: np.ndarray, bias: Any, dx_drop: np.ndarray | None) -> np.ndarray:
        """``(x_t·D)·W + b`` for every step at once: ``(T, b, n)·(n, g·u) → (T, b, g·u)``."""
        a = blocks_product(xs, self.kernel.value, None if dx_drop is None else dx_drop[np.newaxis])
        if bias is not None:
            a += bias
        return a

    def _input_grads(self, xs: np.ndarray, da: np.ndarray, dx_drop: np.ndarray | None) -> tuple:
        """Mirror of :meth:`_input_part`: ``dx = (da·Wᵀ)·D``, ``dW = Σ (x·D)ᵀ·da``, ``db = Σ da``.
        ``dx`` comes out batch first, ``(b, T, n)`` in reading order: the product of the
        time-first ``da`` read batch by batch writes it there at once (no transposing copy)."""
        W = self.kernel.value
        dx = blocks_product_back(da.transpose(1, 0, 2), W,
                                 None if dx_drop is None else dx_drop[:, np.newaxis])
        return dx, blocks_outer(xs, dx_drop, da), da.sum(axis=(0, 1))

    # ----- masks ------------------------------------------------------------------------------
    _zero_output_for_mask = False

    def compute_mask(self, inputs, mask=None):
        """As Keras: the sequence's mask goes on with ``return_sequences``; the final output
        and the states have none."""
        mask = masking.first_mask(mask)
        out = mask if self.return_sequences else None
        return [out] + [None] * self._n_states() if self.return_state else out

    # ----- text -------------------------------------------------------------------------------
    def _shapes_text(self, input_shape, output_shape) -> str:
        parts = [f"x {format_shape(input_shape)}", f"W {format_shape(self.kernel.shape)}",
                 f"U {format_shape(self.recurrent_kernel.shape)}"]
        if self.use_bias:
            parts.append(f"b {format_shape(self.bias.shape)}")
        order = "t = T … 1 (go_backwards)" if self.go_backwards else "t = 1 … T"
        outs = output_shape if isinstance(output_shape, list) else [output_shape]
        out = ", ".join(format_shape(tuple(s)) for s in outs)
        return f"{order}, h_0 = 0 : {', '.join(parts)} → {out}"

    def _act_name(self) -> str:
        return activations.serialize(self.activation)


def _rate(value: Any, what: str, kind: str) -> float:
    """A dropout rate in [0, 1). (Keras clips other numbers into [0, 1] without a word, and
    then ignores a rate of 1 in LSTM and GRU; kteach says so instead.)"""
    if isinstance(value, bool) or not isinstance(value, (int, float, np.number)) \
            or not 0 <= value < 1:
        raise ValueError(
            f"{kind}({what}={value!r}): {what} is the fraction of values dropped in training, "
            f"a number in [0, 1), e.g. {what}=0.2. (Keras silently clips other values into "
            f"[0, 1].)")
    return float(value)


def _legacy_input_shape(kind: str, input_dim: Any, input_length: Any) -> tuple:
    """``LSTM(32, input_dim=8, input_length=10)`` (Keras 1/2) → input shape ``(None, 10, 8)``."""
    if input_dim is None:
        raise ShapeError(
            f"{kind}(input_length={input_length}) without input_dim does not say how many "
            f"features each step has. Start the model with Input(shape=({input_length}, "
            f"n_features)) instead.")
    timesteps = None if input_length is None else int(input_length)
    warn_once(
        f"`input_dim`/`input_length` on a {kind} are Keras 1/2 spellings that Keras 3 refuses. "
        f"kteach accepts them; in Keras 3 start the model with "
        f"Input(shape=({timesteps}, {int(input_dim)})) (timesteps, features) instead.",
        key="rnn_input_dim")
    return (None, timesteps, int(input_dim))
