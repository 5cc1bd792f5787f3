"""How quickly the ``audit`` command answers ``--help``.

``python -m benchmarks cli``. Runs the installed ``audit`` script in a fresh
process, ``RUNS`` times for ``audit --help`` and for ``audit indicators --help``,
and reports the median wall time of each; a bare ``python -c pass`` is timed the
same way for the interpreter's own start-up. Target: each help within 0.3 s.
The load average is printed because other work on the machine slows every
number down; the processes' CPU time is printed as the load-independent figure.
"""

from __future__ import annotations

import os
import resource
import statistics
import subprocess
import sys
import time
from pathlib import Path

TARGET_SECONDS = 0.3
RUNS = 9
AUDIT = str(Path(sys.executable).with_name("audit"))
COMMANDS = {
    "audit --help": [AUDIT, "--help"],
    "audit indicators --help": [AUDIT, "indicators", "--help"],
}


def _children_cpu() -> float:
    usage = resource.getrusage(resource.RUSAGE_CHILDREN)
    return usage.ru_utime + usage.ru_stime


def measure(argv: list[str]) -> tuple[float, float]:
    """Median wall and CPU seconds of running ``argv`` ``RUNS`` times."""
    walls, cpus = [], []
    for _ in range(RUNS):
        start, start_cpu = time.perf_counter(), _children_cpu()
        subprocess.run(argv, check=True, stdout=subprocess.DEVNULL)
        walls.append(time.perf_counter() - start)
        cpus.append(_children_cpu() - start_cpu)
    return statistics.median(walls), statistics.median(cpus)


def main() -> bool:
    print(f"   load average before timing: {os.getloadavg()[0]:.1f} (median of {RUNS} runs)")
    wall, cpu = measure([sys.executable, "-c", "pass"])
    print(f"   {'python -c pass':<24} {wall:5.2f} s   CPU {cpu:5.2f} s")
    ok = True
    for name, argv in COMMANDS.items():
        wall, cpu = measure(argv)
        print(f"   {name:<24} {wall:5.2f} s   CPU {cpu:5.2f} s")
        ok = ok and wall <= TARGET_SECONDS
    print(f"   target: each help within {TARGET_SECONDS:.1f} s")
    return ok


if __name__ == "__main__":
    raise SystemExit(0 if main() else 1)
