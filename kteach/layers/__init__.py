"""Layers, one family per module, with Keras' names: ``from kteach.layers import Dense``."""
from ..engine.layer import Layer
from .core import Activation, Dense, Dropout, Flatten, Input, InputLayer, Reshape
from .merge import Add, Concatenate, add, concatenate

__all__ = ["Layer", "Input", "InputLayer", "Dense", "Activation", "Dropout", "Flatten",
           "Reshape", "Concatenate", "concatenate", "Add", "add"]
