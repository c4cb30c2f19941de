"""kteach.widgets.jobs: work in chunks (Job) and a widget's own random stream; lazy imports."""
import asyncio
import subprocess
import sys

import numpy as np
import pytest

import kteach
from kteach.engine import random as kteach_random
from kteach.widgets.jobs import Job, RandomStream


class Counter:
    """A chunk that counts its calls and says "more" until ``limit``."""

    def __init__(self, limit=None, stop_job_at=None, fail_at=None):
        self.calls, self.limit, self.stop_job_at, self.fail_at = 0, limit, stop_job_at, fail_at
        self.job = None

    def __call__(self):
        self.calls += 1
        if self.calls == self.fail_at:
            raise ValueError("chunk went wrong")
        if self.calls == self.stop_job_at:
            self.job.stop()          # as a click on Stop would, between two chunks
        return self.limit is None or self.calls < self.limit


def make_job(**kwargs):
    counter = Counter(**kwargs)
    ends = []
    job = Job(counter, on_end=ends.append)
    counter.job = job
    return job, counter, ends


def test_a_job_runs_until_its_chunk_says_done():
    job, counter, ends = make_job(limit=5)
    job.start(wait=True)
    assert (job.status, job.chunks, counter.calls, ends) == ("done", 5, 5, ["done"])


def test_a_stop_during_the_third_chunk_ends_the_job_after_it():
    job, counter, ends = make_job(stop_job_at=3)
    job.start(wait=True)
    assert (job.status, job.chunks, counter.calls, ends) == ("stopped", 3, 3, ["stopped"])


def test_without_an_event_loop_a_started_job_waits_to_be_cranked():
    job, counter, ends = make_job()
    job.start(wait=False)
    assert job.running and counter.calls == 0
    assert job.run_chunks(2) == 2 and counter.calls == 2 and job.running
    job.stop()                       # no task: the job ends at once
    assert (job.status, ends, job.run_chunks(3), counter.calls) == ("stopped", ["stopped"], 0, 2)


def test_run_until_done_can_be_limited_and_a_second_start_is_ignored():
    job, counter, _ = make_job()
    job.start(wait=False)
    job.start(wait=False)
    job.run_until_done(max_chunks=4)
    assert (counter.calls, job.running) == (4, True)


def test_an_error_in_a_chunk_is_raised_when_waiting_and_kept():
    job, counter, ends = make_job(fail_at=2)
    with pytest.raises(ValueError, match="chunk went wrong"):
        job.start(wait=True)
    assert (job.status, job.chunks, ends, str(job.error)) == ("failed", 1, ["failed"],
                                                             "chunk went wrong")


def test_on_a_running_event_loop_the_job_is_a_task_that_stop_ends():
    job, counter, ends = make_job()

    async def notebook():
        job.start(wait=False)        # as the Train button does in a kernel
        assert job.task is not None and counter.calls == 0   # the click returned at once
        while counter.calls < 3:
            await asyncio.sleep(0)   # the kernel goes on reading messages meanwhile
        job.stop()
        await job.task
        return counter.calls

    calls = asyncio.run(notebook())
    assert job.status == "stopped" and ends == ["stopped"] and job.chunks == calls
    assert 3 <= calls <= 4           # the chunk running when Stop came may finish


def test_an_error_in_a_task_is_kept_not_raised():
    job, counter, ends = make_job(fail_at=3)

    async def notebook():
        job.start(wait=False)
        await job.task

    asyncio.run(notebook())
    assert (job.status, job.chunks, ends) == ("failed", 2, ["failed"])
    assert isinstance(job.error, ValueError)


def test_wait_none_waits_only_where_no_loop_runs():
    job, counter, _ = make_job(limit=3)
    job.start()                      # plain Python: runs here to the end
    assert (job.status, counter.calls) == ("done", 3)


def test_a_random_stream_continues_where_it_stopped_and_leaves_the_learners_alone():
    kteach.utils.set_random_seed(7)
    expected_learner = kteach_random.rng().random(4)
    kteach.utils.set_random_seed(3)
    expected_stream = kteach_random.rng().random(6)

    kteach.utils.set_random_seed(7)
    np_state = np.random.get_state()[1].copy()
    stream = RandomStream(3)
    got = []
    learner = []
    for _ in range(2):
        with stream.active():
            got.extend(kteach_random.rng().random(3))
        learner.extend(kteach_random.rng().random(2))   # the learner's draws in between
    assert np.array_equal(got, expected_stream)
    assert np.array_equal(learner, expected_learner)
    assert np.array_equal(np.random.get_state()[1], np_state)
    stream.restart()
    with stream.active():
        assert np.array_equal(kteach_random.rng().random(6), expected_stream)


def test_import_kteach_loads_neither_ipywidgets_nor_matplotlib():
    code = ("import sys, kteach, kteach.widgets, kteach.widgets.datasets;"
            "bad = [m for m in ('ipywidgets', 'matplotlib') if m in sys.modules];"
            "from kteach.callbacks import LivePlot;"
            "bad += [m for m in ('ipywidgets', 'matplotlib') if m in sys.modules];"
            "print(bad, LivePlot.__module__)")
    out = subprocess.run([sys.executable, "-c", code], capture_output=True, text=True, check=True)
    assert out.stdout.strip() == "[] kteach.widgets.liveplot"


def test_an_unknown_widget_name_is_an_attribute_error():
    import kteach.widgets
    with pytest.raises(AttributeError, match="has no attribute 'Builder'"):
        kteach.widgets.Builder
    with pytest.raises(AttributeError, match="has no attribute 'LivePlots'"):
        kteach.callbacks.LivePlots


def test_a_missing_ipywidgets_is_explained():
    code = ("import sys; sys.modules['ipywidgets'] = None\n"
            "import kteach.widgets\n"
            "try:\n    kteach.widgets.Playground\nexcept ImportError as e:\n    print(e)")
    out = subprocess.run([sys.executable, "-c", code], capture_output=True, text=True, check=True)
    assert out.stdout.strip() == (
        "kteach.widgets.Playground needs the package ipywidgets, which is not installed. "
        "Install the extras with: pip install 'kteach[widgets,viz]' (in a notebook: %pip "
        "install 'kteach[widgets,viz]'), then restart the kernel.")
