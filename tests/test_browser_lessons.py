"""A lesson as a learner first sees it: opened in JupyterLab, untrusted and not run.

A notebook that a learner downloads or copies is not trusted, and JupyterLab then refuses to
draw its SVG outputs. A diagram from ``plot_model`` therefore also stores a PNG, so that the
stored diagrams still show as pictures and not as the text ``<Diagram of ...>``. This test
starts JupyterLab (127.0.0.1, a free port, a token, HOME and every Jupyter folder in a
temporary folder) on a fresh copy of the notebooks in lessons/ -- a fresh copy is never
trusted -- opens lesson 3 in Debian's Chromium without running it, and checks that each stored
diagram is on the page as a drawn image. Then it opens the Chinese lesson 3 and checks that its Chinese text
is drawn with real glyphs, not as boxes (no font with Chinese characters). Screenshots go to
the folder KTEACH_SCREENSHOTS names, else to the test's tmp_path.

Like tests/test_browser.py (whose helpers it uses), it skips where there is no Chromium,
except when KTEACH_REQUIRE_BROWSER=1 (scripts/test.sh), where that is a failure.
"""
import json
import os
import secrets
import shutil
import signal
import subprocess
import sys
import time
import urllib.error
import urllib.request
from pathlib import Path

import pytest

from test_browser import (ROOT, TIMEOUT_MS, _free_port, _missing, _server_environment,
                          browser)  # noqa: F401  (browser: the module's Chromium, a fixture)

try:
    import jupyterlab  # noqa: F401
except ImportError:
    _missing("the Python package jupyterlab", "Install the test dependencies with: "
             "pip install -e '.[all]'")

from playwright.sync_api import expect  # noqa: E402

LESSON = "03-reading-a-diagram.ipynb"
ZH_LESSON = "zh/03-reading-a-diagram.ipynb"
START_TIMEOUT = 40           # seconds for JupyterLab to answer
PANEL = ".jp-NotebookPanel:visible"
# JavaScript: for each <img> in an output, what it shows and whether the browser decoded it.
IMAGES = """cell => Array.from(cell.querySelectorAll('.jp-OutputArea-output img'), i => ({
    src: i.src.slice(0, 30), complete: i.complete, natural: i.naturalWidth,
    shown: i.getBoundingClientRect().width}))"""
# JavaScript: is this text drawn with real glyphs? Two different Chinese characters, drawn in
# the element's font on a canvas, must give two different, non-empty pictures; with no font
# that has them, the browser draws the same empty box (or nothing) for both.
DRAWN = """(el, chars) => {
    const font = getComputedStyle(el).fontSize + ' ' + getComputedStyle(el).fontFamily;
    const picture = ch => {
        const c = document.createElement('canvas'); c.width = 64; c.height = 64;
        const g = c.getContext('2d'); g.font = font.replace(/^[^ ]+/, '48px');
        g.fillStyle = '#000'; g.textBaseline = 'top'; g.fillText(ch, 4, 4);
        return Array.from(g.getImageData(0, 0, 64, 64).data).join(',');
    };
    const a = picture(chars[0]), b = picture(chars[1]), empty = picture(' ');
    return {font: font, differ: a !== b, inked: a !== empty && b !== empty};
}"""


def _stored_diagrams(notebook: Path) -> dict[int, str]:
    """Cell index -> the text/plain of the plot_model diagram stored in that cell."""
    cells = json.loads(notebook.read_text(encoding="utf-8"))["cells"]
    found = {}
    for index, cell in enumerate(cells):
        for output in cell.get("outputs", []):
            text = "".join(output.get("data", {}).get("text/plain", ""))
            if text.startswith("<Diagram of"):
                found[index] = text
    return found


def _lab_environment(home: Path) -> dict:
    """tests/test_browser.py's clean environment, plus JupyterLab's own folders: settings
    that turn off the news and update toasts and the virtual scrolling (which would leave
    cells below the window out of the page), and an empty workspace folder."""
    env = _server_environment(home)
    settings = home / "lab-settings"
    for extension, name, values in [
            ("apputils-extension", "notification",
             {"fetchNews": "false", "checkForUpdates": False}),
            ("notebook-extension", "tracker", {"windowingMode": "none"})]:
        folder = settings / "@jupyterlab" / extension
        folder.mkdir(parents=True, exist_ok=True)
        (folder / f"{name}.jupyterlab-settings").write_text(json.dumps(values))
    env.update(JUPYTERLAB_SETTINGS_DIR=str(settings),
               JUPYTERLAB_WORKSPACES_DIR=str(home / "lab-workspaces"))
    return env


def _get(url: str, token: str):
    request = urllib.request.Request(url, headers={"Authorization": f"token {token}"})
    with urllib.request.urlopen(request, timeout=5) as response:
        return response.status, response.read()


def _stop(proc: subprocess.Popen) -> None:
    """SIGTERM: Jupyter shuts its kernels down and stops; a stuck server is killed."""
    if proc.poll() is not None:
        return
    proc.send_signal(signal.SIGTERM)
    try:
        proc.wait(timeout=15)
    except subprocess.TimeoutExpired:
        proc.kill()
        proc.wait(timeout=15)


@pytest.fixture(scope="module")
def lab(tmp_path_factory):
    """JupyterLab serving a fresh copy of lessons/; yields (base URL, token, that folder)."""
    folder = tmp_path_factory.mktemp("lab")
    lessons = folder / "lessons"
    # Only the notebooks, as a learner gets them: without the jupytext pairing (the NN-*.md
    # sources and jupytext.toml), which is not what this test is about.
    shutil.copytree(ROOT / "lessons", lessons,
                    ignore=shutil.ignore_patterns(".ipynb_checkpoints", "*.md", "jupytext.toml"))
    (folder / "home").mkdir()
    env = _lab_environment(folder / "home")
    token = secrets.token_hex(16)
    port = _free_port()
    command = [sys.executable, "-m", "jupyterlab", "--no-browser", f"--ServerApp.token={token}",
               f"--ServerApp.port={port}", "--ServerApp.port_retries=0",
               "--ServerApp.ip=127.0.0.1", f"--ServerApp.root_dir={lessons}",
               "--LabApp.check_for_updates_class=jupyterlab.NeverCheckForUpdate"]
    if hasattr(os, "geteuid") and os.geteuid() == 0:
        command.append("--allow-root")
    log_path = folder / "lab.log"
    base = f"http://127.0.0.1:{port}"
    with open(log_path, "w") as log:
        proc = subprocess.Popen(command, env=env, stdout=log, stderr=subprocess.STDOUT,
                                stdin=subprocess.DEVNULL)
        try:
            end = time.monotonic() + START_TIMEOUT
            while True:
                if proc.poll() is not None:
                    pytest.fail(f"JupyterLab stopped at start-up:\n{log_path.read_text()}")
                try:
                    if _get(f"{base}/api/status", token)[0] == 200:
                        break
                except (OSError, urllib.error.HTTPError):
                    pass
                if time.monotonic() > end:
                    pytest.fail(f"JupyterLab did not answer within {START_TIMEOUT} s:\n"
                                f"{log_path.read_text()}")
                time.sleep(0.2)
            yield base, token, lessons
        finally:
            _stop(proc)


def _screenshot_folder(tmp_path: Path) -> Path:
    folder = Path(os.environ.get("KTEACH_SCREENSHOTS") or tmp_path)
    folder.mkdir(parents=True, exist_ok=True)
    return folder


def _open(browser, lab, path: str, errors: list):  # noqa: F811 (browser: the imported fixture)
    """A new page with JupyterLab showing ``path``, every cell drawn (nothing is run)."""
    base, token, lessons = lab
    n_cells = len(json.loads((lessons / path).read_text(encoding="utf-8"))["cells"])
    page = browser.new_page(viewport={"width": 1280, "height": 1200})
    page.on("pageerror", lambda error: errors.append(str(error)))
    try:
        page.goto(f"{base}/lab/tree/{path}?reset&token={token}", timeout=TIMEOUT_MS)
        expect(page.locator(f"{PANEL} .jp-Cell")).to_have_count(n_cells, timeout=TIMEOUT_MS)
    except Exception:
        page.close()
        raise
    return page


def test_the_fresh_copy_is_not_trusted(lab):
    """The premise: the server marks the copied lesson's cells as untrusted."""
    base, token, _ = lab
    status, body = _get(f"{base}/api/contents/{LESSON}?content=1&type=notebook", token)
    assert status == 200
    cells = json.loads(body)["content"]["cells"]
    trusted = [c["metadata"].get("trusted") for c in cells if c["cell_type"] == "code"]
    assert trusted and not any(trusted), trusted


def test_stored_diagrams_show_as_images_in_an_untrusted_lesson(browser, lab, tmp_path):  # noqa: F811 (browser: the imported fixture)
    diagrams = _stored_diagrams(lab[2] / LESSON)
    assert len(diagrams) >= 3, diagrams          # the lesson stores its diagrams
    errors: list[str] = []
    page = _open(browser, lab, LESSON, errors)
    try:
        cells = page.locator(f"{PANEL} .jp-Cell")
        for index, text in diagrams.items():
            cell = cells.nth(index)
            images = cell.locator(".jp-OutputArea-output img")
            expect(images, f"cell {index}: {text}").to_have_count(1, timeout=TIMEOUT_MS)
            cell.scroll_into_view_if_needed()
            expect(images.first).to_be_visible()
            page.wait_for_function("i => i.complete && i.naturalWidth > 0",
                                   arg=images.first.element_handle(), timeout=TIMEOUT_MS)
            (image,) = cell.evaluate(IMAGES)
            assert image["src"].startswith(("data:image/png", "data:image/svg+xml")), image
            assert image["natural"] > 50 and image["shown"] > 50, (index, image)
            expect(cell.locator(".jp-OutputArea-output")).not_to_contain_text("<Diagram of")
        assert "<Diagram of" not in page.locator(PANEL).inner_text()
        cells.nth(next(iter(diagrams))).scroll_into_view_if_needed()
        path = _screenshot_folder(tmp_path) / "lab-03-reading-a-diagram.png"
        page.screenshot(path=str(path))
        print(f"screenshot: {path}")
        assert errors == []
    finally:
        page.close()


def test_chinese_lesson_text_is_drawn(browser, lab, tmp_path):  # noqa: F811 (browser: the imported fixture)
    errors: list[str] = []
    page = _open(browser, lab, ZH_LESSON, errors)
    try:
        heading = page.locator(f"{PANEL} .jp-RenderedMarkdown h1").first
        expect(heading).to_contain_text("读懂模型图", timeout=TIMEOUT_MS)
        path = _screenshot_folder(tmp_path) / "lab-zh-03-reading-a-diagram.png"
        page.screenshot(path=str(path))           # first: it shows boxes if the check fails
        print(f"screenshot: {path}")
        drawn = heading.evaluate(DRAWN, ["读", "图"])
        assert drawn["inked"] and drawn["differ"], (
            f"Chinese characters are not drawn in {drawn['font']!r}: is a font with Chinese "
            "characters installed (apt-get install fonts-noto-cjk)?")
        paragraph = page.locator(f"{PANEL} .jp-RenderedMarkdown p").first
        expect(paragraph).to_contain_text("模型图")
        drawn = paragraph.evaluate(DRAWN, ["模", "层"])
        assert drawn["inked"] and drawn["differ"], drawn
        assert errors == []
    finally:
        page.close()
