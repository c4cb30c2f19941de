"""What lessons 01 to 03 share: an :class:`Exercise` that a notebook cell can end with.

``Asked`` prints its verdict like :class:`Exercise` but returns ``None``, so the cell shows
only the message (not also ``True`` or ``False``). ``unanswered(answer)``, when given, tells
a stub the learner has not filled in yet (e.g. a class whose method still returns ``None``)
from a wrong answer, so that a fresh lesson says "No answer yet" for it too.
"""
from __future__ import annotations

from typing import Any, Callable

from . import Exercise


class Asked(Exercise):
    def __init__(self, *args, unanswered: Callable[[Any], bool] | None = None, **kwargs):
        super().__init__(*args, **kwargs)
        self.unanswered = unanswered

    def verdict(self, answer: Any) -> tuple[bool, str]:
        if answer is not None and self.unanswered is not None:
            try:
                if self.unanswered(answer):
                    answer = None
            except Exception:   # a broken stub is judged by check, which explains the error
                pass
        return super().verdict(answer)

    def __call__(self, answer: Any) -> None:
        print(self.verdict(answer)[1])
