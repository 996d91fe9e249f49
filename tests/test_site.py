"""The built book in a real browser: headless Chromium opens every page from a loopback web server.

Every page must open without console errors, load every local asset it asks for (a failed request for anything
the site itself serves is an error; the site needs nothing from the internet, and requests elsewhere are not
judged, so the test runs offline), show every image, have every formula typeset by MathJax (served from the site
itself, see _config.yml), and link only to pages and anchors that exist. Chapter pages must carry Binder and Colab
launch buttons that open that very notebook on the repository's branch, every page built from a source file must
offer that file for download, the search page must find the chapters, and figures must sit on a light, opaque
background in dark mode. A screenshot of the first chapter, in light and dark mode, and a JSON summary are saved
in _build/site-check/.

No chapter's code scrolls sideways in a 1280 px wide window: every line of a code cell, or of a code block in the
prose, fits the code column (CODE_WINDOW_WIDTH; the report's code_cell_columns says how many characters a code cell's
column holds, the line length the notebooks' code is formatted to).

Chromium is driven through Selenium and the system's chromedriver (the `browser` fixture of conftest.py); no
browser is downloaded. Without Chromium the tests are skipped with the command that installs it, except in CI
(CI=true), where they fail.
"""

from __future__ import annotations

import contextlib
import functools
import http.server
import json
import threading
import urllib.request
from dataclasses import dataclass, field
from pathlib import Path
from urllib.parse import unquote, urldefrag, urlsplit

import pytest
import yaml

ROOT = Path(__file__).resolve().parents[1]
REPORT_DIR = ROOT / "_build" / "site-check"
CODE_WINDOW_WIDTH = 1280  # px: the browser fixture's window, in which no chapter's code may scroll sideways
NOT_PAGES = {"_static", "_sources", "_images"}  # folders of assets, not pages
# Browsers ask a host for /favicon.ico by themselves when a page names no icon (the book's index.html is a bare
# redirect): a request the site never makes, to a path that on GitHub Pages is not even the book's.
BROWSER_PROBES = {"/favicon.ico"}


def _sources() -> list[str]:
    """Every page of _toc.yml, as its source path without suffix (book/intro, notebooks/01-vanilla, ...)."""
    toc = yaml.safe_load((ROOT / "_toc.yml").read_text())
    return [toc["root"]] + [chapter["file"] for part in toc.get("parts", []) for chapter in part["chapters"]]


def _chapters() -> list[str]:
    return [source for source in _sources() if (ROOT / f"{source}.ipynb").is_file()]


# --------------------------------------------------------------------------------------------------------------
# The browser, the server and one visit of every page
# --------------------------------------------------------------------------------------------------------------


class _QuietHandler(http.server.SimpleHTTPRequestHandler):
    requests: list[tuple[str, int]]

    def log_request(self, code="-", size="-"):
        self.requests.append((urlsplit(self.path).path, int(code) if str(code).isdigit() else 0))

    def log_message(self, format, *args):  # noqa: A002 - the name is http.server's
        pass


@contextlib.contextmanager
def _serve(folder: Path):
    """Serve a folder on a free loopback port: yields (base URL, folder, list of (path, status) served)."""
    requests: list[tuple[str, int]] = []
    handler = type("Handler", (_QuietHandler,), {"requests": requests})
    server = http.server.ThreadingHTTPServer(("127.0.0.1", 0), functools.partial(handler, directory=str(folder)))
    thread = threading.Thread(target=server.serve_forever, daemon=True)
    thread.start()
    try:
        yield f"http://127.0.0.1:{server.server_port}/", folder, requests
    finally:
        server.shutdown()
        server.server_close()


@pytest.fixture(scope="module")
def site(built_book):
    """The built book on a loopback web server: (base URL, html folder, list of (path, status) served)."""
    with _serve(built_book.require_success()) as served:
        yield served


@dataclass
class Page:
    """What one page showed and did in the browser."""

    path: str
    console_errors: list[str] = field(default_factory=list)
    failed_requests: list[str] = field(default_factory=list)
    broken_images: list[str] = field(default_factory=list)
    images: int = 0
    formulas: int = 0
    typeset: int = 0
    math_errors: int = 0
    links: list[str] = field(default_factory=list)
    ids: set[str] = field(default_factory=set)
    launch: dict[str, list[str]] = field(default_factory=dict)
    launch_button_shown: bool = False
    downloads: list[str] = field(default_factory=list)
    images_without_alt: list[str] = field(default_factory=list)
    window_width: int = 0
    code_blocks: list[dict] = field(default_factory=list)


# Run in the page after it loaded: wait for MathJax's first typesetting and for every image, then report.
INSPECT = """
const done = arguments[arguments.length - 1];
const mathjax = window.MathJax && MathJax.startup && MathJax.startup.promise;
const images = [...document.images];
images.forEach(img => { img.loading = "eager"; });
Promise.all([
  document.fonts.ready,
  mathjax || Promise.resolve(),
  ...images.map(img => img.decode().catch(() => null)),
]).then(() => {
  const formulas = [...document.querySelectorAll(".math")];
  const hrefs = selector => [...document.querySelectorAll(selector)].map(a => a.href);
  done({
    images: images.length,
    broken: images.filter(img => !img.complete || img.naturalWidth === 0).map(img => img.currentSrc || img.src),
    no_alt: images.filter(img => !(img.getAttribute("alt") || "").trim()).map(img => img.currentSrc || img.src),
    formulas: formulas.length,
    typeset: formulas.filter(f => f.querySelector("mjx-container")).length,
    math_errors: document.querySelectorAll("mjx-merror").length,
    mathjax: window.MathJax ? (MathJax.version || "config only") : null,
    links: hrefs("a[href]"),
    ids: [...document.querySelectorAll("[id], a[name]")].map(e => e.id || e.getAttribute("name")),
    binder: hrefs('a[href^="https://mybinder.org/"]'),
    colab: hrefs('a[href^="https://colab.research.google.com/"]'),
    downloads: hrefs("a.btn-download-source-button"),
    window_width: window.innerWidth,
    code: [...document.querySelectorAll("div.highlight pre")].filter(pre => !pre.closest(".cell_output")).map(pre => {
      const style = getComputedStyle(pre);
      const room = pre.clientWidth - parseFloat(style.paddingLeft) - parseFloat(style.paddingRight);
      const pen = document.createElement("canvas").getContext("2d");
      pen.font = style.font;
      const lines = pre.textContent.replace(/\\n$/, "").split("\\n");
      return {cell: Boolean(pre.closest(".cell_input")), scroll: pre.scrollWidth, client: pre.clientWidth,
              columns: Math.floor(room / pen.measureText("0").width),
              widest: lines.reduce((widest, line) => line.length > widest.length ? line : widest, "")};
    }),
  });
}).catch(error => done({error: String(error)}));
"""


def _is_local(url: str, base: str) -> bool:
    return url.startswith(base)


def _visit(driver, base: str, path: str, served: list[tuple[str, int]]) -> Page:
    page = Page(path)
    served.clear()
    driver.get(base + path)
    found = driver.execute_async_script(INSPECT)
    assert "error" not in found, f"{path}: inspecting the page failed: {found['error']}"
    page.images, page.broken_images, page.images_without_alt = found["images"], found["broken"], found["no_alt"]
    page.formulas, page.typeset, page.math_errors = found["formulas"], found["typeset"], found["math_errors"]
    page.links, page.ids, page.downloads = found["links"], set(found["ids"]), found["downloads"]
    page.launch = {"binder": found["binder"], "colab": found["colab"]}
    page.window_width, page.code_blocks = found["window_width"], found["code"]
    launch_button = driver.find_elements("css selector", "button[aria-label='Launch interactive content']")
    page.launch_button_shown = any(button.is_displayed() for button in launch_button)

    for entry in driver.get_log("browser"):
        message = entry["message"]
        if entry["level"] != "SEVERE":
            continue
        url = message.split(" ", 1)[0]
        if "Failed to load resource" in message and not _is_local(url, base):
            continue  # the internet is not the site's business here (and not reachable offline)
        if urlsplit(url).path in BROWSER_PROBES and "Failed to load resource" in message:
            continue
        page.console_errors.append(message)

    requested: dict[str, str] = {}
    for entry in driver.get_log("performance"):
        event = json.loads(entry["message"])["message"]
        params = event.get("params", {})
        if event["method"] == "Network.requestWillBeSent":
            requested[params["requestId"]] = params["request"]["url"]
        elif event["method"] == "Network.responseReceived":
            url, status = params["response"]["url"], params["response"]["status"]
            if _is_local(url, base) and status >= 400 and urlsplit(url).path not in BROWSER_PROBES:
                page.failed_requests.append(f"{url} -> HTTP {status}")
        elif event["method"] == "Network.loadingFailed" and not params.get("canceled"):
            url = requested.get(params["requestId"], "?")
            if _is_local(url, base) and urlsplit(url).path not in BROWSER_PROBES:
                page.failed_requests.append(f"{url} -> {params.get('errorText')}")
    page.failed_requests += [
        f"{base}{served_path.lstrip('/')} -> served HTTP {status}"
        for served_path, status in served
        if status >= 400 and served_path not in BROWSER_PROBES
    ]
    return page


@pytest.fixture(scope="module")
def pages(browser, site) -> dict[str, Page]:
    """Every HTML page of the built book, visited once: {path relative to the site: Page}."""
    base, html, served = site
    paths = sorted(
        p.relative_to(html).as_posix() for p in html.rglob("*.html") if not NOT_PAGES & set(p.relative_to(html).parts)
    )
    visited = {path: _visit(browser, base, path, served) for path in paths}
    REPORT_DIR.mkdir(parents=True, exist_ok=True)
    cell_columns = [block["columns"] for page in visited.values() for block in page.code_blocks if block["cell"]]
    summary = {
        "pages": len(visited),
        "console_errors": sum(len(p.console_errors) for p in visited.values()),
        "failed_local_requests": sum(len(p.failed_requests) for p in visited.values()),
        "broken_images": sum(len(p.broken_images) for p in visited.values()),
        "images": sum(p.images for p in visited.values()),
        "formulas": sum(p.formulas for p in visited.values()),
        "formulas_typeset": sum(p.typeset for p in visited.values()),
        "code_cell_columns": min(cell_columns, default=0),  # characters a code cell's line has room for
        "per_page": {
            path: {"console_errors": p.console_errors, "failed_requests": p.failed_requests, "images": p.images,
                   "formulas": p.formulas, "typeset": p.typeset, "launch": p.launch,
                   "code_columns": sorted({b["columns"] for b in p.code_blocks})}
            for path, p in visited.items()
        },
    }  # fmt: skip
    (REPORT_DIR / "report.json").write_text(json.dumps(summary, indent=2) + "\n")
    return visited


# --------------------------------------------------------------------------------------------------------------
# The checks
# --------------------------------------------------------------------------------------------------------------


def test_every_page_of_the_book_is_visited(pages):
    for source in _sources():
        assert f"{source}.html" in pages, f"{source}.html was not built or not found"
    assert {"index.html", "search.html", "genindex.html"} <= set(pages)


def test_no_page_logs_a_console_error(pages):
    errors = {path: page.console_errors for path, page in pages.items() if page.console_errors}
    assert errors == {}, f"console errors: {json.dumps(errors, indent=1)}"


def test_no_request_for_a_local_asset_fails(pages):
    failed = {path: page.failed_requests for path, page in pages.items() if page.failed_requests}
    assert failed == {}, f"failed requests for the site's own files: {json.dumps(failed, indent=1)}"


def test_every_image_loads(pages):
    broken = {path: page.broken_images for path, page in pages.items() if page.broken_images}
    assert broken == {}, f"images that did not load: {json.dumps(broken, indent=1)}"
    chapters = _chapters()
    for chapter in chapters:
        assert pages[f"{chapter}.html"].images > 0, f"{chapter} shows no figures"


def test_every_image_has_alt_text(pages):
    missing = {path: page.images_without_alt for path, page in pages.items() if page.images_without_alt}
    assert missing == {}, (
        "images without alt text (give a notebook figure cell the metadata mystnb: image: alt:, a page's figure "
        f"the :alt: option): {json.dumps(missing, indent=1)}"
    )


def test_every_formula_is_typeset_by_mathjax(pages):
    for path, page in pages.items():
        assert page.typeset == page.formulas, f"{path}: {page.formulas - page.typeset} formulas left as raw TeX"
        assert page.math_errors == 0, f"{path}: MathJax reports {page.math_errors} TeX errors"
    chapters = _chapters()
    assert pages[f"{chapters[0]}.html"].typeset > 0, "the first chapter's maths should be on the page"


def test_internal_links_lead_to_existing_pages_and_anchors(pages, site):
    base, html, _ = site
    broken = []
    for path, page in pages.items():
        for link in page.links:
            url, anchor = urldefrag(link)
            if not _is_local(url, base):
                continue  # external links are not checked: this test runs offline
            target = unquote(urlsplit(url).path).lstrip("/") or "index.html"
            if target.endswith("/"):
                target += "index.html"
            if not (html / target).is_file():
                broken.append(f"{path}: {link} (no such file)")
            elif anchor and target in pages and anchor not in pages[target].ids:
                broken.append(f"{path}: {link} (no element with id {anchor!r})")
    assert broken == [], "broken internal links:\n" + "\n".join(broken)


def test_no_chapter_code_block_scrolls_sideways(pages):
    """At CODE_WINDOW_WIDTH every line of a chapter's code cells and code blocks fits the code column."""
    wide = []
    for chapter in _chapters():
        page = pages[f"{chapter}.html"]
        assert page.window_width == CODE_WINDOW_WIDTH, f"{chapter} was measured in a {page.window_width} px window"
        assert page.code_blocks, f"{chapter} shows no code"
        for index, block in enumerate(page.code_blocks):
            if block["scroll"] > block["client"] + 1:
                widest = block["widest"]
                wide.append(
                    f"{chapter}.html, code block {index} ({'code cell' if block['cell'] else 'in the prose'}): its "
                    f"widest line has {len(widest)} characters, the column holds {block['columns']}: "
                    f"{widest.strip()[:60]!r}"
                )
    if wide:
        pytest.fail(
            f"code that scrolls sideways in a {CODE_WINDOW_WIDTH} px window ({len(wide)} blocks); break the lines "
            "(ruff format, with the line length the column holds):\n" + "\n".join(wide),
            pytrace=False,
        )


def test_chapter_pages_launch_their_own_notebook_on_binder_and_colab(pages):
    repository = yaml.safe_load((ROOT / "_config.yml").read_text())["repository"]
    owner_and_name = repository["url"].removeprefix("https://github.com/")
    branch = repository["branch"]
    chapters = _chapters()
    for chapter in chapters:
        page = pages[f"{chapter}.html"]
        notebook = f"{chapter}.ipynb"
        assert (ROOT / notebook).is_file()
        binder = f"https://mybinder.org/v2/gh/{owner_and_name}/{branch}?urlpath=lab/tree/{notebook}"
        colab = f"https://colab.research.google.com/github/{owner_and_name}/blob/{branch}/{notebook}"
        assert page.launch == {"binder": [binder], "colab": [colab]}, f"{chapter}: wrong or missing launch links"
        assert page.launch_button_shown, f"{chapter}: the launch (rocket) button is not visible"


def test_every_page_offers_its_source_for_download(pages, site):
    base, _, _ = site
    for source in _sources():
        page = pages[f"{source}.html"]
        suffix = ".ipynb" if (ROOT / f"{source}.ipynb").is_file() else ".md"
        assert page.downloads == [f"{base}_sources/{source}{suffix}"], f"{source}: no download of its {suffix}"
        with urllib.request.urlopen(page.downloads[0]) as response:
            assert response.read() == (ROOT / f"{source}{suffix}").read_bytes(), f"{source}: stale download"


def test_search_finds_the_chapters(browser, site):
    from selenium.webdriver.support.ui import WebDriverWait

    base, _, _ = site
    chapters = _chapters()
    browser.get(f"{base}search.html?q=autoencoder")
    results = "return [...document.querySelectorAll('#search-results ul.search li a')].map(a => a.href)"
    # Sphinx lists the results a few at a time and announces "Search finished" once it has shown them all.
    summary = "return document.querySelector('#search-results p.search-summary')?.textContent || ''"
    WebDriverWait(browser, 30).until(lambda driver: "finished" in driver.execute_script(summary).lower())
    found = browser.execute_script(results)
    for chapter in chapters:
        assert any(f"/{chapter}.html" in url for url in found), f"searching 'autoencoder' does not find {chapter}"


def _full_page_screenshot(driver, path: Path) -> None:
    """The whole page: the window is made as tall as the page for the shot (the theme's sidebars stay in place)."""
    width, height = driver.get_window_size()["width"], driver.get_window_size()["height"]
    page_height = driver.execute_script("return document.documentElement.scrollHeight")
    driver.set_window_size(width, page_height + 200)
    try:
        path.write_bytes(driver.get_screenshot_as_png())
    finally:
        driver.set_window_size(width, height)


FIGURE_BACKGROUNDS = """
return [...document.querySelectorAll(".cell_output img")].map(img => getComputedStyle(img).backgroundColor);
"""


def _set_color_scheme(driver, scheme: str) -> None:
    feature = {"name": "prefers-color-scheme", "value": scheme}
    driver.execute_cdp_cmd("Emulation.setEmulatedMedia", {"features": [feature]})


def test_screenshot_of_the_first_chapter(browser, site, pages):
    base, _, _ = site
    chapters = _chapters()
    _set_color_scheme(browser, "light")
    browser.get(f"{base}{chapters[0]}.html")
    browser.execute_async_script(INSPECT)
    shot = REPORT_DIR / f"{Path(chapters[0]).name}.png"
    _full_page_screenshot(browser, shot)
    assert shot.stat().st_size > 50_000, f"{shot} looks empty"


def test_figures_stay_readable_in_dark_mode(browser, site, pages):
    """Dark mode puts every output image on a light, opaque background, so no figure turns black on black."""
    base, _, _ = site
    chapters = _chapters()
    _set_color_scheme(browser, "dark")  # the book follows the reader's system setting (html_context.default_mode)
    try:
        browser.execute_script("localStorage.clear()")
        for chapter in chapters:
            browser.get(f"{base}{chapter}.html")
            browser.execute_async_script(INSPECT)
            assert browser.execute_script("return document.documentElement.dataset.theme") == "dark"
            backgrounds = browser.execute_script(FIGURE_BACKGROUNDS)
            assert backgrounds, f"{chapter}: no figures found"
            for background in backgrounds:
                red, green, blue, *alpha = (float(v) for v in background[background.index("(") + 1 : -1].split(","))
                assert (alpha or [1.0])[0] == 1.0, f"{chapter}: a figure has a transparent background in dark mode"
                luminance = (0.2126 * red + 0.7152 * green + 0.0722 * blue) / 255
                assert luminance > 0.6, f"{chapter}: a figure sits on a dark background ({background}) in dark mode"
            if chapter == chapters[0]:
                _full_page_screenshot(browser, REPORT_DIR / f"{Path(chapter).name}-dark.png")
    finally:
        _set_color_scheme(browser, "light")
        browser.execute_script("localStorage.clear()")


def test_the_single_page_shows_the_whole_book(browser, built_single_page):
    """`make book-singlehtml`: one page, styled, every figure and formula, in-page links that land."""
    with _serve(built_single_page.require_success()) as (base, html, served):
        page = _visit(browser, base, "index.html", served)
        assert page.console_errors == [] and page.failed_requests == [], (page.console_errors, page.failed_requests)
        assert page.broken_images == [] and page.math_errors == 0
        assert page.typeset == page.formulas > 0, "the single page's maths is not typeset"
        figures = sum((ROOT / f"{chapter}.ipynb").read_text().count('"image/png"') for chapter in _chapters())
        assert page.images >= figures, "the single page lacks some of the chapters' figures"
        styled = browser.execute_script("return getComputedStyle(document.body).fontFamily")
        assert "serif" in styled.lower() or "sans" in styled.lower(), "the single page is not styled"
        for link in page.links:
            url, anchor = urldefrag(link)
            if url == f"{base}index.html" and anchor:
                assert anchor in page.ids, f"the single page links to a missing anchor: {link}"
        browser.execute_cdp_cmd("Emulation.setEmulatedMedia", {"media": "print"})
        try:
            cut = browser.execute_script(CODE_CUT_OFF)
        finally:
            browser.execute_cdp_cmd("Emulation.setEmulatedMedia", {"media": ""})
        assert cut == [], f"printed, these code lines run off the page (_static/print.css): {cut[:3]}"


CODE_CUT_OFF = """
return [...document.querySelectorAll("pre")].filter(pre => pre.scrollWidth > pre.clientWidth + 1)
  .map(pre => pre.textContent.slice(0, 80));
"""
