"""The book builds warning-free from the committed notebook outputs, with every chapter in it, as HTML and as
the print-friendly single page of `make book-singlehtml`."""

import html
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


def test_book_builds_without_warnings(built_book):
    assert built_book.returncode == 0, f"the book build failed or warned:\n{built_book.log[-6000:]}"
    html = built_book.html
    assert (html / "index.html").is_file()
    for page in _toc_files():
        assert (html / f"{page}.html").is_file(), f"{page} was not rendered"
    chapter = (html / "notebooks" / "01-vanilla.html").read_text()
    assert "<img" in chapter, "the chapter page shows no figures: are the notebook outputs committed?"


def test_single_page_build_is_warning_free_and_holds_every_chapter(built_single_page):
    build = built_single_page
    assert build.returncode == 0, f"make book-singlehtml failed or warned:\n{build.log[-6000:]}"
    page = (build.html / "index.html").read_text()
    chapters = [ROOT / f"{f}.ipynb" for f in _toc_files() if f.startswith("notebooks/")]
    for chapter in chapters:
        title = _notebook_title(chapter)
        assert html.escape(title, quote=False) in page, f"the single page lacks the chapter {title!r}"
    figures = sum(chapter.read_text().count('"image/png"') for chapter in chapters)
    assert page.count("<img") >= figures, "the single page lacks some of the chapters' figures"


def _notebook_title(path: Path) -> str:
    import nbformat

    for cell in nbformat.read(path, as_version=4).cells:
        if cell.cell_type == "markdown" and cell.source.startswith("# "):
            return cell.source.splitlines()[0][2:].strip()
    raise AssertionError(f"{path.name} has no '# title' markdown cell")


def test_a_markdown_link_reaches_a_glossary_entry_and_a_wrong_one_warns(tmp_path):
    """_ext/book_html.py makes [PCA](../book/glossary.md#term-PCA) a link a chapter can use in plain Markdown."""
    import subprocess
    import sys

    (tmp_path / "book").mkdir()
    (tmp_path / "notebooks").mkdir()
    (tmp_path / "conf.py").write_text(
        f"import sys\nsys.path.insert(0, {str(ROOT / '_ext')!r})\n"
        'extensions = ["myst_nb", "book_html"]\nnb_execution_mode = "off"\n'
    )
    (tmp_path / "index.md").write_text("# Test\n\n```{toctree}\nbook/glossary\nnotebooks/chapter\n```\n")
    glossary = "# Glossary\n\n```{glossary}\nPCA\n  PCA.\n\nbatch, epoch and update\n  Batches.\n```\n"
    (tmp_path / "book" / "glossary.md").write_text(glossary)
    chapter = (
        "# Chapter\n\n[PCA](../book/glossary.md#term-PCA), [epochs](../book/glossary.md#term-batch-epoch-and-update)"
    )
    (tmp_path / "notebooks" / "chapter.md").write_text(chapter + "\n")
    build = [sys.executable, "-m", "sphinx", "-b", "html", "-q", "-n", str(tmp_path), str(tmp_path / "_build")]
    result = subprocess.run(build, capture_output=True, text=True)
    assert result.returncode == 0 and "WARNING" not in result.stderr, result.stderr[-3000:]
    page = (tmp_path / "_build" / "notebooks" / "chapter.html").read_text()
    assert 'href="../book/glossary.html#term-PCA"' in page
    assert 'href="../book/glossary.html#term-batch-epoch-and-update"' in page

    (tmp_path / "notebooks" / "chapter.md").write_text("# Chapter\n\n[PCA](../book/glossary.md#term-PCB)\n")
    result = subprocess.run([*build, "-E"], capture_output=True, text=True)
    assert "local id not found" in result.stderr, "a link to an entry that does not exist must still warn"
