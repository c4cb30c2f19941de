"""Every lesson opens in JupyterLab (through jupytext's contents manager) even when its
notebook is newer than its source, as it always is after a build or a fresh clone."""
import os
import shutil
import sys
from pathlib import Path

import pytest

ROOT = Path(__file__).resolve().parents[1]
sys.path.insert(0, str(ROOT / "scripts"))
import build_lessons as build  # noqa: E402

LESSONS = [p for edition in build.EDITIONS for p in build.sources(edition)]


@pytest.mark.parametrize("source", LESSONS, ids=[str(p.relative_to(ROOT / "lessons")) for p in LESSONS])
def test_a_lesson_whose_notebook_is_newer_than_its_source_opens(source, tmp_path):
    from jupytext import TextFileContentsManager

    folder = tmp_path / source.parent.relative_to(ROOT)
    folder.mkdir(parents=True)
    for path in [source, build.notebook_for(source)]:
        shutil.copy(path, folder)
    shutil.copy(build.LESSONS / "jupytext.toml", tmp_path / "lessons")
    md, ipynb = folder / source.name, folder / build.notebook_for(source).name
    hour_ago = ipynb.stat().st_mtime - 3600
    os.utime(md, (hour_ago, hour_ago))           # the source an hour older than its notebook
    manager = TextFileContentsManager(root_dir=str(tmp_path))
    model = manager.get(str(ipynb.relative_to(tmp_path)))
    assert build.cells_of(model["content"]) == build.cells_of(build.read_source(source))
