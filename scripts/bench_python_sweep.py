"""The Python side of the wall-sweep overhead benchmark (BENCHMARKS.md): dwmtj.wall_sweep on
the problem of crates/dwmtj-core/examples/bench_sweep.rs; median of 7 runs.

    python scripts/bench_python_sweep.py
"""

import time

import numpy as np

import dwmtj

n = 4096
j = np.linspace(0.5e11, 1.5e11, n)
times = []
for _ in range(7):
    t0 = time.perf_counter()
    s = dwmtj.wall_sweep(j, pulse="8 ns", set={"dmi": "0.3e-3"})
    times.append(time.perf_counter() - t0)
times.sort()
print(f"python wall_sweep: {n} pulses, median {times[3]:.4f} s ({n / times[3]:.0f} pulses/s), sum of displacements {s['displacement_m'].sum():e} m")
