"""The widgets in a real Jupyter kernel (no browser): clicks arrive as comm messages, as they do
from JupyterLab, while the kernel trains in the background.

This checks the promise that training never freezes the notebook nor loses a click: while a
Playground plays, the kernel still runs cells, and a click on Pause stops it at once.
"""
import time
from pathlib import Path

import pytest
from jupyter_client.manager import start_new_kernel

ROOT = Path(__file__).resolve().parent.parent


class Kernel:
    def __init__(self):
        self.km, self.kc = start_new_kernel(kernel_name="python3", cwd=str(ROOT))
        self.displays = []

    def run(self, code: str, timeout: float = 60) -> str:
        msg_id = self.kc.execute(code)
        out = []
        while True:
            msg = self.kc.get_iopub_msg(timeout=timeout)
            if msg["parent_header"].get("msg_id") != msg_id:
                continue
            kind, content = msg["msg_type"], msg["content"]
            if kind == "stream":
                out.append(content["text"])
            elif kind == "error":
                raise AssertionError("\n".join(content["traceback"]))
            elif kind in ("display_data", "update_display_data"):
                self.displays.append((kind, sorted(content["data"])))
            elif kind == "status" and content["execution_state"] == "idle":
                break
        self.kc.get_shell_msg(timeout=timeout)
        return "".join(out).strip()

    def wait_until(self, condition: str, timeout: float = 20.0) -> None:
        """Ask the kernel every 0.1 s whether ``condition`` holds (it trains in between)."""
        end = time.monotonic() + timeout
        while self.run(f"print(bool({condition}))") != "True":
            assert time.monotonic() < end, f"still not true after {timeout} s: {condition}"
            time.sleep(0.1)

    def click(self, model_id: str) -> None:
        """What the browser sends when a Button is clicked."""
        data = {"method": "custom", "content": {"event": "click"}}
        self.kc.shell_channel.send(self.kc.session.msg("comm_msg", {"comm_id": model_id, "data": data}))

    def close(self):
        self.kc.stop_channels()
        self.km.shutdown_kernel(now=True)


@pytest.fixture(scope="module")
def kernel():
    k = Kernel()
    yield k
    k.close()


def test_a_playing_playground_leaves_the_kernel_free_and_pause_works(kernel):
    play, pause = kernel.run(
        "import kteach\nfrom kteach.widgets import Playground\n"
        "pg = Playground(n_samples=100, resolution=10)\n"
        "print(pg.play_button.model_id, pg.pause_button.model_id)").split()
    kernel.click(play)
    # While the playground plays, the kernel still runs these cells, and the epochs go up.
    kernel.wait_until("pg.epoch >= 2")
    kernel.click(pause)
    time.sleep(0.3)
    stopped = int(kernel.run("print(pg.epoch)"))
    time.sleep(0.3)
    assert kernel.run("print(pg.epoch, pg.job.status, pg.redraw.count > 1)") == \
        f"{stopped} stopped True"


def test_an_optimizer_lab_trains_in_the_background_and_closing_stops_it(kernel):
    train = kernel.run(
        "import numpy as np\nfrom kteach.widgets import OptimizerLab\n"
        "x = np.random.default_rng(0).normal(size=(64, 2)).astype('float32')\n"
        "y = (x.sum(axis=1) > 0).astype('float32')\n"
        "kteach.utils.set_random_seed(0)\n"
        "m = kteach.Sequential([kteach.Input((2,)), kteach.layers.Dense(1, activation='sigmoid')])\n"
        "lab = OptimizerLab(m, x, y, epochs=200)\n"
        "print(lab.train_button.model_id)")
    kernel.click(train)
    kernel.wait_until("lab.runs and lab.runs[-1].epochs_done >= 2")
    assert kernel.run("print(lab.runs[-1].status)") == "running"
    kernel.run("lab.close()")
    kernel.wait_until("lab.runs[-1].status != 'running'")
    status, epochs = kernel.run("print(lab.runs[-1].status, lab.runs[-1].epochs_done)").split()
    assert status == "stopped" and int(epochs) < 200


def test_liveplot_shows_a_picture_and_replaces_it_each_epoch():
    # A kernel of its own: output of the other tests' background jobs, still winding down,
    # would be counted with this cell's displays.
    kernel = Kernel()
    try:
        kernel.run("import numpy as np, kteach\n"
                   "x = np.random.default_rng(0).normal(size=(64, 2)).astype('float32')\n"
                   "y = (x.sum(axis=1) > 0).astype('float32')\n"
                   "m = kteach.Sequential([kteach.Input((2,)), "
                   "kteach.layers.Dense(1, activation='sigmoid')])")
        kernel.displays.clear()
        kernel.run("m.compile(optimizer='adam', loss='binary_crossentropy')\n"
                   "h = m.fit(x, y, epochs=3, verbose=0, "
                   "callbacks=[kteach.callbacks.LivePlot(min_interval=0)])")
        # one picture at the first epoch, then replaced after epochs 2 and 3 and at the end
        assert kernel.displays[0] == ("display_data", ["image/png", "text/plain"])
        assert [kind for kind, _ in kernel.displays[1:]] == ["update_display_data"] * 3
    finally:
        kernel.close()
