"""`make seeds`: re-run each chapter with other seeds and on other floating-point paths, and record the spread.

For every notebook (or those named on the command line) it executes copies, never the committed notebook:
- with each seed of SEEDS in place of the book's `aeutils.seed_everything(...)` argument;
- with the book's seed on one processor and one TensorFlow thread (as on Binder), and with oneDNN switched off:
  two other orders of floating-point operations, standing in for another machine.

It writes
- benchmarks/seeds.json: per chapter and run, whether every closing claim held, and the glued numbers; per glued
  number its value in the book, mean, standard deviation, min and max over the seeds;
- benchmarks/seeds.md: that table for the book's reproducibility page;
- book/figures/family-vs-pca.svg: the comparison page's picture of chapters 1-6, each model's held-out error
  (the book's run and the seeds' range) beside PCA's at the same code size;
- benchmarks/spread.json: for every number every code cell prints, its standard deviation over all these runs
  and the book's, from which the tests derive how far a fresh run may stray (benchmarks/notebook_runs.py);
- the executed copies under _build/seeds/, to look at.
"""

from __future__ import annotations

import json
import math
import statistics
import sys
from pathlib import Path

import nbformat

from benchmarks.notebook_runs import (
    ROOT,
    Run,
    cell_text,
    code_cells,
    glued_values,
    is_compared,
    number_value,
    run,
    with_seed,
)
from benchmarks.run import machine

SEEDS = (1, 2, 3, 4, 5)
VARIANTS = {
    "one thread": {
        "cpus": {0},
        "env": {"TF_NUM_INTRAOP_THREADS": "1", "TF_NUM_INTEROP_THREADS": "1", "OMP_NUM_THREADS": "1"},
    },
    "oneDNN off": {"env": {"TF_ENABLE_ONEDNN_OPTS": "0"}},
}
NOT_HEADLINES = {"train_seconds"}  # glued, but a time: benchmarks/results.json reports it
RESULTS = ROOT / "benchmarks" / "seeds.json"
TABLE = ROOT / "benchmarks" / "seeds.md"
SPREAD = ROOT / "benchmarks" / "spread.json"
FIGURE = ROOT / "book" / "figures" / "family-vs-pca.svg"
FAMILY = {  # the comparison page's rows: chapter, and its name in the figure
    "01-vanilla": "vanilla",
    "02-multilayer": "multilayer",
    "03-convolutional": "convolutional",
    "04-sparse": "sparse",
    "05-denoising": "denoising",
    "06-variational": "variational",
}
COPIES = ROOT / "_build" / "seeds"


def runs_of(path: Path) -> dict[str, Run]:
    """Execute the seeds and variants of one notebook; return each run by its label."""
    book = nbformat.read(path, as_version=4)
    executed: dict[str, Run] = {}
    plans = [(f"seed {seed}", with_seed(book, seed), {}) for seed in SEEDS]
    plans += [(label, book, options) for label, options in VARIANTS.items()]
    for label, notebook, options in plans:
        result = run(path, notebook, **options)
        executed[label] = result
        copy = COPIES / path.stem / f"{label.replace(' ', '-')}.ipynb"
        copy.parent.mkdir(parents=True, exist_ok=True)
        nbformat.write(result.notebook, copy)
        verdict = "claims hold" if result.error is None else f"FAILED {result.error}"
        print(f"  {label:<12}{result.seconds:>7.1f} s  {verdict}", flush=True)
    return executed


def headline_stats(book: dict, seed_values: list[dict]) -> dict[str, dict[str, float]]:
    """Mean, standard deviation, min and max over the seeds of each numeric value the book glues."""
    stats = {}
    for name, value in book.items():
        if name in NOT_HEADLINES or isinstance(value, bool) or not isinstance(value, (int, float)):
            continue
        values = [v[name] for v in seed_values if isinstance(v.get(name), (int, float))]
        if len(values) < 2:
            continue
        stats[name] = {
            "book": value,
            "mean": statistics.fmean(values),
            "sd": statistics.stdev(values),
            "min": min(values),
            "max": max(values),
        }
    return stats


def output_spread(book: nbformat.NotebookNode, others: list[Run]) -> dict[str, dict]:
    """Per compared code cell, by cell id: its template and each printed number's standard deviation over the runs.

    Keyed by the id nbformat gives every cell, so that editing, adding or removing other cells (prose, a figure)
    does not detach a cell from its measured spread.

    A cell whose text (numbers aside) differs between runs gets `"template": null`: only that it runs is tested.
    A run that failed counts only for the cells before its error.
    """
    cells = {}
    for _, cell in code_cells(book):
        if not is_compared(cell):
            continue
        texts = [cell_text(cell.outputs)]
        for other in others:
            ids = [c.get("id") for c in other.notebook.cells]
            if cell.id in ids and (other.error_cell is None or ids.index(cell.id) < other.error_cell):
                texts.append(cell_text(other.notebook.cells[ids.index(cell.id)].get("outputs", [])))
        entry = {"template": texts[0].template}
        if any(text.template != texts[0].template for text in texts):
            entry["template"] = None
        elif texts[0].numbers:
            columns = zip(*(text.numbers for text in texts), strict=True)
            entry["sd"] = [float(f"{statistics.pstdev(map(number_value, column)):.3g}") for column in columns]
        cells[cell.id] = entry
    return cells


LABELS = {"best_digit"}  # glued numbers that name something (a digit), not a quantity: listed per seed, no stats


def fmt(value: float) -> str:
    return f"{value:.4g}"


def two_figures(value: float) -> str:
    """A standard deviation to two significant figures, without exponent notation: 0.00018, 0.021, 1.3, 120."""
    if value == 0:
        return "0"
    decimals = 1 - math.floor(math.log10(abs(value)))
    return f"{round(value, decimals):.{max(decimals, 0)}f}"


def same_numbers(entry: dict) -> dict[str, list[str]]:
    """Each glued number with the later ones equal to it in the book and in every run (one value under two names)."""
    names: dict[tuple, list[str]] = {}
    for number, s in entry["headlines"].items():
        values = (s["book"], *(r["metrics"].get(number) for r in entry["runs"].values()))
        names.setdefault(values, []).append(number)
    return {group[0]: group for group in names.values()}


def markdown_table(results: dict) -> str:
    """The spread of every headline number, one table per chapter (generated: never edit seeds.md by hand)."""
    seeds = ", ".join(str(s) for s in results["seeds"])
    lines = [
        f"Seeds {seeds}; sd is the standard deviation over those five runs, to two significant figures. Numbers "
        "that are the same for every seed (PCA's errors, code sizes, parameter counts) are left out; a number glued "
        "under two names, equal in every run, is one row. Each "
        "chapter's table sits under a link to the chapter.",
    ]
    outside = total = 0
    for name, entry in results["notebooks"].items():
        rows, labels = [], []
        for number, names in same_numbers(entry).items():
            s = entry["headlines"][number]
            if s["min"] == s["max"] == s["book"]:
                continue
            if number in LABELS:
                values = ", ".join(str(entry["runs"][f"seed {seed}"]["metrics"][number]) for seed in results["seeds"])
                book = s["book"]
                labels.append(
                    f"`{number}` is a label, not a quantity: {book} in the book's run, {values} with seeds {seeds}."
                )
                continue
            name_cell = " = ".join(f"`{n}`" for n in names)
            where = "below all" if s["book"] < s["min"] else "above all" if s["book"] > s["max"] else ""
            outside, total = outside + bool(where), total + 1
            rows.append(
                f"| {name_cell} | {fmt(s['book'])} | {fmt(s['mean'])} | {two_figures(s['sd'])} | "
                f"{fmt(s['min'])} | {fmt(s['max'])} | {where} |"
            )
        if not rows and not labels:
            continue
        lines += ["", f"{{doc}}`../notebooks/{name}`", ""]
        if rows:
            lines += [
                "| number | book | mean | sd | min | max | book against the seeds |",
                "| --- | ---: | ---: | ---: | ---: | ---: | --- |",
                *rows,
            ]
        if labels:
            lines += ["", *labels] if rows else labels
    lines.insert(
        1,
        f"\nThe book's run lies below or above the range of the five seeds for {outside} of these {total} numbers "
        "(marked in the last column).",
    )
    lines += ["", "| chapter | runs (seeds and variants) | every closing claim held |", "| --- | ---: | --- |"]
    for name, entry in results["notebooks"].items():
        failed = [label for label, r in entry["runs"].items() if r["error"]]
        held = "yes" if not failed else "no: " + ", ".join(failed)
        lines.append(f"| {name} | {len(entry['runs'])} | {held} |")
    machines: dict[str, list[str]] = {}  # each machine, in words, and the chapters measured on it
    for name, entry in results["notebooks"].items():
        m = entry["machine"]
        machines.setdefault(f"{m['cpu_model']}, {m['cpu_count']} CPUs, TensorFlow {m['tensorflow']}", []).append(name)
    lines.append("")
    if len(machines) == 1:
        lines.append(f"Measured by `make seeds` on {next(iter(machines))}.")
    else:
        lines.append("Measured by `make seeds`, each chapter on one machine:")
        lines += [f"- {words}: {', '.join(names)}" for words, names in machines.items()]
    return "\n".join(lines) + "\n"


def main(paths: list[str]) -> int:
    notebooks = [Path(p).resolve() for p in paths] or sorted((ROOT / "notebooks").glob("*.ipynb"))
    measured: dict[str, tuple[dict, dict]] = {}
    for path in notebooks:
        print(path.stem, flush=True)
        book = nbformat.read(path, as_version=4)
        executed = runs_of(path)
        seed_glue = [glued_values(executed[f"seed {s}"].notebook) for s in SEEDS]
        result = {
            "runs": {
                label: {"seconds": round(r.seconds, 1), "error": r.error, "metrics": glued_values(r.notebook)}
                for label, r in executed.items()
            },
            "headlines": headline_stats(glued_values(book), seed_glue),
            "machine": machine(),
        }
        spread = {"runs": ["book", *executed], "cells": output_spread(book, list(executed.values()))}
        measured[path.stem] = (result, spread)
        write(path.stem, result, spread)  # after each chapter, so that an interrupted run keeps what it measured
    failures = {n: [lbl for lbl, r in e["runs"].items() if r["error"]] for n, (e, _) in measured.items()}
    failures = {n: f for n, f in failures.items() if f}
    print("every closing claim held in every run" if not failures else f"claims failed: {failures}")
    return 1 if failures else 0


def write(chapter: str, result: dict, spread: dict) -> None:
    """Replace one chapter's entries in the three files, keeping the other chapters' as they are on disk."""
    exists = {p.stem for p in (ROOT / "notebooks").glob("*.ipynb")}
    results = json.loads(RESULTS.read_text()) if RESULTS.exists() else {}
    results = {
        "seeds": list(SEEDS),
        "variants": list(VARIANTS),
        "notebooks": {k: v for k, v in results.get("notebooks", {}).items() if k in exists} | {chapter: result},
    }
    results["notebooks"] = dict(sorted(results["notebooks"].items()))
    spreads = json.loads(SPREAD.read_text()) if SPREAD.exists() else {}
    spreads = {k: v for k, v in spreads.items() if k in exists} | {chapter: spread}
    RESULTS.write_text(json.dumps(results, indent=1) + "\n")
    TABLE.write_text(markdown_table(results))
    FIGURE.write_text(family_figure(results))
    SPREAD.write_text(spread_json(dict(sorted(spreads.items()))))


def family_numbers(results: dict) -> str:
    """What the family figure shows: per model, the book's MSE, the seeds' min and max, and PCA's MSE."""
    numbers = {}
    for chapter, label in FAMILY.items():
        h = results["notebooks"][chapter]["headlines"]
        numbers[label] = [h["test_mse"][k] for k in ("book", "min", "max")] + [h["pca_mse"]["book"]]
    return json.dumps(numbers)


def family_figure(results: dict) -> str:
    """The SVG of each family model's held-out MSE, its range over the seeds, and PCA's at the same code size."""
    import io

    import matplotlib
    import matplotlib.ticker

    matplotlib.use("Agg")
    import matplotlib.pyplot as plt

    plt.rcParams["svg.hashsalt"] = "family-vs-pca"  # fixed ids: the same numbers give the same file
    drawn = family_numbers(results)
    rows = list(json.loads(drawn).items())[::-1]  # the first chapter on top
    fig, ax = plt.subplots(figsize=(7, 3.4))
    weak = FAMILY["05-denoising"]  # its PCA reconstructs the noisy digits: a weak baseline, drawn hollow
    for y, (label, (book, low, high, pca)) in enumerate(rows):
        ax.plot([low, high], [y, y], color="C0", linewidth=6, alpha=0.35, solid_capstyle="butt")
        ax.plot([low, low], [y - 0.2, y + 0.2], color="C0", linewidth=1)  # the range's ends, seen under the dot
        ax.plot([high, high], [y - 0.2, y + 0.2], color="C0", linewidth=1)
        ax.plot(book, y, "o", color="C0", markersize=7, markerfacecolor="white", markeredgewidth=1.5)
        ax.plot(pca, y, "s", color="0.45", markersize=7, markerfacecolor="white" if label == weak else "0.45")
    ax.plot([], [], "o", color="C0", markerfacecolor="white", markeredgewidth=1.5, label="autoencoder, the book's run")
    ax.plot([], [], color="C0", linewidth=6, alpha=0.35, label="autoencoder, range over seeds 1-5")
    ax.plot([], [], "s", color="0.45", label="PCA, same code size")
    ax.plot([], [], "s", color="0.45", markerfacecolor="white", label="PCA of the noisy digits (weak)")
    ax.set_yticks(range(len(rows)), [label for label, _ in rows])
    ax.set_xscale("log")
    ticks = (0.003, 0.005, 0.01, 0.02, 0.05, 0.1)
    ax.set_xticks(ticks, [str(t) for t in ticks])
    ax.xaxis.set_minor_formatter(matplotlib.ticker.NullFormatter())
    ax.set_xlabel("held-out MSE (log scale; lower is better)")
    ax.grid(axis="x", which="both", alpha=0.3)
    ax.legend(fontsize="small", loc="lower center", bbox_to_anchor=(0.5, 1.0), ncol=2, frameon=False)
    fig.tight_layout()
    out = io.StringIO()
    fig.savefig(out, format="svg", metadata={"Date": None, "Description": f"drawn from {drawn}"})
    plt.close(fig)
    return out.getvalue()


def spread_json(spreads: dict) -> str:
    """benchmarks/spread.json with one line per cell, so that a diff shows which cells' spread changed."""
    lines = ["{"]
    for c, (chapter, spread) in enumerate(spreads.items()):
        lines.append(f'  {json.dumps(chapter)}: {{"runs": {json.dumps(spread["runs"])}, "cells": {{')
        cells = list(spread["cells"].items())
        for i, (cell_id, entry) in enumerate(cells):
            lines.append(f"    {json.dumps(cell_id)}: {json.dumps(entry)}" + ("," if i < len(cells) - 1 else ""))
        lines.append("  }}" + ("," if c < len(spreads) - 1 else ""))
    return "\n".join(lines + ["}"]) + "\n"


if __name__ == "__main__":
    sys.exit(main(sys.argv[1:]))
