"""Property: any model built from the supported layers survives save -> load_model in kteach
with identical predictions and an identical summary() (Hypothesis draws the architectures)."""
from __future__ import annotations

import io
import contextlib

import numpy as np
from hypothesis import HealthCheck, given, settings, strategies as st

import kteach
from kteach import layers

VECTOR_LAYERS = [
    lambda draw: layers.Dense(draw(st.integers(1, 6)),
                              activation=draw(st.sampled_from(["linear", "relu", "tanh", "sigmoid"]))),
    lambda draw: layers.Dropout(0.3),
    lambda draw: layers.BatchNormalization(),
    lambda draw: layers.LayerNormalization(),
    lambda draw: layers.Activation(draw(st.sampled_from(["relu", "softmax", "elu"]))),
]
SEQUENCE_LAYERS = [
    lambda draw: layers.Conv1D(draw(st.integers(1, 4)), draw(st.integers(1, 2)), padding="same"),
    lambda draw: layers.SimpleRNN(draw(st.integers(1, 4)), return_sequences=True),
    lambda draw: layers.LSTM(draw(st.integers(1, 4)), return_sequences=True),
    lambda draw: layers.GRU(draw(st.integers(1, 4)), return_sequences=True),
    lambda draw: layers.Bidirectional(layers.SimpleRNN(2, return_sequences=True)),
    lambda draw: layers.TimeDistributed(layers.Dense(draw(st.integers(1, 4)))),
    lambda draw: layers.MaxPooling1D(1),
]


def summary_text(model) -> str:
    out = io.StringIO()
    with contextlib.redirect_stdout(out):
        model.summary()
    return out.getvalue()


@st.composite
def models(draw):
    sequences = draw(st.booleans())
    functional = draw(st.booleans())
    shape = (5, 3) if sequences else (4,)
    chosen = draw(st.lists(st.sampled_from(SEQUENCE_LAYERS if sequences else VECTOR_LAYERS),
                           min_size=1, max_size=4))
    stack = [make(draw) for make in chosen]
    if sequences:
        stack.append(layers.GlobalAveragePooling1D())
    stack.append(layers.Dense(2))
    if not functional:
        return kteach.Sequential([kteach.Input(shape)] + stack), shape
    inputs = kteach.Input(shape)
    h = inputs
    for layer in stack[:-1]:
        h = layer(h)
    side = layers.Dense(2)(layers.Flatten()(inputs))
    return kteach.Model(inputs, layers.add([stack[-1](h), side])), shape


@settings(max_examples=25, deadline=None,
          suppress_health_check=[HealthCheck.function_scoped_fixture, HealthCheck.too_slow])
@given(drawn=models(), compiled=st.booleans())
def test_save_then_load_is_the_same_model(tmp_path, drawn, compiled):
    model, shape = drawn
    x = np.random.default_rng(0).normal(size=(6,) + shape).astype("float32")
    if compiled:
        model.compile(optimizer="adam", loss="mse")
        model.train_on_batch(x, np.ones((6, 2), dtype="float32"))
    path = tmp_path / "m.keras"
    model.save(path)
    again = kteach.saving.load_model(path)
    np.testing.assert_array_equal(again.predict(x, verbose=0), model.predict(x, verbose=0))
    assert summary_text(again) == summary_text(model)
    if compiled:
        assert again.optimizer.iterations == 1
