"""Every lesson exercise's checker tells a right answer from a wrong one, and every lesson
(in both editions) asks its exercises.

The exercise modules are named after their lessons' topics (kteach.exercises.playground, ...),
not their numbers; a lesson says which module it asks with its import line, so the lessons
can be renumbered without renaming code."""
import importlib
import pkgutil
import re
from pathlib import Path

import pytest

import kteach.exercises
from kteach.exercises import Exercise, exercises_of

ROOT = Path(__file__).resolve().parents[1]
MODULES = sorted(m.name for m in pkgutil.iter_modules(kteach.exercises.__path__)
                 if not m.name.startswith("_"))
CASES = [(name, ex) for name in MODULES
         for ex in exercises_of(importlib.import_module(f"kteach.exercises.{name}"))]


def test_the_exercise_class_says_right_wrong_and_no_answer(capsys):
    ex = Exercise("doubling", check=lambda f: None if f(3) == 6 else f"f(3) gave {f(3)}",
                  right=lambda: (lambda x: 2 * x), wrong=lambda: (lambda x: x + 2),
                  hint="multiply", praise="Well done.")
    assert ex(None) is None            # a cell ending with the call shows only the message
    assert ex.verdict(lambda x: x + 1)[0] is False
    assert ex.verdict(lambda x: x * 2)[0] is True
    for answer in (lambda x: x + 1, lambda x: x * 2, lambda x: 1 / 0):
        ex(answer)
    assert capsys.readouterr().out.splitlines() == [
        "No answer yet: replace the None with your answer and run the cell again. (doubling)",
        "Not yet: f(3) gave 4. Hint: multiply",
        "Right! Well done.",
        "Not yet: running your answer raised ZeroDivisionError: division by zero. Hint: multiply"]


def test_an_untouched_stub_is_no_answer_yet():
    ex = Exercise("stub", check=lambda f: None if f() == 1 else "f() is not 1",
                  right=lambda: (lambda: 1), wrong=lambda: (lambda: 2), hint="return 1",
                  unanswered=lambda f: f() is None)
    assert ex.verdict(lambda: None)[1].startswith("No answer yet")
    assert ex.verdict(lambda: 2)[1] == "Not yet: f() is not 1. Hint: return 1"


@pytest.mark.parametrize("module, ex", CASES, ids=[f"{m}.{e.name}" for m, e in CASES])
def test_each_checker_accepts_a_right_answer_and_refuses_a_wrong_one(module, ex, capsys):
    right, message = ex.verdict(ex.right())
    assert right, message
    wrong, message = ex.verdict(ex.wrong())
    assert not wrong and message.startswith("Not yet: ") and ex.hint in message
    assert not ex.verdict(None)[0]


@pytest.mark.parametrize("module", MODULES)
def test_each_lesson_has_three_exercises_and_asks_them_in_both_editions(module):
    names = [ex.name for ex in exercises_of(importlib.import_module(f"kteach.exercises.{module}"))]
    assert len(names) >= 3, f"{module} has {len(names)} exercises; a lesson needs at least 3"
    english, chinese = _sources_asking(module, "lessons"), _sources_asking(module, "lessons/zh")
    assert len(english) == 1, f"{module} should be asked by one English lesson, not {english}"
    assert [s.name for s in chinese] == [english[0].name], \
        f"{module} should be asked by the Chinese {english[0].name}, not by {chinese}"
    for source in english + chinese:
        text = source.read_text(encoding="utf-8")
        for ex_name in _attribute_names(module):
            assert f"exercises.{ex_name}(" in text, f"{source.name} never asks exercises.{ex_name}"


def _sources_asking(module: str, folder: str) -> list[Path]:
    """The lesson sources in ``folder`` whose exercises come from ``module``."""
    line = f"from kteach.exercises import {module} as exercises"
    return [s for s in sorted((ROOT / folder).glob("[0-9][0-9]-*.md"))
            if line in s.read_text(encoding="utf-8")]


def test_every_lesson_asks_exercises_from_a_module_named_by_topic():
    """No lesson imports a numbered module (lesson01, ...) and every module a lesson names exists."""
    for source in (sorted(ROOT.glob("lessons/[0-9][0-9]-*.md"))
                   + sorted(ROOT.glob("lessons/zh/[0-9][0-9]-*.md"))):
        found = re.findall(r"from kteach\.exercises import (\w+)", source.read_text(encoding="utf-8"))
        for name in found:
            assert name in MODULES, f"{source.name} imports kteach.exercises.{name}, which does not exist"
            assert not re.fullmatch(r"lesson\d+", name), f"{source.name} uses a numbered module"


def _attribute_names(module: str) -> list[str]:
    mod = importlib.import_module(f"kteach.exercises.{module}")
    return [k for k, v in vars(mod).items() if isinstance(v, Exercise)]
