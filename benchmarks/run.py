"""`make bench`: run every chapter notebook fresh, one at a time, and record what it costs and what it reaches.

For each notebook: wall time of the whole run (kernel start included), the kernel's peak resident memory, and
the values the chapter glues (its key metrics). The machine is recorded with its CPU model and a reference
speed measured in the same run (TensorFlow's float32 matrix multiply, GFLOP/s), so that times from different
machines can be compared. Writes benchmarks/results.json and benchmarks/results.md (the table the book's
reproducibility page includes), and prints the table.
Run it with `make bench` (every notebook) or `make bench NOTEBOOKS=notebooks/01-vanilla.ipynb` (updates that
entry only); the numbers are reported in the book, never enforced by a test.
"""

from __future__ import annotations

import json
import os
import platform
import subprocess
import sys
from importlib.metadata import version
from pathlib import Path

from benchmarks.notebook_runs import ROOT, glued_values, run

RESULTS = ROOT / "benchmarks" / "results.json"
TABLE = ROOT / "benchmarks" / "results.md"
PACKAGES = ("tensorflow", "keras", "numpy", "scikit-learn", "matplotlib", "jupyter-book")

# The reference speed: the best of ten 2048 x 2048 float32 products, in a fresh process like a chapter's kernel.
MATMUL_GFLOPS = """
import os, time
os.environ.setdefault("TF_CPP_MIN_LOG_LEVEL", "3")
import tensorflow as tf
a, b = tf.random.normal((2048, 2048), seed=1), tf.random.normal((2048, 2048), seed=2)
best = float("inf")
for _ in range(10):
    start = time.perf_counter()
    tf.matmul(a, b).numpy()
    best = min(best, time.perf_counter() - start)
print(2 * 2048**3 / best / 1e9)
"""


def cpu_model() -> str:
    """The processor's name as the operating system reports it (Linux: /proc/cpuinfo)."""
    cpuinfo = Path("/proc/cpuinfo")
    if cpuinfo.exists():
        for line in cpuinfo.read_text().splitlines():
            if line.startswith("model name"):
                return line.split(":", 1)[1].strip()
    return platform.processor() or platform.machine()


def matmul_gflops() -> float:
    result = subprocess.run([sys.executable, "-c", MATMUL_GFLOPS], capture_output=True, text=True, check=True)
    return round(float(result.stdout.strip().splitlines()[-1]))


def machine() -> dict[str, object]:
    return {
        "cpu_model": cpu_model(),
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
        "| chapter | run time (s) | training (s) | peak memory (MiB) | held-out MSE (`test_mse`) "
        "| PCA, same code size (`pca_mse`) |",
        "| --- | ---: | ---: | ---: | ---: | ---: |",
    ]
    for name, entry in results["notebooks"].items():
        metrics = entry["metrics"]
        lines.append(
            f"| {name} | {entry['seconds']} | {metrics.get('train_seconds', '')} | {entry['peak_rss_mb']} | "
            f"{metrics.get('test_mse', '')} | {metrics.get('pca_mse', '')} |"
        )
    lines.append("")
    lines.append(
        f"Measured by `make bench` on {m['cpu_model']} ({m['cpu_count']} CPUs, {m['processor']}), which multiplies "
        f"2048 x 2048 float32 matrices at {m['matmul_gflops']} GFLOP/s in TensorFlow; Python {m['python']}, "
        f"TensorFlow {m['tensorflow']}, Keras {m['keras']}."
    )
    return "\n".join(lines) + "\n"


def main(paths: list[str]) -> None:
    notebooks = [Path(p).resolve() for p in paths] or sorted((ROOT / "notebooks").glob("*.ipynb"))
    previous = json.loads(RESULTS.read_text())["notebooks"] if RESULTS.exists() else {}
    kept = {name: entry for name, entry in previous.items() if (ROOT / "notebooks" / f"{name}.ipynb").exists()}
    results = {"machine": {**machine(), "matmul_gflops": matmul_gflops()}, "notebooks": kept}
    print(f"{results['machine']['cpu_model']}: {results['machine']['matmul_gflops']} GFLOP/s (matrix multiply)")
    print(f"{'notebook':<28}{'seconds':>9}{'peak MiB':>9}  metrics")
    for path in notebooks:
        fresh = run(path)
        if fresh.error:
            raise SystemExit(f"{path.name} failed ({fresh.error}): fix it before benchmarking it")
        entry = {"seconds": round(fresh.seconds, 1), "peak_rss_mb": round(fresh.peak_rss_mb)}
        entry["metrics"] = glued_values(fresh.notebook)
        results["notebooks"][path.stem] = entry
        metrics = ", ".join(f"{k}={v}" for k, v in entry["metrics"].items())
        print(f"{path.stem:<28}{entry['seconds']:>9}{entry['peak_rss_mb']:>9}  {metrics}", flush=True)
    results["notebooks"] = dict(sorted(results["notebooks"].items()))
    RESULTS.write_text(json.dumps(results, indent=2) + "\n")
    TABLE.write_text(markdown_table(results))
    print(f"\nwrote {RESULTS.relative_to(ROOT)} ({results['machine']['cpu_count']} CPUs)")


if __name__ == "__main__":
    main(sys.argv[1:])
