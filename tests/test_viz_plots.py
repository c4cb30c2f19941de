"""The matplotlib plots: each returns a Figure with the expected axes, titles, lines and data.

Weights are set by hand, so what a heat map shows can be checked against numbers computed
here. No figure is drawn to pixels (that is matplotlib's job, and slow).
"""
import numpy as np
import pytest

import kteach
from kteach import Input, Model, Sequential, layers
from kteach.viz import (plot_activations, plot_decision_boundary, plot_gradients,
                        plot_history, plot_weights)


def titles(fig) -> list[str]:
    return [ax.get_title() for ax in fig.axes]


def small_model():
    """x (3) -> h: Dense(2, relu) -> out: Dense(1), with known weights."""
    x = Input((3,), name="x")
    h = layers.Dense(2, activation="relu", name="h")(x)
    model = Model(x, layers.Dense(1, name="out")(h), name="small")
    W1 = np.array([[1.0, -1.0], [0.5, 2.0], [-1.0, 0.0]])
    b1 = np.array([0.1, -0.2])
    W2 = np.array([[2.0], [-3.0]])
    b2 = np.array([0.5])
    model.set_weights([W1, b1, W2, b2])
    return model, (W1, b1, W2, b2)


# ----- plot_history -------------------------------------------------------------------------------
def test_history_one_panel_per_metric_train_and_validation():
    logs = {"accuracy": [0.5, 0.7, 0.9], "loss": [1.0, 0.5, 0.25], "val_loss": [1.2, 0.7, 0.5]}
    fig = plot_history(logs)
    assert titles(fig) == ["loss", "accuracy"]  # loss first
    loss_ax, acc_ax = fig.axes
    assert [line.get_label() for line in loss_ax.get_lines()] == ["train", "validation"]
    assert [line.get_label() for line in acc_ax.get_lines()] == ["train"]
    assert list(loss_ax.get_lines()[0].get_xdata()) == [1, 2, 3]
    assert list(loss_ax.get_lines()[1].get_ydata()) == [1.2, 0.7, 0.5]
    assert list(acc_ax.get_lines()[0].get_ydata()) == [0.5, 0.7, 0.9]
    assert loss_ax.get_xlabel() == "epoch"
    assert [t.get_text() for t in loss_ax.get_legend().get_texts()] == ["train", "validation"]


def test_history_of_a_multi_output_fit():
    kteach.utils.set_random_seed(0)
    a = Input((2,))
    h = layers.Dense(4, activation="relu")(a)
    model = Model(a, [layers.Dense(1, name="age")(h),
                      layers.Dense(3, activation="softmax", name="kind")(h)])
    model.compile(optimizer="adam", loss=["mse", "categorical_crossentropy"],
                  metrics=[[], ["accuracy"]])
    x = np.random.rand(20, 2)
    y_age = np.random.rand(20, 1)
    y_kind = kteach.utils.to_categorical(np.random.randint(3, size=20), 3)
    history = model.fit(x, [y_age, y_kind], epochs=3, verbose=0, validation_split=0.25)
    fig = plot_history(history)
    assert titles(fig) == ["loss", "age_loss", "kind_accuracy", "kind_loss"]
    assert [len(ax.get_lines()) for ax in fig.axes] == [2, 2, 2, 2]
    kind_loss = fig.axes[3]
    assert np.allclose(kind_loss.get_lines()[0].get_ydata(), history.history["kind_loss"])
    assert np.allclose(kind_loss.get_lines()[1].get_ydata(), history.history["val_kind_loss"])
    assert list(kind_loss.get_lines()[0].get_xdata()) == [1, 2, 3]
    assert fig.get_size_inches().tolist() == [12.0, 6.0]  # 3 columns, 2 rows of 4 × 3 inches


def test_history_choice_of_panels_and_errors():
    logs = {"loss": [1.0, 0.5], "accuracy": [0.5, 0.75]}
    assert titles(plot_history(logs, metrics=["accuracy"])) == ["accuracy"]
    with pytest.raises(ValueError, match=r"plot_history has no values for \['acc'\]. The "
                                         r"history has: loss, accuracy."):
        plot_history(logs, metrics=["acc"])
    with pytest.raises(ValueError, match="plot_history needs what fit\\(\\) returns"):
        plot_history({})


# ----- plot_weights / plot_gradients --------------------------------------------------------------
def test_weights_histograms_and_heat_maps_per_layer():
    model, (W1, b1, W2, b2) = small_model()
    fig = plot_weights(model)
    # per layer: the histogram, the heat map, the heat map's colour bar
    assert titles(fig) == ["h: weights", "h/kernel (3, 2)", "", "out: weights",
                           "out/kernel (2, 1)", ""]
    hist_ax, map_ax = fig.axes[0], fig.axes[1]
    assert [t.get_text() for t in hist_ax.get_legend().get_texts()] == ["kernel (3, 2)",
                                                                         "bias (2,)"]
    assert len(hist_ax.patches) == 2 * 30  # 30 bars for each of the two weights
    assert np.array_equal(map_ax.get_images()[0].get_array(), W1)
    assert np.array_equal(fig.axes[4].get_images()[0].get_array(), W2)
    norm = map_ax.get_images()[0].norm
    assert (norm.vmin, norm.vcenter, norm.vmax) == (-2.0, 0.0, 2.0)  # 0 is the middle colour
    assert (map_ax.get_xlabel(), map_ax.get_ylabel()) == ("unit", "input")


def test_layer_without_matrix_gets_only_a_histogram():
    x = Input((4,))
    model = Model(x, layers.Add()([layers.Dense(4, name="d")(x), x]))
    kernel_only = Sequential([Input((4,)), layers.Dense(1, use_bias=False, name="k")])
    assert titles(plot_weights(model)) == ["d: weights", "d/kernel (4, 4)", ""]
    assert titles(plot_weights(kernel_only)) == ["k: weights", "k/kernel (4, 1)", ""]
    with pytest.raises(ValueError, match="has no layers with weights"):
        plot_weights(Model(x, layers.Activation("relu")(x)))


def test_weights_of_nested_models_are_found():
    inner_x = Input((3,))
    inner = Model(inner_x, layers.Dense(2, name="inside")(inner_x), name="inner")
    outer = Sequential([Input((3,)), inner, layers.Dense(1, name="outside")])
    assert titles(plot_weights(outer))[::3] == ["inside: weights", "outside: weights"]


def test_gradients_come_from_the_last_training_step():
    model, (W1, b1, W2, b2) = small_model()
    with pytest.raises(ValueError, match="has no gradients yet: they are made by a training "
                                         "step. Run model.fit"):
        plot_gradients(model)
    model.compile(optimizer="sgd", loss="mse")
    x = np.array([[1.0, 2.0, 0.5], [0.0, 1.0, 1.0]])
    t = np.array([[1.0], [0.0]])
    model.train_on_batch(x, t)
    # by hand: z1 = x·W1 + b1, h = relu(z1), y = h·W2 + b2, loss = mean((y - t)²)
    z1 = x @ W1 + b1
    h = np.maximum(z1, 0)
    y = h @ W2 + b2
    dy = 2 * (y - t) / len(x)
    dW2 = h.T @ dy
    dW1 = x.T @ ((dy @ W2.T) * (z1 > 0))
    fig = plot_gradients(model)
    assert titles(fig) == ["h: gradients", "h/kernel (3, 2)", "", "out: gradients",
                           "out/kernel (2, 1)", ""]
    assert np.allclose(fig.axes[1].get_images()[0].get_array(), dW1, rtol=1e-5)
    assert np.allclose(fig.axes[4].get_images()[0].get_array(), dW2, rtol=1e-5)


# ----- plot_activations ---------------------------------------------------------------------------
def test_activations_show_each_layers_output_for_a_few_samples():
    model, (W1, b1, W2, b2) = small_model()
    x = np.arange(15, dtype="float32").reshape(5, 3) / 10
    fig = plot_activations(model, x, samples=3)
    assert titles(fig) == ["h (Dense): output (3, 2)", "", "out (Dense): output (3, 1)", ""]
    h = np.maximum(x[:3] @ W1 + b1, 0)
    assert np.allclose(fig.axes[0].get_images()[0].get_array(), h, rtol=1e-5)
    assert np.allclose(fig.axes[2].get_images()[0].get_array(), h @ W2 + b2, rtol=1e-5)
    assert fig.axes[0].get_ylabel() == "sample"


def test_activations_of_a_multi_input_model_with_a_nested_model():
    a, b = Input((2,), name="a"), Input((2,), name="b")
    inner_x = Input((4,))
    inner = Model(inner_x, layers.Dense(1, name="inside")(inner_x), name="inner")
    merged = layers.Concatenate(name="cat")([a, b])
    model = Model([a, b], inner(merged))
    xa, xb = np.ones((4, 2)), 2 * np.ones((4, 2))
    fig = plot_activations(model, [xa, xb], samples=2)
    assert titles(fig)[::2] == ["cat (Concatenate): output (2, 4)",
                                "inner (Functional): output (2, 1)"]
    assert np.array_equal(fig.axes[0].get_images()[0].get_array(), [[1, 1, 2, 2], [1, 1, 2, 2]])


# ----- plot_decision_boundary ---------------------------------------------------------------------
def points():
    return np.array([[0.1, 0.9], [0.2, 0.6], [0.8, 0.3], [0.9, 0.1], [0.5, 0.5]])


def test_binary_decision_boundary_is_the_half_probability_line():
    model = Sequential([Input((2,)), layers.Dense(1, activation="sigmoid")], name="binary")
    model.set_weights([np.array([[4.0], [-4.0]]), np.array([0.0])])  # P = σ(4·(x0 − x1))
    x = points()
    y = np.array([0, 0, 1, 1, 1])
    fig = plot_decision_boundary(model, x, y, resolution=50)
    assert titles(fig) == ["Decision boundary of 'binary'", ""]  # the plot and its colour bar
    ax = fig.axes[0]
    line = [c for c in ax.collections if list(getattr(c, "levels", [])) == [0.5]][0]
    v = np.concatenate([p.vertices for p in line.get_paths()])
    assert np.allclose(v[:, 0], v[:, 1], atol=1e-6)  # P = 0.5 exactly where x0 = x1
    dots = [c for c in ax.collections if c.get_label().startswith("class")]
    assert [c.get_label() for c in dots] == ["class 0", "class 1"]
    assert np.array_equal(dots[0].get_offsets(), x[:2])
    assert np.array_equal(dots[1].get_offsets(), x[2:])
    assert fig.axes[1].get_ylabel() == "P(class 1)"


def test_multi_class_regions_are_coloured_like_their_points():
    model = Sequential([Input((2,)), layers.Dense(3, activation="softmax")], name="three")
    model.set_weights([20 * np.array([[1.0, 0.0, -0.5], [0.0, 1.0, -0.5]]),
                       20 * np.array([0.0, 0.0, 1.0])])
    x = points()
    one_hot = kteach.utils.to_categorical([1, 1, 0, 0, 2], 3)
    fig = plot_decision_boundary(model, x, one_hot, resolution=40)
    assert titles(fig) == ["Decision boundary of 'three'"]
    ax = fig.axes[0]
    regions = [c for c in ax.collections if hasattr(c, "levels")][0]
    assert list(regions.levels) == [-0.5, 0.5, 1.5, 2.5]
    dots = [c for c in ax.collections if c.get_label().startswith("class")]
    assert [c.get_label() for c in dots] == ["class 0", "class 1", "class 2"]
    region_colours = regions.get_facecolor()[:, :3]
    dot_colours = np.array([c.get_facecolor()[0][:3] for c in dots])
    assert np.allclose(region_colours, dot_colours)
    assert [t.get_text() for t in ax.get_legend().get_texts()] == ["class 0", "class 1",
                                                                   "class 2"]


def test_decision_boundary_needs_two_features():
    model = Sequential([Input((3,)), layers.Dense(1)])
    with pytest.raises(ValueError, match=r"x must have shape \(n, 2\); got \(4, 3\)"):
        plot_decision_boundary(model, np.zeros((4, 3)), np.zeros(4))


def test_figures_are_not_left_open_in_pyplot():
    import matplotlib.pyplot as plt
    model, _ = small_model()
    plot_weights(model)
    plot_history({"loss": [1.0, 0.5]})
    assert plt.get_fignums() == []
