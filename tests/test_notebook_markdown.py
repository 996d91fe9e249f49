"""The chapters' markdown is plain Markdown for readers, and talks about autoencoders, not about the book.

A chapter is read in the built book, but also in JupyterLab, on Binder and on Colab, where MyST's extensions to
Markdown are not understood and show up as raw markup. So the markdown cells of every notebook use none of them:
no roles ({cite}`key`, {glue:text}`name`, {doc}`page`), no directives (```{note} or :::{dropdown} fences), no
(label)= targets and no $$ (label) equation labels. Citations are plain Markdown links, numbers are written out,
and solutions sit in an HTML <details> element.

Nor does the prose talk about the machinery that builds and checks the book (glue, assertions, regression tests,
the chapters' time budget, the closing cell that checks the claims): MACHINERY lists the phrases, kept precise
enough that the lesson's own words (the test split, at test time, logistic regression, a laptop CPU) pass.

A failure lists each notebook, cell index and cell id with the offending markup or sentence.
"""

from __future__ import annotations

import re
from pathlib import Path

import nbformat
import pytest

ROOT = Path(__file__).resolve().parents[1]
NOTEBOOKS = sorted((ROOT / "notebooks").glob("*.ipynb"))

# A role is {name}`content`; scanning code spans in the same pass keeps `{k}` (code, not a role) out of it.
ROLE_OR_CODE = re.compile(r"(?P<role>\{[A-Za-z][\w.:+-]*\}`[^`\n]*`)|(?P<ticks>`+)[\s\S]*?(?P=ticks)")
MYST_BLOCKS = {
    "directive": re.compile(r"^[ \t]*(?:`{3,}|~{3,}|:{3,})[ \t]*\{[^}\n]*\}.*$", re.M),
    "target": re.compile(r"^[ \t]*\([^()\s]+\)=[ \t]*$", re.M),
    "equation label": re.compile(r"\$\$[ \t]*\([^()\s]+\)[ \t]*$", re.M),
}

# Phrases about how the book is built and checked, each a regular expression matched case-insensitively.
MACHINERY = {
    "glue": r"\bglu(?:e|ed|es|ing)\b",
    "assert": r"\bassert(?:s|ed|ing|ions?)?\b",
    "regression test": r"\bregression[- ]tests?\b",
    "the book's tests": r"\b(?:the|this) book's (?:\w+ )?tests?\b|\btests? of (?:the|this) book\b",
    "time budget": r"\btime[- ]budgets?\b",
    "CPU time": r"\bCPU[- ]time\b",
    "bar of": r"\bbars? of (?:about |at least |at most |roughly )?[-+$\d]",
    "the cell below checks": r"\b(?:the|this|next|last|following) cell (?:below |above )?(?:checks|asserts|tests)\b",
}
MACHINERY_PATTERN = re.compile("|".join(f"(?P<p{i}>{p})" for i, p in enumerate(MACHINERY.values())), re.I)

# Not prose: code spans, fenced blocks, roles (the first test's business), link targets and HTML tags.
NOT_PROSE = re.compile(r"\{[A-Za-z][\w.:+-]*\}(?=`)|(?P<ticks>`+)[\s\S]*?(?P=ticks)|\]\([^)\s]*\)|<[^>\n]+>")


def markdown_cells(notebook: Path) -> list[tuple[int, str, str]]:
    """(cell index, cell id, source) of every markdown cell."""
    cells = nbformat.read(notebook, as_version=4).cells
    return [
        (index, cell.get("id", "?"), cell.source) for index, cell in enumerate(cells) if cell.cell_type == "markdown"
    ]


def myst_markup(source: str) -> list[tuple[int, str, str]]:
    """(line number, kind, text) of every MyST role, directive fence, target and equation label in a cell."""
    found = [(m.start(), "role", m["role"]) for m in ROLE_OR_CODE.finditer(source) if m["role"]]
    found += [
        (m.start(), kind, m.group(0).strip()) for kind, pattern in MYST_BLOCKS.items() for m in pattern.finditer(source)
    ]
    return [(source.count("\n", 0, start) + 1, kind, text) for start, kind, text in sorted(found)]


def _blank(match: re.Match) -> str:
    return re.sub(r"[^\n]", " ", match.group(0))


def machinery_sentences(source: str) -> list[tuple[str, str]]:
    """(phrase, sentence) for every phrase of MACHINERY in the cell's prose."""
    prose = NOT_PROSE.sub(_blank, source)  # the same length as the source, so positions carry over
    found = []
    for match in MACHINERY_PATTERN.finditer(prose):
        phrase = list(MACHINERY)[int(match.lastgroup[1:])]
        found.append((phrase, _sentence(source, match.start(), match.end())))
    return found


def _sentence(text: str, start: int, end: int) -> str:
    """The sentence around text[start:end], whitespace collapsed: from the previous full stop or blank line on."""
    ends = [m.end() for m in re.finditer(r"[.!?](?=\s)|\n[ \t]*\n|\n[ \t]*(?:[-*+]|\d+\.)[ \t]|^", text[:start])]
    after = re.search(r"[.!?](?=\s|$)|\n[ \t]*\n|$", text[end:])
    sentence = " ".join(text[ends[-1] : end + after.end()].split())
    return sentence if len(sentence) <= 300 else f"{sentence[:297]}..."


@pytest.mark.parametrize("notebook", NOTEBOOKS, ids=lambda p: p.name)
def test_markdown_uses_no_myst_roles_or_directives(notebook):
    found = [
        f"{notebook.relative_to(ROOT)}, cell {index} (id {cell_id}), line {line}: {kind} {text!r}"
        for index, cell_id, source in markdown_cells(notebook)
        for line, kind, text in myst_markup(source)
    ]
    if found:
        pytest.fail(
            f"MyST markup ({len(found)}), shown raw outside the built book (JupyterLab, Binder, Colab): "
            "write a citation as a Markdown link, a number as text, a solution as <details><summary>...</summary>, "
            "a cross-reference as a relative link:\n" + "\n".join(found),
            pytrace=False,
        )


@pytest.mark.parametrize("notebook", NOTEBOOKS, ids=lambda p: p.name)
def test_markdown_says_nothing_about_the_books_machinery(notebook):
    found = [
        f"{notebook.relative_to(ROOT)}, cell {index} (id {cell_id}): {phrase!r} in {sentence!r}"
        for index, cell_id, source in markdown_cells(notebook)
        for phrase, sentence in machinery_sentences(source)
    ]
    if found:
        pytest.fail(
            f"Sentences about how the book is built or checked ({len(found)}), not about autoencoders: say what the "
            "reader learns or should do instead, or leave the sentence out:\n" + "\n".join(found),
            pytrace=False,
        )


@pytest.mark.parametrize("notebook", NOTEBOOKS, ids=lambda p: p.name)
def test_the_claims_check_closes_the_notebook_folded_and_off_the_pages(notebook):
    """The last two cells, the "Check the claims" heading and the cell that asserts the claims, are the notebook's
    self-check, not the lesson: the book's pages leave both out, and JupyterLab, VS Code and Colab fold the code."""
    heading, check = nbformat.read(notebook, as_version=4).cells[-2:]
    assert heading.cell_type == "markdown" and heading.source.startswith("## Check the claims"), (
        f"{notebook.name}: the second-to-last cell should be the '## Check the claims' heading"
    )
    assert check.cell_type == "code" and "assert " in check.source, f"{notebook.name}: the last cell asserts the claims"
    for cell in (heading, check):
        assert cell.metadata.get("tags") == ["remove-cell"], f"{notebook.name}: tag the claims' cells remove-cell"
    assert check.metadata.get("jupyter", {}).get("source_hidden") is True, f"{notebook.name}: fold it in JupyterLab"
    assert check.metadata.get("cellView") == "form", f"{notebook.name}: fold it in Colab (cellView: form)"


# --------------------------------------------------------------------------------------------------------------
# The patterns themselves: precise enough to pass the lesson's words, wide enough to catch the machinery
# --------------------------------------------------------------------------------------------------------------

LESSON = [
    "The data is 10,000 digits of MNIST's official test split.",
    "The corruption happens only in training: at test time the model sees the clean digit.",
    "A logistic regression on the codes is the linear probe.",
    "Two other corruptions test whether it learned what a digit looks like.",
    "That is a claim we can test: a copying model reconstructs anything well.",
    "Before training, check that the output has the input's shape.",
    "About a minute on a laptop CPU; budget training in updates, not epochs.",
    "So a budget is best spent on the largest code that still gets 4 to 6 bits.",
    "Keras prints progress bars; a 7 is a 1 with a bar on top, and each bar of the histogram is a digit.",
    "Run `assert x.shape == (2, 784)` and `glue('mse', mse)` (code is not prose).",
    "As [Kramer (1991)](https://example.org/regression-tests/assert) showed (a link target is not prose).",
]
MACHINERY_TEXT = [
    ("The cell below checks this chapter's claims.", "the cell below checks"),
    ("`test_mse` and `pca_mse`, glued for the book's comparison pages, are the errors.", "glue"),
    ("The numbers are pasted with glue.", "glue"),
    ("The closing assertions hold for every seed.", "assert"),
    ("The regression tests keep the numbers stable.", "regression test"),
    ("This keeps the book's regression tests stable.", "the book's tests"),
    ("It is checked by the book's tests.", "the book's tests"),
    ("Training longer would not fit in this chapter's time budget.", "time budget"),
    ("More epochs cost CPU time, which this chapter does not have.", "CPU time"),
    ("The error must clear a bar of 0.05.", "bar of"),
]


@pytest.mark.parametrize("sentence", LESSON)
def test_the_lessons_words_are_not_taken_for_machinery(sentence):
    assert machinery_sentences(sentence) == []


@pytest.mark.parametrize(("sentence", "phrase"), MACHINERY_TEXT)
def test_sentences_about_the_machinery_are_found(sentence, phrase):
    assert [found for found, _ in machinery_sentences(sentence)] == [phrase]


def test_myst_markup_is_found_and_code_is_not_taken_for_it():
    source = (
        "(sec-idea)=\n## The idea\n\nAs {cite}`kramer1991nonlinear` showed, see {doc}`../book/autoencoders`,\n"
        "with `{k}` and `{d: 1}` in code.\n\n```{note}\nA note.\n```\n\n"
        ":::{dropdown} Solutions\n1. {glue:text}`mse:.4f`\n"
        ":::\n\n$$\nx = \\frac{a}{b}\n$$ (eq-x)\n\n```python\nprint({'a': 1})\n```\n"
    )
    assert myst_markup(source) == [
        (1, "target", "(sec-idea)="),
        (4, "role", "{cite}`kramer1991nonlinear`"),
        (4, "role", "{doc}`../book/autoencoders`"),
        (7, "directive", "```{note}"),
        (11, "directive", ":::{dropdown} Solutions"),
        (12, "role", "{glue:text}`mse:.4f`"),
        (17, "equation label", "$$ (eq-x)"),
    ]
    plain = (
        "As [Kramer (1991)](https://doi.org/10.1002/aic.690370209) showed, the error is 0.0123.\n\n"
        "<details>\n<summary>Solutions</summary>\n\n1. See [the idea](#the-idea).\n\n</details>\n"
    )
    assert myst_markup(plain) == []


RELATIVE_LINK = re.compile(r"\]\((?![a-z]+:)(?P<path>[^)#\s]+)(?:#[^)\s]*)?\)")


@pytest.mark.parametrize("notebook", NOTEBOOKS, ids=lambda p: p.name)
def test_every_relative_link_leads_to_a_file_of_the_book(notebook):
    broken = [
        f"cell {index} (id {cell_id}): {m['path']}"
        for index, cell_id, source in markdown_cells(notebook)
        for m in RELATIVE_LINK.finditer(source)
        if not (notebook.parent / m["path"]).exists()
    ]
    assert not broken, f"{notebook.name} links to files that do not exist (renamed chapter or page?): {broken}"
