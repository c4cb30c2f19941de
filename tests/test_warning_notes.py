"""KteachWarnings: ordinary warnings in scripts and tests, short notes in Jupyter and IPython,
and shown again after ``kteach.backend.clear_session()``."""
import subprocess
import sys
import warnings

import pytest

import kteach
from kteach.engine import errors
from kteach.engine.errors import KteachWarning, WarningNote, warn_once


@pytest.fixture
def fresh_warnings(monkeypatch):
    """No warning shown yet, and Python's warning settings restored after the test."""
    monkeypatch.setattr(errors, "_warned", set())
    with warnings.catch_warnings():
        yield


@pytest.fixture
def in_notebook(monkeypatch, fresh_warnings):
    """As if running in a Jupyter kernel: the notes that would be displayed, in a list."""
    shown = []
    monkeypatch.setattr(errors, "_ipython_shell", lambda: object())
    # pytest records the warnings of every test; only a recording the test starts counts.
    pytest_records = warnings._showwarnmsg_impl
    monkeypatch.setattr(errors, "_recording_warnings",
                        lambda: warnings._showwarnmsg_impl is not pytest_records)
    display = pytest.importorskip("IPython.display")
    monkeypatch.setattr(display, "display", shown.append)
    return shown


def test_outside_a_notebook_it_is_an_ordinary_warning_shown_once(fresh_warnings):
    with pytest.warns(KteachWarning, match="first text"):
        warn_once("first text")
    with warnings.catch_warnings(record=True) as caught:
        warnings.simplefilter("always")
        warn_once("first text")
    assert caught == []
    assert warnings.showwarning is not errors._show_warning


def test_clear_session_shows_each_warning_again(fresh_warnings):
    with pytest.warns(KteachWarning):
        warn_once("a Keras 2 spelling", key="k2")
    kteach.backend.clear_session()
    with pytest.warns(KteachWarning, match="a Keras 2 spelling"):
        warn_once("a Keras 2 spelling", key="k2")


def test_a_kteach_optimizer_warns_again_after_clear_session(fresh_warnings):
    for _ in range(2):
        kteach.backend.clear_session()
        with pytest.warns(KteachWarning, match="`lr` is the Keras 2 name"):
            kteach.optimizers.SGD(lr=0.1)


def test_in_a_notebook_a_warning_is_a_note_without_the_source_line(in_notebook, capsys):
    warn_once("Write `Input(shape=(3,))` instead.")
    assert len(in_notebook) == 1
    note = in_notebook[0]
    assert isinstance(note, WarningNote)
    assert repr(note) == "KteachWarning: Write `Input(shape=(3,))` instead."
    assert capsys.readouterr().err == ""        # nothing on stderr


def test_in_a_notebook_the_same_line_run_again_shows_its_note_again(in_notebook):
    for _ in range(2):          # as a lesson run twice: the same line of code each time
        kteach.backend.clear_session()
        warn_once("again")
    assert [n.message for n in in_notebook] == ["again", "again"]


def test_in_a_notebook_filters_and_recording_still_work(in_notebook):
    warnings.simplefilter("ignore", KteachWarning)
    warn_once("hidden")
    assert in_notebook == []

    warnings.simplefilter("error", KteachWarning)
    with pytest.raises(KteachWarning, match="raised"):
        warn_once("raised")

    warnings.resetwarnings()
    with warnings.catch_warnings(record=True) as caught:
        warn_once("recorded")
    assert [str(w.message) for w in caught] == ["recorded"] and in_notebook == []


def test_in_a_notebook_other_warnings_are_left_alone(in_notebook):
    warn_once("installs the note display")
    with warnings.catch_warnings(record=True) as caught:
        warnings.simplefilter("always")
        warnings.warn("not ours", RuntimeWarning)
    assert [str(w.message) for w in caught] == ["not ours"]
    seen = []
    errors._previous_showwarning, saved = (lambda *args: seen.append(args[:2])), \
        errors._previous_showwarning
    try:
        errors._show_warning(RuntimeWarning("not ours"), RuntimeWarning, "f.py", 1)
    finally:
        errors._previous_showwarning = saved
    assert [str(m) for m, _ in seen] == ["not ours"] and len(in_notebook) == 1


def test_the_note_html_sets_backticked_names_as_code_and_escapes_the_rest():
    html = WarningNote("Write `Dense(2, activation='softmax')` <not> `this`.")._repr_html_()
    assert "<code>Dense(2, activation=&#x27;softmax&#x27;)</code>" in html
    assert "&lt;not&gt;" in html and "<code>this</code>" in html
    assert "<b>KteachWarning</b>" in html
    unpaired = WarningNote("one ` backtick")._repr_html_()
    assert "<code>" not in unpaired and "one ` backtick" in unpaired


def test_import_kteach_does_not_import_ipython():
    code = "import sys, kteach; print('IPython' in sys.modules)"
    done = subprocess.run([sys.executable, "-c", code], capture_output=True, text=True,
                          timeout=120)
    assert done.stdout.strip() == "False", done.stderr
