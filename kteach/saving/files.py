"""Writing a file safely: never a half-written file, never a lost old one."""
from __future__ import annotations

import os
import tempfile
from typing import Callable


def may_overwrite(filepath: str, overwrite: bool) -> bool:
    """Keras' rule: with ``overwrite=False`` and an existing file, ask on the terminal; no
    answer (a notebook, a script without a terminal) means no."""
    if overwrite or not os.path.exists(filepath):
        return True
    try:
        answer = input(f"[WARNING] {filepath} already exists - overwrite? [y/n] ")
    except (EOFError, OSError):
        answer = "n"
    if answer.strip().lower() in ("y", "yes"):
        return True
    print(f"Not saved: {filepath} already exists (overwrite=False). Pass overwrite=True to "
          f"replace it.")
    return False


def atomic_write(filepath: str, fill: Callable[[str], None]) -> None:
    """Call ``fill(tmp)`` to write a temporary file in the same folder as ``filepath``, then
    rename it to ``filepath`` in one step. If anything fails the temporary file is removed and
    an existing ``filepath`` stays as it was."""
    folder = os.path.dirname(os.path.abspath(filepath))
    if not os.path.isdir(folder):
        raise FileNotFoundError(f"Cannot save {filepath!r}: the folder {folder!r} does not "
                                f"exist. Create it first (os.makedirs(folder, exist_ok=True)).")
    fd, tmp = tempfile.mkstemp(dir=folder, prefix="." + os.path.basename(filepath) + ".",
                               suffix=".tmp")
    os.close(fd)
    umask = os.umask(0)
    os.umask(umask)
    os.chmod(tmp, 0o666 & ~umask)   # as an ordinary new file (mkstemp makes it private)
    try:
        fill(tmp)
        os.replace(tmp, filepath)
    except BaseException:
        if os.path.exists(tmp):
            os.remove(tmp)
        raise
