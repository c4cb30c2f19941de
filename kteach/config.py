"""``keras.config``: the default float type and the fuzz factor."""
from .engine.config import epsilon, floatx, model_display, set_floatx, set_model_display

__all__ = ["epsilon", "floatx", "set_floatx", "model_display", "set_model_display"]
