"""A few of ``keras.backend``'s helpers."""
from .engine import errors, naming
from .engine.config import epsilon, floatx, set_floatx


def clear_session() -> None:
    """Start afresh, as Keras does: layer names begin again at ``dense``, ``dense_1``, ...

    kteach also forgets which KteachWarnings it has shown, so each shows again. With this
    call at the top, a lesson run twice in one kernel prints the same names and warnings.
    """
    naming.reset()
    errors.forget_warnings()


__all__ = ["clear_session", "epsilon", "floatx", "set_floatx"]
