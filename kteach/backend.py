"""A few of ``keras.backend``'s helpers."""
from .engine import naming
from .engine.config import epsilon, floatx, set_floatx


def clear_session() -> None:
    """Start naming layers afresh (``dense``, ``dense_1``, ... begin again), as Keras does."""
    naming.reset()


__all__ = ["clear_session", "epsilon", "floatx", "set_floatx"]
