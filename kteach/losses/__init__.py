"""Loss functions with their gradients, as ``keras.losses``.

A loss compares the targets ``y_true`` with the model's output ``y_pred`` and gives one number
per sample, ``L_i``; training minimises their (weighted) mean. Every built-in loss here comes
as a pair you can read side by side:

* ``call(y_true, y_pred)``     -> ``L``, one value per sample: shape ``y_pred.shape[:-1]``
  (the last axis -- classes or output units -- is summed or averaged away);
* ``gradient(y_true, y_pred)`` -> ``dL = d(sum_i L_i) / d y_pred``, shape ``y_pred.shape``,
  worked out by hand.

Calling a loss object, ``loss(y_true, y_pred, sample_weight=None)``, first lines up the ranks
the way Keras does (targets of shape ``(n,)`` work with a ``Dense(1)`` output of shape
``(n, 1)``), then reduces ``L`` to one float. The default reduction,
``'sum_over_batch_size'``, is ``sum_i(L_i * w_i) / n`` -- the plain mean when there are no
weights. :meth:`Loss.value_and_gradient` gives that float together with its gradient, which is
what a training step needs. Inside ``with kteach.GradientTape() as tape:`` (a custom training
loop) the call is one step on the tape and returns a 0-d Tensor, so
``tape.gradient(loss, model.trainable_weights)`` reaches the weights through it.

Your own loss, three ways (as in Keras, the first two need no gradient)::

    def my_loss(y_true, y_pred):                    # 1. a function, written with kteach.ops
        return ops.mean(ops.square(y_true - y_pred), axis=-1)

    class MyLoss(kteach.losses.Loss):               # 2. a subclass that writes only call
        def call(self, y_true, y_pred):
            return ops.mean(ops.square(y_true - y_pred), axis=-1)

    class MyHandMadeLoss(kteach.losses.Loss):       # 3. ... and its gradient, by hand
        def call(self, y_true, y_pred):
            return np.mean((y_pred - y_true) ** 2, axis=-1)
        def gradient(self, y_true, y_pred):
            return 2 * (y_pred - y_true) / y_pred.shape[-1]

    model.compile(optimizer="sgd", loss=my_loss)    # or loss=MyLoss(), loss=MyHandMadeLoss()

For 1 and 2 the gradient comes from a tape (:mod:`kteach.engine.tape`): ``call`` runs with
``y_pred`` as a Tensor the tape follows, so every ``kteach.ops`` step (and every NumPy
operator or function that has a kteach op) is recorded and walked back. A function is wrapped
in a :class:`LossFunctionWrapper`. For 3, ``L_i`` must depend only on sample ``i`` (so the
gradient of a weighted mean is the per-sample gradient times the weight); check your
``gradient`` against :func:`numerical_gradient`.

Names, as in Keras, are case-sensitive: ``'mse'``, ``'MSE'``, ``'mean_squared_error'`` and
``'MeanSquaredError'`` all work; ``'Mse'`` and ``'cce'`` do not. The aliases are Keras 3's:
``mse mae mape msle kld bce`` and the same in capitals (``'logcosh'`` and ``'huber_loss'``
are refused, as there, although Huber's default name is ``'huber_loss'``).

The families: regression (:class:`MeanSquaredError`, :class:`MeanAbsoluteError`,
:class:`Huber`, :class:`LogCosh`, :class:`MeanSquaredLogarithmicError`,
:class:`MeanAbsolutePercentageError`, :class:`CosineSimilarity`), counts and distributions
(:class:`Poisson`, :class:`KLDivergence`), cross-entropies (:class:`BinaryCrossentropy`,
:class:`CategoricalCrossentropy`, :class:`SparseCategoricalCrossentropy` and the focal
:class:`BinaryFocalCrossentropy`, :class:`CategoricalFocalCrossentropy`) and margins
(:class:`Hinge`, :class:`SquaredHinge`, :class:`CategoricalHinge`).

Probabilities are clipped to ``[eps, 1 - eps]`` (``eps = kteach.engine.config.epsilon()``,
1e-7) before the logarithm, exactly like Keras with the torch or JAX backend; where a value
was clipped its gradient is 0. With ``from_logits=True`` the stable formulas are used and
nothing is clipped.

Four deliberate differences from Keras 3: ``Huber.get_config()`` keeps ``delta`` and
``CosineSimilarity.get_config()`` keeps ``axis`` (Keras leaves them out, so they are lost on
saving); the function forms (``binary_crossentropy`` ...) line up ranks themselves, as the
loss classes do, instead of raising a shape error;
``SparseCategoricalCrossentropy(ignore_class=...)`` is refused (see its docstring); and
``get(my_function)`` returns the function wrapped in a :class:`LossFunctionWrapper` (Keras
returns the function itself and wraps it later, in ``compile``).

Where each piece is written: ``base.py`` (:class:`Loss`, reductions, :func:`align_ranks`,
:func:`numerical_gradient`), ``regression.py``, ``probabilistic.py`` (Poisson, KL
divergence), ``crossentropy.py``, ``focal.py``, ``hinge.py``, ``wrapper.py``
(:class:`LossFunctionWrapper`), ``functions.py`` (the function forms) and ``names.py``
(:func:`get`, :func:`serialize`, :func:`deserialize`, the aliases).
"""
from .base import REDUCTIONS as REDUCTIONS
from .base import Loss, NoGradientError, align_ranks, numerical_gradient
from .crossentropy import BinaryCrossentropy, CategoricalCrossentropy, SparseCategoricalCrossentropy
from .focal import BinaryFocalCrossentropy, CategoricalFocalCrossentropy
from .functions import (binary_crossentropy, binary_focal_crossentropy, categorical_crossentropy,
                        categorical_focal_crossentropy, categorical_hinge, cosine_similarity,
                        hinge, huber, kl_divergence, log_cosh, mean_absolute_error,
                        mean_absolute_percentage_error, mean_squared_error,
                        mean_squared_logarithmic_error, poisson, sparse_categorical_crossentropy,
                        squared_hinge)
from .hinge import CategoricalHinge, Hinge, SquaredHinge
from .names import _BY_NAME as _BY_NAME  # the names get() knows (tests read it)
from .names import ALIASES as ALIASES
from .names import deserialize, get, serialize
from .probabilistic import KLDivergence, Poisson
from .regression import (CosineSimilarity, Huber, LogCosh, MeanAbsoluteError,
                         MeanAbsolutePercentageError, MeanSquaredError, MeanSquaredLogarithmicError)
from .wrapper import LossFunctionWrapper

# The public names (each written in one of the submodules): what kteach.engine.keras_names
# lists when a name is missing. REDUCTIONS and ALIASES are importable too.
__all__ = ['BinaryCrossentropy', 'BinaryFocalCrossentropy', 'CategoricalCrossentropy',
           'CategoricalFocalCrossentropy', 'CategoricalHinge', 'CosineSimilarity', 'Hinge',
           'Huber', 'KLDivergence', 'LogCosh', 'Loss', 'LossFunctionWrapper',
           'MeanAbsoluteError', 'MeanAbsolutePercentageError', 'MeanSquaredError',
           'MeanSquaredLogarithmicError', 'NoGradientError', 'Poisson',
           'SparseCategoricalCrossentropy', 'SquaredHinge', 'align_ranks',
           'binary_crossentropy', 'binary_focal_crossentropy', 'categorical_crossentropy',
           'categorical_focal_crossentropy', 'categorical_hinge', 'cosine_similarity',
           'deserialize', 'get', 'hinge', 'huber', 'kl_divergence', 'log_cosh',
           'mean_absolute_error', 'mean_absolute_percentage_error', 'mean_squared_error',
           'mean_squared_logarithmic_error', 'numerical_gradient', 'poisson', 'serialize',
           'sparse_categorical_crossentropy', 'squared_hinge']


def __getattr__(name: str):
    """A Keras 3 name kteach lacks, or a typo: an AttributeError that says which (and the
    closest names here): kteach.engine.keras_names."""
    from ..engine.keras_names import missing_name
    raise missing_name(__name__, name, globals())
