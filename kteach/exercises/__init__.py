"""Exercises for the lessons: each one knows a right answer from a wrong one and gives a hint.

A lesson ends with exercises. The learner writes an answer in a cell (``answer = None  #
your answer``), and the next cell asks the exercise::

    from kteach.exercises import training_step as exercises
    exercises.square_backward(Square)

which prints ``No answer yet: ...`` while the answer is ``None``, ``Right! ...`` when it is
right, and ``Not yet: <what is wrong>. Hint: <hint>`` otherwise. Each lesson has a module here
with its exercises, named after the lesson's topic (``playground``, ``training_step``, ...) and
not its number, so that lessons can be reordered without renaming code; a test runs every
checker against a right and a wrong answer (an :class:`Exercise` carries one of each) and
finds the lessons that ask them by their ``from kteach.exercises import <module>`` line.
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
                 wrong: Callable[[], Any], hint: str, praise: str = "",
                 unanswered: Callable[[Any], bool] | None = None):
        self.name, self.hint, self.praise = name, hint, praise
        self.check, self.right, self.wrong = check, right, wrong
        self.unanswered = unanswered

    def verdict(self, answer: Any) -> tuple[bool, str]:
        """``(right?, the message the learner sees)``. ``unanswered(answer)``, when given,
        tells a stub the learner has not filled in yet (a class whose method still returns
        None) from a wrong answer, so a fresh lesson says "No answer yet" for it too."""
        if answer is not None and self.unanswered is not None:
            try:
                answer = None if self.unanswered(answer) else answer
            except Exception:   # a broken stub is judged by check, which explains the error
                pass
        if answer is None:
            return False, ("No answer yet: replace the None with your answer and run the cell "
                           f"again. ({self.name})")
        try:
            problem = self.check(answer)
        except Exception as error:  # a learner's answer that crashes is a wrong answer
            problem = f"running your answer raised {type(error).__name__}: {error}"
        if problem is None:
            return True, f"Right! {self.praise}".rstrip()
        return False, f"Not yet: {problem}. Hint: {self.hint}"

    def __call__(self, answer: Any) -> None:
        """Print the verdict (a cell ending with this call shows only the message)."""
        print(self.verdict(answer)[1])

    def __repr__(self) -> str:
        return f"<Exercise {self.name}>"


def exercises_of(module: Any) -> list[Exercise]:
    """The exercises a lesson module defines, in the order they appear in it."""
    return [v for v in vars(module).values() if isinstance(v, Exercise)]
