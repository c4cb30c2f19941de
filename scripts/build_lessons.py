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
    python scripts/build_lessons.py 00           # the start page: its lists of lessons, then its notebook

Use the Python of .venv (made by scripts/test.sh), which has jupytext, nbclient and kteach.
A notebook is written from its source with stable cell ids (cell-00, cell-01, ...) so that a
rebuild gives a small diff, then executed in a fresh kernel with one BLAS thread and a fixed
hash seed, as scripts/test.sh runs the checks: float32 sums agree to the last digit only with
the same thread count. Execution timestamps and widget state are not stored (nbval ignores
them, and the widgets' pictures would make the files large).
"""
from __future__ import annotations

import argparse
import contextlib
import os
import re
import subprocess
import sys
import tempfile
from pathlib import Path
from typing import Iterator

import jupytext
import nbformat
from nbformat.v4 import new_code_cell, new_markdown_cell, new_notebook

sys.path.insert(0, str(Path(__file__).resolve().parent))
from kernel_env import kernel_env  # noqa: E402  (scripts/kernel_env.py, beside this file)

ROOT = Path(__file__).resolve().parent.parent
LESSONS = ROOT / "lessons"
# The English lessons, and the editions translated from them (same code cells, other prose).
EDITIONS = {"en": LESSONS, "zh": LESSONS / "zh"}
SOURCE_PATTERN = "[0-9][0-9]-*.md"     # lessons/README.md is not a lesson
TEXT_FORMAT = "md:myst"                # as in lessons/jupytext.toml

# The environment the stored outputs are made in; scripts/test.sh exports the same.
KERNEL_ENV = kernel_env()
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
                                 f"path such as lessons/03-reading-a-diagram.md")
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
    problems = start_page_problems(source) if is_start_page(source) else []
    problems += disagreements(source)
    if source.parent != EDITIONS["en"] and source.parent.name in EDITIONS:
        original = next((o for o, t in edition_pairs(source.parent.name) if t == source), None)
        if original is None:
            problems.append("there is no English lesson with the same number")
        else:
            problems += code_differences(cells_of(read_source(original)),
                                         cells_of(read_source(source)))
    return problems


# ----- the start page -------------------------------------------------------------------------
# lessons/00-start-here.md (and zh/00-start-here.md) holds two tables that this script writes
# from the files themselves: the lessons, in reading order, with their titles, the time they
# take and where to open them; and the apps in lessons/apps/. Each table sits between a BEGIN
# and an END comment. `build_lessons.py 00` rewrites them; --check says when one is stale.

START_PAGE = "00-start-here.md"
APPS = LESSONS / "apps"
REPOSITORY = "kteach/kteach"
BINDER = "https://mybinder.org/v2/gh/" + REPOSITORY + "/HEAD?urlpath={}"
COLAB = "https://colab.research.google.com/github/" + REPOSITORY + "/blob/main/{}"
TABLE_BEGIN = ("<!-- BEGIN list of {}: written by scripts/build_lessons.py from the files "
               "themselves, do not edit -->")
TABLE_END = "<!-- END list of {} -->"
WORDS = {"en": {"lesson": "Lesson", "time": "Time", "open": "Open online", "min": "min",
                "app": "App", "english": "", "voila": "Voilà on Binder",
                "notebook": "as a notebook"},
         "zh": {"lesson": "课程", "time": "时间", "open": "在线打开", "min": "分钟",
                "app": "应用", "english": "（英文）", "voila": "在 Binder 上用 Voilà 打开",
                "notebook": "作为笔记本打开"}}
TITLE_PREFIX = re.compile(r"^(Lesson \d+|第 ?\d+ ?课)\s*[·:：]\s*")


def is_start_page(path: Path) -> bool:
    """Is this the start page's source or notebook?"""
    return path.stem == Path(START_PAGE).stem


def title_of(path: Path) -> str:
    """A lesson's or an app's title: its first '# ' heading, without "Lesson 3 ·"."""
    nb = read_source(path) if path.suffix == ".md" else nbformat.read(path, as_version=4)
    for cell in nb.cells:
        for line in cell.source.splitlines() if cell.cell_type == "markdown" else []:
            if line.startswith("# "):
                return TITLE_PREFIX.sub("", line[2:].strip())
    return path.stem


def minutes_for(source: Path) -> int:
    """About how long a learner spends on a lesson: its prose read at 100 words a minute (a
    textbook with code beside it), and half a minute to run and look at each code cell;
    rounded to 5 minutes. A translation takes as long as its original."""
    cells = read_source(source).cells
    words = sum(len(c.source.split()) for c in cells if c.cell_type == "markdown")
    code = sum(c.cell_type == "code" for c in cells)
    return max(5, 5 * round((words / 100 + code / 2) / 5))


def online_links(notebook: Path) -> tuple[str, str]:
    """Where a lesson notebook opens on Binder (JupyterLab) and on Colab."""
    path = notebook.relative_to(ROOT).as_posix()
    return BINDER.format("lab/tree/" + path), COLAB.format(path)


def lessons_table(edition: str) -> str:
    """The lessons in reading order, in one edition's words. A lesson not yet translated is
    listed with its English title and a link to the English notebook."""
    w, folder = WORDS[edition], EDITIONS[edition]
    own = {lesson_number(s): s for s in sources(edition)}
    rows = [f"| | {w['lesson']} | {w['time']} | {w['open']} |", "|---|---|---|---|"]
    for original in sources("en"):
        number = lesson_number(original)
        if is_start_page(original):
            continue
        source = own.get(number, original)
        notebook = notebook_for(source)
        link = os.path.relpath(notebook, folder).replace(os.sep, "/")
        note = w["english"] if source is original and edition != "en" else ""
        binder, colab = online_links(notebook)
        rows.append(f"| {number} | [{title_of(source)}]({link}){note} | "
                    f"{minutes_for(original)} {w['min']} | [Binder]({binder}) · [Colab]({colab}) |")
    return "\n".join(rows)


def goals_of(source: Path) -> str:
    """What a lesson teaches, in its own words: the first numbered list of its first cell
    ("In this lesson you will 1. ... 2. ..."), or else that cell's first paragraph."""
    lines = read_source(source).cells[0].source.splitlines()
    start = next((i for i, line in enumerate(lines) if re.match(r"\d+\. ", line)), None)
    if start is None:
        paragraphs = [p for p in "\n".join(lines).split("\n\n") if p and not p.startswith("#")]
        return paragraphs[0] if paragraphs else ""
    end = start
    while end < len(lines) and (re.match(r"\d+\. ", lines[end]) or lines[end].startswith(" ")):
        end += 1
    return "\n".join(lines[start:end])


def goals_list(edition: str) -> str:
    """Each lesson's title and what it teaches, in reading order."""
    own = {lesson_number(s): s for s in sources(edition)}
    parts = []
    for original in sources("en"):
        if not is_start_page(original):
            source = own.get(lesson_number(original), original)
            parts.append(f"**{lesson_number(source)} · {title_of(source)}**\n\n{goals_of(source)}")
    return "\n\n".join(parts)


def apps_table(edition: str) -> str:
    """The apps of lessons/apps/: each a widget that Voilà shows on its own."""
    w = WORDS[edition]
    rows = [f"| {w['app']} | {w['open']} |", "|---|---|"]
    for app in sorted(APPS.glob("*.ipynb")):
        path = app.relative_to(ROOT).as_posix()
        link = os.path.relpath(app, EDITIONS[edition]).replace(os.sep, "/")
        rows.append(f"| [{title_of(app)}]({link}) | "
                    f"[{w['voila']}]({BINDER.format('voila/render/' + path)}) · "
                    f"[{w['notebook']}]({BINDER.format('lab/tree/' + path)}) |")
    return "\n".join(rows)


def with_tables(text: str, edition: str) -> str:
    """The start page's text with its tables written afresh."""
    for name, table in TABLES.items():
        begin, end = TABLE_BEGIN.format(name), TABLE_END.format(name)
        if begin in text and end in text:
            head, rest = text.split(begin, 1)
            text = head + begin + "\n" + table(edition) + "\n" + end + rest.split(end, 1)[1]
    return text


TABLES = {"lessons": lessons_table, "goals": goals_list, "apps": apps_table}


def edition_of(source: Path) -> str:
    return next(name for name, folder in EDITIONS.items() if source.parent == folder)


def start_page_problems(source: Path) -> list[str]:
    """What is wrong with a start page: a list missing or out of date."""
    text = source.read_text(encoding="utf-8")
    problems = [f"it has no {name} table (the comment {TABLE_BEGIN.format(name)!r})"
                for name in TABLES if TABLE_BEGIN.format(name) not in text]
    if with_tables(text, edition_of(source)) != text:
        problems.append("its lists of lessons and apps are out of date: rebuild it with "
                        "`python scripts/build_lessons.py 00`")
    return problems


def refresh_start_page(source: Path) -> None:
    text = source.read_text(encoding="utf-8")
    new = with_tables(text, edition_of(source))
    if new != text:
        source.write_text(new, encoding="utf-8")
        print(f"rewrote the lists of {source.relative_to(ROOT)}")


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
    with kernel_environment():
        NotebookClient(nb, timeout=600, kernel_name="python3", store_widget_state=False,
                       resources={"metadata": {"path": str(folder)}}).execute()
    for cell in nb.cells:   # execution timestamps would change every rebuild
        cell.metadata.pop("execution", None)
        if cell.cell_type == "code":
            cell.outputs = merged_streams(cell.outputs)


def merged_streams(outputs: list) -> list:
    """The outputs with each run of stdout (or stderr) pieces joined into one: where the
    kernel cuts a cell's printing depends on timing (it sends what is written every few
    milliseconds), so one print can arrive in two pieces, and a rebuild would differ."""
    merged: list = []
    for out in outputs:
        last = merged[-1] if merged else None
        if out.output_type == "stream" and last is not None and \
                last.output_type == "stream" and last.name == out.name:
            last.text += out.text
        else:
            merged.append(out)
    return merged


@contextlib.contextmanager
def kernel_environment() -> Iterator[None]:
    """The environment a lesson kernel starts in (it inherits this process's), while inside.

    KERNEL_ENV; a fresh IPYTHONDIR, so no profile or startup file from $HOME; no MPLBACKEND,
    which would keep figures out of the notebook; matplotlib's settings from .venv.
    """
    saved = dict(os.environ)
    with tempfile.TemporaryDirectory() as ipython_dir:
        os.environ.update(KERNEL_ENV, IPYTHONDIR=ipython_dir)
        os.environ.pop("MPLBACKEND", None)
        _prepare_matplotlib()
        try:
            yield
        finally:
            os.environ.clear()
            os.environ.update(saved)


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
    if is_start_page(source):
        refresh_start_page(source)
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
