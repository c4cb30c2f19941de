"""Functional graphs: building, layer order, shared layers, merges, nested models, gradients."""
import numpy as np
import pytest

import kteach
from kteach import Input, Model, Sequential, layers
from gradcheck import numeric_gradient, relative_error


def whole_model_gradcheck(model, xs, seed=0, tol=1e-6):
    """Backprop through the whole graph vs central differences of sum(r · outputs)."""
    rng = np.random.default_rng(seed)
    outs, tape = model._graph.forward(xs, training=False)
    rs = [rng.normal(size=o.shape) for o in outs]

    def loss():
        o, _ = model._graph.forward(xs, training=False)
        return float(sum(np.sum(r * v) for r, v in zip(rs, o)))

    d_inputs, grads = model._graph.backward(tape, rs)
    for x, dx in zip(xs, d_inputs):
        assert relative_error(dx, numeric_gradient(loss, x)) < tol
    for w in model.weights:
        assert relative_error(grads[id(w)], numeric_gradient(loss, w.value)) < tol, w.path


def test_two_inputs_concat_two_outputs_gradients_float64():
    a = Input((3,), dtype="float64", name="a")
    b = Input((2,), dtype="float64", name="b")
    ha = layers.Dense(4, activation="tanh", dtype="float64")(a)
    hb = layers.Dense(4, activation="sigmoid", dtype="float64")(b)
    h = layers.concatenate([ha, hb])
    out1 = layers.Dense(2, activation="softmax", dtype="float64", name="cls")(h)
    out2 = layers.Dense(1, dtype="float64", name="reg")(layers.add([ha, hb]))
    model = Model([a, b], [out1, out2])
    rng = np.random.default_rng(0)
    whole_model_gradcheck(model, [rng.normal(size=(5, 3)), rng.normal(size=(5, 2))])
    assert model.output_names == ["cls", "reg"]
    assert model.input_names == ["a", "b"]


def test_shared_layer_gradients_add_up():
    x1 = Input((3,), dtype="float64")
    x2 = Input((3,), dtype="float64")
    shared = layers.Dense(3, activation="tanh", dtype="float64")
    y = layers.add([shared(x1), shared(shared(x2))])   # the same weights used three times
    model = Model([x1, x2], layers.Dense(1, dtype="float64")(y))
    assert len(shared._inbound_nodes) == 3
    assert len(model.weights) == 4                      # shared kernel and bias counted once
    rng = np.random.default_rng(1)
    whole_model_gradcheck(model, [rng.normal(size=(4, 3)), rng.normal(size=(4, 3))])


def test_nested_model_is_a_layer():
    inner_in = Input((4,), dtype="float64")
    inner = Model(inner_in, layers.Dense(3, activation="relu", dtype="float64")(inner_in), name="inner")
    x = Input((4,), dtype="float64")
    y = layers.Dense(2, dtype="float64")(inner(x))
    model = Model(x, y)
    assert [l.name for l in model.layers][1] == "inner"
    assert model.count_params() == 4 * 3 + 3 + 3 * 2 + 2
    rng = np.random.default_rng(2)
    whole_model_gradcheck(model, [rng.normal(size=(6, 4))])
    np.testing.assert_allclose(model.predict(np.ones((2, 4)), verbose=0),
                               model.layers[-1](inner(np.ones((2, 4)))))


def test_sequential_inside_functional_and_called_twice():
    kteach.utils.set_random_seed(0)
    seq = Sequential([Input((2,)), layers.Dense(2, activation="tanh")])
    a, b = Input((2,)), Input((2,))
    model = Model([a, b], layers.concatenate([seq(a), seq(b)]))
    x = np.array([[1.0, 2.0]], dtype="float32")
    out = model.predict([x, -x], verbose=0)
    expected = np.concatenate([seq.predict(x, verbose=0), seq.predict(-x, verbose=0)], axis=1)
    np.testing.assert_allclose(out, expected, rtol=1e-6)


def test_layers_are_ordered_like_keras_for_two_branches():
    kteach.backend.clear_session()
    text = Input((5,), name="text")
    question = Input((4,), name="question")
    t = layers.Dense(3)(text)
    q = layers.Dense(2)(question)
    answer = layers.Dense(1)(layers.concatenate([t, q]))
    model = Model([text, question], answer)
    # Keras orders by depth from the inputs, ties in the order met walking back from the output
    assert [l.name for l in model.layers] == ["text", "question", "dense", "dense_1",
                                              "concatenate", "dense_2"]
    assert [w.shape for w in model.get_weights()] == [(5, 3), (3,), (4, 2), (2,), (5, 1), (1,)]


def test_model_keras1_spelling_warns_and_works():
    x = Input((3,))
    y = layers.Dense(1)(x)
    from kteach.engine import errors
    errors._warned.discard("model_input_output")
    with pytest.warns(UserWarning, match=r"Model\(inputs=\.\.\., outputs=\.\.\.\)"):
        model = Model(input=x, output=y)
    assert model.output_shape == (None, 1)


def test_model_misspelt_keyword_and_missing_input():
    x = Input((3,))
    with pytest.raises(TypeError, match=r"unexpected keyword argument 'outputz'.*Did you mean 'outputs'"):
        Model(inputs=x, outputz=layers.Dense(1)(x))
    other = Input((2,), name="other")
    y = layers.concatenate([x, other])
    with pytest.raises(ValueError, match="The outputs depend on the input 'other', which is not among"):
        Model(x, y)


def test_get_layer_by_name_and_index():
    x = Input((3,))
    y = layers.Dense(1, name="out")(layers.Dense(2, name="hidden")(x))
    model = Model(x, y)
    assert model.get_layer("hidden").units == 2
    assert model.get_layer(index=-1).name == "out"
    with pytest.raises(ValueError, match="No such layer: hiden.*Did you mean 'hidden'"):
        model.get_layer("hiden")


def test_calling_layer_on_keras_tensor_mixed_with_arrays_is_refused():
    with pytest.raises(TypeError, match="mix of symbolic tensors"):
        layers.Add()([Input((2,)), np.zeros((1, 2))])


def test_automatic_names_follow_keras_including_tensor_names():
    # Names checked against Keras 3.15.1: a Sequential's every rebuild uses up one
    # "functional" name; tensors are keras_tensor_N unless their Input is named.
    kteach.backend.clear_session()
    a = Input((64,))
    assert repr(a) == ("<KerasTensor shape=(None, 64), dtype=float32, sparse=False, ragged=False, "
                       "name=keras_tensor>")
    assert Input((3,), name="text").name == "text"
    d = layers.Dense(2)(a)
    assert d.name == "keras_tensor_1"
    m = Sequential()
    m.add(Input((3,)))
    for _ in range(3):
        m.add(layers.Dense(2))
    assert Model(a, layers.Dense(1)(a)).name == "functional_3"
    m = Sequential([layers.Dense(2)])            # not built: no rebuild yet
    assert Model(a, layers.Dense(1)(a)).name == "functional_4"
    assert repr(m) == "<Sequential name=sequential_1, built=False>"
