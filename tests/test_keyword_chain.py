"""A constructor that hands ``**kwargs`` to its parent accepts the parent's keywords too, and a
misspelt one is answered with every name up the class chain (kteach.engine.errors
.constructor_keywords), so a subclass need not repeat its parent's argument list."""
import pytest

from kteach import layers
from kteach.engine.errors import UnknownArgumentError, constructor_keywords

DENSE_REST = ("activation, use_bias, kernel_initializer, bias_initializer, kernel_regularizer, "
              "bias_regularizer, activity_regularizer, kernel_constraint, bias_constraint")
EVERY_LAYER = "name, trainable, dtype, input_shape, input_dim, batch_size, batch_input_shape"


class Wide(layers.Dense):
    """Lists only what it adds; the rest of Dense's arguments pass through **kwargs."""

    def __init__(self, units=16, scale=1.0, **kwargs):
        super().__init__(units, **kwargs)
        self.scale = scale


class Wider(Wide):
    def __init__(self, depth=2, **kwargs):
        super().__init__(**kwargs)
        self.depth = depth


class FourUnits(layers.Dense):
    """Fills Dense's required ``units`` itself, so a caller may not give it."""

    def __init__(self, **kwargs):
        super().__init__(4, **kwargs)


class Closed(layers.Dense):
    """No **kwargs: only its own argument goes."""

    def __init__(self, units):
        super().__init__(units)


def test_a_subclass_takes_its_parents_keywords_without_listing_them():
    layer = Wider(depth=3, scale=2.0, activation="relu", name="w")
    assert (layer.depth, layer.scale, layer.units, layer.name) == (3, 2.0, 16, "w")
    assert layer.activation.__name__ == "relu"


def test_a_misspelt_keyword_lists_every_name_up_the_chain_in_order():
    with pytest.raises(UnknownArgumentError) as info:
        Wider(activaton="relu")
    assert str(info.value) == (
        "Wider() got an unexpected keyword argument 'activaton'. Did you mean 'activation'? "
        f"It accepts: depth, units, scale, {DENSE_REST}, {EVERY_LAYER}.")


def test_a_required_argument_the_subclass_fills_is_not_offered():
    assert FourUnits(activation="relu").units == 4
    with pytest.raises(UnknownArgumentError) as info:
        FourUnits(units=3)
    assert str(info.value) == (
        "FourUnits() got an unexpected keyword argument 'units'. "
        f"It accepts: {DENSE_REST}, {EVERY_LAYER}.")


def test_the_chain_stops_at_a_constructor_without_kwargs():
    with pytest.raises(UnknownArgumentError, match=r"'activation'\. It accepts: units\.$"):
        Closed(3, activation="relu")


def test_constructor_keywords_outside_layers():
    class Base:
        def __init__(self, size, rate=0.1, **kwargs):
            pass

    class Child(Base):
        def __init__(self, depth=1, rate=0.5, **kwargs):
            super().__init__(8, rate=rate, **kwargs)

    class Sealed(Child):
        def __init__(self, flag=False):
            super().__init__()

    # Base's `size` has no default: Child fills it. The walk gets to `object`.
    assert constructor_keywords(Child) == (["depth", "rate"], True)
    assert constructor_keywords(Base) == (["size", "rate"], True)
    assert constructor_keywords(Sealed) == (["flag"], False)
    assert constructor_keywords(Child, base=Child) == ([], True)
