"""What every lesson generator (make_NN.py) shares: collect cells, write, execute.

A lesson's text lives in its make_NN.py as Python, so that it can be reviewed in a diff:

    from lessonkit import Lesson
    lesson = Lesson("01-sequential-and-functional.ipynb")
    md, code = lesson.md, lesson.code
    md("# A title")
    code("print(1 + 1)")
    if __name__ == "__main__":
        lesson.main()

``python lessons/make_NN.py`` writes the notebook and executes it in a fresh kernel, which
stores the outputs that nbval compares (``--no-execute`` only writes it). The kernel runs with
one BLAS thread and a fixed hash seed, as scripts/test.sh does: float32 sums agree to the last
digit only with the same thread count. Widget state is not stored (nbval ignores it, and a
widget's pictures would make the file large).
"""
from __future__ import annotations

import os
import sys
from pathlib import Path

import nbformat
from nbformat.v4 import new_code_cell, new_markdown_cell, new_notebook

# The environment the stored outputs are made in; scripts/test.sh sets the same.
KERNEL_ENV = {"OPENBLAS_NUM_THREADS": "1", "OMP_NUM_THREADS": "1", "MKL_NUM_THREADS": "1",
              "PYTHONHASHSEED": "0"}


class Lesson:
    """The cells of one lesson notebook, in order."""

    def __init__(self, filename: str):
        self.path = Path(__file__).with_name(filename)
        self.cells: list[tuple[str, str]] = []

    def md(self, text: str) -> None:
        self.cells.append(("markdown", text.strip("\n")))

    def code(self, text: str) -> None:
        self.cells.append(("code", text.strip("\n")))

    def build(self) -> nbformat.NotebookNode:
        """The notebook with the cells, no outputs, and the python3 kernel."""
        nb = new_notebook()
        nb.cells = [new_markdown_cell(text) if kind == "markdown" else new_code_cell(text)
                    for kind, text in self.cells]
        for i, cell in enumerate(nb.cells):
            cell.id = f"cell-{i:02d}"   # stable ids, so a rebuild gives a small diff
        nb.metadata = {
            "kernelspec": {"name": "python3", "display_name": "Python 3 (ipykernel)",
                           "language": "python"},
            "language_info": {"name": "python"},
        }
        return nb

    def execute(self, nb: nbformat.NotebookNode) -> None:
        """Run every cell in a fresh kernel, in the lessons folder, keeping the outputs."""
        from nbclient import NotebookClient
        os.environ.update(KERNEL_ENV)   # the kernel inherits this process's environment
        NotebookClient(nb, timeout=600, kernel_name="python3", store_widget_state=False,
                       resources={"metadata": {"path": str(self.path.parent)}}).execute()

    def main(self, argv: list[str] | None = None) -> None:
        argv = sys.argv[1:] if argv is None else argv
        nb = self.build()
        nbformat.validate(nb)
        if "--no-execute" not in argv:
            self.execute(nb)
            for cell in nb.cells:   # execution timestamps would change every rebuild
                cell.metadata.pop("execution", None)
        nbformat.write(nb, self.path)
        print(f"wrote {self.path.name}: {len(nb.cells)} cells")
