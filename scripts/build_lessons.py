"""Build the lesson notebooks from their sources, or check that the two agree.

Each lesson has a source, lessons/NN-name.md, a text notebook in MyST Markdown (jupytext's
``md:myst``) that opens as a notebook in JupyterLab and reads as Markdown in a diff. Beside it,
lessons/NN-name.ipynb holds the same cells with the outputs that ``pytest --nbval`` compares.
The Chinese edition, when it exists, has the same layout in lessons/zh/.

    python scripts/build_lessons.py              # every lesson: write and execute the notebook
    python scripts/build_lessons.py 03 05        # lessons 03 and 05, in every edition
    python scripts/build_lessons.py lessons/zh/03-name.md     # one file
    python scripts/build_lessons.py --no-execute 03           # write the cells, no outputs
    python scripts/build_lessons.py --check      # do sources and notebooks agree? (no kernel)

Use the Python of .venv (made by scripts/test.sh), which has jupytext, nbclient and kteach.
A notebook is written from its source with stable cell ids (cell-00, cell-01, ...) so that a
rebuild gives a small diff, then executed in a fresh kernel with one BLAS thread and a fixed
hash seed, as scripts/test.sh runs the checks: float32 sums agree to the last digit only with
the same thread count. Execution timestamps and widget state are not stored (nbval ignores
them, and the widgets' pictures would make the files large).
"""
from __future__ import annotations

import argparse
import os
import subprocess
import sys
import tempfile
from pathlib import Path

import jupytext
import nbformat
from nbformat.v4 import new_code_cell, new_markdown_cell, new_notebook

ROOT = Path(__file__).resolve().parent.parent
LESSONS = ROOT / "lessons"
# The English lessons, and the editions translated from them (same code cells, other prose).
EDITIONS = {"en": LESSONS, "zh": LESSONS / "zh"}
SOURCE_PATTERN = "[0-9][0-9]-*.md"     # lessons/README.md is not a lesson
TEXT_FORMAT = "md:myst"                # as in lessons/jupytext.toml

# The environment the stored outputs are made in; scripts/test.sh sets the same.
KERNEL_ENV = {"OPENBLAS_NUM_THREADS": "1", "OMP_NUM_THREADS": "1", "MKL_NUM_THREADS": "1",
              "PYTHONHASHSEED": "0"}
KERNELSPEC = {"name": "python3", "display_name": "Python 3 (ipykernel)", "language": "python"}

Cells = list[tuple[str, str]]   # (cell type, source) of each cell, in order


# ----- finding lessons ------------------------------------------------------------------------

def sources(edition: str | None = None) -> list[Path]:
    """The lesson sources of one edition (or of all), in reading order."""
    editions = [edition] if edition else list(EDITIONS)
    return [path for name in editions for path in sorted(EDITIONS[name].glob(SOURCE_PATTERN))]


def notebooks(edition: str) -> list[Path]:
    """The lesson notebooks of one edition, in reading order."""
    return sorted(EDITIONS[edition].glob(SOURCE_PATTERN.replace(".md", ".ipynb")))


def notebook_for(source: Path) -> Path:
    return source.with_suffix(".ipynb")


def lesson_number(path: Path) -> str:
    return path.name[:2]


def select(selectors: list[str]) -> list[Path]:
    """The sources named by lesson numbers ("03": in every edition) or by file paths."""
    if not selectors:
        return sources()
    chosen: list[Path] = []
    for selector in selectors:
        path = Path(selector)
        if path.suffix in (".md", ".ipynb"):
            found = [path.resolve().with_suffix(".md")]
            if not found[0].exists():
                raise SystemExit(f"no lesson source {found[0].relative_to(ROOT)}")
        else:
            found = [s for s in sources() if lesson_number(s) == selector.zfill(2)]
            if not found:
                raise SystemExit(f"no lesson {selector!r}: give a number such as 03, or a "
                                 f"path such as lessons/03-models-as-layers.md")
        chosen += [s for s in found if s not in chosen]
    return chosen


# ----- reading and comparing ------------------------------------------------------------------

def read_source(source: Path) -> nbformat.NotebookNode:
    return jupytext.read(source, fmt=TEXT_FORMAT)


def cells_of(nb: nbformat.NotebookNode) -> Cells:
    return [(cell.cell_type, cell.source) for cell in nb.cells]


def _short(line: str, width: int = 60) -> str:
    return repr(line if len(line) <= width else line[:width] + "...")


def _first_difference(text_a: str, text_b: str) -> tuple[int, str, str]:
    """The first line (counted from 1) where two texts differ, and that line in each."""
    a, b = text_a.splitlines(), text_b.splitlines()
    n = next((i for i, (x, y) in enumerate(zip(a, b)) if x != y), min(len(a), len(b)))
    end = "(no more lines)"
    return n + 1, _short(a[n]) if n < len(a) else end, _short(b[n]) if n < len(b) else end


def _text_difference(what: str, text_a: str, text_b: str, names: tuple[str, str]) -> str:
    if text_a.splitlines() == text_b.splitlines():
        return f"{what} differs only in its line endings"
    line, in_a, in_b = _first_difference(text_a, text_b)
    return f"{what} differs in line {line}: {names[0]} has {in_a}, {names[1]} {in_b}"


def cell_differences(expected: Cells, found: Cells, names: tuple[str, str]) -> list[str]:
    """Where two lists of cells differ, in words (empty when they are the same).

    ``names`` say what the two lists are, e.g. ("the source", "the notebook").
    """
    a, b = names
    problems = []
    if len(expected) != len(found):
        problems.append(f"{a} has {len(expected)} cells, {b} {len(found)}")
    for i, ((kind_a, text_a), (kind_b, text_b)) in enumerate(zip(expected, found)):
        if kind_a != kind_b:
            problems.append(f"cell {i}: {a} has a {kind_a} cell, {b} a {kind_b} cell")
        elif text_a != text_b:
            problems.append(_text_difference(f"cell {i} ({kind_a})", text_a, text_b, names))
        else:
            continue
        if len(expected) != len(found):
            break   # a cell was added or removed: every later cell is shifted
    return problems


def disagreements(source: Path) -> list[str]:
    """How a source and its notebook disagree (cells, their types and sources, in order)."""
    notebook = notebook_for(source)
    if not notebook.exists():
        return [f"{notebook.name} does not exist"]
    return cell_differences(cells_of(read_source(source)),
                            cells_of(nbformat.read(notebook, as_version=4)),
                            ("the source", "the notebook"))


def code_cells(cells: Cells) -> list[str]:
    return [text for kind, text in cells if kind == "code"]


def code_differences(original: Cells, translation: Cells) -> list[str]:
    """Where a translation's code cells differ from the original's (the prose may differ)."""
    a, b = code_cells(original), code_cells(translation)
    problems = []
    if len(a) != len(b):
        problems.append(f"the original has {len(a)} code cells, the translation {len(b)}")
    for i, (code_a, code_b) in enumerate(zip(a, b)):
        if code_a != code_b:
            problems.append(_text_difference(f"code cell {i}", code_a, code_b,
                                             ("the original", "the translation")))
    return problems


def edition_pairs(edition: str = "zh") -> list[tuple[Path | None, Path]]:
    """Each lesson source of a translated edition, with its English original (None if none)."""
    originals = {lesson_number(s): s for s in sources("en")}
    return [(originals.get(lesson_number(s)), s) for s in sources(edition)]


def problems_of(source: Path) -> list[str]:
    """Everything --check reports about one source."""
    problems = disagreements(source)
    if source.parent != EDITIONS["en"] and source.parent.name in EDITIONS:
        original = next((o for o, t in edition_pairs(source.parent.name) if t == source), None)
        if original is None:
            problems.append("there is no English lesson with the same number")
        else:
            problems += code_differences(cells_of(read_source(original)),
                                         cells_of(read_source(source)))
    return problems


# ----- building -------------------------------------------------------------------------------

def build(source: Path) -> nbformat.NotebookNode:
    """The notebook of a source: its cells with stable ids, no outputs, the python3 kernel."""
    text = read_source(source)
    nb = new_notebook()
    for i, cell in enumerate(text.cells):
        make = new_code_cell if cell.cell_type == "code" else new_markdown_cell
        new = make(cell.source, metadata=dict(cell.metadata))
        new.id = f"cell-{i:02d}"   # stable ids, so a rebuild gives a small diff
        nb.cells.append(new)
    nb.metadata = {"kernelspec": dict(KERNELSPEC), "language_info": {"name": "python"}}
    nbformat.validate(nb)
    return nb


def execute(nb: nbformat.NotebookNode, folder: Path) -> None:
    """Run every cell in a fresh kernel started in ``folder``, keeping the outputs."""
    from nbclient import NotebookClient
    saved = dict(os.environ)
    with tempfile.TemporaryDirectory() as ipython_dir:
        # The kernel inherits this process's environment. A fresh IPYTHONDIR: no profile or
        # startup file from $HOME; MPLBACKEND, if set, would keep figures out of the notebook.
        os.environ.update(KERNEL_ENV, IPYTHONDIR=ipython_dir)
        os.environ.pop("MPLBACKEND", None)
        _prepare_matplotlib()
        try:
            NotebookClient(nb, timeout=600, kernel_name="python3", store_widget_state=False,
                           resources={"metadata": {"path": str(folder)}}).execute()
        finally:
            os.environ.clear()
            os.environ.update(saved)
    for cell in nb.cells:   # execution timestamps would change every rebuild
        cell.metadata.pop("execution", None)


def _prepare_matplotlib() -> None:
    """Use the matplotlib settings of .venv, as scripts/test.sh does, with its font cache made.

    Without a font cache, matplotlib's first import in the kernel would warn that it is
    building one, and that warning would be stored in the notebook.
    """
    os.environ["MPLCONFIGDIR"] = str(ROOT / ".venv" / "mplconfig")
    Path(os.environ["MPLCONFIGDIR"]).mkdir(parents=True, exist_ok=True)
    subprocess.run([sys.executable, "-c", "import matplotlib.font_manager"], check=False,
                   capture_output=True)


def write(source: Path, run: bool = True) -> None:
    nb = build(source)
    if run:
        execute(nb, source.parent)
    nbformat.write(nb, notebook_for(source))
    print(f"wrote {notebook_for(source).relative_to(ROOT)}: {len(nb.cells)} cells"
          + ("" if run else " (not executed)"))


def main(argv: list[str] | None = None) -> int:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("lessons", nargs="*",
                        help="lesson numbers (03) or source paths; all lessons when none")
    parser.add_argument("--check", action="store_true",
                        help="only check that sources and notebooks agree; execute nothing")
    parser.add_argument("--no-execute", action="store_true",
                        help="write the notebooks without running them (no outputs)")
    args = parser.parse_args(argv)
    chosen = select(args.lessons)
    if not args.check:
        for source in chosen:
            write(source, run=not args.no_execute)
        return 0
    failed = 0
    for source in chosen:
        problems = problems_of(source)
        failed += bool(problems)
        for problem in problems:
            print(f"{source.relative_to(ROOT)}: {problem}")
    if not args.lessons:
        for edition in EDITIONS:
            for notebook in notebooks(edition):
                if not notebook.with_suffix(".md").exists():
                    failed += 1
                    print(f"{notebook.relative_to(ROOT)}: has no source "
                          f"{notebook.with_suffix('.md').name}")
    if failed:
        print(f"{failed} lesson(s) out of date: rebuild with "
              f"`python scripts/build_lessons.py NN` (or fix the source)")
        return 1
    print(f"{len(chosen)} lesson sources agree with their notebooks")
    return 0


if __name__ == "__main__":
    sys.exit(main())
