"""Two fixes to the HTML that Sphinx 7.4 writes for this book, and a figure pasted from another notebook.

tests/test_site.py catches each of the fixes in a browser.

1. Each script once per page. Sphinx 7.4 records an inline script that an extension adds once the builder is
   running (``app.add_js_file(None, body=...)``) twice, once named ``None`` and once ``''``, and writes both.
   sphinx-thebe's ``const THEBE_JS_URL = ...`` is such a script, so every page logged "Uncaught SyntaxError:
   Identifier 'THEBE_JS_URL' has already been declared". The second copy is dropped before a page is written.
2. The single-page build at the root. The singlehtml builder links every asset (styles, scripts, MathJax, images)
   relative to the output's root, but writes the page to the root document's path, ``book/intro.html``, where
   those links are broken: the page came out unstyled and without maths. It is written to ``index.html`` instead
   (which also replaces the bare redirect that would otherwise be there), and links into it become ``#anchor``.
   The theme also loads ``searchindex.js`` on every page, which this builder does not write (it has no search:
   on one page, the browser's find is the search), so that request is removed from the page.

3. ``glued-figure``, a directive: a figure whose image is glued in *another* notebook, with alt text and a
   caption. myst-nb pastes such an image only through its plain ``glue`` directive (``:doc:`` option), which
   takes neither; this directive wraps the same pending reference in a figure, and once myst-nb has resolved
   the reference, gives the pasted image its alt text. The notebook must also show the figure it glues
   (myst-nb copies only the images a page displays into the site).

4. Links to glossary entries from plain Markdown. A chapter cannot use the ``{term}`` role (Jupyter shows it as
   raw text), and myst-parser resolves ``[PCA](../book/glossary.md#term-PCA)`` only to heading anchors: any
   other id logs "local id not found" and fails the ``-W`` build. Each glossary entry's id (``term-`` and the
   entry's words joined by hyphens, as Sphinx writes it) is recorded among the page's anchors, so the link
   resolves; an id that no entry has still warns.
"""

from __future__ import annotations

import os
from typing import Any

from docutils import nodes
from docutils.parsers.rst import directives
from myst_nb.ext.glue.utils import create_pending_glue_ref
from sphinx.application import Sphinx
from sphinx.transforms.post_transforms import SphinxPostTransform
from sphinx.util.docutils import SphinxDirective


def _script_key(script: Any) -> tuple:
    filename = getattr(script, "filename", script)
    attributes = getattr(script, "attributes", {})
    return (str(filename or ""), getattr(script, "priority", None), tuple(sorted(attributes.items())))


def keep_first_copy_of_each_script(app: Sphinx, pagename: str, templatename: str, context: dict, doctree) -> None:
    scripts = context.get("script_files")
    if not scripts:
        return
    seen: set[tuple] = set()
    unique = []
    for script in scripts:
        if (key := _script_key(script)) not in seen:
            seen.add(key)
            unique.append(script)
    scripts[:] = unique  # in place: the template renders this very list


def single_page_at_the_root(app: Sphinx) -> None:
    builder = app.builder
    if builder.name != "singlehtml":
        return
    root_page = app.config.root_doc
    page_link = root_page + builder.out_suffix + "#"
    get_outfilename, fix_refuris = builder.get_outfilename, builder.fix_refuris

    def outfilename(pagename: str) -> str:
        return os.path.join(builder.outdir, "index.html") if pagename == root_page else get_outfilename(pagename)

    def in_page_links(tree: nodes.Node) -> None:
        fix_refuris(tree)
        for reference in tree.findall(nodes.reference):
            if reference.get("refuri", "").startswith(page_link):
                reference["refuri"] = reference["refuri"][len(page_link) - 1 :]

    builder.get_outfilename = outfilename
    builder.fix_refuris = in_page_links


SEARCH_INDEX_SCRIPT = '<script src="searchindex.js"></script>\n'


def no_search_index_on_the_single_page(app: Sphinx, exception: Exception | None) -> None:
    page = os.path.join(app.outdir, "index.html")
    if exception is None and app.builder.name == "singlehtml" and os.path.isfile(page):
        with open(page, encoding="utf-8") as file:
            html = file.read()
        with open(page, "w", encoding="utf-8") as file:
            file.write(html.replace(SEARCH_INDEX_SCRIPT, "", 1))


def glossary_entries_are_link_targets(app: Sphinx, doctree: nodes.document) -> None:
    anchors = app.env.metadata[app.env.docname].setdefault("myst_slugs", {})
    for term in doctree.findall(nodes.term):
        for node_id in term["ids"]:
            anchors.setdefault(node_id, (0, node_id, term.astext()))


class GluedFigure(SphinxDirective):
    """A figure whose image is glued under ``key`` in the notebook ``:doc:``; ``:alt:`` is required."""

    required_arguments = 1
    has_content = True
    option_spec = {"doc": directives.unchanged_required, "alt": directives.unchanged_required}

    def run(self) -> list[nodes.Node]:
        missing = [option for option in ("doc", "alt") if not self.options.get(option)]
        if missing:
            raise self.error(f"glued-figure needs the options {', '.join(':' + m + ':' for m in missing)}")
        reference = create_pending_glue_ref(
            self.state.document, self.env.docname, self.lineno, self.options["doc"], self.arguments[0]
        )
        figure = nodes.figure("", reference, classes=["glued-figure"])
        figure["glued_alt"] = self.options["alt"]
        if self.content:
            parsed = nodes.Element()
            self.state.nested_parse(self.content, self.content_offset, parsed)
            figure += nodes.caption("", "", *parsed[0].children)
        self.set_source_info(figure)
        return [figure]


class AltTextForGluedFigures(SphinxPostTransform):
    """Give the image myst-nb pasted into a glued-figure its alt text (after myst-nb's own post-transform, 5)."""

    default_priority = 6

    def run(self, **kwargs: Any) -> None:
        for figure in self.document.findall(nodes.figure):
            if "glued_alt" in figure:
                for image in figure.findall(nodes.image):
                    image["alt"] = figure["glued_alt"]


def setup(app: Sphinx) -> dict[str, Any]:
    app.add_directive("glued-figure", GluedFigure)
    app.add_post_transform(AltTextForGluedFigures)
    app.connect("html-page-context", keep_first_copy_of_each_script, priority=900)  # after every other extension
    app.connect("builder-inited", single_page_at_the_root)
    app.connect("build-finished", no_search_index_on_the_single_page)
    app.connect("doctree-read", glossary_entries_are_link_targets)
    return {"parallel_read_safe": True, "parallel_write_safe": True}
