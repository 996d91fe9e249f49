"""The benchmark the book reports is complete and its table is generated, not typed."""

import json
import sys
from pathlib import Path

ROOT = Path(__file__).resolve().parents[1]
sys.path.insert(0, str(ROOT / "benchmarks"))

import run  # noqa: E402  (benchmarks/run.py)

TYPE_CHAPTERS = ("01-vanilla", "02-multilayer", "03-convolutional", "04-sparse", "05-denoising")


def test_every_chapter_has_a_benchmark_entry():
    results = json.loads(run.RESULTS.read_text())
    chapters = {p.stem for p in (ROOT / "notebooks").glob("*.ipynb")}
    assert set(results["notebooks"]) == chapters, "run `make bench` after adding or removing a notebook"
    for name, entry in results["notebooks"].items():
        assert entry["seconds"] > 0 and entry["peak_rss_mb"] > 0, name
        assert "train_seconds" in entry["metrics"], name
    for name in TYPE_CHAPTERS:  # the five types: the names the comparison page pastes from (BOOK_DESIGN.md)
        assert {"test_mse", "pca_mse", "code_size", "n_params"} <= set(results["notebooks"][name]["metrics"]), name


def test_the_books_table_is_the_one_make_bench_wrote():
    results = json.loads(run.RESULTS.read_text())
    assert run.TABLE.read_text() == run.markdown_table(results), "benchmarks/results.md was edited by hand"
