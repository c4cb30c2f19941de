"""Run a keras-io guide on kteach, block by block, and say which blocks work.

    .venv/bin/python scripts/run_keras_guide.py GUIDE.py [GUIDE.py ...] [--report]

A keras-io guide (the ``.py`` source of a page on keras.io) is prose in top-level
triple-quoted strings with code between them. Each stretch of code between two strings is one
*block*, as it would be one notebook cell. The blocks run in order in one namespace, each on
its own: a block that fails is reported and the next one still runs.

Only import statements are changed: ``import keras`` becomes ``import kteach as keras``,
``from keras import X`` becomes ``from kteach import X``, ``from keras.a import b`` becomes
``from kteach.a import b`` (``keras_core``, the name Keras 3 had before its release, is treated
the same way). TensorFlow, torch and every other import are left alone; when such a module is
not installed, its name is bound to a placeholder and the first block that uses it fails with
``MissingModule`` -- those blocks are outside what kteach can run.

Everything else runs unchanged (same epochs, same batch sizes), with one exception: a call to
``keras.datasets.NAME.load_data()`` that kteach cannot answer (the file is not in
``~/.keras/datasets`` and there is no internet) gets random arrays of the real shapes and
dtypes instead ("stand-in data", printed as such). By
default they have the real number of samples, because guides hard-code it
(``x_train.reshape(60000, 784)``, ``x_train[-10000:]``); ``--small`` makes them 1000 training
and 200 test samples, which is faster but breaks such lines.

Per block it prints the index, the first line of code and PASS, or FAIL with the exception's
type and the first line of its message; at the end "N passed, M failed" per guide. Without
``--report`` the blocks' own output (prints, progress bars, summaries) is shown as well. Files
the guides write (saved models, diagrams, checkpoints) go to a temporary directory.
"""
from __future__ import annotations

import argparse
import ast
import contextlib
import io
import os
import signal
import sys
import tempfile
import time
import traceback
from dataclasses import dataclass, field
from pathlib import Path

os.environ.setdefault("OPENBLAS_NUM_THREADS", "1")  # one core, as for the lessons

import numpy as np  # noqa: E402

KERAS_NAMES = ("keras", "keras_core")


# --------------------------------------------------------------------------- splitting

@dataclass
class Block:
    """One stretch of code between two prose strings of a guide."""

    index: int
    first_line: int  # line number in the guide (1-based)
    source: str
    bound_names: set[str] = field(default_factory=set)

    @property
    def headline(self) -> str:
        """The first line that is code, not a comment."""
        for line in self.source.splitlines():
            if line.strip() and not line.lstrip().startswith("#"):
                return line.strip()
        return ""


def is_prose(statement: ast.stmt) -> bool:
    """A top-level bare string is a piece of the guide's text, not code."""
    return (isinstance(statement, ast.Expr) and isinstance(statement.value, ast.Constant)
            and isinstance(statement.value.value, str))


def split_blocks(text: str) -> list[Block]:
    """Cut a guide into code blocks at its top-level strings, keeping comments."""
    lines = text.splitlines()
    statements = ast.parse(text).body
    groups: list[list[ast.stmt]] = [[]]
    for statement in statements:
        if is_prose(statement):
            groups.append([])
        else:
            groups[-1].append(statement)
    blocks = []
    for group in (g for g in groups if g):
        start = min([group[0].lineno] + [d.lineno for d in getattr(group[0], "decorator_list", [])])
        end = group[-1].end_lineno or group[-1].lineno
        while start > 1 and lines[start - 2].lstrip().startswith("#"):
            start -= 1  # comments just above the first statement belong to the block
        source = "\n".join(lines[start - 1:end])
        blocks.append(Block(len(blocks) + 1, start, source, names_bound_by(group)))
    return blocks


def names_bound_by(statements: list[ast.stmt]) -> set[str]:
    """Names a block assigns at top level (to explain a later NameError)."""
    names: set[str] = set()
    for node in statements:
        if isinstance(node, (ast.FunctionDef, ast.AsyncFunctionDef, ast.ClassDef)):
            names.add(node.name)
        elif isinstance(node, (ast.Import, ast.ImportFrom)):
            names.update((a.asname or a.name).split(".")[0] for a in node.names)
        else:
            names.update(n.id for n in ast.walk(node)
                         if isinstance(n, ast.Name) and isinstance(n.ctx, ast.Store))
    return names


# --------------------------------------------------------------------------- rewriting

def to_kteach(module: str) -> str | None:
    """'keras.layers' -> 'kteach.layers'; None for a module that is not Keras."""
    head, _, rest = module.partition(".")
    if head not in KERAS_NAMES:
        return None
    return "kteach" + ("." + rest if rest else "")


class ImportRewriter(ast.NodeTransformer):
    """Point Keras imports at kteach; leave every other statement as it is."""

    def visit_Import(self, node: ast.Import) -> list[ast.stmt]:
        out: list[ast.stmt] = []
        for alias in node.names:
            target = to_kteach(alias.name)
            if target is None:
                out.append(ast.Import(names=[alias]))
            elif alias.asname or "." not in alias.name:
                # `import keras` binds `keras`; `import keras.x as y` binds `y`.
                out.append(ast.Import(names=[ast.alias(target, alias.asname or alias.name)]))
            else:
                # `import keras.utils` loads the submodule and binds the top name.
                out.append(ast.Import(names=[ast.alias(target)]))
                out.append(ast.Import(names=[ast.alias("kteach", alias.name.split(".")[0])]))
        return [ast.copy_location(s, node) for s in out]

    def visit_ImportFrom(self, node: ast.ImportFrom) -> ast.ImportFrom:
        target = to_kteach(node.module or "") if node.level == 0 else None
        if target is not None:
            node.module = target
        return node


class DatasetRewriter(ast.NodeTransformer):
    """Send `<anything>.datasets.NAME.load_data(...)` to the stand-in loader."""

    def visit_Call(self, node: ast.Call) -> ast.AST:
        self.generic_visit(node)
        f = node.func
        if (isinstance(f, ast.Attribute) and f.attr == "load_data"
                and isinstance(f.value, ast.Attribute)
                and isinstance(f.value.value, ast.Attribute) and f.value.value.attr == "datasets"):
            name = ast.Constant(f.value.attr)
            loader = ast.Name("__stand_in_load_data__", ast.Load())
            return ast.copy_location(ast.Call(loader, [name, *node.args], node.keywords), node)
        return node


def needs_stand_in() -> bool:
    """Always: the loader below tries kteach's own data set first and falls back to stand-in
    arrays only when that cannot be had (no such loader, or no file and no internet)."""
    return True


def prepare(block: Block, stand_in: bool) -> list[ast.Module]:
    """The block's statements, rewritten, one small module each."""
    tree = ast.parse(block.source)
    ast.increment_lineno(tree, block.first_line - 1)  # tracebacks point into the guide
    tree = ImportRewriter().visit(tree)
    if stand_in:
        tree = DatasetRewriter().visit(tree)
    ast.fix_missing_locations(tree)
    return [ast.Module(body=[s], type_ignores=[]) for s in tree.body]


# --------------------------------------------------------------------------- stand-ins

class MissingModule(ModuleNotFoundError):
    """A guide used a module (TensorFlow, torch, ...) that is not installed here."""


class Placeholder:
    """Stands for an uninstalled module; any use of it raises MissingModule."""

    def __init__(self, module: str, bound_as: str) -> None:
        self._module, self._bound_as = module, bound_as

    def _refuse(self, what: str):
        raise MissingModule(f"`{what}` needs {self._module}, which is not installed "
                            f"(not part of kteach; the guide's block is out of scope)")

    def __getattr__(self, attribute: str):
        if attribute.startswith("__"):
            raise AttributeError(attribute)
        self._refuse(f"{self._bound_as}.{attribute}")

    def __call__(self, *args, **kwargs):
        self._refuse(f"{self._bound_as}(...)")


# name: (train samples, test samples, x shape per sample, x dtype, y shape per sample, classes)
DATASETS: dict[str, tuple[int, int, tuple[int, ...], str, tuple[int, ...], int]] = {
    "mnist": (60000, 10000, (28, 28), "uint8", (), 10),
    "fashion_mnist": (60000, 10000, (28, 28), "uint8", (), 10),
    "cifar10": (50000, 10000, (32, 32, 3), "uint8", (1,), 10),
    "cifar100": (50000, 10000, (32, 32, 3), "uint8", (1,), 100),
    "boston_housing": (404, 102, (13,), "float64", (), 0),
}
SMALL = (1000, 200)


def make_stand_in_loader(small: bool):
    """A `load_data(name, ...)` that returns seeded random arrays shaped like the real set."""

    def load_data(name: str, *args, **kwargs):
        import kteach
        real = getattr(getattr(kteach, "datasets", None), name, None)
        if real is not None:
            try:
                return real.load_data(*args, **kwargs)
            except OSError as error:      # DownloadError: an offline machine without the file
                print(f"[run_keras_guide] keras.datasets.{name}: {str(error).splitlines()[0]}")
        if name not in DATASETS:
            raise NotImplementedError(f"no stand-in for keras.datasets.{name} in run_keras_guide.py")
        n_train, n_test, x_shape, x_dtype, y_shape, classes = DATASETS[name]
        if small:
            n_train, n_test = min(n_train, SMALL[0]), min(n_test, SMALL[1])
        rng = np.random.default_rng(0)
        print(f"[run_keras_guide] stand-in data: random arrays shaped like keras.datasets.{name} "
              f"({n_train} train / {n_test} test samples), not the real data set")
        return tuple(_random_split(rng, n, x_shape, x_dtype, y_shape, classes) for n in (n_train, n_test))

    return load_data


def _random_split(rng, n, x_shape, x_dtype, y_shape, classes):
    if x_dtype == "uint8":
        x = rng.integers(0, 256, size=(n, *x_shape), dtype=np.uint8)
    else:
        x = rng.random((n, *x_shape)).astype(x_dtype)
    if classes:
        y = rng.integers(0, classes, size=(n, *y_shape)).astype(np.uint8)
    else:
        y = rng.random((n, *y_shape)) * 50.0
    return x, y


# --------------------------------------------------------------------------- running

@dataclass
class Outcome:
    block: Block
    error: BaseException | None = None
    notes: list[str] = field(default_factory=list)
    output: str = ""
    seconds: float = 0.0
    trace: str = ""


class BlockTimeout(Exception):
    pass


@contextlib.contextmanager
def time_limit(seconds: int):
    def on_alarm(signum, frame):
        raise BlockTimeout(f"block ran longer than {seconds} s (--timeout)")
    previous = signal.signal(signal.SIGALRM, on_alarm)
    signal.alarm(seconds)
    try:
        yield
    finally:
        signal.alarm(0)
        signal.signal(signal.SIGALRM, previous)


def run_statement(module: ast.Module, namespace: dict, filename: str, notes: list[str]) -> None:
    """Run one statement; an import of an uninstalled non-Keras module binds a placeholder."""
    try:
        exec(compile(module, filename, "exec"), namespace)
    except ModuleNotFoundError as error:
        statement = module.body[0]
        if not isinstance(statement, (ast.Import, ast.ImportFrom)) or imports_kteach(statement):
            raise
        for alias in statement.names:
            bound = alias.asname or alias.name.split(".")[0]
            module_name = alias.name if isinstance(statement, ast.Import) else statement.module
            namespace[bound] = Placeholder(module_name.split(".")[0], bound)
        notes.append(f"{error.name} is not installed: `{bound}` is a placeholder")


def imports_kteach(statement: ast.Import | ast.ImportFrom) -> bool:
    modules = ([a.name for a in statement.names] if isinstance(statement, ast.Import)
               else [statement.module or ""])
    return any(m.split(".")[0] == "kteach" for m in modules)


def run_block(block: Block, namespace: dict, filename: str, stand_in: bool, capture: bool,
              timeout: int) -> Outcome:
    outcome = Outcome(block)
    buffer = io.StringIO()
    redirect = (contextlib.redirect_stdout(buffer), contextlib.redirect_stderr(buffer)) if capture else ()
    start = time.perf_counter()
    with contextlib.ExitStack() as stack:
        for r in redirect:
            stack.enter_context(r)
        try:
            with time_limit(timeout):
                for module in prepare(block, stand_in):
                    run_statement(module, namespace, filename, outcome.notes)
        except Exception as error:  # a guide's failure (or BlockTimeout) must not stop the run
            outcome.error = error
            outcome.trace = guide_traceback(error)
    outcome.seconds = time.perf_counter() - start
    outcome.output = buffer.getvalue()
    return outcome


def guide_traceback(error: BaseException) -> str:
    """The traceback from the guide's line down, without this runner's own frames."""
    frames = traceback.extract_tb(error.__traceback__)
    frames = [f for f in frames if f.filename != __file__]
    lines = traceback.format_list(frames) + traceback.format_exception_only(type(error), error)
    return "".join(lines)


def explain_name_error(outcome: Outcome, earlier: list[Outcome]) -> str:
    """' (set by block k, which failed)' when a NameError only follows from an earlier failure."""
    name = getattr(outcome.error, "name", None)
    for previous in reversed(earlier):
        if name in previous.block.bound_names:
            return f" (set by block {previous.block.index}, which failed)" if previous.error else ""
    return ""


NETWORK_HINTS = ("keras.applications.", "get_file(")  # pretrained weights and downloads


def kind_of_failure(outcome: Outcome, earlier: list[Outcome]) -> str:
    """'kteach' for a gap in kteach, else why the block is outside what kteach can run."""
    error = outcome.error
    if isinstance(error, MissingModule):
        return "needs " + str(error).split(" needs ", 1)[1].split(",")[0]
    if any(hint in outcome.block.source for hint in NETWORK_HINTS):
        return "needs the network"
    if isinstance(error, NameError) and explain_name_error(outcome, earlier):
        return "follows an earlier failure"
    return "kteach"


def first_message_line(error: BaseException) -> str:
    text = str(error).strip().splitlines()
    return text[0] if text else ""


def status_line(outcome: Outcome, earlier: list[Outcome]) -> str:
    headline = outcome.block.headline
    headline = headline if len(headline) <= 60 else headline[:57] + "..."
    head = f"[{outcome.block.index:2d}] line {outcome.block.first_line:4d}  {headline:<60}  "
    if outcome.error is None:
        notes = f"  ({'; '.join(outcome.notes)})" if outcome.notes else ""
        return head + f"PASS {outcome.seconds:5.1f} s{notes}"
    error = outcome.error
    cascade = explain_name_error(outcome, earlier) if isinstance(error, NameError) else ""
    return head + f"FAIL {type(error).__name__}: {first_message_line(error)}{cascade}"


def run_guide(path: Path, args: argparse.Namespace) -> list[Outcome]:
    blocks = split_blocks(path.read_text(encoding="utf-8"))
    namespace: dict = {"__name__": "__main__"}
    import kteach  # noqa: F401  (fail here, clearly, if kteach itself does not import)
    stand_in = needs_stand_in()
    if stand_in:
        namespace["__stand_in_load_data__"] = make_stand_in_loader(args.small)
    print(f"=== {path.name}: {len(blocks)} code blocks"
          + ("; keras.datasets -> stand-in data" if stand_in else ""))
    outcomes: list[Outcome] = []
    for block in blocks:
        if not args.report:
            print(f"--- block {block.index} (line {block.first_line}) ---")
        outcome = run_block(block, namespace, str(path), stand_in, args.report, args.timeout)
        if args.report and "stand-in data" in outcome.output:
            print("     " + "\n     ".join(l for l in outcome.output.splitlines() if "stand-in data" in l))
        print(status_line(outcome, outcomes), flush=True)
        if outcome.error is not None and args.traceback:
            print(indent(outcome.trace))
        outcomes.append(outcome)
    return outcomes


def failure_breakdown(outcomes: list[Outcome]) -> str:
    """' (of the failures: 3 kteach, 2 needs tensorflow, ...)', or '' when nothing failed."""
    counts: dict[str, int] = {}
    for i, outcome in enumerate(outcomes):
        if outcome.error is not None:
            kind = kind_of_failure(outcome, outcomes[:i])
            counts[kind] = counts.get(kind, 0) + 1
    if not counts:
        return ""
    return " (of the failures: " + ", ".join(f"{n} {kind}" for kind, n in counts.items()) + ")"


def indent(text: str) -> str:
    return "\n".join("      " + line for line in text.rstrip().splitlines())


def main(argv: list[str] | None = None) -> int:
    parser = argparse.ArgumentParser(description=__doc__.split("\n\n")[0])
    parser.add_argument("guides", nargs="+", type=Path, help="keras-io guide sources (.py)")
    parser.add_argument("--report", action="store_true",
                        help="hide the blocks' own output; print only the per-block lines and counts")
    parser.add_argument("--traceback", action="store_true", help="print the traceback of each failure")
    parser.add_argument("--small", action="store_true",
                        help="stand-in data sets of 1000 train / 200 test samples instead of the real counts")
    parser.add_argument("--timeout", type=int, default=600, help="seconds one block may take (default 600)")
    args = parser.parse_args(argv)

    sys.path.insert(0, str(Path(__file__).resolve().parents[1]))  # this checkout's kteach
    guides = [g.resolve() for g in args.guides]
    totals = []
    with tempfile.TemporaryDirectory(prefix="kteach-guide-") as workdir:
        for guide in guides:
            os.chdir(workdir)  # files a guide writes land here, not in the repository
            outcomes = run_guide(guide, args)
            failed = sum(o.error is not None for o in outcomes)
            totals.append((guide.name, len(outcomes) - failed, failed))
            print(f"=== {guide.name}: {len(outcomes) - failed} passed, {failed} failed"
                  f"{failure_breakdown(outcomes)}\n")
    for name, passed, failed in totals:
        print(f"{name}: {passed} passed, {failed} failed")
    return 1 if any(failed for _, _, failed in totals) else 0


if __name__ == "__main__":
    sys.exit(main())
