"""Data sets, as ``keras.datasets``: each module has ``load_data()`` with Keras 3's arguments,
return values, dtypes and file names.

The files are downloaded once into Keras' own cache, ``~/.keras/datasets/`` (or
``$KERAS_HOME/datasets/``), so files that Keras fetched are used as they are, and the other
way round. Without internet, put the file there by hand: the error says which file, from which
URL, and the exact path.

``digits`` is the exception: a small real set (1797 8x8 handwritten digits) that ships inside
kteach, for lessons that must run offline.
"""
from . import (boston_housing, california_housing, cifar10, cifar100, digits, fashion_mnist,
               imdb, mnist, reuters)
from ._files import DownloadError, FileHashError, get_file

__all__ = ["boston_housing", "california_housing", "cifar10", "cifar100", "digits",
           "fashion_mnist", "imdb", "mnist", "reuters", "get_file", "DownloadError",
           "FileHashError"]
