#!/usr/bin/env bash
# Set up (same as scripts/test.sh: graphviz, .venv, kteach with all extras) and open the
# lessons in JupyterLab on http://127.0.0.1:8888 . Extra arguments go to `jupyter lab`,
# e.g.  bash scripts/lessons.sh --port 9999   or   --ip 0.0.0.0  to serve other machines.
set -euo pipefail
cd "$(dirname "$0")/.."

bash scripts/test.sh --setup-only
export MPLCONFIGDIR="$PWD/.venv/mplconfig"

args=(--ip=127.0.0.1)
if [ "$(id -u)" = 0 ]; then
    args+=(--allow-root)     # Jupyter refuses to run as root without it
fi
exec .venv/bin/jupyter lab lessons/ "${args[@]}" "$@"
