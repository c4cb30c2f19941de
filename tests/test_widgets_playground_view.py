"""The Playground's front end, driven from Python: what it sends the browser (frames, scene,
animation) holds the model's own numbers, and every message the browser can send (a click,
an edit) does what the same call from code does. The browser itself: tests/test_browser.py."""
import base64
import json

import numpy as np
import pytest

from kteach.widgets import Playground
from kteach.widgets import playground_view as view
from kteach.widgets.playground import SHARE_PREFIX, ShareStringError


def same(a, b):
    return len(a) == len(b) and all(np.array_equal(u, v) for u, v in zip(a, b))


@pytest.fixture
def pg():
    return Playground(n_samples=100, resolution=12)


def click(pg, **message):
    """What the browser sends when something is clicked (with its running number)."""
    click.seq = getattr(click, "seq", 0) + 1
    pg._view_message(pg.view, {**message, "seq": click.seq}, [])
    return click.seq


def test_a_frame_holds_the_models_own_numbers(pg):
    pg.step()
    pg.draw()
    frame = pg.view.frame
    assert frame == json.loads(json.dumps(frame))               # plain JSON
    assert frame["columns"] == [["x1", "x2"], ["h1.0", "h1.1", "h1.2", "h1.3"], ["h2.0", "h2.1"],
                                ["out0"]]
    for layer, kernel, bias in zip(pg.model.layers, frame["kernels"], frame["biases"]):
        W, b = layer.get_weights()
        assert np.array_equal(np.array(kernel, dtype="float32"), W)     # exact, not rounded
        assert np.array_equal(np.array(bias, dtype="float32"), b)
    assert frame["epoch"] == 1 and frame["last"]["test_loss"] == pg.history["test_loss"][-1]
    assert frame["history"]["train_loss"] == pg.history["train_loss"]
    assert frame["history"]["epochs"] == [0, 1]
    assert view.chart_epochs(1000)[:3] == [0, 3, 7] and view.chart_epochs(1000)[-1] == 999
    assert len(view.chart_epochs(1000)) == 300 and view.chart_epochs(300) == list(range(300))
    # every neuron's heatmap: bytes 0..255 for -scale..scale, within half a step
    pictures = pg.neuron_pictures()
    for c, column in enumerate(frame["neurons"], start=1):
        for j, picture in enumerate(column):
            exact = pictures[c][..., j].ravel()
            assert picture["scale"] == pytest.approx(np.abs(exact).max())
            assert np.abs(view.decode(picture["data"], picture["scale"]) - exact).max() \
                <= picture["scale"] / 255 + 1e-6
    surface = np.frombuffer(base64.b64decode(frame["surface"]["data"]), np.uint8)
    assert surface.shape == (12 * 12 * 2,)
    assert np.array_equal(surface, np.round(pg.predict_grid().ravel() * 255).astype(np.uint8))


def test_the_gradients_are_those_of_the_training_loss(pg):
    grads = pg.gradients()
    record = pg.model.explain(pg.features(pg.data["x_train"]), pg.data["y_train"])
    backward = {s.layer.name: s for s in record if s.kind == "backward"}
    for layer, (dW, db) in zip(pg.model.layers, grads):
        assert np.array_equal(dW, backward[layer.name]["dkernel"])
        assert np.array_equal(db, backward[layer.name]["dbias"])
    # and against a numerical derivative of the loss itself, for one weight
    x, y = pg.features(pg.data["x_train"]), pg.data["y_train"]
    W, b = pg.model.layers[0].get_weights()

    def loss(w):
        W2 = W.astype(float).copy()
        W2[1, 2] = w
        pg.model.layers[0].set_weights([W2.astype("float32"), b])
        return pg.model.evaluate(x, y, batch_size=len(x), verbose=0)[0]
    h = 1e-2
    numeric = (loss(W[1, 2] + h) - loss(W[1, 2] - h)) / (2 * h)
    pg.model.layers[0].set_weights([W, b])
    assert grads[0][0][1, 2] == pytest.approx(numeric, rel=2e-2, abs=1e-4)
    frame = pg.frame()
    assert frame["kernel_grads"][0][1][2] == float(grads[0][0][1, 2])


def test_editing_a_weight_changes_the_model_the_loss_and_the_state(pg):
    pg.step(2)
    before = pg.history["test_loss"][-1]
    pg.set_weight(0, 1, 2, 2.5)
    W, _ = pg.model.layers[0].get_weights()
    assert W[1, 2] == np.float32(2.5) and len(pg.history["test_loss"]) == 3
    expected = pg.model.evaluate(pg.features(pg.data["x_test"]), pg.data["y_test"],
                                 batch_size=1000, verbose=0)[0]
    assert pg.history["test_loss"][-1] == pytest.approx(expected, rel=1e-6) != before
    pg.set_bias(2, 0, "-0.25")                       # the browser sends text
    assert pg.model.layers[2].get_weights()[1][0] == np.float32(-0.25)
    assert pg.state["changes"] == [[2, {"edits": [["kernel", 0, 1, 2, 2.5],
                                                  ["bias", 2, 0, -0.25]]}]]
    assert "2.500" in pg.weights_html.value and pg.frame()["kernels"][0][1][2] == 2.5


@pytest.mark.parametrize("value, message", [
    ("abc", "A weight or bias must be a number, e.g. 0.5 or -1.2; 'abc' is not one. The weight "
            "was left as it was."),
    ("nan", "A weight or bias must be a finite number between -10000 and 10000, e.g. 0.5 or "
            "-1.2; 'nan' is not. The weight was left as it was."),
    (float("inf"), "must be a finite number"),
    (True, "A weight or bias must be a number, e.g. 0.5 or -1.2; True is not one."),
])
def test_a_bad_edit_says_why_and_changes_nothing(pg, value, message):
    weights, history, state = pg.model.get_weights(), json.dumps(pg.history), pg.state
    with pytest.raises(ValueError) as error:
        pg.set_weight(0, 0, 0, value)
    assert message in str(error.value)
    assert same(pg.model.get_weights(), weights) and json.dumps(pg.history) == history
    assert pg.state == state


def test_an_edit_of_a_weight_that_does_not_exist(pg):
    with pytest.raises(IndexError, match=r"There is no layer 3: the model has 3 Dense layers, "
                                         r"numbered 0 to 2 \(the last is the output layer\)\."):
        pg.set_weight(3, 0, 0, 1.0)
    with pytest.raises(IndexError, match=r"Layer 0's kernel has shape \(2, 4\), so it has no "
                                         r"entry \(2, 0\)\."):
        pg.set_weight(0, 2, 0, 1.0)
    with pytest.raises(IndexError, match=r"Layer 1's bias has shape \(2,\), so it has no entry"):
        pg.set_bias(1, 5, 1.0)


def test_every_message_from_the_browser_is_a_python_call(pg):
    click(pg, type="action", name="step")
    assert pg.epoch == 1
    click(pg, type="set", key="learning_rate", value=0.1)
    assert pg.model.optimizer.learning_rate == 0.1 and pg.epoch == 1
    click(pg, type="neurons", layer=1, change=1)
    assert pg.settings["hidden"] == [4, 3] and pg.epoch == 0
    click(pg, type="layers", change=1)
    assert pg.settings["hidden"] == [4, 3, 4] and pg.settings["activations"] == ["tanh"] * 3
    click(pg, type="activation", layer=2, value="relu")
    assert pg.settings["activations"] == ["tanh", "tanh", "relu"]
    click(pg, type="layers", change=-1)
    click(pg, type="feature", name="x1^2")
    assert pg.settings["features"] == ["x1", "x2", "x1^2"] and pg.model.input_shape == (None, 3)
    click(pg, type="feature", name="x1")
    assert pg.settings["features"] == ["x2", "x1^2"]
    click(pg, type="view", key="show_test", value=True)
    click(pg, type="view", key="gradients", value=True)
    assert pg.view_options == {"show_test": True, "discretize": False, "gradients": True}
    seq = click(pg, type="edit", target="kernel", layer=0, index=[0, 1], value="0.5")
    assert pg.model.layers[0].get_weights()[0][0, 1] == np.float32(0.5)
    pg.draw()
    assert pg.view.frame["ack"] == seq                       # the browser times its click by this
    click(pg, type="set", key="dataset", value="spiral")
    pg.draw()
    assert pg.settings["dataset"] == "spiral" and pg.view.scene == view.scene(pg, pg._scenes)
    assert pg.view.frame["scene"] == pg.view.scene["number"]    # the pair the browser draws
    assert pg.view.scene["points"]["train"]["x"][0] == \
        [round(float(v), 4) for v in pg.data["x_train"][0]]


def test_a_bad_message_is_shown_in_the_panel_and_changes_nothing(pg):
    weights = pg.model.get_weights()
    click(pg, type="edit", target="kernel", layer=0, index=[0, 0], value="a lot")
    assert pg.message == ("A weight or bias must be a number, e.g. 0.5 or -1.2; 'a lot' is not "
                          "one. The weight was left as it was.")
    assert same(pg.model.get_weights(), weights)
    pg.draw()
    assert pg.view.frame["message"] == pg.message
    click(pg, type="set", key="learning_rate", value=-1)
    assert "learning_rate must be a number from 0 to 10 (above 0)" in pg.message
    click(pg, type="action", name="step")                 # a good click clears the message
    assert pg.message == "" and pg.epoch == 1


def test_the_share_string_restores_the_exact_state(pg):
    pg.set(optimizer="adam", features=["x1", "x2", "x1*x2"])
    pg.set_weight(0, 2, 1, -1.5)                          # an edit before any training
    pg.step(2)
    pg.set(learning_rate=0.1)
    pg.set_bias(1, 0, 0.75)                               # and one during the run
    pg.step()
    pg.classroom(["learning_rate", "share"])
    pg.show_test.value = True
    text = pg.share()
    assert text.startswith(SHARE_PREFIX) and "\n" not in text and " " not in text
    again = Playground.from_share(text, resolution=8)
    assert again.state == pg.state and again.epoch == 3
    assert same(again.model.get_weights(), pg.model.get_weights())
    assert again.history == pg.history
    assert again.view.hidden == ["learning_rate", "share"] and again.show_test.value
    # pasted with line breaks and spaces in it: the same
    broken = "\n".join(text[i:i + 40] for i in range(0, len(text), 40))
    assert Playground.from_share("  " + broken + " ").state == pg.state


@pytest.mark.parametrize("text, message", [
    ("hello", "This is not a Playground share string: it starts with 'hello', and a share "
              "string starts with 'kteach-playground-1:'. Copy the whole text that pg.share() "
              "(or the Share button) gave."),
    ("kteach-playground-7:abc", "This share string was written by another version of the "
                                "Playground; make it again with this one's pg.share()."),
    ("kteach-playground-1:eNpdUNFugzAM", "This share string is damaged: its text after "
                                        "'kteach-playground-1:' does not decode (it is cut "
                                        "short or changed). Copy it again, whole"),
    (42, "A share string is text (a str), as pg.share() returns it, not int."),
])
def test_a_malformed_share_string_says_what_is_wrong(text, message):
    with pytest.raises(ShareStringError) as error:
        Playground.from_share(text)
    assert message in str(error.value)


def test_a_share_string_of_a_damaged_state_says_which_setting(pg):
    state = pg.state
    state["hiden"] = [3]
    text = SHARE_PREFIX + base64.urlsafe_b64encode(
        __import__("zlib").compress(json.dumps(state).encode())).decode().rstrip("=")
    with pytest.raises(TypeError, match="hiden"):
        Playground.from_share(text)


def test_explain_step_plays_the_record_that_model_explain_gives(pg):
    pg.step()
    weights = pg.model.get_weights()
    record = pg.explain_step()
    assert same(pg.model.get_weights(), weights)          # only a look
    b = pg.settings["batch_size"]
    again = pg.model.explain(pg.features(pg.data["x_train"][:b]), pg.data["y_train"][:b])
    steps = pg.view.animation["steps"]
    assert [(s["kind"], s["label"]) for s in steps] == [(s.kind, s.label) for s in again]
    assert [s["kind"] for s in steps] == ["forward"] * 3 + ["loss"] + ["backward"] * 3 + \
        ["update"] * 6
    assert steps[0]["values"] == [float(v) for v in again[0]["y"].mean(axis=0)]
    assert steps[3]["value"] == again[3].value and steps[3]["text"] == "loss of dense_2"
    assert steps[4]["dkernel"] == again[4]["dkernel"].tolist() and steps[4]["layer"] == 2
    assert steps[7]["weight"] == "kernel" and steps[7]["layer"] == 0
    assert np.array_equal(np.array(steps[7]["new"], "float32"), again[7]["w_new"])
    assert steps[6]["text"] == "backward through dense" and record is pg.explained
    click(pg, type="action", name="explain")               # the button does the same
    assert pg.view.animation["steps"] == steps


def test_classroom_mode_hides_chosen_controls(pg):
    pg.classroom(["learning_rate", "regularization", "edit"])
    assert pg.view.hidden == ["learning_rate", "regularization", "edit"]
    assert pg.state["classroom"] == pg.view.hidden
    click(pg, type="classroom", hidden=["share"])
    assert pg.view.hidden == ["share"]
    with pytest.raises(ValueError, match=r"learning_rte.*learning_rate"):
        pg.classroom(["learning_rte"])
    assert pg.view.hidden == ["share"]
    pg.classroom()
    assert "classroom" not in pg.state
    assert Playground(n_samples=60, resolution=8, classroom=["problem"]).view.hidden == ["problem"]


def test_a_reset_forgets_the_edits(pg):
    pg.set_weight(0, 0, 0, 3.0)
    pg.reset()
    assert pg.state["changes"] == [] and pg.model.layers[0].get_weights()[0][0, 0] != 3.0


def test_a_frame_is_sent_when_the_panel_is_drawn_and_the_scene_only_when_it_changes(pg):
    pg.draw()
    scene, count = pg.view.scene, pg.redraw.count
    assert [f["name"] for f in scene["features"]] == ["x1", "x2", "x1^2", "x2^2", "x1*x2",
                                                      "sin(x1)", "sin(x2)"]
    assert [f["on"] for f in scene["features"]] == [True, True] + [False] * 5
    assert [d["name"] for d in scene["datasets"]] == ["circle", "xor", "gauss", "spiral"]
    assert scene["controls"] == list(view.CONTROLS)
    pg.step()
    pg.draw()
    assert pg.redraw.count == count + 1 and pg.view.scene is scene     # not sent again
    assert pg.view.frame["number"] == pg._frames


def test_the_javascript_and_css_are_in_the_package():
    assert view.PlaygroundView._esm.lstrip().startswith("// The kteach Playground")
    assert "export default { render }" in view.PlaygroundView._esm
    assert "http" not in view.PlaygroundView._esm.replace("http://www.w3.org/2000/svg", "")
    assert ".kt-pg" in view.PlaygroundView._css


def test_the_old_controls_and_picture_are_still_there_for_code_and_static_pages(pg):
    """pg.controls, the buttons and the matplotlib picture keep working from code (lesson 08
    shows pg.plot.value as an Image); old_layout() puts them in one box again."""
    pg.controls["noise"].value = 0.1
    assert pg.settings["noise"] == 0.1 and pg.epoch == 0
    pg.step_button.click()
    assert pg.epoch == 1
    box = pg.old_layout()
    assert pg.plot in box.children and pg.plot.value[:8] == b"\x89PNG\r\n\x1a\n"
    assert pg.view in pg.children and pg.plot not in pg.children
