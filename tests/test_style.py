"""The code keeps the lint rules of pyproject.toml's [tool.ruff]: ``ruff check`` finds nothing.

Run it yourself with ``ruff check kteach tests scripts benchmarks`` (``--fix`` mends what it
can, such as unused imports); ruff comes with the dev extra (``pip install -e '.[dev]'``).
"""
import importlib.util
import subprocess
import sys
from pathlib import Path

ROOT = Path(__file__).resolve().parent.parent
CHECKED = ["kteach", "tests", "scripts", "benchmarks"]


def test_ruff_finds_nothing():
    assert importlib.util.find_spec("ruff") is not None, (
        "ruff is not installed: pip install ruff (it is in the dev extra of pyproject.toml)")
    result = subprocess.run([sys.executable, "-m", "ruff", "check", "--no-cache",
                             "--output-format", "concise", *CHECKED],
                            cwd=ROOT, capture_output=True, text=True, timeout=300)
    assert result.returncode == 0, (
        f"ruff check {' '.join(CHECKED)} found problems:\n{result.stdout}{result.stderr}")


def test_the_rules_are_read_from_pyproject():
    """Under this configuration an unused import is flagged (so the test above sees real
    findings), a line of 105 columns passes and one of 112 does not (max-line-length 110)."""
    ok, too_long = "OK = '" + "x" * 98 + "'", "TOO_LONG = '" + "x" * 99 + "'"
    assert (len(ok), len(too_long)) == (105, 112)
    sample = f"import os\n\n{ok}\n{too_long}\n"
    result = subprocess.run([sys.executable, "-m", "ruff", "check", "--no-cache",
                             "--output-format", "concise", "--stdin-filename",
                             "kteach/example.py", "-"],
                            cwd=ROOT, input=sample, capture_output=True, text=True, timeout=300)
    found = [line.split(": ", 1)[1].split()[0] for line in result.stdout.splitlines()
             if line.startswith("kteach/example.py:")]
    lines = [line.split(":")[1] for line in result.stdout.splitlines()
             if line.startswith("kteach/example.py:")]
    assert (found, lines) == (["F401", "E501"], ["1", "4"]), result.stdout + result.stderr
