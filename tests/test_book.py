"""The book builds warning-free from the committed notebook outputs, with every chapter in it."""

import subprocess
import sys
from pathlib import Path

import yaml

ROOT = Path(__file__).resolve().parents[1]


def _toc_files() -> list[str]:
    toc = yaml.safe_load((ROOT / "_toc.yml").read_text())
    files = [toc["root"]]
    for part in toc.get("parts", []):
        files += [chapter["file"] for chapter in part["chapters"]]
    return files


def test_every_notebook_and_page_is_in_the_table_of_contents():
    listed = set(_toc_files())
    on_disk = {f"notebooks/{p.stem}" for p in (ROOT / "notebooks").glob("*.ipynb")}
    on_disk |= {f"book/{p.stem}" for p in (ROOT / "book").glob("*.md")}
    assert on_disk - listed == set(), "add these to _toc.yml so readers can reach them"
    assert listed - on_disk == set(), "_toc.yml lists files that do not exist"


def test_book_builds_without_warnings(tmp_path):
    jupyter_book = Path(sys.executable).with_name("jupyter-book")
    result = subprocess.run(
        [str(jupyter_book), "build", str(ROOT), "--path-output", str(tmp_path), "-W", "-n", "--keep-going"],
        capture_output=True,
        text=True,
    )
    assert result.returncode == 0, f"the book build failed or warned:\n{result.stdout[-6000:]}\n{result.stderr[-6000:]}"
    html = tmp_path / "_build" / "html"
    assert (html / "index.html").is_file()
    for page in _toc_files():
        assert (html / f"{page}.html").is_file(), f"{page} was not rendered"
    chapter = (html / "notebooks" / "01-vanilla.html").read_text()
    assert "<img" in chapter, "the chapter page shows no figures: are the notebook outputs committed?"
