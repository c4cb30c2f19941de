"""The start page (lessons/00-start-here.md, and zh/) lists every lesson and every app.

Its lists are written by scripts/build_lessons.py from the lessons' own titles and goals; a
lesson added, renamed or translated without `python scripts/build_lessons.py 00` fails here.
"""
import importlib.util
import re
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
EDITIONS = list(build.EDITIONS)
REBUILD = "rebuild the start page with `python scripts/build_lessons.py 00`"


def start_page(edition: str) -> Path:
    return build.EDITIONS[edition] / build.START_PAGE


def links(text: str) -> set[str]:
    return set(re.findall(r"\]\(([^)\s]+)\)", text))


@pytest.mark.parametrize("edition", EDITIONS)
def test_every_edition_has_a_start_page_built_from_its_source(edition):
    assert start_page(edition).exists()
    assert build.disagreements(start_page(edition)) == [], REBUILD


@pytest.mark.parametrize("edition", EDITIONS)
def test_start_page_links_every_lesson_of_its_edition(edition):
    page = start_page(edition)
    found = links(page.read_text(encoding="utf-8"))
    missing = []
    for notebook in build.notebooks(edition):
        if build.is_start_page(notebook):
            continue
        binder, colab = build.online_links(notebook)
        local = notebook.relative_to(page.parent).as_posix()
        missing += [f"{local} ({what})" for what, link in
                    (("link", local), ("Binder", binder), ("Colab", colab)) if link not in found]
    assert not missing, f"{page.relative_to(ROOT)} does not list: {', '.join(missing)}; {REBUILD}"


@pytest.mark.parametrize("edition", EDITIONS)
def test_start_page_links_only_files_that_exist(edition):
    page = start_page(edition)
    local = [link for link in links(page.read_text(encoding="utf-8"))
             if not link.startswith("http")]
    assert local, "the start page links no lesson"
    gone = [link for link in local if not (page.parent / link).exists()]
    assert not gone, f"{page.relative_to(ROOT)} links missing files {gone}; {REBUILD}"


def test_zh_start_page_lists_untranslated_lessons_in_english():
    text = start_page("zh").read_text(encoding="utf-8")
    translated = {build.lesson_number(s) for s in build.sources("zh")}
    for source in build.sources("en"):
        if build.lesson_number(source) not in translated:
            assert f"](../{build.notebook_for(source).name})（英文）" in text


@pytest.mark.parametrize("edition", EDITIONS)
def test_start_page_lists_are_up_to_date(edition):
    assert build.start_page_problems(start_page(edition)) == []


@pytest.mark.parametrize("edition", EDITIONS)
def test_start_page_runs_nothing_but_the_colab_install_cell(edition):
    nb = nbformat.read(build.notebook_for(start_page(edition)), as_version=4)
    code = [cell for cell in nb.cells if cell.cell_type == "code"]
    assert len(code) == 1
    assert 'if "google.colab" in sys.modules:' in code[0].source
    assert '%pip install "kteach[viz,widgets] @ git+https://github.com/kteach/kteach"' \
        in code[0].source
    assert code[0].outputs == []      # outside Colab it prints nothing: nothing for nbval to drift


def test_a_new_lesson_makes_the_start_page_out_of_date(tmp_path, monkeypatch):
    en, zh = tmp_path / "lessons", tmp_path / "lessons" / "zh"
    zh.mkdir(parents=True)
    monkeypatch.setattr(build, "ROOT", tmp_path)
    monkeypatch.setattr(build, "APPS", en / "apps")
    monkeypatch.setitem(build.EDITIONS, "en", en)
    monkeypatch.setitem(build.EDITIONS, "zh", zh)
    lists = "\n\n".join(build.TABLE_BEGIN.format(n) + "\n" + build.TABLE_END.format(n)
                        for n in build.TABLES)
    (en / build.START_PAGE).write_text("# Start here\n\n" + lists + "\n")
    (en / "01-first.md").write_text("# Lesson 1 · First steps\n\nIn this lesson you will\n\n"
                                    "1. build a model;\n2. train it.\n")
    (zh / "01-first.md").write_text("# 第 1 课 · 第一步\n\n1. 搭一个模型；\n")

    page = en / build.START_PAGE
    assert build.start_page_problems(page) != []
    build.refresh_start_page(page)
    assert build.start_page_problems(page) == []
    text = page.read_text()
    assert "| 01 | [First steps](01-first.ipynb) | 5 min |" in text
    assert "**01 · First steps**\n\n1. build a model;\n2. train it." in text
    assert "lab/tree/lessons/01-first.ipynb" in text and "blob/main/lessons/01-first.ipynb" in text
    assert "第一步" in build.lessons_table("zh") and "（英文）" not in build.lessons_table("zh")

    (en / "02-second.md").write_text("# Lesson 2 · Second steps\n\nSome text.\n")
    problems = build.start_page_problems(page)
    assert problems and "build_lessons.py 00" in problems[0]
    assert "](../02-second.ipynb)（英文）" in build.lessons_table("zh")
