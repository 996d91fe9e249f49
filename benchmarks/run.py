"""Run every chapter notebook fresh, one at a time, and record what it costs and what it reaches.

For each notebook: wall time of the whole run (kernel start included), the kernel's peak resident memory, and
the values the chapter glues (its key metrics). Writes benchmarks/results.json, and benchmarks/results.md (the
table the book's reproducibility page includes), and prints the table.
Run it with `make bench` (every notebook) or `make bench NOTEBOOKS=notebooks/01-vanilla.ipynb` (updates that
entry only); the numbers are reported in the book, never enforced by a test.
"""

from __future__ import annotations

import ast
import json
import os
import platform
import sys
import time
from importlib.metadata import version
from pathlib import Path

import nbformat
from nbclient import NotebookClient

ROOT = Path(__file__).resolve().parents[1]
RESULTS = ROOT / "benchmarks" / "results.json"
TABLE = ROOT / "benchmarks" / "results.md"
PACKAGES = ("tensorflow", "keras", "numpy", "scikit-learn", "matplotlib", "jupyter-book")

# Appended to each notebook copy: the kernel reports its own peak resident set size (Linux: KiB, macOS: bytes).
PEAK_MEMORY_CELL = """
import resource, sys
_peak = resource.getrusage(resource.RUSAGE_SELF).ru_maxrss
print(_peak / 2**20 if sys.platform == "darwin" else _peak / 2**10)
"""


def glued_values(notebook: nbformat.NotebookNode) -> dict[str, object]:
    """The values a notebook glued with myst_nb.glue, read back from its outputs."""
    values = {}
    for cell in notebook.cells:
        for output in cell.get("outputs", []):
            name = output.get("metadata", {}).get("scrapbook", {}).get("name")
            if name:
                text = output["data"]["application/papermill.record/text/plain"]
                try:
                    values[name] = ast.literal_eval(text)
                except (ValueError, SyntaxError):
                    values[name] = text
    return values


def run(path: Path) -> dict[str, object]:
    notebook = nbformat.read(path, as_version=4)
    notebook.cells.append(nbformat.v4.new_code_cell(PEAK_MEMORY_CELL))
    start = time.perf_counter()
    client = NotebookClient(
        notebook, timeout=1200, kernel_name="python3", resources={"metadata": {"path": str(path.parent)}}
    )
    client.execute()
    seconds = time.perf_counter() - start
    peak_mb = float(notebook.cells[-1].outputs[0]["text"])
    return {"seconds": round(seconds, 1), "peak_rss_mb": round(peak_mb), "metrics": glued_values(notebook)}


def machine() -> dict[str, object]:
    return {
        "cpu_count": os.cpu_count(),
        "platform": platform.platform(),
        "processor": platform.machine(),
        "python": platform.python_version(),
        **{name: version(name) for name in PACKAGES},
    }


def markdown_table(results: dict) -> str:
    """The benchmark as a Markdown table, for the book (generated: never edit benchmarks/results.md by hand)."""
    m = results["machine"]
    lines = [
        "| chapter | run time (s) | peak memory (MB) | held-out MSE | PCA MSE |",
        "| --- | ---: | ---: | ---: | ---: |",
    ]
    for name, entry in results["notebooks"].items():
        metrics = entry["metrics"]
        lines.append(
            f"| {name} | {entry['seconds']} | {entry['peak_rss_mb']} | "
            f"{metrics.get('test_mse', '')} | {metrics.get('pca_mse', '')} |"
        )
    lines.append("")
    lines.append(
        f"Measured by `make bench` on {m['cpu_count']} CPUs ({m['processor']}), Python {m['python']}, "
        f"TensorFlow {m['tensorflow']}, Keras {m['keras']}."
    )
    return "\n".join(lines) + "\n"


def main(paths: list[str]) -> None:
    notebooks = [Path(p).resolve() for p in paths] or sorted((ROOT / "notebooks").glob("*.ipynb"))
    previous = json.loads(RESULTS.read_text())["notebooks"] if RESULTS.exists() else {}
    kept = {name: entry for name, entry in previous.items() if (ROOT / "notebooks" / f"{name}.ipynb").exists()}
    results = {"machine": machine(), "notebooks": kept}
    print(f"{'notebook':<28}{'seconds':>9}{'peak MB':>9}  metrics")
    for path in notebooks:
        entry = run(path)
        results["notebooks"][path.stem] = entry
        metrics = ", ".join(f"{k}={v}" for k, v in entry["metrics"].items())
        print(f"{path.stem:<28}{entry['seconds']:>9}{entry['peak_rss_mb']:>9}  {metrics}", flush=True)
    results["notebooks"] = dict(sorted(results["notebooks"].items()))
    RESULTS.write_text(json.dumps(results, indent=2) + "\n")
    TABLE.write_text(markdown_table(results))
    cpus = results["machine"]["cpu_count"]
    print(f"\nwrote {RESULTS.relative_to(ROOT)} ({cpus} CPUs, Python {sys.version.split()[0]})")


if __name__ == "__main__":
    main(sys.argv[1:])
