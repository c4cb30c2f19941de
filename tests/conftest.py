"""Shared pytest set-up: every test starts from a fresh, seeded kteach."""
import importlib
import importlib.util

import pytest


def _optional(module_name: str, attribute: str):
    """Return ``module_name.attribute`` if both exist, else None (kteach grows over time)."""
    if importlib.util.find_spec(module_name) is None:
        return None
    return getattr(importlib.import_module(module_name), attribute, None)


@pytest.fixture(autouse=True)
def fresh_kteach_state():
    """Forget layer names and reseed before each test, so no test depends on the one before."""
    clear_session = _optional("kteach.backend", "clear_session")
    if clear_session is not None:
        clear_session()
    set_random_seed = _optional("kteach.utils", "set_random_seed")
    if set_random_seed is not None:
        set_random_seed(0)
    yield
