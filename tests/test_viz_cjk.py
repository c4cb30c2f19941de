"""Figures with Chinese labels: kteach.viz adds a CJK font to matplotlib's families where one
is installed (scripts/test.sh installs fonts-noto-cjk), and changes nothing where none is."""
import io
import warnings

import pytest

matplotlib = pytest.importorskip("matplotlib")

from kteach.viz import plot_history, plots  # noqa: E402

HISTORY = {"loss": [1.0, 0.6, 0.4], "val_loss": [1.1, 0.8, 0.7]}


def missing_glyphs(fig) -> list[str]:
    """The "Glyph ... missing from font(s)" warnings that drawing ``fig`` as a PNG gives."""
    with warnings.catch_warnings(record=True) as caught:
        warnings.simplefilter("always")
        fig.savefig(io.BytesIO(), format="png")
    return [str(w.message) for w in caught if "missing from font" in str(w.message)]


@pytest.fixture
def fresh(monkeypatch):
    """As if no kteach figure had been made in this process yet."""
    monkeypatch.setattr(plots, "_cjk", [])
    monkeypatch.setitem(matplotlib.rcParams, "font.family", ["sans-serif"])


def test_a_chinese_title_draws_with_the_cjk_font(fresh):
    name = plots.cjk_font()
    if name is None:
        pytest.skip("no font with Chinese characters is installed (apt-get install fonts-noto-cjk)")
    assert matplotlib.rcParams["font.family"] == ["sans-serif", name]
    fig = plot_history(HISTORY)
    fig.axes[0].set_title("训练损失")                       # set by the learner afterwards
    fig.axes[0].set_xlabel("轮次 (epoch)")
    assert missing_glyphs(fig) == []
    assert plots.cjk_font() == name and matplotlib.rcParams["font.family"] == ["sans-serif", name]


def test_without_a_cjk_font_nothing_changes(fresh, monkeypatch):
    monkeypatch.setattr(plots, "_find_cjk_font", lambda: None)
    fig = plot_history(HISTORY)
    assert plots.cjk_font() is None
    assert matplotlib.rcParams["font.family"] == ["sans-serif"]
    fig.axes[0].set_title("训练损失")
    assert missing_glyphs(fig)                  # boxes instead of characters, but no error


def test_a_learners_own_font_family_is_kept_first(fresh, monkeypatch):
    monkeypatch.setattr(plots, "_find_cjk_font", lambda: "Some CJK Font")
    monkeypatch.setitem(matplotlib.rcParams, "font.family", ["serif"])
    assert plots.cjk_font() == "Some CJK Font"
    assert matplotlib.rcParams["font.family"] == ["serif", "Some CJK Font"]
