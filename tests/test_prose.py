"""The prose pages quote numbers only through glue, cite their sources, and every figure has alt text.

A measured number typed into a page would silently go stale when a chapter is re-executed; these checks make
sure every such number is pasted from the notebook that computed it (myst-nb glue), that each glue reference
names a value its notebook really glues, and that readers of screen readers get a description of each figure.
"""

from __future__ import annotations

import re
import unicodedata
from pathlib import Path

import nbformat
import pytest

ROOT = Path(__file__).resolve().parents[1]
PAGES = sorted((ROOT / "book").glob("*.md"))
NOTEBOOKS = sorted((ROOT / "notebooks").glob("*.ipynb"))

GLUE_TEXT = re.compile(r"\{glue:text\}`(?P<doc>[^`:]+\.ipynb)::(?P<key>\w+):(?P<format>[^`]+)`")
GLUED_FIGURE = re.compile(r"```\{glued-figure\} (?P<key>\w+)\n:doc: (?P<doc>\S+\.ipynb)\n(?P<options>(?::\w+:.*\n)*)")

# Numbers a page may state in words because they are not measurements: the Python version (runtime.txt), the
# memory budget and Binder's limit (the blueprint's figures), the memory mybinder.org guarantees (its user
# guidelines), and the definition of PSNR's 3 dB.
STATED_NOT_MEASURED = ("Python 3.11", "1.5 GB", "1 GB", "2 GB", "3 dB")
MEASUREMENT = re.compile(r"\d+\.\d+|\d+(?:\.\d+)? ?(?:%|dB|MB|GB|seconds\b|s\b)")


def glued_names(notebook: Path) -> set[str]:
    """The names a notebook glued (myst_nb.glue), read from its stored outputs."""
    names = set()
    for cell in nbformat.read(notebook, as_version=4).cells:
        for output in cell.get("outputs", []):
            name = output.get("metadata", {}).get("scrapbook", {}).get("name")
            if name:
                names.add(name)
    return names


def prose_without_markup(text: str) -> str:
    """The page's running text: code, maths, roles, directive options, links and labels removed."""
    text = re.sub(r"^(```|:::).*?^\1\s*$", lambda m: _figure_caption(m.group(0)), text, flags=re.S | re.M)
    text = re.sub(r"\$\$.*?\$\$|\$[^$\n]+\$", " ", text, flags=re.S)
    text = re.sub(r"\{[\w:-]+\}`[^`]*`|`[^`]*`", " ", text)
    text = re.sub(r"\]\([^)]*\)|^\(.*\)=$", " ", text, flags=re.M)
    return text


def _figure_caption(block: str) -> str:
    """A figure's caption is prose too; its options (alt text, width) and every other block are not."""
    if not re.match(r"(```|:::)\{(glued-)?figure\}", block):
        return " "
    return "\n".join(line for line in block.splitlines()[1:-1] if not line.startswith(":"))


@pytest.mark.parametrize("page", PAGES, ids=lambda p: p.name)
def test_prose_pages_type_no_measured_numbers(page):
    text = prose_without_markup(page.read_text())
    for stated in STATED_NOT_MEASURED:
        text = text.replace(stated, " ")
    typed = sorted({m.group(0) for m in MEASUREMENT.finditer(text)})
    assert not typed, (
        f"{page.name} types the numbers {typed}: paste measured numbers from the notebook that computed them, "
        "e.g. {glue:text}`../notebooks/01-vanilla.ipynb::test_mse:.5f` (glue the value there if it is not yet)"
    )


def test_the_comparison_table_is_made_of_glue_references():
    rows = [line for line in (ROOT / "book" / "comparison.md").read_text().splitlines() if line.startswith("| {doc}")]
    assert len(rows) == 6, "the comparison table has one row per kind of autoencoder (chapters 1 to 6)"
    for row in rows:
        cells = [cell.strip() for cell in row.strip("|").split("|")][1:]
        assert len(cells) == 5, "code size, parameters, held-out MSE, PSNR, PCA MSE"
        for cell in cells:
            assert GLUE_TEXT.fullmatch(cell), f"the comparison table cell {cell!r} is not a glue reference"


@pytest.mark.parametrize("page", PAGES, ids=lambda p: p.name)
def test_every_glue_reference_names_a_value_its_notebook_glues(page):
    text = page.read_text()
    references = [(m["doc"], m["key"]) for m in GLUE_TEXT.finditer(text)]
    references += [(m["doc"], m["key"]) for m in GLUED_FIGURE.finditer(text)]
    for doc, key in references:
        notebook = (page.parent / doc).resolve()
        assert notebook.is_file(), f"{page.name} pastes {key!r} from {doc}, which does not exist"
        assert key in glued_names(notebook), f"{page.name} pastes {key!r}, which {notebook.name} does not glue"


@pytest.mark.parametrize("page", PAGES, ids=lambda p: p.name)
def test_every_figure_of_a_page_has_alt_text(page):
    text = page.read_text()
    figures = re.findall(r"```\{(?:glued-)?figure\}[^\n]*\n((?::\w+:.*\n)*)", text)
    for options in figures:
        assert re.search(r"^:alt: \S", options, flags=re.M), f"a figure of {page.name} has no :alt: text"
    assert "![" not in text or re.search(r"!\[[^\]]+\]", text), f"an image of {page.name} has empty alt text"


@pytest.mark.parametrize("notebook", NOTEBOOKS, ids=lambda p: p.name)
def test_every_figure_of_a_chapter_has_alt_text(notebook):
    for cell in nbformat.read(notebook, as_version=4).cells:
        shows_image = any("image/png" in output.get("data", {}) for output in cell.get("outputs", []))
        if shows_image:
            alt = cell.metadata.get("mystnb", {}).get("image", {}).get("alt", "")
            assert len(alt) > 20, (
                f"{notebook.name}, cell {cell.get('id')}: a figure without alt text; describe it in the cell's "
                'metadata, "mystnb": {"image": {"alt": "..."}}'
            )


# A chapter cites in plain Markdown that reads the same in Jupyter, Colab and the book: the authors and year,
# linked to the references page, e.g. [Baldi & Hornik, 1989](../book/references.md) (README, "Contributing").
CITATION = re.compile(r"\[(?P<authors>[^\]]+?),? \(?(?P<year>(?:19|20)\d\d)\)?\]\(\.\./book/references\.md\)")
BIB_ENTRY = re.compile(r"@\w+\{[^,]+,(?P<body>.*?)\n\}", re.S)


def plain_letters(text: str) -> str:
    """Names without accents, from LaTeX (Bj{\\"o}rck) or Unicode (Björck) alike: Bjorck."""
    text = re.sub(r"\\[a-zA-Z]+|\\.|[{}]", "", text)
    return unicodedata.normalize("NFKD", text).encode("ascii", "ignore").decode()


def bibliography() -> list[tuple[str, str]]:
    """(author field, year) of every entry in book/references.bib, the authors in plain letters."""
    entries = []
    for match in BIB_ENTRY.finditer((ROOT / "book" / "references.bib").read_text()):
        author = re.search(r"author\s*=\s*[{\"](.*?)[}\"],?\s*$", match["body"], re.M | re.S)
        year = re.search(r"year\s*=\s*[{\"]?(\d{4})", match["body"])
        if author and year:
            entries.append((plain_letters(author.group(1)), year.group(1)))
    return entries


@pytest.mark.parametrize("notebook", NOTEBOOKS, ids=lambda p: p.name)
def test_every_chapter_cites_its_sources_as_links_to_the_references(notebook):
    cells = nbformat.read(notebook, as_version=4).cells
    markdown = "\n".join(cell.source for cell in cells if cell.cell_type == "markdown")
    citations = list(CITATION.finditer(markdown))
    assert citations, (
        f"{notebook.name} cites no reference: name a source as [Author, year](../book/references.md), "
        "with its entry in book/references.bib"
    )
    entries = bibliography()
    for citation in citations:
        surname = plain_letters(re.split(r"[ &,]", citation["authors"].strip())[0])
        found = any(surname in author and year == citation["year"] for author, year in entries)
        assert found, (
            f"{notebook.name} cites {citation.group(0)!r}: book/references.bib has no {surname}, {citation['year']}"
        )


@pytest.mark.parametrize("page", PAGES, ids=lambda p: p.name)
def test_no_line_of_a_page_starts_as_a_myst_comment(page):
    comments = [n for n, line in enumerate(page.read_text().splitlines(), 1) if line.lstrip().startswith("%")]
    assert not comments, (
        f"{page.name}, lines {comments}: MyST reads a line starting with % as a comment and drops it from the page; "
        "rewrap the paragraph so that the % stays after its number"
    )


def test_every_glossary_pointer_names_a_heading_or_phrase_of_its_chapter():
    """'Introduced in chapter 6 (*Which β models the digits best?*)' must still name something chapter 6 says."""
    glossary = re.sub(r"\n\s+", " ", (ROOT / "book" / "glossary.md").read_text())
    pointer = re.compile(r"\{doc\}`[^`<]*<\.\./notebooks/(?P<stem>[\w-]+)>`\s*\(\*(?P<place>[^*]+)\*\)")
    stale = []
    for m in pointer.finditer(glossary):
        book = nbformat.read(ROOT / "notebooks" / f"{m['stem']}.ipynb", as_version=4)
        text = re.sub(r"\s+", " ", " ".join(c.source for c in book.cells if c.cell_type == "markdown"))
        if m["place"] not in re.sub(r"[`*]", "", text):
            stale.append(f"{m['stem']}: {m['place']}")
    assert not stale, f"glossary entries point to places their chapter no longer has: {stale}"
