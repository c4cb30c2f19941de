"""model.explain: the record of one training step agrees with the real step, number by number."""
import numpy as np
import pytest

import kteach
from kteach import Input, Model, Sequential, layers
from kteach.engine import graph
from kteach.engine import random as kr
from kteach.engine.errors import NumericalError, UnknownArgumentError
from kteach.engine.recording import FULL_SIZE, Recorder


def mlp(seed=0, optimizer=None):
    kteach.utils.set_random_seed(seed)
    model = Sequential([Input((3,)), layers.Dense(2, activation="relu"),
                        layers.Dense(3, activation="softmax")])
    model.compile(optimizer=optimizer or kteach.optimizers.SGD(learning_rate=0.1, momentum=0.9),
                  loss="categorical_crossentropy")
    return model


X = np.array([[0.5, -1.0, 2.0], [1.5, 0.25, -0.5], [-1.0, 2.0, 0.75], [0.1, 0.2, 0.3]], "float32")
Y = kteach.utils.to_categorical([0, 1, 2, 1], 3).astype("float32")


def assert_same_model(a, b):
    for wa, wb in zip(a.get_weights(), b.get_weights()):
        np.testing.assert_array_equal(wa, wb)


# ----- the numbers of the record ---------------------------------------------------------------
def test_forward_steps_agree_with_numpy_and_predict():
    model = mlp()
    W1, b1, W2, b2 = model.get_weights()
    record = model.explain(X, Y)
    first, second = record.forward
    assert [s.name for s in record.forward] == ["dense", "dense_1"]
    assert first.formula == "y = relu(z), z = x·W + b : (4, 3)·(3, 2) + (2,) → (4, 2)"
    assert second.formula == "y = softmax(z), z = x·W + b : (4, 2)·(2, 3) + (3,) → (4, 3)"
    np.testing.assert_array_equal(first["x"], X)
    np.testing.assert_array_equal(first["kernel"], W1)
    np.testing.assert_array_equal(first["bias"], b1)
    np.testing.assert_allclose(first["y"], np.maximum(X @ W1 + b1, 0), rtol=1e-6)
    z = first["y"] @ W2 + b2
    np.testing.assert_allclose(second["y"], np.exp(z) / np.exp(z).sum(1, keepdims=True), rtol=1e-6)
    assert first.sources == ["input_layer"] and second.sources == ["dense"]
    np.testing.assert_array_equal(record.outputs, model.predict(X, verbose=0))
    assert list(first.arrays) == ["x", "kernel", "bias", "y"]


def test_loss_step_by_hand():
    model = mlp()
    record = model.explain(X, Y)
    (step,) = record.loss
    p = record.outputs
    L = -np.sum(Y * np.log(p), axis=1)                       # p sums to 1: no renormalising
    np.testing.assert_allclose(step.per_sample, L, rtol=1e-6)
    assert step.value == pytest.approx(L.mean(), rel=1e-6)
    assert record.total_loss == step.value
    assert step.value == pytest.approx(model.test_on_batch(X, Y), rel=1e-7)
    # categorical cross-entropy divides p by its sum first: d/dp of −log(p_k/Σp) = −1/p_k + 1/Σp
    dp = (-Y / p + 1 / p.sum(1, keepdims=True)) / 4
    np.testing.assert_allclose(step["dloss/dy_pred"], dp, rtol=1e-5)
    assert step.loss_weight == 1.0 and step.loss_name == "categorical_crossentropy"
    assert step.notes == ["dloss/dy_pred = dL/dy_pred / 4: the gradient where backpropagation starts"]


def test_backward_steps_follow_the_chain_rule():
    model = mlp()
    W1, b1, W2, b2 = model.get_weights()
    record = model.explain(X, Y)
    back_out, back_hidden = record.backward
    assert [s.name for s in record.backward] == ["dense_1", "dense"]
    h, p = record.forward[0]["y"], record.outputs
    dz2 = (p - Y) / 4                                       # softmax + cross-entropy together
    np.testing.assert_allclose(back_out["dkernel"], h.T @ dz2, rtol=1e-5, atol=1e-7)
    np.testing.assert_allclose(back_out["dbias"], dz2.sum(0), rtol=1e-5, atol=1e-7)
    np.testing.assert_allclose(back_out["dx"], dz2 @ W2.T, rtol=1e-5, atol=1e-7)
    np.testing.assert_array_equal(back_hidden["dy"], back_out["dx"])
    dz1 = back_out["dx"] * (h > 0)
    np.testing.assert_allclose(back_hidden["dkernel"], X.T @ dz1, rtol=1e-5, atol=1e-7)
    assert back_hidden.formula == "dy (4, 2) → dx (4, 3), dkernel (3, 2), dbias (2,)"


def test_apply_true_is_train_on_batch():
    """Two steps of Adam: explain(apply=True) and train_on_batch give the same bits."""
    a = mlp(optimizer=kteach.optimizers.Adam(learning_rate=0.01))
    b = mlp(optimizer=kteach.optimizers.Adam(learning_rate=0.01))
    for _ in range(2):
        record = a.explain(X, Y, apply=True)
        loss = b.train_on_batch(X, Y)
        assert record.total_loss == pytest.approx(loss, rel=1e-12)
        assert_same_model(a, b)
    assert a.optimizer.iterations == b.optimizer.iterations == 2
    for va, vb in zip(a.trainable_weights, b.trainable_weights):
        np.testing.assert_array_equal(va.grad, vb.grad)
        for name in ("m", "v"):
            np.testing.assert_array_equal(a.optimizer.slots(va)[name], b.optimizer.slots(vb)[name])
    for step, vb in zip(record.updates, b.trainable_weights):
        np.testing.assert_array_equal(step.gradient, vb.grad)
        np.testing.assert_array_equal(step.new_value, vb.value)
        np.testing.assert_array_equal(step.slots_after["m"], b.optimizer.slots(vb)["m"])
        np.testing.assert_array_equal(step.change, step.new_value - step.value)
    assert record.updates[0].rule.endswith("[t=2: 0.01·√(1−0.999^2)/(1−0.9^2) = 0.00235317]")
    assert record.applied is True


def test_update_step_of_sgd_with_momentum_by_hand():
    model = mlp()
    record = model.explain(X, Y)
    step = record.updates[0]
    assert step.name == "sequential/dense/kernel" and step.layer is model.layers[0]
    assert step.rule == "v ← 0.9·v − 0.1·g;  w ← w + v"
    assert list(step.arrays) == ["w", "g", "momentum", "momentum_new", "w_new", "w_new - w"]
    np.testing.assert_array_equal(step["momentum"], np.zeros((3, 2), "float32"))
    np.testing.assert_allclose(step["momentum_new"], -0.1 * step["g"], rtol=1e-6)
    np.testing.assert_allclose(step["w_new"], step["w"] - 0.1 * step["g"], rtol=1e-6)
    np.testing.assert_array_equal(step["g"], record.backward[-1]["dkernel"])


# ----- apply=False leaves no trace ------------------------------------------------------------
class MovingMean(layers.Layer):
    """A BatchNormalization-like layer: two non-trainable weights that training changes, one
    in place and one by replacing its array."""

    def build(self, input_shape):
        def zeros(shape, dtype):
            return np.zeros(shape, dtype)

        self.in_place = self.add_weight("in_place", (input_shape[-1],), zeros, trainable=False)
        self.replaced = self.add_weight("replaced", (input_shape[-1],), zeros, trainable=False)

    def forward(self, x, training=False):
        if training:
            self.in_place.value += x.mean(axis=0)
            self.replaced.update(self.replaced.value + x.mean(axis=0))
        return x, None

    def backward(self, cache, dy):
        return dy, [None, None]


def model_with_state(seed):
    kteach.utils.set_random_seed(seed)
    frozen = layers.Dense(3, name="frozen")
    frozen.trainable = False
    model = Sequential([Input((3,)), layers.Dense(4, activation="relu"), layers.Dropout(0.5),
                        layers.Dropout(0.5, seed=7), MovingMean(), frozen,
                        layers.Dense(3, activation="softmax")])
    model.compile(optimizer=kteach.optimizers.SGD(learning_rate=0.1, momentum=0.9),
                  loss="categorical_crossentropy")
    model.train_on_batch(X, Y)          # the optimizer has state, the weights have grads
    return model


def snapshot(model):
    own_rng = model.layers[2]._rng
    state = model.optimizer.get_state()
    return dict(
        arrays=[v.value for v in model.weights], bytes=[v.value.tobytes() for v in model.weights],
        grads=[v.grad for v in model.weights], iterations=model.optimizer.iterations,
        slots={k: {n: a.copy() for n, a in s.items()} for k, (_, s) in state["slots"].items()},
        rng=kr.get_state(), own_rng=own_rng.bit_generator.state)


def test_apply_false_leaves_everything_bit_identical():
    model = model_with_state(0)
    twin = model_with_state(0)
    state = kr.get_state()
    before = snapshot(model)
    record = model.explain(X, Y)
    after = snapshot(model)
    assert all(a is b for a, b in zip(before["arrays"], after["arrays"]))     # same arrays ...
    assert before["bytes"] == after["bytes"]                                 # ... same bits
    assert all(a is b for a, b in zip(before["grads"], after["grads"]))
    assert before["iterations"] == after["iterations"] == 1
    assert before["slots"].keys() == after["slots"].keys()
    for k in before["slots"]:
        for n in before["slots"][k]:
            np.testing.assert_array_equal(before["slots"][k][n], after["slots"][k][n])
    assert before["rng"] == after["rng"] and before["own_rng"] == after["own_rng"]
    # the record saw the step change the non-trainable weights and use the dropout masks
    moving = record.forward.filter(layer="moving_mean")[0]
    np.testing.assert_array_equal(moving["in_place"], moving["replaced"])
    np.testing.assert_array_equal(moving["in_place"], before["arrays"][2] + moving["x"].mean(axis=0))
    assert len(record.updates) == 4                       # frozen's weights are not updated
    # and the next real step is exactly the one a model that never explained takes
    model.train_on_batch(X, Y)
    kr.set_state(state)
    twin.train_on_batch(X, Y)
    assert_same_model(model, twin)


def test_nan_loss_with_apply_raises_and_restores():
    model = mlp()
    model.layers[1].kernel.assign(np.full((2, 3), 1e30, "float32"))
    model.layers[0].kernel.assign(np.full((3, 2), 1e30, "float32"))
    before = [w.tobytes() for w in model.get_weights()]
    with np.errstate(over="ignore", invalid="ignore"):
        record = model.explain(X, Y)                  # apply=False: a record to look at
        assert not np.isfinite(record.total_loss)
        with pytest.raises(NumericalError, match="The loss became nan at epoch 1, batch 1 of 1"):
            model.explain(X, Y, apply=True)
    assert [w.tobytes() for w in model.get_weights()] == before
    assert model.optimizer.iterations == 0


# ----- graphs: shared layers, several outputs, nested models -----------------------------------
def shared_model():
    kteach.utils.set_random_seed(3)
    inp = Input((3,))
    h = layers.Dense(2, name="h")(inp)
    s = layers.Dense(2, name="s")
    a = s(h)
    b = s(layers.Activation("tanh", name="tanh")(h))
    out = layers.Dense(1, name="o")(layers.Add(name="add")([a, b]))
    model = Model(inp, out)
    model.compile(optimizer=kteach.optimizers.SGD(learning_rate=0.1), loss="mse")
    return model


def test_shared_layer_and_fan_out_sums_are_recorded():
    model = shared_model()
    y = np.array([[1.0], [0.0], [-1.0], [0.5]], "float32")
    record = model.explain(X, y)
    assert [s.label for s in record.forward] == ["h", "tanh", "s (call 0)", "s (call 1)", "add", "o"]
    assert [s.label for s in record.backward] == ["o", "add", "s (call 1)", "s (call 0)", "tanh", "h"]
    s0, s1 = record.forward.filter(layer="s")
    np.testing.assert_array_equal(s0["x"], record.forward[0]["y"])
    np.testing.assert_array_equal(s1["x"], record.forward[1]["y"])
    assert s1.sources == ["tanh"] and record.forward[4].sources == ["s (call 0)", "s (call 1)"]
    # h's output fed s (call 0) and tanh: its gradient is the sum of what both sent back
    back_h = record.backward[-1]
    (total,) = back_h.sums
    assert [src for src, _ in total.parts] == ["s (call 0)", "tanh"]
    np.testing.assert_array_equal(back_h["dy"], total.parts[0][1] + total.parts[1][1])
    np.testing.assert_array_equal(total.parts[0][1], record.backward[3]["dx"])
    np.testing.assert_array_equal(total.parts[1][1], record.backward[4]["dx"])
    assert back_h.notes == ["dy = sum of 2 gradients: from s (call 0) + from tanh"]
    assert list(back_h.arrays)[:3] == ["dy", "dy from s (call 0)", "dy from tanh"]
    # the shared kernel's gradient is the sum over its two calls, in the engine's order
    update = record.updates.filter(layer="s")[0]
    b1, b0 = record.backward[2], record.backward[3]
    np.testing.assert_array_equal(update.gradient, b1["dkernel"] + b0["dkernel"])
    np.testing.assert_allclose(b0["dkernel"], s0["x"].T @ b0["dy"], rtol=1e-6)
    assert update.notes == ["g = sum of 2 gradients: from s (call 1) + from s (call 0)"]
    twin = shared_model()
    model.explain(X, y, apply=True)
    twin.train_on_batch(X, y)
    assert_same_model(model, twin)


def two_headed():
    kteach.utils.set_random_seed(4)
    inp = Input((3,))
    trunk = layers.Dense(4, activation="tanh", name="trunk")(inp)
    reg = layers.Dense(2, name="reg")(trunk)
    cls = layers.Dense(1, activation="sigmoid", name="cls")(trunk)
    model = Model(inp, [reg, cls])
    model.compile(optimizer="sgd", loss={"reg": "mse", "cls": "binary_crossentropy"},
                  loss_weights={"reg": 1.0, "cls": 0.5})
    return model


def test_several_outputs_losses_weights_and_total():
    model = two_headed()
    y_reg = np.array([[1, 0], [0, 1], [2, 2], [-1, 0]], "float32")
    y_cls = np.array([[1], [0], [1], [0]], "float32")
    record = model.explain(X, [y_reg, y_cls])
    reg, cls, total = record.loss
    assert [s.name for s in record.loss] == ["reg", "cls", "total"]
    p_reg, p_cls = record.outputs
    np.testing.assert_allclose(reg.per_sample, np.mean((p_reg - y_reg) ** 2, axis=1), rtol=1e-6)
    bce = -(y_cls * np.log(p_cls) + (1 - y_cls) * np.log(1 - p_cls))[:, 0]
    np.testing.assert_allclose(cls.per_sample, bce, rtol=1e-5)
    assert (reg.loss_weight, cls.loss_weight) == (1.0, 0.5)
    np.testing.assert_allclose(reg.d_output, 2 * (p_reg - y_reg) / 2 / 4, rtol=1e-5)
    np.testing.assert_allclose(cls.d_output, 0.5 * (-y_cls / p_cls + (1 - y_cls) / (1 - p_cls)) / 4,
                               rtol=1e-4)
    assert total.value == record.total_loss == pytest.approx(reg.value + 0.5 * cls.value, rel=1e-12)
    assert total.formula == (f"loss = 1.0000·{reg.value:.4f} + 0.5000·{cls.value:.4f} = "
                             f"{record.total_loss:.4f}")
    assert "weighted: 0.5000·" in cls.formula and "0.5000·dL/dy_pred / 4" in cls.notes[0]
    assert record.filter(layer="cls").loss[0] is cls
    # the trunk fed both heads: its gradient is their sum
    back_trunk = record.backward.filter(layer="trunk")[0]
    assert sorted(src for src, _ in back_trunk.sums[0].parts) == ["cls", "reg"]
    twin = two_headed()
    model.explain(X, [y_reg, y_cls], apply=True)
    logs = twin.train_on_batch(X, [y_reg, y_cls])      # [loss, reg_loss, cls_loss]
    assert logs[1:] == pytest.approx([reg.value, cls.value], rel=1e-6)
    assert_same_model(model, twin)


def test_nested_model_steps_follow_the_model_step():
    kteach.utils.set_random_seed(5)
    encoder = Sequential([Input((3,)), layers.Dense(2, activation="relu", name="inner")],
                         name="encoder")
    inp = Input((3,))
    out = layers.Dense(1, name="head")(encoder(inp))
    model = Model(inp, out)
    model.compile(optimizer="sgd", loss="mse")
    y = np.ones((4, 1), "float32")
    record = model.explain(X, y)
    assert [(s.label, s.depth) for s in record.forward] == [("encoder", 0), ("encoder/inner", 1), ("head", 0)]
    assert [s.label for s in record.backward] == ["head", "encoder", "encoder/inner"]
    np.testing.assert_array_equal(record.forward[0]["y"], record.forward[1]["y"])
    assert record.forward[0].notes[-1] == "a nested model: its layers' steps follow"
    assert record.forward[0].weights == {}
    np.testing.assert_array_equal(record.backward[1]["dy"], record.backward[2]["dy"])
    assert [s.name for s in record.updates] == ["encoder/inner/kernel", "encoder/inner/bias",
                                                "head/kernel", "head/bias"]
    assert record.updates[0].layer.name == "inner"


def test_forward_only_without_targets():
    kteach.utils.set_random_seed(0)
    model = Sequential([Input((3,)), layers.Dense(2), layers.Dropout(0.5)])   # not compiled
    state = kr.get_state()
    record = model.explain(X)
    assert [s.kind for s in record] == ["forward", "forward"]
    assert record.total_loss is None and record.title == "Forward pass on a batch of 4"
    assert kr.get_state() == state                       # the dropout mask's draw was undone
    mask = record[1].cache
    np.testing.assert_array_equal(record.outputs, record[0]["y"] * mask)   # training mode


# ----- indexing, filters, errors ----------------------------------------------------------------
def test_indexing_and_filters():
    record = mlp().explain(X, Y)
    assert len(record) == 9 and [s.index for s in record] == list(range(9))
    assert [s.kind for s in record] == ["forward"] * 2 + ["loss"] + ["backward"] * 2 + ["update"] * 4
    assert record[-1].name == "sequential/dense_1/bias"
    part = record[2:4]
    assert [s.index for s in part] == [2, 3] and part.total_loss == record.total_loss
    assert [s.kind for s in record["dense"]] == ["forward", "backward", "update", "update"]
    assert [s.kind for s in record["dense_1"]] == ["forward", "loss", "backward", "update", "update"]
    assert [s.index for s in record.filter("backward", "dense")] == [4]
    with pytest.raises(KeyError, match="No layer 'dens' in this record. Did you mean 'dense'"):
        record["dens"]
    with pytest.raises(ValueError, match="Unknown step kind 'updates'. Did you mean 'update'"):
        record.filter("updates")
    with pytest.raises(KeyError, match="has no array 'W'. .*Its arrays are: x, kernel, bias, y"):
        record[0]["W"]
    with pytest.raises(UnknownArgumentError, match="did you mean 'apply'|Did you mean 'apply'"):
        mlp().explain(X, Y, aply=True)


def test_recorder_installs_itself_only_inside_with():
    dense = layers.Dense(2)
    with Recorder() as rec:
        assert graph.TRACERS == [rec]
        y = dense(X)
    assert graph.TRACERS == []
    (step,) = rec.record()
    assert step.kind == "forward" and step.name == dense.name
    np.testing.assert_array_equal(step["y"], y)
    with pytest.raises(ZeroDivisionError):
        with Recorder():
            1 / 0
    assert graph.TRACERS == []
    model = shared_model()
    with Recorder() as rec:                               # any training step can be listened to
        model.train_on_batch(X, np.ones((4, 1), "float32"))
    record = rec.record()
    assert [s.kind for s in record] == ["forward"] * 6 + ["backward"] * 6
    assert [s.label for s in record.backward][2:4] == ["s (call 1)", "s (call 0)"]
    mlp().explain(X, Y)
    assert graph.TRACERS == []


# ----- text and HTML ------------------------------------------------------------------------------
def tiny():
    model = Sequential([Input((2,)), layers.Dense(1, name="d")], name="tiny")
    model.set_weights([np.array([[0.5], [-1.0]], "float32"), np.array([0.25], "float32")])
    model.compile(optimizer=kteach.optimizers.SGD(learning_rate=0.1), loss="mse")
    x = np.array([[1.0, 2.0], [3.0, -1.0]], "float32")
    y = np.array([[1.0], [0.0]], "float32")
    return model, x, y


def test_text_of_a_record_and_of_its_steps():
    model, x, y = tiny()
    record = model.explain(x, y)
    # p = x·W + b = [[-1.25], [2.75]]; loss = (2.25² + 2.75²)/2 = 6.3125; dp = 2(p − y)/2;
    # dW = xᵀ·dp = [[6], [-7.25]]; db = 0.5; dx = dp·Wᵀ; w_new = w − 0.1·dW
    lines = str(record).splitlines()
    assert lines[1] == "#  kind      step           formula"
    assert lines[2] == "0  forward   d              y = x·W + b : (2, 2)·(2, 1) + (1,) → (2, 1)"
    assert lines[3] == ("1  loss      d              L = mean_squared_error(y_true, y_pred) : "
                        "(2, 1), (2, 1) → (2,);  loss = mean(L) = 6.3125")
    assert lines[4] == "2  backward  d              dy (2, 1) → dx (2, 2), dkernel (2, 1), dbias (1,)"
    assert lines[5] == "3  update    tiny/d/kernel  w ← w − 0.1·g"
    assert lines[6] == "4  update    tiny/d/bias    w ← w − 0.1·g"
    assert lines[0] == ("Training step on a batch of 2: loss 6.3125; not applied: the model is "
                        "unchanged (5 steps: 1 forward, 1 loss, 1 backward, 2 updates)")
    assert len(lines) == 7
    assert str(record[3]) == """\
[3] update · tiny/d/kernel
    w ← w − 0.1·g
  w  (2, 1) float32
    [[ 0.5]
     [-1. ]]
  g  (2, 1) float32
    [[ 6.  ]
     [-7.25]]
  w_new  (2, 1) float32
    [[-0.1  ]
     [-0.275]]
  w_new - w  (2, 1) float32
    [[-0.6  ]
     [ 0.725]]"""
    assert str(record[2]) == """\
[2] backward · d
    dy (2, 1) → dx (2, 2), dkernel (2, 1), dbias (1,)
  dy  (2, 1) float32
    [[-2.25]
     [ 2.75]]
  dx  (2, 2) float32
    [[-1.125  2.25 ]
     [ 1.375 -2.75 ]]
  dkernel  (2, 1) float32
    [[ 6.  ]
     [-7.25]]
  dbias  (1,) float32
    [0.5]"""
    assert repr(record[0]) == "<ForwardStep d: y = x·W + b : (2, 2)·(2, 1) + (1,) → (2, 1)>"


def test_html_of_a_step_and_of_a_record():
    model, x, y = tiny()
    record = model.explain(x, y)
    td = "<td style='text-align:left;vertical-align:top'>"
    assert record[4]._repr_html_() == (
        "<table class='kteach-record'><thead><tr><th style='text-align:left'>#</th>"
        "<th style='text-align:left'>kind</th><th style='text-align:left'>step</th>"
        "<th style='text-align:left'>formula</th><th style='text-align:left'>arrays</th></tr>"
        f"</thead><tbody><tr>{td}4</td>{td}update</td>{td}tiny/d/bias</td>"
        f"{td}<code>w ← w − 0.1·g</code></td>{td}<details open><summary>w (1,), g (1,), "
        "w_new (1,), w_new - w (1,)</summary>"
        "<div><b>w</b> <code>(1,) float32</code><pre style='margin:2px 0 6px 0'>[0.25]</pre></div>"
        "<div><b>g</b> <code>(1,) float32</code><pre style='margin:2px 0 6px 0'>[0.5]</pre></div>"
        "<div><b>w_new</b> <code>(1,) float32</code><pre style='margin:2px 0 6px 0'>[0.2]</pre></div>"
        "<div><b>w_new - w</b> <code>(1,) float32</code><pre style='margin:2px 0 6px 0'>[-0.05]</pre>"
        "</div></details></td></tr></tbody></table>")
    page = record._repr_html_()
    assert page.startswith("<div><p>Training step on a batch of 2: loss 6.3125; not applied")
    assert page.count("<tr>") == 1 + len(record)            # a header row and one row per step
    assert page.count("<details>") == len(record)           # closed: a step opens to its arrays
    assert "<code>y = x·W + b : (2, 2)·(2, 1) + (1,) → (2, 1)</code>" in page


def test_large_arrays_show_statistics_small_ones_all_numbers():
    kteach.utils.set_random_seed(0)
    model = Sequential([Input((10,)), layers.Dense(8)])
    x = np.linspace(-1, 1, 40, dtype="float32").reshape(4, 10)
    step = model.explain(x)[0]
    assert step["x"].size == 40 <= FULL_SIZE and step["kernel"].size == 80 > FULL_SIZE
    text = str(step)
    k = step["kernel"].astype(np.float64)
    assert (f"  kernel  (10, 8) float32  mean {k.mean():.4f}  std {k.std():.4f}  "
            f"min {k.min():.4f}  max {k.max():.4f}") in text
    assert "  x  (4, 10) float32\n    [[-1.     -0.9487" in text
    html = step._repr_html_()
    assert f"<b>kernel</b> <code>(10, 8) float32</code> mean {k.mean():.4f}  std" in html


def test_nested_model_with_two_outputs_used_twice_and_as_a_model_output():
    def build():
        kteach.utils.set_random_seed(6)
        inner_in = Input((3,))
        h = layers.Dense(2, name="inner")(inner_in)
        encoder = Model(inner_in, [h, layers.Dense(2, name="side")(h)], name="encoder")
        inp = Input((3,))
        a, b = encoder(inp)
        out = layers.Dense(1, name="head")(layers.Add(name="add")([a, b, a]))
        model = Model(inp, [out, a])
        model.compile(optimizer="adam", loss="mse")
        return model

    model, twin = build(), build()
    ys = [np.ones((4, 1), "float32"), np.zeros((4, 2), "float32")]
    record = model.explain(X, ys, apply=True)
    twin.train_on_batch(X, ys)
    assert_same_model(model, twin)
    assert [s.label for s in record.backward] == ["head", "add", "encoder", "encoder/side",
                                                  "encoder/inner"]
    encoder, side, inner = record.backward[2:]
    assert encoder.notes[0] == ("dy[0] = sum of 3 gradients: from the loss (output encoder) + "
                                "from add input 0 + from add input 2")
    parts = [p for _, p in encoder.sums[0].parts]
    np.testing.assert_array_equal(encoder["dy[0]"], parts[0] + parts[1] + parts[2])
    assert inner.notes == ["dy = sum of 2 gradients: from outside encoder (output inner) + from side"]
    np.testing.assert_array_equal(inner["dy"], encoder["dy[0]"] + side["dx"])
