"""`pip install kteach` works: the sdist and the wheel build, and the wheel installs into a
fresh virtual environment and imports there.

The build runs on a copy of the working tree (so no build/ or egg-info is left behind), with
the `build` package and setuptools already installed (the dev extra) and without a network
(``--no-isolation``): first the sdist, then the wheel from the sdist, as PyPI users and
``python -m build`` get them. The wheel goes into a new venv without the machine's packages,
with ``pip install --no-deps`` (nothing downloaded). kteach needs NumPy; the venv is given
just NumPy, from this environment, by a path file. About 10-20 s.
"""
import importlib.metadata
import importlib.util
import os
import shutil
import subprocess
import sys
import tarfile
import zipfile
from pathlib import Path

import pytest

ROOT = Path(__file__).resolve().parent.parent
TIMEOUT = 300
JUNK = shutil.ignore_patterns("__pycache__", "*.pyc", "*.egg-info", "build", "dist")


def _run(*command, **options) -> subprocess.CompletedProcess:
    done = subprocess.run([str(c) for c in command], capture_output=True, text=True,
                          timeout=TIMEOUT, **options)
    assert done.returncode == 0, f"{' '.join(map(str, command))} failed:\n{done.stdout}\n{done.stderr}"
    return done


def _setuptools_builds_wheels() -> bool:
    """setuptools 70.1 and later build wheels by themselves (older ones need `wheel`)."""
    try:
        version = importlib.metadata.version("setuptools")
    except importlib.metadata.PackageNotFoundError:
        return False
    return tuple(int(p) for p in version.split(".")[:2] if p.isdigit()) >= (70, 1)


@pytest.fixture(scope="module")
def dist(tmp_path_factory) -> Path:
    """The folder with kteach's sdist and wheel, built from a copy of this checkout (in
    ``../source`` beside it)."""
    if importlib.util.find_spec("build") is None or not _setuptools_builds_wheels():
        pytest.skip("needs the packages `build` and setuptools>=70.1 (the dev extra: "
                    "pip install -e '.[dev]')")
    work = tmp_path_factory.mktemp("packaging")
    source = work / "source"
    source.mkdir()
    for name in ("pyproject.toml", "README.md"):
        shutil.copy(ROOT / name, source / name)
    shutil.copytree(ROOT / "kteach", source / "kteach", ignore=JUNK)
    out = work / "dist"
    _run(sys.executable, "-m", "build", "--no-isolation", "--outdir", out, source)
    return out


def _only(folder: Path, pattern: str) -> Path:
    found = sorted(folder.glob(pattern))
    assert len(found) == 1, found
    return found[0]


def _package_files(dist: Path) -> set[str]:
    """Every file of the kteach the wheel was built from (the copy: files may come and go
    in the checkout meanwhile), relative to the repository, caches left out."""
    source = dist.parent / "source"
    return {str(p.relative_to(source)) for p in (source / "kteach").rglob("*")
            if p.is_file() and "__pycache__" not in p.parts and p.suffix != ".pyc"}


def test_the_wheel_and_the_sdist_hold_every_file_of_the_package(dist):
    import kteach
    wheel = _only(dist, "kteach-*-py3-none-any.whl")
    sdist = _only(dist, "kteach-*.tar.gz")
    assert wheel.name == f"kteach-{kteach.__version__}-py3-none-any.whl"
    with zipfile.ZipFile(wheel) as archive:
        names = set(archive.namelist())
        metadata = archive.read(f"kteach-{kteach.__version__}.dist-info/METADATA").decode()
    in_wheel = {n for n in names if n.startswith("kteach/")}
    # every module, subpackage and data file (a folder without __init__.py would be missed)
    files = _package_files(dist)
    assert files and in_wheel == files, sorted(in_wheel ^ files)
    assert f"Version: {kteach.__version__}" in metadata
    assert "Requires-Dist: numpy" in metadata
    for extra in ("viz", "widgets"):
        assert f"Provides-Extra: {extra}" in metadata
    assert "# kteach" in metadata                       # the README is the long description
    with tarfile.open(sdist) as archive:
        in_sdist = {n.split("/", 1)[1] for n in archive.getnames() if "/" in n}
    assert {"pyproject.toml", "README.md"} <= in_sdist
    assert files <= in_sdist


def test_the_wheel_installs_into_a_fresh_venv_and_works_there(dist, tmp_path):
    import numpy
    import kteach
    wheel = _only(dist, "kteach-*-py3-none-any.whl")
    venv = tmp_path / "venv"
    _run(sys.executable, "-m", "venv", "--without-pip", venv)
    python = venv / "bin" / "python"
    # pip from this environment installs into the venv; --no-deps --no-index: no network
    _run(sys.executable, "-m", "pip", "--python", python, "install", "--no-deps",
         "--no-index", "--disable-pip-version-check", "-q", wheel)
    site = Path(_run(python, "-c", "import sysconfig; print(sysconfig.get_path('purelib'))")
                .stdout.strip())
    numpy_only = tmp_path / "numpy-only"        # NumPy and nothing else from here
    numpy_only.mkdir()
    numpy_dir = Path(numpy.__file__).parent
    for path in [numpy_dir, *numpy_dir.parent.glob("numpy.libs")]:
        (numpy_only / path.name).symlink_to(path)
    (site / "numpy-only.pth").write_text(f"{numpy_only}\n")

    check = f"""
import importlib.metadata, sys
import kteach
assert kteach.__file__.startswith({str(site)!r}), kteach.__file__
assert kteach.__version__ == importlib.metadata.version("kteach") == {kteach.__version__!r}
heavy = [m for m in ("matplotlib", "ipywidgets", "graphviz") if m in sys.modules]
assert not heavy, heavy                     # imported on first use only
import numpy as np
kteach.utils.set_random_seed(0)
model = kteach.Sequential([kteach.Input((2,)), kteach.layers.Dense(1, activation="sigmoid")])
model.compile(optimizer="sgd", loss="binary_crossentropy")
history = model.fit(np.zeros((8, 2)), np.ones(8), epochs=2, verbose=0)
assert len(history.history["loss"]) == 2
try:
    from kteach.widgets import Playground
except ImportError as error:                # ipywidgets is not in this venv
    print(error)
"""
    env = {k: v for k, v in os.environ.items() if not k.startswith(("PYTHON", "VIRTUAL_ENV"))}
    done = _run(python, "-I", "-c", check, cwd=tmp_path, env=env)
    assert "pip install 'kteach[widgets,viz]'" in done.stdout
