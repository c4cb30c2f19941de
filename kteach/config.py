"""``keras.config``: the default float type and the fuzz factor."""
from .engine.config import epsilon, floatx, set_floatx

__all__ = ["epsilon", "floatx", "set_floatx"]
