"""Execute every notebook in notebooks/ headless (nbclient); exit non-zero if a cell fails.

    python scripts/run-notebooks.py      (with dwmtj, matplotlib, nbclient and ipykernel installed)
"""

import pathlib
import sys

import nbclient
import nbformat

root = pathlib.Path(__file__).resolve().parents[1]
failed = 0
for path in sorted((root / "notebooks").glob("*.ipynb")):
    nb = nbformat.read(path, as_version=4)
    try:
        nbclient.NotebookClient(nb, timeout=900, kernel_name="python3", resources={"metadata": {"path": str(root)}}).execute()
        figures = sum(1 for c in nb.cells for o in c.get("outputs", []) if "image/png" in o.get("data", {}))
        print(f"{path.relative_to(root)}: ran, {figures} figures")
    except nbclient.exceptions.CellExecutionError as e:
        failed += 1
        print(f"{path.relative_to(root)}: FAILED\n{e}", file=sys.stderr)
sys.exit(1 if failed else 0)
