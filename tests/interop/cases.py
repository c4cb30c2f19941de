"""Models that travel between kteach and real Keras 3 (tests/test_keras_interop.py).

Each case is a function ``case(keras) -> (model, x, y, compile_kwargs)`` written only with the
Keras API, so the same code builds the model in kteach (``keras`` = ``kteach``) and in real
Keras (``keras`` = ``keras``). This file is imported on both sides: it must not import either.
Data comes from a fixed NumPy generator, the same on both sides. No Dropout with a rate > 0:
a training step must be the same computation on both sides.
"""
from __future__ import annotations

import numpy as np


def _rng(seed: int) -> np.random.Generator:
    return np.random.default_rng(seed)


def dense(keras):
    L = keras.layers
    model = keras.Sequential([keras.Input((6,)), L.Dense(8, activation="relu"),
                              L.Dropout(0.0), L.Dense(3, activation="softmax")])
    r = _rng(1)
    x = r.normal(size=(16, 6)).astype("float32")
    y = np.eye(3, dtype="float32")[r.integers(0, 3, 16)]
    return model, x, y, dict(optimizer=keras.optimizers.Adam(0.01), loss="categorical_crossentropy")


def conv2d(keras):
    L = keras.layers
    model = keras.Sequential([keras.Input((8, 8, 2)), L.Conv2D(3, 3, activation="relu"),
                              L.MaxPooling2D(2), L.Conv2D(2, 2, padding="same"),
                              L.AveragePooling2D(1), L.Flatten(), L.Dense(2)])
    r = _rng(2)
    x = r.normal(size=(8, 8, 8, 2)).astype("float32")
    y = r.normal(size=(8, 2)).astype("float32")
    return model, x, y, dict(optimizer=keras.optimizers.SGD(0.05, momentum=0.9), loss="mse")


def conv1d_pooling(keras):
    L = keras.layers
    model = keras.Sequential([keras.Input((12, 3)), L.Conv1D(4, 3, activation="tanh"),
                              L.MaxPooling1D(2), L.AveragePooling1D(2), L.Conv1D(2, 1),
                              L.GlobalAveragePooling1D(), L.Dense(1)])
    r = _rng(3)
    x = r.normal(size=(8, 12, 3)).astype("float32")
    y = r.normal(size=(8, 1)).astype("float32")
    return model, x, y, dict(optimizer=keras.optimizers.RMSprop(0.01), loss="mse")


def batchnorm(keras):
    L = keras.layers
    model = keras.Sequential([keras.Input((5,)), L.Dense(6), L.BatchNormalization(),
                              L.Activation("relu"), L.Dense(1, activation="sigmoid")])
    r = _rng(4)
    x = r.normal(size=(16, 5)).astype("float32")
    y = (x[:, :1] > 0).astype("float32")
    return model, x, y, dict(optimizer=keras.optimizers.Adagrad(0.05), loss="binary_crossentropy")


def embedding_rnn(keras):
    L = keras.layers
    model = keras.Sequential([keras.Input((7,), dtype="int32"), L.Embedding(20, 4),
                              L.SimpleRNN(5, return_sequences=True), L.GRU(3, return_sequences=True),
                              L.LSTM(2)])
    r = _rng(5)
    x = r.integers(0, 20, size=(8, 7)).astype("int32")
    y = r.normal(size=(8, 2)).astype("float32")
    return model, x, y, dict(optimizer=keras.optimizers.Adamax(0.01), loss="mse")


def bidirectional(keras):
    L = keras.layers
    model = keras.Sequential([keras.Input((6, 3)), L.Bidirectional(L.LSTM(3, return_sequences=True)),
                              L.Bidirectional(L.GRU(2), merge_mode="sum"), L.Dense(1)])
    r = _rng(6)
    x = r.normal(size=(8, 6, 3)).astype("float32")
    y = r.normal(size=(8, 1)).astype("float32")
    return model, x, y, dict(optimizer=keras.optimizers.Nadam(0.01), loss="mse")


def time_distributed(keras):
    L = keras.layers
    step = keras.Sequential([keras.Input((4,)), L.Dense(3, activation="relu")])
    inputs = keras.Input((5, 4))
    h = L.TimeDistributed(step)(inputs)
    h = L.TimeDistributed(L.Dense(2))(h)
    out = L.SimpleRNN(2)(h)
    model = keras.Model(inputs, out)
    r = _rng(7)
    x = r.normal(size=(8, 5, 4)).astype("float32")
    y = r.normal(size=(8, 2)).astype("float32")
    return model, x, y, dict(optimizer=keras.optimizers.Adadelta(1.0), loss="mse")


def merges_shared(keras):
    L = keras.layers
    a, b = keras.Input((4,), name="a"), keras.Input((4,), name="b")
    shared = L.Dense(3, activation="tanh")
    sa, sb = shared(a), shared(b)
    merged = [L.Add()([sa, sb]), L.Subtract()([sa, sb]), L.Multiply()([sa, sb]),
              L.Average()([sa, sb]), L.Maximum()([sa, sb]), L.Minimum()([sa, sb]),
              L.Dot(axes=1)([sa, sb])]
    out = L.Dense(1)(L.Concatenate()(merged))
    model = keras.Model([a, b], out)
    r = _rng(8)
    x = [r.normal(size=(8, 4)).astype("float32"), r.normal(size=(8, 4)).astype("float32")]
    y = r.normal(size=(8, 1)).astype("float32")
    return model, x, y, dict(optimizer=keras.optimizers.Adam(0.01, amsgrad=True), loss="mse")


def nested(keras):
    L = keras.layers
    inner = keras.Sequential([keras.Input((4,)), L.Dense(5, activation="relu"), L.Dense(3)])
    i2 = keras.Input((3,))
    block = keras.Model(i2, L.Dense(3, activation="tanh")(i2))
    inputs = keras.Input((4,))
    out = L.Dense(2)(block(inner(inputs)))
    model = keras.Model(inputs, out)
    r = _rng(9)
    x = r.normal(size=(8, 4)).astype("float32")
    y = r.normal(size=(8, 2)).astype("float32")
    return model, x, y, dict(optimizer=keras.optimizers.SGD(0.05, momentum=0.5, nesterov=True),
                             loss="mse")


def qa_two_inputs(keras):
    """The tutorials' question answering model: two token inputs, one softmax."""
    L = keras.layers
    text = keras.Input((None,), dtype="int32", name="text")
    question = keras.Input((None,), dtype="int32", name="question")
    t = L.LSTM(6)(L.Embedding(30, 5)(text))
    q = L.LSTM(4)(L.Embedding(30, 3)(question))
    answer = L.Dense(7, activation="softmax")(L.concatenate([t, q], axis=-1))
    model = keras.Model([text, question], answer)
    r = _rng(10)
    x = [r.integers(1, 30, size=(8, 9)).astype("int32"), r.integers(1, 30, size=(8, 5)).astype("int32")]
    y = np.eye(7, dtype="float32")[r.integers(0, 7, 8)]
    return model, x, y, dict(optimizer=keras.optimizers.RMSprop(0.01, momentum=0.5, centered=True),
                             loss="categorical_crossentropy")


def posts_three_outputs(keras):
    """The tutorials' social-media model: one input, age / income / gender outputs."""
    L = keras.layers
    posts = keras.Input((None,), dtype="int32", name="posts")
    h = L.Embedding(40, 6)(posts)
    h = L.Conv1D(8, 3, activation="relu")(h)
    h = L.MaxPooling1D(2)(h)
    h = L.GlobalMaxPooling1D()(h)
    h = L.Dense(8, activation="relu")(h)
    age = L.Dense(1, name="age")(h)
    income = L.Dense(4, activation="softmax", name="income")(h)
    gender = L.Dense(1, activation="sigmoid", name="gender")(h)
    model = keras.Model(posts, [age, income, gender])
    r = _rng(11)
    x = r.integers(0, 40, size=(8, 12)).astype("int32")
    y = [r.normal(size=(8, 1)).astype("float32"),
         np.eye(4, dtype="float32")[r.integers(0, 4, 8)],
         r.integers(0, 2, size=(8, 1)).astype("float32")]
    return model, x, y, dict(optimizer="rmsprop",
                             loss=["mse", "categorical_crossentropy", "binary_crossentropy"],
                             loss_weights=[0.25, 1.0, 10.0])


def layer_norm_reshape(keras):
    L = keras.layers
    model = keras.Sequential([keras.Input((6,)), L.Dense(8), L.LayerNormalization(),
                              L.Reshape((4, 2)), L.UpSampling1D(2), L.ZeroPadding1D(1),
                              L.Flatten(), L.Dense(2)])
    r = _rng(12)
    x = r.normal(size=(8, 6)).astype("float32")
    y = r.normal(size=(8, 2)).astype("float32")
    return model, x, y, dict(optimizer=keras.optimizers.SGD(0.05), loss="mse")


def attention_block(keras):
    """A small transformer block: MultiHeadAttention called as mha(x, x), a residual Add,
    LayerNormalization, and Attention on two inputs."""
    L = keras.layers
    tokens = keras.Input((5,), dtype="int32")
    x = L.Embedding(12, 8)(tokens)
    h = L.MultiHeadAttention(num_heads=2, key_dim=4)(x, x)
    h = L.LayerNormalization()(L.Add()([x, h]))
    a = L.Attention()([h, x])
    out = L.Dense(1)(L.GlobalAveragePooling1D()(a))
    r = _rng(13)
    x_ = r.integers(0, 12, size=(8, 5)).astype("int32")
    y = r.normal(size=(8, 1)).astype("float32")
    return keras.Model(tokens, out), x_, y, dict(optimizer=keras.optimizers.AdamW(0.01), loss="mse")


def transposed_and_separable(keras):
    L = keras.layers
    model = keras.Sequential([keras.Input((6, 6, 2)), L.DepthwiseConv2D(3, padding="same"),
                              L.SeparableConv2D(3, 3), L.Conv2DTranspose(2, 3, strides=2),
                              L.UpSampling2D(1), L.ZeroPadding2D(1), L.Cropping2D(1),
                              L.Flatten(), L.Dense(2)])
    r = _rng(14)
    x = r.normal(size=(8, 6, 6, 2)).astype("float32")
    y = r.normal(size=(8, 2)).astype("float32")
    return model, x, y, dict(optimizer=keras.optimizers.Lion(0.001), loss="mse")


def activation_layers_and_rescaling(keras):
    L = keras.layers
    model = keras.Sequential([keras.Input((4, 3)), L.Rescaling(0.5, offset=0.1),
                              L.Conv1DTranspose(3, 2), L.PReLU(), L.Permute((2, 1)),
                              L.Flatten(), L.Dense(4),
                              L.LeakyReLU(), L.ELU(), L.ReLU(max_value=6.0),
                              L.UnitNormalization(), L.Dense(2), L.Softmax()])
    r = _rng(15)
    x = r.normal(size=(8, 4, 3)).astype("float32")
    y = np.eye(2, dtype="float32")[r.integers(0, 2, 8)]
    return model, x, y, dict(optimizer=keras.optimizers.Ftrl(0.1), loss="categorical_crossentropy")


def regularized(keras):
    L = keras.layers
    model = keras.Sequential([
        keras.Input((5,)),
        L.Dense(6, activation="tanh", kernel_regularizer=keras.regularizers.L2(0.01),
                bias_regularizer=keras.regularizers.L1(0.01),
                kernel_constraint=keras.constraints.MaxNorm(2.0)),
        L.Dense(1, activity_regularizer=keras.regularizers.L1L2(l1=0.01, l2=0.01))])
    r = _rng(16)
    x = r.normal(size=(16, 5)).astype("float32")
    y = r.normal(size=(16, 1)).astype("float32")
    return model, x, y, dict(optimizer=keras.optimizers.SGD(0.05), loss="mse")


def _padded_ids(r: np.random.Generator, n: int, T: int, vocabulary: int) -> np.ndarray:
    """Token ids with 0 as padding after each sample's own length (at least one real token)."""
    x = r.integers(1, vocabulary, size=(n, T)).astype("int32")
    for i, length in enumerate(r.integers(1, T + 1, size=n)):
        x[i, length:] = 0
    return x


def masked_lstm(keras):
    """Embedding(mask_zero=True) -> LSTM: the padding is skipped on both sides."""
    L = keras.layers
    model = keras.Sequential([keras.Input((6,), dtype="int32"),
                              L.Embedding(15, 4, mask_zero=True),
                              L.LSTM(3, return_sequences=True), L.LSTM(2), L.Dense(1)])
    r = _rng(20)
    x = _padded_ids(r, 8, 6, 15)
    y = r.normal(size=(8, 1)).astype("float32")
    return model, x, y, dict(optimizer=keras.optimizers.Adam(0.01), loss="mse")


def masked_functional(keras):
    """A mask through Bidirectional, TimeDistributed, an Add of two masked branches, a masked
    per-step loss, and GlobalAveragePooling1D; a second input masked by Masking."""
    L = keras.layers
    ids = keras.Input((5,), dtype="int32", name="ids")
    feats = keras.Input((5, 2), name="feats")
    e = L.Embedding(12, 4, mask_zero=True)(ids)
    s = L.Bidirectional(L.GRU(2, return_sequences=True))(e)
    t = L.TimeDistributed(L.Dense(4))(s)
    m = L.SimpleRNN(4, return_sequences=True)(L.Masking()(feats))
    steps = L.Dense(1, name="steps")(L.Add()([t, m]))
    pooled = L.Dense(1, name="pooled")(L.GlobalAveragePooling1D()(t))
    model = keras.Model([ids, feats], [steps, pooled])
    r = _rng(21)
    x_ids = _padded_ids(r, 8, 5, 12)
    x_feats = r.normal(size=(8, 5, 2)).astype("float32")
    x_feats[x_ids == 0] = 0.0
    y = [r.normal(size=(8, 5, 1)).astype("float32"), r.normal(size=(8, 1)).astype("float32")]
    return model, [x_ids, x_feats], y, dict(optimizer=keras.optimizers.SGD(0.05), loss="mse")


def spatial_dropout(keras):
    """SpatialDropout1D/2D, whose configs Keras writes with a plain dtype and no trainable
    (rate 0: a training step is then the same computation on both sides)."""
    L = keras.layers
    model = keras.Sequential([keras.Input((6, 3)), L.Conv1D(4, 3), L.SpatialDropout1D(0.0),
                              L.Reshape((4, 4, 1)), L.Conv2D(2, 2),
                              L.SpatialDropout2D(0.0, seed=1), L.Flatten(), L.Dense(1)])
    r = _rng(17)
    x = r.normal(size=(8, 6, 3)).astype("float32")
    y = r.normal(size=(8, 1)).astype("float32")
    return model, x, y, dict(optimizer=keras.optimizers.SGD(0.05), loss="mse")


CASES = {f.__name__: f for f in (dense, conv2d, conv1d_pooling, batchnorm, embedding_rnn,
                                   bidirectional, time_distributed, merges_shared, nested,
                                   qa_two_inputs, posts_three_outputs, layer_norm_reshape,
                                   attention_block, transposed_and_separable,
                                   activation_layers_and_rescaling, regularized, masked_lstm,
                                   masked_functional, spatial_dropout)}
