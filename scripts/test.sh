#!/usr/bin/env bash
# Set up everything and run the whole test suite (unit tests, lesson notebooks, browser test).
#
#   bash scripts/test.sh                 # everything
#   bash scripts/test.sh -k dense        # extra arguments go to pytest
#   bash scripts/test.sh --setup-only    # only install (used by scripts/lessons.sh)
#
# Works on a fresh Debian machine with nothing but Python >= 3.10: installs Graphviz's `dot`,
# Chromium (for the browser test) and a CJK font with apt when run as root, makes .venv,
# installs kteach with all extras, runs pytest.
set -euo pipefail
cd "$(dirname "$0")/.."
start=$SECONDS

say() { printf '[test.sh] %s\n' "$*"; }

# 1. System packages: Graphviz's `dot` (kteach also renders without it, via pygraphviz, but
#    the lessons use it), Debian's Chromium, which tests/test_browser.py drives with
#    Playwright (never `playwright install`: the browser comes from apt), and Noto CJK, a font
#    with Chinese characters, without which Chromium draws the Chinese lessons as boxes.
has_chinese_font() {
    if command -v fc-list >/dev/null 2>&1; then
        [ -n "$(fc-list :lang=zh family 2>/dev/null)" ]
    else
        dpkg -s fonts-noto-cjk >/dev/null 2>&1
    fi
}
missing=()
command -v dot >/dev/null 2>&1 || missing+=(graphviz)
[ -x /usr/bin/chromium ] || missing+=(chromium)
has_chinese_font || missing+=(fonts-noto-cjk)
if [ "${#missing[@]}" -gt 0 ]; then
    if [ "$(id -u)" = 0 ] && command -v apt-get >/dev/null 2>&1; then
        say "installing ${missing[*]} with apt-get (about 30 s)"
        export DEBIAN_FRONTEND=noninteractive
        aptlog=$(mktemp "${TMPDIR:-/tmp}/kteach-apt.XXXXXX")
        # apt and the packages' set-up scripts talk a lot: keep it in a log, show it on failure.
        if ! { apt-get -qq update && apt-get -qq install -y "${missing[@]}"; } >"$aptlog" 2>&1; then
            cat "$aptlog" >&2
            say "apt-get install ${missing[*]} failed; see its output above"
            exit 1
        fi
        rm -f "$aptlog"
        say "${missing[*]} installed ($((SECONDS - start)) s so far)"
    else
        for package in "${missing[@]}"; do
            case $package in
                graphviz) say "Graphviz's 'dot' is not installed. Diagram tests may fail." ;;
                chromium) say "Chromium is not installed, so the browser test will be skipped." ;;
                fonts-noto-cjk) say "No font with Chinese characters: browsers show Chinese text as boxes." ;;
            esac
        done
        say "Install with:  sudo apt-get install ${missing[*]}   (macOS: brew install graphviz)"
    fi
fi

# 2. A virtual environment in .venv (made again if it is broken, e.g. Python was moved).
python=${PYTHON:-python3}
if ! .venv/bin/python -c '' 2>/dev/null; then
    say "creating .venv with $($python --version 2>&1)"
    rm -rf .venv
    "$python" -m venv .venv
fi

# 3. kteach (editable) with every extra. Skipped when pyproject.toml has not changed since the
#    last install; KTEACH_REINSTALL=1 forces it. The grep drops the harmless
#    "Location ... is ignored" warnings that this machine's pip configuration prints.
stamp=.venv/.kteach-installed
want=$(cat pyproject.toml scripts/constraints.txt | sha256sum | cut -d' ' -f1)
if [ "${KTEACH_REINSTALL:-0}" = 1 ] || [ "$(cat "$stamp" 2>/dev/null)" != "$want" ]; then
    say "installing kteach and its dependencies into .venv (pip install -e '.[all]')"
    .venv/bin/python -m pip install -q -c scripts/constraints.txt -e '.[all]' 2>&1 \
        | { grep -v -E "^WARNING: Location '.*' is ignored" || true; }
    echo "$want" > "$stamp"
    say "installed ($((SECONDS - start)) s so far)"
else
    say ".venv is up to date with pyproject.toml (KTEACH_REINSTALL=1 to reinstall)"
fi

# 3b. Real Keras 3 with the JAX backend (CPU) in its own environment, .venv-keras, for
#     tests/test_keras_interop.py: files go from kteach to Keras and back. About 0.7 GB and two
#     minutes the first time; skipped while the pinned versions below are what is installed.
keras_requirements="keras==3.15.1 jax==0.10.2"
keras_stamp=.venv-keras/.installed
if [ "$(cat "$keras_stamp" 2>/dev/null)" != "$keras_requirements" ] || ! .venv-keras/bin/python -c '' 2>/dev/null; then
    say "installing real Keras ($keras_requirements) into .venv-keras for the interop tests"
    rm -rf .venv-keras
    "$python" -m venv .venv-keras
    # shellcheck disable=SC2086  # the requirements are separate words
    if ! .venv-keras/bin/python -m pip install -q $keras_requirements 2>&1 \
            | { grep -v -E "^WARNING: Location '.*' is ignored" || true; }; then
        say "pip install $keras_requirements failed"
        exit 1
    fi
    KERAS_BACKEND=jax .venv-keras/bin/python -c 'import keras, jax' || { say "Keras in .venv-keras does not import"; exit 1; }
    echo "$keras_requirements" > "$keras_stamp"
    say "real Keras installed ($((SECONDS - start)) s so far)"
else
    say ".venv-keras is up to date ($keras_requirements)"
fi

# 4. Matplotlib settings and font cache live inside .venv, so ~/.config/matplotlib does not
#    matter. Building the cache once here keeps its warning out of the notebooks' stderr.
export MPLCONFIGDIR="$PWD/.venv/mplconfig"
mkdir -p "$MPLCONFIGDIR"
.venv/bin/python -c "import matplotlib; matplotlib.use('Agg'); import matplotlib.pyplot"
say "set-up done in $((SECONDS - start)) s"

if [ "${1:-}" = "--setup-only" ]; then
    exit 0
fi

# 5. A deterministic environment that does not depend on $HOME: fixed hash seed, fresh
#    Jupyter and IPython directories (no ~/.jupyter, ~/.ipython profiles or startup files).
#    MPLBACKEND is deliberately left unset: if it were set (e.g. to Agg), ipykernel would not
#    switch to its inline backend and figures would vanish from the notebooks. DISPLAY is
#    unset instead, so plain pytest processes fall back to Agg by themselves.
tmp=$(mktemp -d "${TMPDIR:-/tmp}/kteach-test.XXXXXX")
trap 'rm -rf "$tmp"' EXIT
# The lessons' arithmetic, as their stored outputs were made (scripts/kernel_env.py): hash
# seed 0, one BLAS thread per process (the two pytest workers already use both cores), and on
# x86-64 the same BLAS kernels and NumPy loops whatever the processor, so that float32 sums
# come out the same to the last digit on every machine (see lessons/README.md).
eval "$(.venv/bin/python scripts/kernel_env.py)"
export JUPYTER_CONFIG_DIR="$tmp/jupyter-config" JUPYTER_DATA_DIR="$tmp/jupyter-data"
export JUPYTER_RUNTIME_DIR="$tmp/jupyter-runtime" IPYTHONDIR="$tmp/ipython"
export JUPYTER_PLATFORM_DIRS=1 PYDEVD_DISABLE_FILE_VALIDATION=1
unset MPLBACKEND DISPLAY WAYLAND_DISPLAY

# The interop tests run against the Keras installed above: they must not skip here.
export KTEACH_REQUIRE_KERAS=1

# The browser test skips itself where there is no Chromium; where there is one, it must run.
if [ -x /usr/bin/chromium ]; then
    export KTEACH_REQUIRE_BROWSER=1
fi

# 6. The suite. --dist loadfile keeps each notebook on one worker (its cells share state).
set +e
.venv/bin/python -m pytest -n 2 --dist loadfile --nbval "$@"
rc=$?
set -e
if [ "$rc" = 5 ]; then
    say "pytest collected no tests. An empty suite is a broken suite: check tests/ and lessons/."
    exit 5
fi
exit "$rc"
