#!/usr/bin/env bash
# Set up (same as scripts/test.sh: graphviz, .venv, kteach with all extras) and open the
# lessons in JupyterLab on http://127.0.0.1:8888 . Extra arguments go to `jupyter lab`,
# e.g.  bash scripts/lessons.sh --port 9999   or   --ip 0.0.0.0  to serve other machines.
# jupytext (from the `notebooks` extra) pairs each lesson notebook with its source,
# lessons/NN-*.md (see lessons/jupytext.toml): saving a lesson in JupyterLab writes both.
set -euo pipefail
cd "$(dirname "$0")/.."

bash scripts/test.sh --setup-only
export MPLCONFIGDIR="$PWD/.venv/mplconfig"
# The kernels get the environment the lessons' stored outputs were made in (see
# scripts/build_lessons.py), so a lesson run here prints the same numbers.
eval "$(.venv/bin/python scripts/kernel_env.py)"

args=(--ip=127.0.0.1)
if [ "$(id -u)" = 0 ]; then
    args+=(--allow-root)     # Jupyter refuses to run as root without it
fi
exec .venv/bin/jupyter lab lessons/ "${args[@]}" "$@"
