"""How fast the Playground's picture follows the model: redraws per second while it trains, and
the time from a click to the picture that shows its effect.

    OPENBLAS_NUM_THREADS=1 .venv/bin/python benchmarks/playground_redraw.py [--seconds 5] [--no-browser]

1. In Python (no browser): the default Playground (two hidden layers, 4 and 2 neurons, 500
   points) plays for a few seconds on an asyncio loop, as in a notebook. Reported: epochs per
   second, frames sent per second, the time to make one frame and its size in JSON, and the
   old matplotlib picture's time as a ratio to a frame, measured in the same run.
2. In a real browser (Voilà and Debian's /usr/bin/chromium, as tests/test_browser.py): the
   same Playground plays; the page counts its redraws (the ``data-redraws`` attribute the
   drawing keeps). Then Step is clicked and a weight edited a few times; the drawing times
   each click to the first picture that answers it (``data-latency-ms``). Median reported.
"""
from __future__ import annotations

import argparse
import asyncio
import json
import os
import socket
import statistics
import subprocess
import sys
import tempfile
import time
import urllib.request
from pathlib import Path

ROOT = Path(__file__).resolve().parent.parent
sys.path.insert(0, str(ROOT))


def in_python(seconds: float) -> None:
    from kteach.widgets import Playground
    pg = Playground()
    pg.redraw.live = True                 # as if on screen

    async def play():
        pg.play(wait=False)
        await asyncio.sleep(seconds)
        pg.pause()
        await pg.job.task

    frames, epochs = pg.redraw.count, pg.epoch
    start = time.perf_counter()
    asyncio.run(play())
    took = time.perf_counter() - start
    frames, epochs = pg.redraw.count - frames, pg.epoch - epochs
    t = time.perf_counter()
    for _ in range(20):
        pg._send_frame()
    per_frame = (time.perf_counter() - t) / 20
    t = time.perf_counter()
    for _ in range(5):
        pg._draw()
    per_png = (time.perf_counter() - t) / 5
    size = len(json.dumps(pg.view.frame))
    print(f"python: {epochs / took:.1f} epochs/s, {frames / took:.1f} frames/s while playing "
          f"(2 hidden layers, 500 points)")
    print(f"python: one frame {1000 * per_frame:.1f} ms, {size / 1024:.1f} KiB of JSON; the "
          f"matplotlib PNG {1000 * per_png:.0f} ms = {per_png / per_frame:.0f}x a frame")


def in_browser(seconds: float) -> None:
    from playwright.sync_api import sync_playwright
    folder = Path(tempfile.mkdtemp(prefix="kteach-bench-"))
    (folder / "home").mkdir()
    notebook = {"cells": [{"cell_type": "code", "execution_count": None, "metadata": {},
                           "outputs": [], "source": "from kteach.widgets import Playground\n"
                                                    "Playground()"}],
                "metadata": {"kernelspec": {"name": "python3", "display_name": "Python 3",
                                            "language": "python"}},
                "nbformat": 4, "nbformat_minor": 5}
    (folder / "pg.ipynb").write_text(json.dumps(notebook))
    with socket.socket() as s:
        s.bind(("127.0.0.1", 0))
        port = s.getsockname()[1]
    home = folder / "home"
    env = dict(os.environ, HOME=str(home), JUPYTER_CONFIG_DIR=str(home / "c"),
               JUPYTER_DATA_DIR=str(home / "d"), JUPYTER_RUNTIME_DIR=str(home / "r"),
               IPYTHONDIR=str(home / "i"), PYTHONPATH=str(ROOT))
    proc = subprocess.Popen([sys.executable, "-m", "voila", str(folder), "--no-browser",
                             f"--port={port}", "--Voila.ip=127.0.0.1",
                             "--VoilaConfiguration.extension_denylist=['jupyterlab-jupytext']"],
                            env=env, stdout=subprocess.DEVNULL, stderr=subprocess.DEVNULL)
    try:
        for _ in range(150):
            try:
                urllib.request.urlopen(f"http://127.0.0.1:{port}/", timeout=2)
                break
            except OSError:
                time.sleep(0.2)
        with sync_playwright() as p:
            browser = p.chromium.launch(executable_path="/usr/bin/chromium", headless=True,
                                        args=["--headless", "--no-sandbox", "--disable-gpu"])
            page = browser.new_page(viewport={"width": 1280, "height": 1000})
            page.goto(f"http://127.0.0.1:{port}/voila/render/pg.ipynb", timeout=120_000)
            root = page.locator(".kt-pg")
            page.wait_for_selector(".kt-pg .kt-node", timeout=120_000)

            def number(name):
                return int(root.get_attribute(name) or 0)
            root.get_by_role("button", name="Play", exact=True).click()
            page.wait_for_timeout(1000)                # let it get going
            r0, e0, t0 = number("data-redraws"), number("data-epoch"), time.perf_counter()
            page.wait_for_timeout(int(seconds * 1000))
            r1, e1, t1 = number("data-redraws"), number("data-epoch"), time.perf_counter()
            root.get_by_role("button", name="Pause", exact=True).click()
            page.wait_for_timeout(1000)
            print(f"browser: {(r1 - r0) / (t1 - t0):.1f} redraws/s while playing, "
                  f"{(e1 - e0) / (t1 - t0):.1f} epochs/s (Voilà, Chromium)")
            steps, edits = [], []
            for k in range(5):
                before = number("data-frame")
                root.get_by_role("button", name="Step", exact=True).click()
                page.wait_for_function(f"() => Number(document.querySelector('.kt-pg')"
                                       f".dataset.frame) > {before}")
                page.wait_for_timeout(300)
                steps.append(float(root.get_attribute("data-latency-ms")))
                line = root.locator(".kt-hit[data-layer='1'][data-i='0'][data-j='0']")
                x, y = line.evaluate("l => { const p = l.getPointAtLength(l.getTotalLength() / 2);"
                                     " const m = l.getScreenCTM(); return [m.a * p.x + m.c * p.y"
                                     " + m.e, m.b * p.x + m.d * p.y + m.f]; }")
                page.mouse.click(x, y)
                before = number("data-frame")
                root.locator("input.kt-edit").fill(str(0.1 * (k + 1)))
                root.locator("input.kt-edit").press("Enter")
                page.wait_for_function(f"() => Number(document.querySelector('.kt-pg')"
                                       f".dataset.frame) > {before}")
                page.wait_for_timeout(300)
                edits.append(float(root.get_attribute("data-latency-ms")))
                page.mouse.move(5, 5)
            print(f"browser: click to picture, Step (one epoch): median "
                  f"{statistics.median(steps):.0f} ms; a weight edit: median "
                  f"{statistics.median(edits):.0f} ms")
            browser.close()
    finally:
        proc.terminate()
        proc.wait()


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--seconds", type=float, default=5.0)
    parser.add_argument("--no-browser", action="store_true")
    args = parser.parse_args()
    in_python(args.seconds)
    if not args.no_browser:
        if not os.path.exists("/usr/bin/chromium"):
            print("browser: skipped (no /usr/bin/chromium)")
        else:
            in_browser(args.seconds)


if __name__ == "__main__":
    main()
