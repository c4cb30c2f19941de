"""The lessons' sources (lessons/NN-name.md, MyST Markdown) and their notebooks agree.

scripts/build_lessons.py writes each notebook from its source; these tests fail when one was
edited without the other (rebuild with `python scripts/build_lessons.py NN`), when a
translated lesson's code drifts from the English one, or when the JupyterLab pairing or the
collection of the notebooks by nbval is broken.
"""
import importlib.util
import shutil
import subprocess
import sys
from pathlib import Path

import nbformat
import pytest

ROOT = Path(__file__).resolve().parent.parent


def _load_build_script():
    spec = importlib.util.spec_from_file_location("build_lessons",
                                                  ROOT / "scripts" / "build_lessons.py")
    module = importlib.util.module_from_spec(spec)
    spec.loader.exec_module(module)
    return module


build = _load_build_script()
REBUILD = "rebuild it with `python scripts/build_lessons.py {}`"


def _name(path: Path) -> str:
    return str(path.relative_to(ROOT / "lessons"))


def _a_lesson() -> Path:
    """The first real lesson (the start page has no outputs to keep)."""
    return next(s for s in build.sources("en") if not build.is_start_page(s))


# ----- every source has its notebook, and they agree ----------------------------------------------

@pytest.mark.parametrize("edition", list(build.EDITIONS))
def test_every_notebook_has_a_source_and_every_source_a_notebook(edition):
    md = [p.stem for p in build.sources(edition)]
    ipynb = [p.stem for p in build.notebooks(edition)]
    assert md == ipynb
    if edition == "en":
        assert len(md) >= 8, md   # the pattern still finds the lessons


@pytest.mark.parametrize("source", build.sources(), ids=_name)
def test_source_and_notebook_have_the_same_cells(source):
    problems = build.disagreements(source)
    assert not problems, "\n".join(problems + [REBUILD.format(build.lesson_number(source))])


@pytest.mark.parametrize("source", build.sources(), ids=_name)
def test_notebook_has_the_stable_cell_ids_of_a_build(source):
    nb = nbformat.read(build.notebook_for(source), as_version=4)
    ids = [cell.id for cell in nb.cells]
    assert ids == [f"cell-{i:02d}" for i in range(len(ids))], \
        REBUILD.format(build.lesson_number(source))


def test_a_notebook_built_from_its_source_has_its_cells(tmp_path):
    source = _a_lesson()
    nb = build.build(source)
    assert build.cells_of(nb) == build.cells_of(build.read_source(source))
    assert nb.cells[1].id == "cell-01"
    assert all("outputs" not in c or c.outputs == [] for c in nb.cells)


def test_a_source_that_disagrees_with_its_notebook_is_found(tmp_path):
    original = _a_lesson()
    source = tmp_path / original.name
    shutil.copy(original, source)
    notebook = build.notebook_for(source)
    shutil.copy(build.notebook_for(original), notebook)
    assert build.disagreements(source) == []

    nb = nbformat.read(notebook, as_version=4)
    nb.cells[0].source += "\nOne more sentence."
    nbformat.write(nb, notebook)
    line = len(nb.cells[0].source.splitlines())
    assert build.disagreements(source) == [
        f"cell 0 (markdown) differs in line {line}: "
        f"the source has (no more lines), the notebook 'One more sentence.'"]

    del nb.cells[0]
    nbformat.write(nb, notebook)
    problems = build.disagreements(source)
    assert problems[0] == (f"the source has {len(nb.cells) + 1} cells, "
                           f"the notebook {len(nb.cells)}")
    assert problems[1].startswith("cell 0")
    assert len(problems) == 2   # one message for the shift, not one per later cell

    notebook.unlink()
    assert build.disagreements(source) == [f"{notebook.name} does not exist"]


def test_cell_differences_reports_a_changed_type():
    cells = [("markdown", "# Title"), ("code", "print(1)")]
    assert build.cell_differences(cells, list(cells), ("a", "b")) == []
    assert build.cell_differences(cells, [("markdown", "# Title"), ("markdown", "print(1)")],
                                  ("a", "b")) == ["cell 1: a has a code cell, b a markdown cell"]


def test_check_command_finds_no_problem():
    assert build.main(["--check"]) == 0


# ----- editions: a translation has the English lesson's code cells ------------------------------

def test_every_translated_lesson_has_the_code_of_its_original():
    pairs = build.edition_pairs("zh")
    assert [t for _, t in pairs] == build.sources("zh")
    for original, translation in pairs:
        assert original is not None, f"{_name(translation)} has no English lesson of its number"
        problems = build.code_differences(build.cells_of(build.read_source(original)),
                                          build.cells_of(build.read_source(translation)))
        assert not problems, f"{_name(translation)}:\n" + "\n".join(problems)


def test_code_differences_ignores_prose_and_finds_changed_code():
    original = [("markdown", "# Lesson 1"), ("code", "x = 1"), ("markdown", "Now print it."),
                ("code", "print(x)")]
    translation = [("markdown", "# 第一课"), ("code", "x = 1"), ("markdown", "现在打印它。"),
                   ("markdown", "多一段说明。"), ("code", "print(x)")]
    assert build.code_differences(original, translation) == []

    changed = translation[:-1] + [("code", "print(x + 1)")]
    assert build.code_differences(original, changed) == [
        "code cell 1 differs in line 1: the original has 'print(x)', "
        "the translation 'print(x + 1)'"]

    shorter = translation[:-1]
    assert build.code_differences(original, shorter) == [
        "the original has 2 code cells, the translation 1"]


def test_edition_pairs_match_lessons_by_number(tmp_path, monkeypatch):
    en, zh = tmp_path, tmp_path / "zh"
    zh.mkdir()
    for path in [en / "01-first.md", en / "02-second.md", zh / "02-di-er-ke.md",
                 zh / "03-only-here.md", en / "README.md"]:
        path.write_text("")
    monkeypatch.setitem(build.EDITIONS, "en", en)
    monkeypatch.setitem(build.EDITIONS, "zh", zh)
    assert build.edition_pairs("zh") == [(en / "02-second.md", zh / "02-di-er-ke.md"),
                                         (None, zh / "03-only-here.md")]
    assert build.sources("en") == [en / "01-first.md", en / "02-second.md"]


# ----- JupyterLab: saving a lesson writes its source too ----------------------------------------

def test_saving_a_lesson_in_jupyterlab_updates_its_source(tmp_path):
    """The contents manager that jupytext installs in JupyterLab, on a copy of lessons/."""
    from jupytext import TextFileContentsManager

    original = _a_lesson()
    folder = tmp_path / "lessons"
    folder.mkdir()
    for path in [original, build.notebook_for(original), build.LESSONS / "jupytext.toml"]:
        shutil.copy(path, folder)
    manager = TextFileContentsManager(root_dir=str(folder))
    notebook = build.notebook_for(original).name

    model = manager.get(notebook)
    assert build.cells_of(model["content"]) == build.cells_of(build.read_source(original))
    manager.save(model, notebook)     # saved unchanged: the source stays byte for byte the same
    assert (folder / original.name).read_text() == original.read_text()

    model["content"].cells[0].source += "\n\nA sentence added in JupyterLab."
    manager.save(model, notebook)
    assert "A sentence added in JupyterLab." in (folder / original.name).read_text()
    assert build.cells_of(build.read_source(folder / original.name)) == \
        build.cells_of(nbformat.read(folder / notebook, as_version=4))

    # Edited in a text editor: JupyterLab shows the source's cells (outputs from the notebook).
    edited = (folder / original.name).read_text().replace("A sentence added in JupyterLab.",
                                                          "Then changed in a text editor.")
    (folder / original.name).write_text(edited)
    cells = manager.get(notebook)["content"].cells
    assert cells[0].source.endswith("Then changed in a text editor.")
    assert any(cell.get("outputs") for cell in cells)


# ----- pytest: nbval collects the notebooks, never the sources -----------------------------------

def test_pytest_collects_the_notebooks_and_not_the_sources():
    done = subprocess.run([sys.executable, "-m", "pytest", "--collect-only", "-q", "--nbval",
                           "-p", "no:xdist", "lessons"],
                          cwd=ROOT, capture_output=True, text=True, timeout=300)
    assert done.returncode == 0, done.stdout + done.stderr
    files = {line.split("::")[0] for line in done.stdout.splitlines() if "::" in line}
    expected = {str(p.relative_to(ROOT)) for e in build.EDITIONS for p in build.notebooks(e)}
    assert files == expected
