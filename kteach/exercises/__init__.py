"""Exercises for the lessons: each one knows a right answer from a wrong one and gives a hint.

A lesson ends with exercises. The learner writes an answer in a cell (``answer = None  #
your answer``), and the next cell asks the exercise::

    from kteach.exercises import lesson02 as exercises
    exercises.square_backward(Square)

which prints ``No answer yet: ...`` while the answer is ``None``, ``Right! ...`` when it is
right, and ``Not yet: <what is wrong>. Hint: <hint>`` otherwise. Each lesson has a module here
(``lesson01``, ``lesson02``, ...) with its exercises, so that a test can run every checker
against a right and a wrong answer: an :class:`Exercise` carries one of each.
"""
from __future__ import annotations

from typing import Any, Callable


class Exercise:
    """One exercise of a lesson.

    ``check(answer)`` returns ``None`` when the answer is right, else a sentence saying what is
    wrong. ``right()`` and ``wrong()`` make an example of each (for the tests; functions, so
    that an example may be a class or a model made fresh). ``hint`` is shown with a wrong
    answer; ``praise`` with a right one.
    """

    def __init__(self, name: str, check: Callable[[Any], str | None], right: Callable[[], Any],
                 wrong: Callable[[], Any], hint: str, praise: str = ""):
        self.name, self.hint, self.praise = name, hint, praise
        self.check, self.right, self.wrong = check, right, wrong

    def verdict(self, answer: Any) -> tuple[bool, str]:
        """``(right?, the message the learner sees)``."""
        if answer is None:
            return False, f"No answer yet: replace the None with your answer and run the cell again. ({self.name})"
        try:
            problem = self.check(answer)
        except Exception as error:  # a learner's answer that crashes is a wrong answer
            problem = f"running your answer raised {type(error).__name__}: {error}"
        if problem is None:
            return True, f"Right! {self.praise}".rstrip()
        return False, f"Not yet: {problem}. Hint: {self.hint}"

    def __call__(self, answer: Any) -> bool:
        right, message = self.verdict(answer)
        print(message)
        return right

    def __repr__(self) -> str:
        return f"<Exercise {self.name}>"


def exercises_of(module: Any) -> list[Exercise]:
    """The exercises a lesson module defines, in the order they appear in it."""
    return [v for v in vars(module).values() if isinstance(v, Exercise)]
