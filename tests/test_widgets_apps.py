"""The apps in lessons/apps/: one notebook per widget, for Voilà to show as just that widget.

Each app is a title, a sentence, and code whose last expression is the widget; it has no
stored outputs and prints nothing, so Voilà's page holds nothing but the widget.
(tests/test_browser.py opens each app in Voilà in Chromium and uses its widget.)
"""
import ast
import contextlib
import io
import warnings
from pathlib import Path

import nbformat
import pytest

ROOT = Path(__file__).resolve().parent.parent
APPS = ROOT / "lessons" / "apps"
WIDGETS = {"playground": "Playground", "optimizer-lab": "OptimizerLab",
           "model-builder": "ModelBuilder", "step-through": "StepThrough"}


def run_app(path: Path):
    """Run the app's code as a kernel would; return the last expression's value and what the
    code printed."""
    nb = nbformat.read(path, as_version=4)
    code = "\n".join(cell.source for cell in nb.cells if cell.cell_type == "code")
    tree = ast.parse(code)
    last = tree.body.pop()
    assert isinstance(last, ast.Expr), f"{path.name}: the last line must be the widget"
    scope: dict = {"__name__": "__main__"}
    printed = io.StringIO()
    with warnings.catch_warnings(), contextlib.redirect_stdout(printed), \
            contextlib.redirect_stderr(printed):
        warnings.simplefilter("error")       # a warning would show in the app's page
        exec(compile(tree, str(path), "exec"), scope)
        widget = eval(compile(ast.Expression(last.value), str(path), "eval"), scope)
    return nb, widget, printed.getvalue()


def test_there_is_one_app_per_widget():
    assert sorted(p.stem for p in APPS.glob("*.ipynb")) == sorted(WIDGETS)


@pytest.mark.parametrize("name", sorted(WIDGETS))
def test_an_app_shows_its_widget_and_nothing_else(name):
    nb, widget, printed = run_app(APPS / f"{name}.ipynb")
    assert type(widget).__name__ == WIDGETS[name]
    assert printed == ""
    kinds = [cell.cell_type for cell in nb.cells]
    assert kinds[0] == "markdown" and nb.cells[0].source.startswith("# ")
    assert set(kinds[1:]) == {"code"}
    assert all(cell.outputs == [] and cell.execution_count is None
               for cell in nb.cells if cell.cell_type == "code")
    assert nb.metadata.kernelspec.name == "python3"
    widget.close()


def test_saving_an_app_in_jupyterlab_writes_no_text_twin(tmp_path):
    """The lessons' jupytext.toml pairs every notebook with a .md source; the apps' own one
    does not, so saving an app writes its notebook only. (That nbval does not collect the
    apps, pytest.ini's norecursedirs, is checked by tests/test_lesson_sources.py.)"""
    from jupytext import TextFileContentsManager
    folder = tmp_path / "lessons"
    (folder / "apps").mkdir(parents=True)
    for path in [ROOT / "lessons" / "jupytext.toml", *APPS.glob("*")]:
        (folder / path.relative_to(ROOT / "lessons")).write_bytes(path.read_bytes())
    manager = TextFileContentsManager(root_dir=str(folder))
    model = manager.get("apps/playground.ipynb")
    manager.save(model, "apps/playground.ipynb")
    assert sorted(p.name for p in (folder / "apps").glob("playground.*")) == ["playground.ipynb"]


def test_the_lessons_readme_links_every_app():
    readme = (ROOT / "lessons" / "README.md").read_text()
    for name in WIDGETS:
        assert f"apps/{name}.ipynb" in readme, name
