"""The environment the lessons compute in, so that their stored outputs are met on any machine.

    eval "$(python3 scripts/kernel_env.py)"     # what scripts/test.sh and scripts/lessons.sh do

scripts/build_lessons.py starts the kernels that store the lessons' outputs with
:func:`kernel_env`, scripts/test.sh exports it before nbval runs the lessons again, and
scripts/lessons.sh before JupyterLab starts, so a lesson opened there prints the stored numbers.

Why each entry is there. A float32 sum comes out the same to the last digit only when it is
added up in the same order, and several things choose that order:

* the number of BLAS threads (each thread sums its own part): one thread;
* the BLAS kernel, which OpenBLAS picks for the processor it finds (AVX-512 machines get
  other kernels than AVX2 ones): on x86-64 with AVX2 and FMA, always the ``Haswell`` kernels;
* NumPy's own vector loops (``exp``, ``tanh``, sums), which it also picks by processor: on
  the same machines the AVX-512 loops are switched off, so every machine uses the AVX2 ones;
* NumPy's version (pinned for the tests in scripts/constraints.txt).

A few printed digits of a trained model can differ without this: a stored lesson made on an
AVX-512 machine failed nbval on an AVX2 one. ``PYTHONHASHSEED=0`` keeps set and dict orders
of strings fixed. Elsewhere (ARM, older x86) only the thread count and the seed are set; the
outputs stored in the lessons are those of an x86-64 machine with AVX2.
"""
from __future__ import annotations

import platform
import shlex
from pathlib import Path

# NumPy 2.4's names for its loops beyond AVX2 (numpy._core._multiarray_umath.__cpu_dispatch__).
NUMPY_BEYOND_AVX2 = "X86_V4 AVX512_ICL AVX512_SPR"


def _has_avx2_and_fma(cpuinfo: Path = Path("/proc/cpuinfo")) -> bool:
    try:
        flags = next((line.split(":", 1)[1].split() for line in cpuinfo.read_text().splitlines()
                      if line.startswith("flags")), [])
    except OSError:
        return False
    return "avx2" in flags and "fma" in flags


def kernel_env() -> dict[str, str]:
    """The variables (name → value) a lesson kernel computes with; see the module docstring."""
    env = {"OPENBLAS_NUM_THREADS": "1", "OMP_NUM_THREADS": "1", "MKL_NUM_THREADS": "1",
           "PYTHONHASHSEED": "0"}
    if platform.machine() in ("x86_64", "AMD64") and _has_avx2_and_fma():
        env.update(OPENBLAS_CORETYPE="Haswell", NPY_DISABLE_CPU_FEATURES=NUMPY_BEYOND_AVX2)
    return env


if __name__ == "__main__":
    print("\n".join(f"export {name}={shlex.quote(value)}" for name, value in kernel_env().items()))
