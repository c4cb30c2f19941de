"""Every lesson runs the same twice in one kernel: names, warnings and numbers do not drift.

A learner often runs a lesson again (Run All once more, or "Restart and Run All" forgotten). If
the second run says ``dense_7`` where the text says ``dense``, or a warning the text explains
is gone, the lesson no longer matches itself. So each lesson's code cells run twice in one
kernel, started as scripts/build_lessons.py starts it, and the second run's outputs must be
those of the first (after tests/nbval_sanitize.cfg, and without what nbval does not compare:
pictures, widget views, cells marked ``# NBVAL_IGNORE_OUTPUT``; ``# NBVAL_SKIP`` cells do not
run). The usual cure is ``keras.backend.clear_session()`` and ``set_random_seed`` at the top.

A translated lesson has its original's code cells (tests/test_lesson_sources.py checks it), so
it runs only when its code differs; otherwise it shares its original's two runs.
"""
from __future__ import annotations

import copy
import difflib
import importlib.util
import re
from pathlib import Path

import nbformat
import pytest

ROOT = Path(__file__).resolve().parent.parent
SANITIZE = ROOT / "tests" / "nbval_sanitize.cfg"
NOT_COMPARED = {"image/png", "image/jpeg", "application/vnd.jupyter.widget-view+json"}

pytestmark = pytest.mark.lesson_kernel


def _load_build_script():
    spec = importlib.util.spec_from_file_location("build_lessons",
                                                  ROOT / "scripts" / "build_lessons.py")
    module = importlib.util.module_from_spec(spec)
    spec.loader.exec_module(module)
    return module


build = _load_build_script()
LESSONS = [nb for edition in build.EDITIONS for nb in build.notebooks(edition)]


# ----- what is compared -----------------------------------------------------------------------

def sanitizers(path: Path = SANITIZE) -> list[tuple[re.Pattern, str]]:
    """The regex/replace pairs of nbval's sanitize file."""
    lines = path.read_text().splitlines()
    return [(re.compile(line[len("regex:"):].strip()), after[len("replace:"):].strip())
            for line, after in zip(lines, lines[1:])
            if line.startswith("regex:") and after.startswith("replace:")]


RULES = sanitizers()


def _clean(text: str) -> str:
    for pattern, replacement in RULES:
        text = pattern.sub(replacement, text)
    return text


def markers(cell) -> set[str]:
    """The nbval markers of a cell: comment lines like ``# NBVAL_SKIP``, and cell tags."""
    found = {line.strip()[1:].strip() for line in cell.source.splitlines()
             if re.fullmatch(r"#\s*NBVAL_[A-Z_]+", line.strip())}
    tags = {"nbval-ignore-output": "NBVAL_IGNORE_OUTPUT", "nbval-skip": "NBVAL_SKIP",
            "raises-exception": "NBVAL_RAISES_EXCEPTION"}
    return found | {tags[t] for t in cell.metadata.get("tags", []) if t in tags}


def _text(value) -> str:
    return value if isinstance(value, str) else repr(value)   # JSON data is compared as-is


def comparable(outputs) -> list[str]:
    """A cell's outputs as nbval compares them: each stream merged into one, then the rest."""
    streams: dict[str, str] = {}
    others = []
    for out in outputs:
        if out.output_type == "stream":
            streams[out.name] = streams.get(out.name, "") + out.text
        elif out.output_type == "error":
            others.append(f"error {out.ename}: {out.evalue}")
        else:
            others += [f"{mime}:\n{_text(value)}"
                       for mime, value in sorted(out.get("data", {}).items())
                       if mime not in NOT_COMPARED]
    texts = [f"{name}:\n{text}" for name, text in sorted(streams.items())] + others
    return [_clean(text) for text in texts]


# ----- running a lesson twice -------------------------------------------------------------------

_runs: dict[tuple[str, ...], list[tuple[int, list[str], list[str]]]] = {}


def code_cells(notebook: Path) -> list:
    nb = nbformat.read(notebook, as_version=4)
    return [cell for cell in nb.cells
            if cell.cell_type == "code" and "NBVAL_SKIP" not in markers(cell)]


def run_twice(notebook: Path) -> list[tuple[int, list[str], list[str]]]:
    """For each compared code cell: its number among the code cells, and its outputs in the
    first and the second run in one kernel."""
    cells = code_cells(notebook)
    key = tuple(cell.source for cell in cells)
    if key not in _runs:
        _runs[key] = _execute_twice(cells, notebook.parent)
    return _runs[key]


def _execute_twice(cells: list, folder: Path) -> list[tuple[int, list[str], list[str]]]:
    from nbclient import NotebookClient
    nb = nbformat.v4.new_notebook(metadata={"kernelspec": dict(build.KERNELSPEC)})
    # An error in the second run is compared as an output, not raised: it is what drifted.
    client = NotebookClient(nb, timeout=600, kernel_name="python3", store_widget_state=False,
                            allow_errors=True, resources={"metadata": {"path": str(folder)}})
    runs = []
    with build.kernel_environment(), client.setup_kernel():
        for _ in range(2):
            nb.cells = [copy.deepcopy(cell) for cell in cells]
            for i, cell in enumerate(nb.cells):
                cell.outputs = []
                client.execute_cell(cell, i)
            runs.append([comparable(cell.outputs) for cell in nb.cells])
    return [(i, first, second) for i, (cell, first, second) in enumerate(zip(cells, *runs))
            if "NBVAL_IGNORE_OUTPUT" not in markers(cell)]


def _difference(first: list[str], second: list[str]) -> str:
    lines = difflib.unified_diff("\n".join(first).splitlines(), "\n".join(second).splitlines(),
                                 "first run", "second run", lineterm="", n=1)
    return "\n".join(list(lines)[:14])


def _advice(cells: list) -> str:
    first = cells[0].source if cells else ""
    if "clear_session()" not in first:
        return ("Its first code cell does not call keras.backend.clear_session(): layer names "
                "and warnings carry over from the first run. Add it (with set_random_seed).")
    return "Something kept state from the first run (a global, a seed, a widget)."


def drift_report(notebook: Path) -> str:
    """What the second run printed differently, in words ("" when nothing)."""
    drifted = [(i, first, second) for i, first, second in run_twice(notebook)
               if first != second]
    if not drifted:
        return ""
    cells = code_cells(notebook)
    report = [f"{len(drifted)} code cell(s) of {notebook.name} print something else the "
              f"second time. {_advice(cells)}"]
    for i, first, second in drifted[:3]:
        head = cells[i].source.splitlines()[0] if cells[i].source else ""
        report += [f"--- code cell {i} ({head!r}):", _difference(first, second)]
    return "\n".join(report)


@pytest.mark.parametrize("notebook", LESSONS, ids=lambda p: str(p.relative_to(build.LESSONS)))
def test_lesson_gives_the_same_outputs_when_run_twice_in_one_kernel(notebook):
    report = drift_report(notebook)
    if report:
        pytest.fail(report, pytrace=False)


# ----- the checks themselves --------------------------------------------------------------------

def test_markers_are_found_in_comments_and_tags():
    cell = nbformat.v4.new_code_cell("# NBVAL_IGNORE_OUTPUT\nx = 1",
                                     metadata={"tags": ["nbval-skip"]})
    assert markers(cell) == {"NBVAL_IGNORE_OUTPUT", "NBVAL_SKIP"}
    assert markers(nbformat.v4.new_code_cell("x = 1  # NBVAL_SKIP is not a marker here")) == set()


def test_comparable_merges_streams_and_leaves_out_pictures_and_timings():
    out = nbformat.v4.new_output
    outputs = [out("stream", name="stdout", text="loss: 0.5 - 12ms/step\n"),
               out("display_data", data={"text/plain": "<Figure>", "image/png": "iVBOR..."}),
               out("stream", name="stdout", text="done\n")]
    assert comparable(outputs) == ["stdout:\nloss: 0.5 - TIME/step\ndone\n",
                                   "text/plain:\n<Figure>"]


def test_a_lesson_without_clear_session_is_caught(tmp_path):
    cells = ["import kteach as keras\nfrom kteach.layers import Dense\n"
             "from kteach.optimizers import SGD",
             "print(Dense(2).name)",
             "SGD(lr=0.1);",                      # a KteachWarning, shown once per session
             "# NBVAL_IGNORE_OUTPUT\nprint(Dense(3).name)"]
    notebook = tmp_path / "01-drifting.ipynb"
    nbformat.write(nbformat.v4.new_notebook(cells=[nbformat.v4.new_code_cell(c) for c in cells]),
                   notebook)
    report = drift_report(notebook)
    assert report.startswith("2 code cell(s) of 01-drifting.ipynb print something else the "
                             "second time. Its first code cell does not call "
                             "keras.backend.clear_session()")
    assert "--- code cell 1 ('print(Dense(2).name)'):" in report
    assert "-dense\n+dense_2" in report                   # the third Dense of the kernel
    assert "--- code cell 2 ('SGD(lr=0.1);'):" in report and "-text/plain:" in report
    assert "code cell 3" not in report                    # ignored, as nbval ignores it
