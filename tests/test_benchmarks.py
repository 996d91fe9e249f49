"""The measurements the book reports are complete, and their tables are generated, not typed."""

import html
import json
from pathlib import Path

from benchmarks import run, seeds

ROOT = Path(__file__).resolve().parents[1]
CHAPTERS = {p.stem for p in (ROOT / "notebooks").glob("*.ipynb")}
TYPE_CHAPTERS = ("01-vanilla", "02-multilayer", "03-convolutional", "04-sparse", "05-denoising")


def test_every_chapter_has_a_benchmark_entry():
    results = json.loads(run.RESULTS.read_text())
    assert set(results["notebooks"]) == CHAPTERS, "run `make bench` after adding or removing a notebook"
    assert results["machine"]["cpu_model"] and results["machine"]["matmul_gflops"] > 0
    for name, entry in results["notebooks"].items():
        assert entry["seconds"] > 0 and entry["peak_rss_mb"] > 0, name
        assert "train_seconds" in entry["metrics"], name
    for name in TYPE_CHAPTERS:  # the five types: the names the comparison page pastes from (BOOK_DESIGN.md)
        assert {"test_mse", "pca_mse", "code_size", "n_params"} <= set(results["notebooks"][name]["metrics"]), name


def test_the_books_table_is_the_one_make_bench_wrote():
    results = json.loads(run.RESULTS.read_text())
    assert run.TABLE.read_text() == run.markdown_table(results), "benchmarks/results.md was edited by hand"


def test_every_chapter_was_run_with_every_seed_and_variant_and_kept_its_claims():
    results = json.loads(seeds.RESULTS.read_text())
    assert set(results["notebooks"]) == CHAPTERS, "run `make seeds` after adding or removing a notebook"
    assert results["seeds"] == list(seeds.SEEDS) and results["variants"] == list(seeds.VARIANTS)
    expected_runs = [f"seed {s}" for s in seeds.SEEDS] + list(seeds.VARIANTS)
    for name, entry in results["notebooks"].items():
        assert list(entry["runs"]) == expected_runs, name
        failed = {label: run["error"] for label, run in entry["runs"].items() if run["error"]}
        assert not failed, f"{name}: a closing claim broke under another seed or float order: {failed}"


def test_the_spread_table_is_the_one_make_seeds_wrote():
    results = json.loads(seeds.RESULTS.read_text())
    assert seeds.TABLE.read_text() == seeds.markdown_table(results), "benchmarks/seeds.md was edited by hand"
    assert set(json.loads(seeds.SPREAD.read_text())) == CHAPTERS


def test_the_comparison_figure_shows_the_seeds_numbers():
    results = json.loads(seeds.RESULTS.read_text())
    drawn = f"drawn from {seeds.family_numbers(results)}"
    assert drawn in html.unescape(seeds.FIGURE.read_text()), "run `make seeds` (or redraw the figure)"


def test_a_number_glued_under_two_names_is_one_row_of_the_spread_table():
    runs = {f"seed {s}": {"error": None, "metrics": {"a": s / 10, "b": s / 10, "c": s / 5}} for s in seeds.SEEDS}
    stats = {"book": 0.42, "mean": 0.3, "sd": 0.1, "min": 0.1, "max": 0.5}
    entry = {"runs": runs, "headlines": {"a": stats, "b": stats, "c": dict(stats, book=0.84)}, "machine": MACHINE}
    assert seeds.same_numbers(entry) == {"a": ["a", "b"], "c": ["c"]}
    table = seeds.markdown_table({"seeds": list(seeds.SEEDS), "notebooks": {"x": entry}})
    assert "| `a` = `b` |" in table and "| `c` |" in table


MACHINE = {"cpu_model": "test", "cpu_count": 2, "tensorflow": "0"}


def test_the_spread_table_names_the_machine_of_each_chapter():
    stats = {"book": 0.5, "mean": 0.5, "sd": 0.0, "min": 0.5, "max": 0.5}
    runs = {f"seed {s}": {"error": None, "metrics": {"a": 0.5}} for s in seeds.SEEDS}
    other = dict(MACHINE, cpu_model="other")
    chapters = {
        "x": {"runs": runs, "headlines": {"a": stats}, "machine": MACHINE},
        "y": {"runs": runs, "headlines": {"a": stats}, "machine": other},
    }
    table = seeds.markdown_table({"seeds": list(seeds.SEEDS), "notebooks": chapters})
    assert "- test, 2 CPUs, TensorFlow 0: x" in table and "- other, 2 CPUs, TensorFlow 0: y" in table
