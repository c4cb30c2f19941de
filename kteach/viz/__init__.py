"""Pictures of models and of training.

* :func:`plot_model` / :func:`model_to_dot`: the model's graph, drawn by Graphviz
  (:mod:`kteach.viz.diagram`, :mod:`kteach.viz.render`).
* :func:`plot_history`, :func:`plot_weights`, :func:`plot_gradients`,
  :func:`plot_activations`, :func:`plot_decision_boundary`: matplotlib figures
  (:mod:`kteach.viz.plots`), which draw Chinese labels with a CJK font where one is
  installed (:func:`cjk_font`).

``import kteach`` does not import this package, and this package imports neither matplotlib
nor pygraphviz until a picture is drawn, so ``import kteach`` stays fast.
"""
from .diagram import Diagram, NoDiagramError, model_to_dot, plot_model
from .plots import (cjk_font, plot_activations, plot_decision_boundary, plot_gradients,
                    plot_history, plot_weights)
from .render import GraphvizNotFoundError

__all__ = ["Diagram", "GraphvizNotFoundError", "NoDiagramError", "model_to_dot", "plot_model",
           "plot_history", "plot_weights", "plot_gradients", "plot_activations",
           "plot_decision_boundary", "cjk_font"]
