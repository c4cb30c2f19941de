"""Every feed-forward code block of the two seed tutorials, with `keras` replaced by `kteach`.

Where a tutorial has a bug, the test asserts kteach's message says what is wrong and the fix.
(The sequence models of the English tutorial -- TimeDistributed, Embedding, LSTM, Conv1D --
belong to the sequence-layers issue.)
"""
import numpy as np
import pytest

import kteach
from kteach.engine import errors


@pytest.fixture(autouse=True)
def fresh_warnings():
    errors._warned.clear()
    kteach.backend.clear_session()
    kteach.utils.set_random_seed(0)


# ----- Chinese tutorial ("Keras中的两种模型") ---------------------------------------------------
def test_zh_sequential_from_a_list():
    from kteach.models import Sequential
    from kteach.layers import Dense, Activation

    with pytest.warns(UserWarning, match="Do not pass an `input_shape`"):
        layers = [Dense(32, input_shape=(784,)),
                  Activation('relu'),
                  Dense(10),
                  Activation('softmax')]
    model = Sequential(layers)
    assert model.output_shape == (None, 10)
    assert model.count_params() == 784 * 32 + 32 + 32 * 10 + 10


def test_zh_sequential_with_add():
    from kteach.models import Sequential
    from kteach.layers import Dense, Activation

    model = Sequential()
    model.add(Dense(32, input_shape=(784,)))
    model.add(Activation('relu'))
    model.add(Dense(10))
    model.add(Activation('softmax'))
    assert [l.name for l in model.layers] == ["dense", "activation", "dense_1", "activation_1"]
    assert model.input_shape == (None, 784)


def test_zh_functional_model_with_keras1_spelling():
    from kteach.layers import Input, Dense
    from kteach.models import Model

    # The tutorial writes `input = input(shape=(784,))`: lower-case `input` is Python's own
    # input(), which takes no keywords. That error comes from Python itself.
    with pytest.raises(TypeError, match="input\\(\\) takes no keyword arguments"):
        input(shape=(784, ))
    input_ = Input(shape=(784, ))
    x = Dense(64, activation='relu')(input_)
    x = Dense(64, activation='relu')(x)
    y = Dense(10, activation='softmax')(x)
    with pytest.warns(UserWarning, match="Keras 1 spelling"):
        model = Model(input=input_, output=y)
    model.compile(optimizer='rmsprop', loss='categorical_crossentropy', metrics=['accuracy'])
    data = np.random.random((100, 784))
    labels = kteach.utils.to_categorical(np.random.randint(10, size=(100, 1)), num_classes=10)
    history = model.fit(data, labels, verbose=0)
    assert list(history.history) == ["accuracy", "loss"]


def test_zh_input_dim():
    from kteach.models import Sequential
    from kteach.layers import Dense
    model = Sequential()
    model.add(Dense(32, input_dim=78))
    assert model.input_shape == (None, 78) and model.count_params() == 78 * 32 + 32


def test_zh_misspelt_optimizer_name():
    from kteach.models import Sequential
    from kteach.layers import Dense
    model = Sequential([kteach.Input((4,)), Dense(2, activation="softmax")])
    with pytest.raises(ValueError, match=r"Could not interpret optimizer identifier: rmspropy\..*"
                                         r"Did you mean 'rmsprop'"):
        model.compile(optimizer='rmspropy', loss='categorical_crossentropy', metrics=['accuracy'])
    assert not model.compiled          # the failed compile left nothing behind


def test_zh_mlp_softmax_multiclass(capsys):
    from kteach.models import Sequential
    from kteach.layers import Dense, Dropout
    from kteach.optimizers import SGD
    import kteach as keras  # noqa: F401  (the tutorial's `import keras`)

    x_train = np.random.random((1000, 20))
    y_train = keras.utils.to_categorical(np.random.randint(10, size=(1000, 1)), num_classes=10)
    x_test = np.random.random((100, 20))
    y_test = keras.utils.to_categorical(np.random.randint(10, size=(100, 1)), num_classes=10)

    model = Sequential()
    model.add(Dense(64, activation='relu', input_dim=20))
    model.add(Dropout(0.5))
    model.add(Dense(64, activation='relu'))
    model.add(Dropout(0.5))
    model.add(Dense(10, activation='softmax'))
    with pytest.warns(UserWarning) as record:
        sgd = SGD(lr=0.01, decay=1e-6, momentum=0.9, nesterov=True)
    messages = " ".join(str(w.message) for w in record)
    assert "learning_rate" in messages and "decay" in messages
    model.compile(loss='categorical_crossentropy', optimizer=sgd, metrics=['accuracy'])
    history = model.fit(x_train, y_train, epochs=20, batch_size=128)
    score = model.evaluate(x_test, y_test, batch_size=128)
    assert len(history.history["loss"]) == 20
    assert sgd.iterations == 20 * 8                   # ceil(1000 / 128) steps per epoch
    assert isinstance(score, list) and len(score) == 2
    # random labels: the loss stays near log(10) and accuracy near chance
    assert 2.0 < score[0] < 2.6 and 0.0 <= score[1] <= 0.3
    out = capsys.readouterr().out
    assert "Epoch 20/20" in out


def test_zh_mlp_binary_has_two_bugs_each_explained():
    from kteach.models import Sequential
    from kteach.layers import Dense, Dropout
    import kteach as keras

    x_train = np.random.random((1000, 20))
    y_train = keras.utils.to_categorical(np.random.randint(10, size=(1000, 1)), num_classes=10)

    model = Sequential()
    model.add(Dense(64, input_dim=20, activation='relu'))
    model.add(Dropout(0.5))
    model.add(Dense(64, activation='relu'))
    model.add(Dropout(0.5))
    model.add(Dense(1, activation='sigmoid'))
    model.compile(loss='binary_crossentropy', optimizer='rmsprop', metrics=['accuracy'])
    before = model.get_weights()

    # bug 1: `epoches`
    with pytest.raises(TypeError, match=r"fit\(\) got an unexpected keyword argument 'epoches'\. "
                                        r"Did you mean 'epochs'\?"):
        model.fit(x_train, y_train, epoches=20, batch_size=128)
    # bug 2: ten one-hot columns for a one-unit sigmoid output
    with pytest.raises(ValueError) as info:
        model.fit(x_train, y_train, epochs=20, batch_size=128)
    message = str(info.value)
    assert message.startswith("Arguments `target` and `output` must have the same shape. "
                              "Received: target.shape=(1000, 10), output.shape=(None, 1).")
    assert "layer 'dense_2' (Dense(1, activation='sigmoid'))" in message
    assert "binary_crossentropy" in message
    assert "one 0/1 label per sample" in message
    assert "Dense(10, activation='softmax')" in message and "categorical_crossentropy" in message
    for a, b in zip(before, model.get_weights()):   # nothing was trained
        np.testing.assert_array_equal(a, b)


# ----- English tutorial ("Difference between Sequential and Functional models") ---------------
def test_en_first_sequential_block_data_does_not_fit():
    from kteach.models import Sequential
    from kteach.layers import Dense, Activation
    model = Sequential()
    model.add(Dense(32, input_shape=(784,)))
    model.add(Activation('relu'))
    model.compile(optimizer='rmsprop', loss='binary_crossentropy', metrics=['accuracy'])
    data = np.random.random((1000, 100))
    labels = np.random.randint(2, size=(1000, 1))
    with pytest.raises(ValueError, match=r"expects shape \(None, 784\) .* but x has shape "
                                         r"\(1000, 100\)\. .*give data with 784 features per "
                                         r"sample, or build the model for 100"):
        model.fit(data, labels, epochs=10, batch_size=32)


def test_en_categorical_block():
    from kteach.models import Sequential
    from kteach.layers import Dense
    import kteach as keras
    model = Sequential()
    model.add(Dense(32, activation='relu', input_dim=100))
    model.add(Dense(10, activation='softmax'))
    model.compile(optimizer='rmsprop', loss='categorical_crossentropy', metrics=['accuracy'])
    data = np.random.random((1000, 100))
    labels = np.random.randint(10, size=(1000, 1))
    one_hot_labels = keras.utils.to_categorical(labels, num_classes=10)
    history = model.fit(data, one_hot_labels, epochs=10, batch_size=32, verbose=0)
    assert len(history.history["accuracy"]) == 10
    assert one_hot_labels.shape == (1000, 10) and one_hot_labels.dtype == np.float64


def test_en_functional_block(capsys):
    from kteach.models import Sequential, Model  # noqa: F401
    from kteach import layers
    from kteach import Input
    input_tensor = Input(shape=(64,))
    x = layers.Dense(32, activation='relu')(input_tensor)
    x = layers.Dense(32, activation='relu')(x)
    output_tensor = layers.Dense(10, activation='softmax')(x)
    model = Model(input_tensor, output_tensor)
    model.compile(optimizer='rmsprop', loss='categorical_crossentropy', metrics=['accuracy'])
    data = np.random.random((200, 64))
    labels = kteach.utils.to_categorical(np.random.randint(10, size=200), 10)
    model.fit(data, labels, verbose=0)
    model.summary()
    out = capsys.readouterr().out
    assert 'Model: "functional"' in out
    assert "Trainable params: 3,466" in out      # 64·32+32 + 32·32+32 + 32·10+10
    assert "Optimizer params: 3,468" in out      # RMSprop: one slot per weight + 2
