"""Running a benchmark script again inside .venv-keras, where real Keras 3 is installed.

train_cnn.py and train_layers.py time Keras by running themselves with ``--keras-only`` in
``.venv-keras/bin/python`` (made by ``bash scripts/test.sh``: Keras with its JAX backend,
CPU); that run prints its timings as JSON on its last line.
"""
from __future__ import annotations

import json
import os
import subprocess
from pathlib import Path

KERAS_PYTHON = Path(__file__).resolve().parents[1] / ".venv-keras" / "bin" / "python"


def run_keras_only(script: str, repeats: int) -> dict | None:
    """The JSON that ``script --keras-only --repeats N`` prints in .venv-keras, or None (with
    the reason printed) when there is no .venv-keras or the run fails."""
    if not KERAS_PYTHON.exists():
        print("(real Keras not found in .venv-keras: bash scripts/test.sh installs it)")
        return None
    env = dict(os.environ, KERAS_BACKEND="jax", JAX_PLATFORMS="cpu", TF_CPP_MIN_LOG_LEVEL="3")
    run = subprocess.run([str(KERAS_PYTHON), script, "--keras-only", "--repeats", str(repeats)],
                         capture_output=True, text=True, env=env)
    if run.returncode != 0:
        print(f"(Keras run failed: {run.stderr.strip().splitlines()[-1:]})")
        return None
    return json.loads(run.stdout.strip().splitlines()[-1])
