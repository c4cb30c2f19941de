"""Configs in Keras 3's form: every object becomes a small dict of plain values, and back.

A serialized object is ``{"module": ..., "class_name": ..., "config": {...},
"registered_name": ...}``: ``module`` and ``class_name`` say where the class lives *in Keras*
(``"keras.layers"``, ``"Dense"``), so that real Keras can read what kteach writes and kteach
can read what Keras writes; ``config`` is what ``get_config()`` returned. Layers and models add
``build_config`` (the input shape they were built for) and models ``compile_config``.

Reading a config never runs code from the file: classes are looked up by name among kteach's
own, the learner's registered ones and ``custom_objects`` -- nothing is imported, nothing is
unpickled. A ``Lambda`` holds Python bytecode, so it is refused unless ``safe_mode=False``.

    serialize_keras_object(obj) -> dict
    deserialize_keras_object(config, custom_objects=None, safe_mode=True) -> object
    register_keras_serializable(package="Custom", name=None)   # a decorator
"""
from __future__ import annotations

import inspect
from typing import Any, Callable

import numpy as np

from ..engine.errors import KteachError, closest

# Where kteach's own classes live in Keras 3 (kteach module prefix -> Keras' public module).
_KERAS_MODULES = [("kteach.layers", "keras.layers"), ("kteach.engine.layer", "keras.layers"),
                  ("kteach.optimizers", "keras.optimizers"), ("kteach.losses", "keras.losses"),
                  ("kteach.metrics", "keras.metrics"),
                  ("kteach.initializers", "keras.initializers"),
                  ("kteach.regularizers", "keras.regularizers"),
                  ("kteach.constraints", "keras.constraints")]

# Learner's classes and functions: "Package>Name" -> object, and object -> "Package>Name".
_REGISTERED: dict[str, Any] = {}
_NAMES: dict[Any, str] = {}
# custom_objects dicts in force (CustomObjectScope and the call being deserialized).
_SCOPES: list[dict] = []
# safe_mode of the deserialization in progress (innermost last); none running means safe.
_SAFE_MODE: list[bool] = []
_UNSAFE_ALLOWED = [False]


class UnknownClassError(KteachError, TypeError):
    """A config names a class that neither kteach nor the learner's registry knows."""


class UnsafeConfigError(KteachError, ValueError):
    """A config would run Python code from the file (a Lambda), under ``safe_mode=True``."""


# ----- the registry -------------------------------------------------------------------------
def register_keras_serializable(package: str = "Custom", name: str | None = None) -> Callable:
    """Decorator: make a learner's class (or function) loadable from a config by name.

    The registered name is ``"package>name"`` (``name`` defaults to the class name), and it
    is what ``registered_name`` says in the file. Registering again (re-running a notebook
    cell) replaces the earlier class.
    """
    def decorate(obj: Any) -> Any:
        key = f"{package}>{name or obj.__name__}"
        if inspect.isclass(obj) and not hasattr(obj, "get_config"):
            raise ValueError("Cannot register a class that does not have a get_config() "
                             "method.")
        _REGISTERED[key] = obj
        _NAMES[obj] = key
        return obj
    return decorate


def get_registered_name(obj: Any) -> str:
    """``"package>name"`` for a registered object, else its plain ``__name__``."""
    if obj in _NAMES:
        return _NAMES[obj]
    return getattr(obj, "__name__", type(obj).__name__)


def get_registered_object(name: str, custom_objects: dict | None = None,
                          module_objects: dict | None = None) -> Any:
    """The object registered (or passed in a scope or ``custom_objects``) under ``name``,
    else ``None``."""
    for table in [*reversed(_SCOPES), _REGISTERED, custom_objects or {}, module_objects or {}]:
        if name in table:
            return table[name]
    return None


def get_custom_objects() -> dict:
    """The global registry (``"package>name"`` -> object); adding to it registers too."""
    return _REGISTERED


class CustomObjectScope:
    """``with CustomObjectScope({"Scale": Scale}): load_model(...)``: extra names that
    configs read inside the block may use."""

    def __init__(self, *custom_objects: dict | None):
        self.custom_objects: dict = {}
        for table in custom_objects:
            self.custom_objects.update(table or {})

    def __enter__(self) -> "CustomObjectScope":
        _SCOPES.append(self.custom_objects)
        return self

    def __exit__(self, *exc: Any) -> None:
        _SCOPES.remove(self.custom_objects)


custom_object_scope = CustomObjectScope


def enable_unsafe_deserialization() -> None:
    """Allow Lambda layers to be loaded from configs everywhere (as Keras' function of that
    name). Only for files you trust: their code runs."""
    _UNSAFE_ALLOWED[0] = True


def in_safe_mode() -> bool:
    """Whether the deserialization in progress refuses code from the file."""
    if _UNSAFE_ALLOWED[0]:
        return False
    return _SAFE_MODE[-1] if _SAFE_MODE else True


# ----- writing --------------------------------------------------------------------------------
def dtype_policy(name: str) -> dict:
    """Keras 3's dtype policy of a layer: ``{"module": "keras", "class_name": "DTypePolicy",
    "config": {"name": "float32"}, "registered_name": None}``."""
    return {"module": "keras", "class_name": "DTypePolicy", "config": {"name": name},
            "registered_name": None}


def serialize_keras_object(obj: Any) -> Any:
    """``obj`` as Keras 3 writes it in a config: plain values stay, NumPy values become plain
    Python, functions are named, objects become ``{"module", "class_name", "config",
    "registered_name"}`` (with ``build_config``/``compile_config`` for layers and models)."""
    if obj is None or isinstance(obj, (bool, int, float, str)):
        return obj
    if isinstance(obj, np.ndarray):
        if obj.ndim == 0:
            return obj.item()
        return {"class_name": "__numpy__", "config": {"value": obj.tolist(),
                                                      "dtype": str(obj.dtype)}}
    if isinstance(obj, np.generic):
        return obj.item()
    if isinstance(obj, (list, tuple)):
        items = [serialize_keras_object(x) for x in obj]
        return tuple(items) if isinstance(obj, tuple) else items
    if isinstance(obj, dict):
        return {key: serialize_keras_object(value) for key, value in obj.items()}
    if inspect.isfunction(obj) or inspect.isbuiltin(obj) or (callable(obj) and not hasattr(obj, "get_config")):
        return _serialize_function(obj)
    return _serialize_instance(obj)


def _serialize_function(fn: Any) -> dict:
    from .. import activations, losses
    if fn in _NAMES:
        return {"module": fn.__module__, "class_name": "function",
                "config": _NAMES[fn], "registered_name": "function"}
    module = getattr(fn, "__module__", "") or ""
    if module.startswith("kteach."):  # a built-in: Keras finds it by its bare name
        name = activations.serialize(fn) if module == "kteach.activations" else \
            losses.serialize(fn) if module == "kteach.losses" else fn.__name__
        return {"module": "builtins", "class_name": "function", "config": name,
                "registered_name": "function"}
    return {"module": module, "class_name": "function", "config": fn.__name__,
            "registered_name": "function"}


def keras_class_path(obj: Any) -> tuple[str | None, str, str | None]:
    """``(module, class_name, registered_name)`` of an object's class as Keras writes them."""
    from ..models.functional import Model
    from ..models.sequential import Sequential
    cls = type(obj)
    if cls in _NAMES:
        module = cls.__module__
        return (None if module == "__main__" else module), cls.__name__, _NAMES[cls]
    if cls is Sequential:
        return "keras", "Sequential", None
    if cls is Model:
        return "keras.src.models.functional", "Functional", "Functional"
    for prefix, keras_module in _KERAS_MODULES:
        if cls.__module__ == prefix or cls.__module__.startswith(prefix + "."):
            return keras_module, cls.__name__, None
    module = cls.__module__
    return (None if module == "__main__" else module), cls.__name__, cls.__name__


def _OPTIMIZER_NAMES() -> set:
    from .. import optimizers
    return {n for n in dir(optimizers) if inspect.isclass(getattr(optimizers, n))
            and issubclass(getattr(optimizers, n), optimizers.Optimizer)}


def _serialize_instance(obj: Any) -> dict:
    from ..engine.layer import Layer
    if not hasattr(obj, "get_config"):
        raise TypeError(f"Cannot serialize {obj!r}: a {type(obj).__name__} has no "
                        f"get_config(). Only layers, models, optimizers, losses, metrics, "
                        f"initializers, functions and plain values go into a config.")
    module, class_name, registered = keras_class_path(obj)
    config = serialize_keras_object(obj.get_config())
    if isinstance(config.get("learning_rate"), float) and class_name in _OPTIMIZER_NAMES():
        # Keras keeps the rate in a float32 variable: 0.001 is written 0.0010000000474974513
        config["learning_rate"] = float(np.float32(config["learning_rate"]))
    if isinstance(obj, Layer) and isinstance(config.get("dtype"), str) and \
            type(obj).__name__ != "InputLayer" and not getattr(obj, "_keras_plain_dtype", False):
        # (InputLayer and SpatialDropout1D/2D keep a plain name in Keras 3.15.1)
        config["dtype"] = dtype_policy(config["dtype"])
    out = {"module": module, "class_name": class_name, "config": config,
           "registered_name": registered}
    if isinstance(obj, Layer):
        build = obj.get_build_config() if hasattr(obj, "get_build_config") else None
        if build is not None:
            out["build_config"] = serialize_keras_object(build)
        if hasattr(obj, "get_compile_config"):
            out["compile_config"] = serialize_keras_object(obj.get_compile_config() or {})
    return out


# ----- reading --------------------------------------------------------------------------------
def deserialize_keras_object(config: Any, custom_objects: dict | None = None,
                             safe_mode: bool = True, **kwargs: Any) -> Any:
    """The object a config describes (the reverse of :func:`serialize_keras_object`).

    Classes are found among ``custom_objects``, open :class:`CustomObjectScope` blocks, the
    registry of :func:`register_keras_serializable`, and kteach's own (by Keras' module and
    class name). ``safe_mode=True`` refuses configs that carry code (Lambda layers).
    """
    _SAFE_MODE.append(bool(safe_mode))
    _SCOPES.append(dict(custom_objects or {}))
    try:
        return _deserialize(config)
    finally:
        _SCOPES.pop()
        _SAFE_MODE.pop()


def _deserialize(config: Any) -> Any:
    if config is None or isinstance(config, (bool, int, float, str)):
        return config
    if isinstance(config, (list, tuple)):
        return [_deserialize(x) for x in config]
    if not isinstance(config, dict):
        raise TypeError(f"Could not parse config: {config!r}")
    if "class_name" not in config or "config" not in config:
        return {key: _deserialize(value) for key, value in config.items()}
    class_name, inner = config["class_name"], config["config"]
    if class_name == "__tuple__":
        return tuple(_deserialize(x) for x in inner["value"])
    if class_name == "__numpy__":
        return np.array(inner["value"], dtype=inner["dtype"])
    if class_name == "__lambda__":
        if in_safe_mode():
            raise UnsafeConfigError(LAMBDA_MESSAGE)
        from ..layers.lambda_layer import load_function
        return load_function(inner)
    if class_name == "DTypePolicy" or class_name == "DTypePolicyMap":
        return inner.get("name", "float32") if isinstance(inner, dict) else inner
    if class_name == "function":
        return _find_function(config)
    cls = find_class(config)
    return revive(cls, config)


def revive(cls: type, config: dict) -> Any:
    """An instance of ``cls`` from a serialized config: ``from_config``, then the build and
    compile configs where the config has them."""
    from ..engine.layer import Layer
    inner = config["config"]
    name = inner.get("name") if isinstance(inner, dict) else None
    try:
        obj = cls.from_config(inner)
    except (TypeError, ValueError) as e:
        if isinstance(e, (UnsafeConfigError, UnknownClassError)) or "(While making" in str(e):
            raise
        where = f" '{name}'" if name else ""
        raise type(e)(f"{e}\n(While making {config['class_name']}{where} from its config.)") \
            from e
    if isinstance(obj, Layer):
        build = config.get("build_config") or {}
        shape = build.get("input_shape")
        if shape is not None and not obj.built and hasattr(obj, "build_from_config"):
            obj.build_from_config(build)
        compile_config = config.get("compile_config")
        if compile_config and hasattr(obj, "compile_from_config"):
            obj.compile_from_config(compile_config)
    return obj


def revive_values(config: dict) -> dict:
    """A ``get_config()`` dict with every serialized object inside made into an object again
    (initializers, nested layers, dtype policies); plain values stay. What ``from_config``
    of a built-in passes to the constructor."""
    return {key: _deserialize(value) if isinstance(value, (dict, list)) else value
            for key, value in config.items()}


def _kteach_namespaces() -> dict[str, list]:
    import kteach
    from .. import constraints, initializers, layers, losses, metrics, optimizers, regularizers
    return {"keras.regularizers": [regularizers], "keras.constraints": [constraints],
            "keras.layers": [layers], "keras": [kteach, layers], "keras.models": [kteach],
            "keras.optimizers": [optimizers], "keras.losses": [losses],
            "keras.metrics": [metrics], "keras.initializers": [initializers],
            "keras.src.models.functional": [kteach], "keras.src.models.sequential": [kteach],
            "keras.src.models.model": [kteach]}


def find_class(config: dict) -> type:
    """The class a serialized config names; a clear error when there is none."""
    class_name = config["class_name"]
    module = config.get("module")
    registered = config.get("registered_name")
    for key in (registered, class_name):
        if key:
            found = get_registered_object(key)
            if found is not None:
                return found
    if class_name == "Functional" and (module or "").startswith("keras"):
        from ..models.functional import Model
        return Model
    spaces = _kteach_namespaces()
    if module in spaces or (module or "").startswith("keras."):
        for space in spaces.get(module, []) or _guess_spaces(module, spaces):
            found = getattr(space, class_name, None)
            if inspect.isclass(found):
                return found
        raise UnknownClassError(_unknown_keras_class(config, spaces))
    raise UnknownClassError(
        f"Could not locate class '{class_name}'. Make sure custom classes and functions are "
        f"decorated with `@keras.saving.register_keras_serializable()` (in kteach: "
        f"`@kteach.saving.register_keras_serializable()`). If they are already decorated, make "
        f"sure they are all imported so that the decorator is run before trying to load them, "
        f"or pass them as custom_objects={{'{class_name}': {class_name}}}. Full object "
        f"config: {config}")


def _guess_spaces(module: str, spaces: dict) -> list:
    """Keras' private modules (``keras.src.layers.core.dense``) by their public family."""
    for family in ("layers", "optimizers", "losses", "metrics", "initializers", "models"):
        if module.startswith(f"keras.src.{family}"):
            return spaces.get(f"keras.{family}", spaces["keras"])
    return []


def _unknown_keras_class(config: dict, spaces: dict) -> str:
    class_name, module = config["class_name"], config.get("module")
    inner = config.get("config")
    name = inner.get("name") if isinstance(inner, dict) else None
    known = [n for space in spaces.get(module, []) for n in dir(space)
             if inspect.isclass(getattr(space, n)) and not n.startswith("_")]
    near = closest(class_name, known)
    hint = f" Did you mean {' or '.join(repr(n) for n in near)}?" if near else ""
    what = f"layer '{name}' of class" if name and module == "keras.layers" else "class"
    return (f"The config asks for {what} '{class_name}' (from {module}), which kteach does not "
            f"have.{hint} Real Keras 3 knows it and can load this config or file: "
            f"`keras.saving.load_model(path)` / `keras.saving.deserialize_keras_object(config)`."
            f" In kteach, replace that layer with one kteach has, or write it as a custom layer "
            f"registered with @kteach.saving.register_keras_serializable().")


def _find_function(config: dict) -> Callable:
    from .. import activations, losses, metrics
    name = config["config"]
    found = get_registered_object(name)
    if found is not None:
        return found
    if config.get("module") in ("builtins", None) or str(config.get("module")).startswith("keras"):
        for module in (activations, losses, metrics):
            fn = getattr(module, name, None)
            if callable(fn):
                return fn
        if name in getattr(activations, "_BY_NAME", {}):
            return activations.get(name)
    raise UnknownClassError(
        f"Could not locate function '{name}'. Make sure custom classes and functions are "
        f"decorated with `@kteach.saving.register_keras_serializable()`, or pass "
        f"custom_objects={{'{name}': {name}}}. Full object config: {config}")


LAMBDA_MESSAGE = (
    "Requested the deserialization of a Python lambda. This carries a potential risk of "
    "arbitrary code execution and thus it is disallowed by default. If you trust the source "
    "of the artifact, you can override this error by passing `safe_mode=False` to the "
    "loading function, or calling `keras.config.enable_unsafe_deserialization().")

LAMBDA_LAYER_MESSAGE = (
    "Requested the deserialization of a `Lambda` layer whose `function` is a Python lambda. "
    "This carries a potential risk of arbitrary code execution and thus it is disallowed by "
    "default. If you trust the source of the artifact, you can override this error by "
    "passing `safe_mode=False` to the loading function, or calling "
    "`keras.config.enable_unsafe_deserialization().")
