"""Run the points of a dwmtj sweep on a Dask cluster and build its table.

    python python/examples/dask_sweep.py configs/sweeps/wall-current-field.toml [--workers 2]

Each point is one task: ``dwmtj.sweep_point(path, k)`` returns the text of the point's
summary.json (a failure comes back as the exception). ``dwmtj.sweep_table`` turns the results
into the sweep's table, which is the same, byte for byte, as ``dwmtj.sweep(path)`` and
``dwmtj sweep PATH --out DIR`` give: a point's result depends only on the sweep file, its index
and its seed, never on where or in what order it ran. Here the cluster is a LocalCluster of
separate worker processes; on a real cluster pass its scheduler address to ``Client``.
"""

from __future__ import annotations

import argparse
import sys

import dwmtj


def run_point(path: str, index: int):
    """One point: its summary.json text, or the exception that stopped it (kept as a result,
    so that one failed point does not fail the study)."""
    try:
        return dwmtj.sweep_point(path, index)
    except Exception as e:  # noqa: BLE001 - every failure is recorded in the table
        return e


def main(argv: list[str] | None = None) -> int:
    ap = argparse.ArgumentParser(description=__doc__, formatter_class=argparse.RawDescriptionHelpFormatter)
    ap.add_argument("sweep", help="sweep file (TOML)")
    ap.add_argument("--workers", type=int, default=2, help="Dask worker processes (default 2)")
    ap.add_argument("--csv", help="write the table here")
    ap.add_argument("--check", action="store_true", help="also run the sweep in this process and check that the tables are identical")
    a = ap.parse_args(argv)

    from dask.distributed import Client, LocalCluster

    points = dwmtj.sweep_points(a.sweep)  # validates every point before anything runs
    with LocalCluster(n_workers=a.workers, threads_per_worker=1, processes=True, dashboard_address=None) as cluster, Client(cluster) as client:
        futures = client.map(run_point, [a.sweep] * len(points), [p["index"] for p in points], pure=False)
        results = client.gather(futures)
        workers = len(client.scheduler_info()["workers"])
    table = dwmtj.sweep_table(a.sweep, results)
    info = table.info
    print(f"{info['name']}: {info['points']} points on {workers} Dask workers, {info['done']} done, {info['failed']} failed")
    if a.csv:
        with open(a.csv, "w", encoding="utf-8", newline="") as f:
            f.write(table.csv)
    if a.check:
        local = dwmtj.sweep(a.sweep)
        if local.csv != table.csv:
            print("the Dask table differs from the in-process one", file=sys.stderr)
            return 1
        print("identical to the in-process table")
    return 0 if info["failed"] == 0 else 1


if __name__ == "__main__":
    sys.exit(main())
