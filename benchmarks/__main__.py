"""Run every benchmark: ``python -m benchmarks [NAME ...]`` (``make bench``).

Each ``benchmarks/bench_*.py`` module has a ``main()`` that measures, prints
its numbers next to its target, and returns True when the target is met.
"""

from __future__ import annotations

import importlib
import pkgutil
import sys
import time

import benchmarks


def main(argv: list[str]) -> int:
    found = pkgutil.iter_modules(benchmarks.__path__)
    names = sorted(m.name for m in found if m.name.startswith("bench_"))
    if argv:
        names = [n for n in names if any(a in n for a in argv)]
    failed = []
    for name in names:
        print(f"== {name} ==", flush=True)
        start = time.perf_counter()
        ok = importlib.import_module(f"benchmarks.{name}").main()
        verdict = "target met" if ok else "TARGET MISSED"
        print(f"   ({time.perf_counter() - start:.1f} s in all) {verdict}\n")
        if not ok:
            failed.append(name)
    if failed:
        print("targets missed:", ", ".join(failed))
    return 1 if failed else 0


if __name__ == "__main__":
    sys.exit(main(sys.argv[1:]))
