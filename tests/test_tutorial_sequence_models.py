"""The English seed tutorial's sequence models, with `keras` replaced by `kteach`.

Covers sections 3 and 4 of ../shared/seeds/004_1696b6e9d697f6e2.txt: ``TimeDistributed(model)``,
the two-input question-answering model, and the three-headed posts model. The tutorial's
architecture sizes are kept; its data is cut down (fewer samples, one epoch) so that the file
runs in seconds -- each place says so. Where the tutorial has a bug, the test asserts kteach's
message and then runs the fixed code.

Facts checked against Keras 3.15.1 (torch backend) and written here as literals: the QA
model's per-layer parameter counts, its history keys ``['acc', 'loss']``; the posts model's
history keys, its evaluate order ``[loss, age, income, gender]`` with unweighted per-output
losses and ``loss = Σ weight·loss``; and that the posts stack accepts 269 steps but not 268
(Keras: "Computed output size would be zero or negative", inputs shape (None, 4, 256)).
"""
import numpy as np
import pytest

import kteach
from kteach.engine.errors import SequenceTooShortError
from kteach.layers.embedding import TokenIdError


# ----- 3. All models are callable, just like layers ----------------------------------------------
def tutorial_functional_model(features: int):
    """The tutorial's functional block, Input → Dense 32 → 32 → 10 softmax, for ``features``
    inputs per sample (the tutorial: Input(shape=(64,)))."""
    from kteach.models import Model
    from kteach import layers
    from kteach import Input
    input_tensor = Input(shape=(features,))
    x = layers.Dense(32, activation='relu')(input_tensor)
    x = layers.Dense(32, activation='relu')(x)
    output_tensor = layers.Dense(10, activation='softmax')(x)
    return Model(input_tensor, output_tensor)


def test_time_distributed_model_as_written_does_not_fit_784_vectors():
    from kteach.layers import TimeDistributed
    from kteach import Input
    model = tutorial_functional_model(64)    # as in the tutorial: 64 features per sample
    # Input tensor for sequences of 20 timesteps, each containing a 784-dimensional vector
    input_sequences = Input(shape=(20, 784))
    # kteach's message follows Keras 3.15.1's ValueError: "Input 0 with name 'input_layer' of
    # layer 'functional' is incompatible with the layer: expected shape=(None, 64), found
    # shape=(None, 784)"
    with pytest.raises(ValueError, match=r"^TimeDistributed\('functional'\) gives 'functional' "
                                         r"one time step at a time, of shape \(None, 784\).*"
                                         r"Input 'input_layer' of model 'functional' is "
                                         r"incompatible: expected shape \(None, 64\), found "
                                         r"shape \(None, 784\)"):
        TimeDistributed(model)(input_sequences)


def test_time_distributed_model_fixed_runs_the_model_at_every_step():
    from kteach.layers import TimeDistributed
    from kteach import Input
    from kteach.models import Model
    # The fix: build the per-step model for the 784-dimensional vectors the comment promises.
    model = tutorial_functional_model(784)
    input_sequences = Input(shape=(20, 784))
    processed_sequences = TimeDistributed(model)(input_sequences)
    assert processed_sequences.shape == (None, 20, 10)
    video_model = Model(input_sequences, processed_sequences)
    per_step = (784 * 32 + 32) + (32 * 32 + 32) + (32 * 10 + 10)
    assert video_model.count_params() == model.count_params() == per_step

    x = np.random.random((3, 20, 784)).astype("float32")
    y = video_model.predict(x, verbose=0)
    assert y.shape == (3, 20, 10)
    for t in range(20):
        np.testing.assert_allclose(y[:, t], model.predict(x[:, t], verbose=0), rtol=1e-5, atol=1e-7)
    np.testing.assert_allclose(y.sum(axis=-1), np.ones((3, 20)), rtol=1e-5)


# ----- 4. A model with two inputs: question answering ---------------------------------------------
text_vocabulary_size = 10000
question_vocabulary_size = 10000
answer_vocabulary_size = 500


def question_answering_model():
    """The tutorial's code, unchanged apart from keras → kteach."""
    from kteach.models import Model
    from kteach import layers
    from kteach import Input
    # The text input is a sequence of integers of variable length.
    text_input = Input(shape=(None,), dtype='int32', name='text')
    embedded_text = layers.Embedding(text_vocabulary_size, 64)(text_input)
    encoded_text = layers.LSTM(32)(embedded_text)
    question_input = Input(shape=(None,), dtype='int32', name='question')
    embedded_question = layers.Embedding(question_vocabulary_size, 32)(question_input)
    encoded_question = layers.LSTM(16)(embedded_question)
    concatenated = layers.concatenate([encoded_text, encoded_question], axis=-1)
    answer = layers.Dense(answer_vocabulary_size, activation='softmax')(concatenated)
    model = Model([text_input, question_input], answer)
    model.compile(optimizer='rmsprop', loss='categorical_crossentropy', metrics=['acc'])
    return model


def question_answering_data():
    # The tutorial: num_samples = 1000, max_length = 100, epochs=10, batch_size=128. Here 16
    # samples of 100 steps in two batches of 8, one epoch, to keep the test fast.
    num_samples = 16
    max_length = 100
    text = np.random.randint(1, text_vocabulary_size, size=(num_samples, max_length))
    question = np.random.randint(1, question_vocabulary_size, size=(num_samples, max_length))
    answers = np.random.randint(answer_vocabulary_size, size=(num_samples))
    answers = kteach.utils.to_categorical(answers, answer_vocabulary_size)
    return text, question, answers


def test_question_answering_summary_counts_follow_keras_formulas(capsys):
    model = question_answering_model()
    model.summary()
    out = capsys.readouterr().out
    counts = {layer.name: layer.count_params() for layer in model.layers}
    lstm = lambda u, n_in: 4 * (u * (n_in + u) + u)   # noqa: E731  kernel, recurrent kernel, bias
    assert counts == {
        "text": 0, "question": 0,
        "embedding": text_vocabulary_size * 64,           # 640,000
        "embedding_1": question_vocabulary_size * 32,     # 320,000
        "lstm": lstm(32, 64),                             # 12,416
        "lstm_1": lstm(16, 32),                           # 3,136
        "concatenate": 0,
        "dense": (32 + 16) * answer_vocabulary_size + answer_vocabulary_size,   # 24,500
    }
    # Keras 3.15.1: the same counts, total 1,000,052
    assert model.count_params() == 1_000_052
    assert " Total params: 1,000,052 (3.81 MB)" in out
    for row in ["│ text (InputLayer)   │ (None, None)      │          0 │ -                 │",
                "│ lstm (LSTM)         │ (None, 32)        │     12,416 │ embedding[0][0]   │",
                "│ lstm_1 (LSTM)       │ (None, 16)        │      3,136 │ embedding_1[0][0] │",
                "│ dense (Dense)       │ (None, 500)       │     24,500 │ concatenate[0][0] │"]:
        assert row in out


def test_question_answering_fit_with_a_list_and_with_a_dict_is_the_same():
    text, question, answers = question_answering_data()
    model = question_answering_model()
    start = model.get_weights()
    kteach.utils.set_random_seed(1)   # fit shuffles the samples
    # Fit using a list of inputs (in the order of Model([text_input, question_input], ...))
    by_list = model.fit([text, question], answers, epochs=1, batch_size=8, verbose=0)
    after_list = model.get_weights()

    # A fresh model with the same starting weights and the same seed (for the shuffling)
    twin = question_answering_model()
    twin.set_weights(start)
    kteach.utils.set_random_seed(1)
    # Fit using a dict keyed by the Input names (only possible because the inputs are named)
    by_dict = twin.fit({'text': text, 'question': question}, answers, epochs=1, batch_size=8,
                       verbose=0)

    assert list(by_list.history) == ["acc", "loss"]       # as Keras 3.15.1
    assert by_dict.history == by_list.history
    assert np.isfinite(by_list.history["loss"][0]) and by_list.history["loss"][0] > 0
    # The same computation, up to float32's last bits: NumPy's SIMD sums may add in another
    # order when two arrays sit at differently aligned addresses.
    for a, b, s in zip(after_list, twin.get_weights(), start):
        np.testing.assert_allclose(a, b, rtol=1e-4, atol=1e-7)
    assert any(not np.array_equal(a, s) for a, s in zip(after_list, start))   # it did train


# ----- 4. A model with three outputs: the posts model ---------------------------------------------
vocabulary_size = 50000
num_income_groups = 10


def posts_model(embedding):
    """The tutorial's posts model, with the Embedding passed in (the tutorial's is swapped)."""
    from kteach import layers
    from kteach import Input
    from kteach.models import Model
    posts_input = Input(shape=(None,), dtype='int32', name='posts')
    embedded_posts = embedding(posts_input)
    x = layers.Conv1D(128, 5, activation='relu')(embedded_posts)
    x = layers.MaxPooling1D(5)(x)
    x = layers.Conv1D(256, 5, activation='relu')(x)
    x = layers.Conv1D(256, 5, activation='relu')(x)
    x = layers.MaxPooling1D(5)(x)
    x = layers.Conv1D(256, 5, activation='relu')(x)
    x = layers.Conv1D(256, 5, activation='relu')(x)
    x = layers.GlobalMaxPooling1D()(x)
    x = layers.Dense(128, activation='relu')(x)
    # Note that the output layers all have names
    age_prediction = layers.Dense(1, name='age')(x)
    income_prediction = layers.Dense(num_income_groups, activation='softmax', name='income')(x)
    gender_prediction = layers.Dense(1, activation='sigmoid', name='gender')(x)
    return Model(posts_input, [age_prediction, income_prediction, gender_prediction])


def posts_data(length: int, n: int = 8):
    """The tutorial leaves posts and targets to the reader ("assume they are Numpy arrays").
    Here: ``n`` posts of ``length`` token ids, ages 20–59, one-hot income groups, 0/1 gender."""
    posts = np.random.randint(1, vocabulary_size, size=(n, length))
    age_targets = np.random.randint(20, 60, size=(n, 1)).astype("float32")
    income_targets = kteach.utils.to_categorical(np.random.randint(num_income_groups, size=n),
                                                 num_income_groups)
    gender_targets = np.random.randint(2, size=(n, 1)).astype("float32")
    return posts, age_targets, income_targets, gender_targets


def test_posts_model_as_written_has_the_embedding_arguments_swapped():
    from kteach import layers
    # The tutorial: Embedding(256, vocabulary_size) -- a table for 256 ids, each a vector of
    # 50000 numbers (and a first Conv1D with 5·50000·128 weights). It builds, as in Keras...
    model = posts_model(layers.Embedding(256, vocabulary_size))
    assert model.get_layer('embedding').embeddings.shape == (256, 50000)
    model.compile(optimizer='rmsprop',
                  loss=['mse', 'categorical_crossentropy', 'binary_crossentropy'])
    posts, age_targets, income_targets, gender_targets = posts_data(300, n=4)
    largest = int(posts.max())
    assert largest >= 256
    # ... but the first post with an id >= 256 is refused, with the fix.
    with pytest.raises(TokenIdError) as info:
        model.fit(posts, [age_targets, income_targets, gender_targets], epochs=1, verbose=0)
    assert isinstance(info.value, IndexError)          # what Keras' torch backend raises
    assert str(info.value).startswith(
        f"Layer 'embedding' (Embedding(256, 50000)): index out of range in self. It received "
        f"token id {largest}, but input_dim=256 only allows ids 0 to 255. Did you mean "
        f"Embedding(50000, 256)? The first argument is the vocabulary size (input_dim: the "
        f"number of different ids, the largest id + 1), the second the length of each vector "
        f"(output_dim).")


def test_posts_model_needs_sequences_of_at_least_269_steps():
    from kteach import layers
    model = posts_model(layers.Embedding(vocabulary_size, 256))     # the fix of the first bug
    model.compile(optimizer='rmsprop',
                  loss=['mse', 'categorical_crossentropy', 'binary_crossentropy'])
    convs = [layer for layer in model.layers if isinstance(layer, layers.Conv1D)]
    posts, age_targets, income_targets, gender_targets = posts_data(100, n=2)
    # 100 steps: Conv1D → 96, MaxPooling1D(5) → 19, Conv1D → 15, Conv1D → 11,
    # MaxPooling1D(5) → 2, and the fourth Conv1D's window of 5 finds only 2 steps.
    with pytest.raises(SequenceTooShortError) as info:
        model.fit(posts, [age_targets, income_targets, gender_targets], verbose=0)
    text = str(info.value)
    assert text.startswith(f"Layer '{convs[3].name}' (Conv1D, kernel_size=5) received sequences "
                           f"of 2 steps, but its window spans 5 steps")
    # The shortest length, worked back from the last Conv1D (needs 5): +4 → 9, ×5 → 45,
    # +4 → 49, +4 → 53, ×5 → 265, +4 → 269 (Keras 3.15.1 agrees: 269 builds, 268 does not).
    assert text.endswith("The shortest input this model accepts has 269 steps; pad the sequences "
                         "to at least that length (kteach.utils.pad_sequences(..., maxlen=269)) "
                         "or use smaller kernels and pools.")
    assert (info.value.layer_name, info.value.length) == (convs[3].name, 2)
    # 268 steps: the last Conv1D gets 4 steps; 269 steps: one step comes out of it.
    with pytest.raises(SequenceTooShortError, match=rf"^Layer '{convs[4].name}' \(Conv1D, "
                                                    rf"kernel_size=5\) received sequences of 4 "):
        model.predict(posts_data(268, n=1)[0], verbose=0)
    age, income, gender = model.predict(posts_data(269, n=1)[0], verbose=0)
    assert (age.shape, income.shape, gender.shape) == ((1, 1), (1, 10), (1, 1))


def test_posts_model_losses_as_list_or_dict_and_loss_weights():
    from kteach import layers
    model = posts_model(layers.Embedding(vocabulary_size, 256))
    # The tutorial fits with epochs=10, batch_size=64 on posts it does not give: here 8 posts
    # of 300 steps (>= 269), one epoch, one batch of 8.
    posts, age_targets, income_targets, gender_targets = posts_data(300)
    start = model.get_weights()

    model.compile(optimizer='rmsprop',
                  loss=['mse', 'categorical_crossentropy', 'binary_crossentropy'])
    kteach.utils.set_random_seed(1)   # fit shuffles the samples (and the order changes sums)
    by_list = model.fit(posts, [age_targets, income_targets, gender_targets],
                        epochs=1, batch_size=8, verbose=0)
    # Keras 3.15.1 gives the same keys: the per-output losses by output name, then the total
    assert list(by_list.history) == ["age_loss", "gender_loss", "income_loss", "loss"]
    h = {k: v[0] for k, v in by_list.history.items()}
    assert h["loss"] == pytest.approx(h["age_loss"] + h["income_loss"] + h["gender_loss"], rel=1e-6)

    # Equivalent (only possible because the output layers have names); a new compile brings a
    # new optimizer, so from the same weights the step is the same.
    model.set_weights(start)
    model.compile(optimizer='rmsprop',
                  loss={'age': 'mse', 'income': 'categorical_crossentropy',
                        'gender': 'binary_crossentropy'})
    kteach.utils.set_random_seed(1)
    by_dict = model.fit(posts, {'age': age_targets, 'income': income_targets,
                                'gender': gender_targets}, epochs=1, batch_size=8, verbose=0)
    assert by_dict.history == by_list.history

    # loss_weights balance an MSE in the hundreds against cross-entropies below 3
    targets = [age_targets, income_targets, gender_targets]
    model.compile(optimizer='rmsprop',
                  loss=['mse', 'categorical_crossentropy', 'binary_crossentropy'],
                  loss_weights=[0.25, 1., 10.])
    as_list = model.evaluate(posts, targets, verbose=0, return_dict=True)
    # Equivalent
    model.compile(optimizer='rmsprop',
                  loss={'age': 'mse', 'income': 'categorical_crossentropy',
                        'gender': 'binary_crossentropy'},
                  loss_weights={'age': 0.25, 'income': 1., 'gender': 10.})
    as_dict = model.evaluate(posts, targets, verbose=0, return_dict=True)
    assert as_dict == as_list
    # The per-output losses are reported unweighted; the total weighs them (as Keras 3.15.1)
    expected = (0.25 * as_list["age_loss"] + 1. * as_list["income_loss"]
                + 10. * as_list["gender_loss"])
    assert as_list["loss"] == pytest.approx(expected, rel=1e-6)
    assert as_list["age_loss"] > 10 * as_list["income_loss"]    # why the weights are needed
    # As a list: [loss, then the outputs' losses in output order]
    assert model.evaluate(posts, targets, verbose=0) == [as_list["loss"], as_list["age_loss"],
                                                         as_list["income_loss"],
                                                         as_list["gender_loss"]]
