"""Recurrent layers: SimpleRNN, LSTM, GRU (one module each) on a shared base.

``from kteach.layers.recurrent import LSTM`` keeps working: the package gathers its members.
"""
from ...engine.errors import NotSupportedError  # noqa: F401  (kteach.layers.recurrent.NotSupportedError)
from .base import RecurrentLayer
from .gru import GRU
from .lstm import LSTM
from .simple_rnn import SimpleRNN

__all__ = ["RecurrentLayer", "SimpleRNN", "LSTM", "GRU"]
