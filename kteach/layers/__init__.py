"""Layers, one family per module, with Keras' names: ``from kteach.layers import Dense``."""
from ..engine.layer import Layer
from .attention import Attention, MultiHeadAttention
from .activation_layers import (ELU, Identity, LeakyReLU, PReLU, ReLU, Softmax,
                                UnitNormalization)
from .core import Activation, Dense, Dropout, Flatten, Input, InputLayer, Reshape
from .convolutional import Conv1D, Conv2D, Convolution1D, Convolution2D
from .convolutional_transpose import (Conv1DTranspose, Conv2DTranspose, Convolution1DTranspose,
                                      Convolution2DTranspose)
from .embedding import Embedding
from .lambda_layer import Lambda
from .masking import Masking
from .merge import (Add, Average, Concatenate, Dot, Maximum, Minimum, Multiply, Subtract, add,
                    average, concatenate, dot, maximum, minimum, multiply, subtract)
from .noise import (ActivityRegularization, AlphaDropout, GaussianDropout, GaussianNoise,
                    SpatialDropout1D, SpatialDropout2D)
from .normalization import BatchNormalization, LayerNormalization
from .pooling import (AveragePooling1D, AveragePooling2D, AvgPool1D, AvgPool2D,
                      GlobalAveragePooling1D, GlobalAveragePooling2D, GlobalAvgPool1D,
                      GlobalAvgPool2D, GlobalMaxPool1D, GlobalMaxPool2D, GlobalMaxPooling1D,
                      GlobalMaxPooling2D, MaxPool1D, MaxPool2D, MaxPooling1D, MaxPooling2D)
from .preprocessing import (CenterCrop, Normalization, RandomFlip, RandomRotation,
                            RandomTranslation, RandomZoom, Rescaling, Resizing)
from .recurrent import GRU, LSTM, SimpleRNN
from .separable import DepthwiseConv2D, SeparableConv2D, SeparableConvolution2D
from .reshaping import (Cropping1D, Cropping2D, Permute, RepeatVector, UpSampling1D,
                        UpSampling2D, ZeroPadding1D, ZeroPadding2D)
from .text import IntegerLookup, StringLookup, TextVectorization
from .wrappers import Bidirectional, TimeDistributed

__all__ = [name for name in dir() if not name.startswith("_")]


def __getattr__(name: str):
    """A Keras 3 name kteach lacks, or a typo: an AttributeError that says which (and the
    closest names here): kteach.engine.keras_names."""
    from ..engine.keras_names import missing_name
    raise missing_name(__name__, name, globals())
