"""A chapter opened in a real JupyterLab shows its markdown rendered, with no raw MyST markup.

Readers open the chapters in JupyterLab (on their computer or on Binder), where MyST's roles and directives mean
nothing: {cite}`key` shows up as "{cite}key" and a :::{dropdown} fence as a paragraph of colons. So the test
starts JupyterLab on a free loopback port with a random token, opens each chapter of CHAPTERS in headless
Chromium (the `browser` fixture of conftest.py), waits until every markdown cell is rendered and its maths
typeset, and fails on raw markup among what the cells show: a {name}`...` role (rendered, a {name} just before a
code span), a ```{name} or :::{name} directive fence, a (label)= target. Each finding names the notebook, the
cell index and the text. A screenshot of the chapter's first screen is saved as
_build/site-check/jupyterlab-<chapter>.png.

JupyterLab runs with its own settings, workspaces, runtime and checkpoint folders in a temporary folder, so
nothing of the user's is read and nothing is written into the repository; its settings attach every cell at once
(windowingMode "none": by default JupyterLab renders only the cells near the viewport), never save, and fetch
no news, so the test runs offline. The server, and the kernel the chapter starts, are shut down when the
module's tests end. Without Chromium the test is skipped with the command that installs it, except in CI
(CI=true), where it fails.
"""

from __future__ import annotations

import importlib.util
import json
import os
import re
import secrets
import signal
import socket
import subprocess
import sys
import time
import urllib.request
from pathlib import Path

import nbformat
import pytest

ROOT = Path(__file__).resolve().parents[1]
REPORT_DIR = ROOT / "_build" / "site-check"
# chapter 1, and the chapters whose lessons fold optional depth into <details> blocks; add a chapter to check it
CHAPTERS = [
    "notebooks/01-vanilla.ipynb",
    "notebooks/06-variational.ipynb",
    "notebooks/07-representations.ipynb",
    "notebooks/08-anomaly-detection.ipynb",
    "notebooks/09-compression-vs-jpeg.ipynb",
    "notebooks/10-linear-autoencoders-and-pca.ipynb",
    "notebooks/11-capacity-and-copying.ipynb",
]
START_TIMEOUT = 120  # seconds for the server to answer, and again for a chapter to be shown rendered

LAB_SETTINGS = {  # user settings, as JupyterLab's Settings Editor would write them
    "@jupyterlab/notebook-extension/tracker": {"windowingMode": "none"},
    "@jupyterlab/docmanager-extension/plugin": {"autosave": False},
    "@jupyterlab/apputils-extension/notification": {"fetchNews": "false", "checkForUpdates": False},
}

# What a markdown cell shows, per cell in notebook order: null for a code or raw cell.
SHOWN = """
const panel = [...document.querySelectorAll(".jp-NotebookPanel")].find(p => p.offsetParent !== null);
if (!panel) return null;
return [...panel.querySelectorAll(".jp-Notebook .jp-Cell")].map(cell => {
  if (!cell.classList.contains("jp-MarkdownCell")) return null;
  const shown = cell.querySelector(".jp-MarkdownOutput");
  if (!shown) return {rendered: false};
  const roles = [...shown.querySelectorAll("code")].flatMap(code => {
    const before = code.previousSibling;
    const name = before && before.nodeType === Node.TEXT_NODE && before.textContent.match(/\\{[A-Za-z][\\w.:+-]*\\}$/);
    return name ? [`${name[0]}\\`${code.textContent}\\``] : [];
  });
  const fences = [...shown.querySelectorAll("pre > code")].flatMap(code =>
    [...code.classList].filter(c => c.startsWith("language-{")).map(c => "```" + c.slice("language-".length)));
  return {rendered: true, text: shown.textContent, typeset: shown.querySelectorAll("mjx-container").length,
          roles, fences};
});
"""
# Raw markup in the text a cell shows (its textContent, so that the inside of a closed <details> counts too).
RAW_MARKUP = re.compile(
    r"\{[A-Za-z][\w.:+-]*\}`|(?:`{3,}|~{3,}|:{3,})[ \t]*\{[^}\n]*\}.*|^[ \t]*\([^()\s]+\)=[ \t]*$", re.M
)
MATHS = re.compile(r"\$[^$]+\$")


def _free_port() -> int:
    with socket.socket() as probe:
        probe.bind(("127.0.0.1", 0))
        return probe.getsockname()[1]


def _request(url: str, token: str, method: str = "GET", timeout: float = 5) -> int:
    request = urllib.request.Request(url, method=method, headers={"Authorization": f"token {token}"})
    with urllib.request.urlopen(request, timeout=timeout) as response:
        return response.status


def _processes_naming(folder: Path) -> list[int]:
    """The processes whose command line names `folder` (the kernels' connection files lie in it); Linux only."""
    pids = []
    for cmdline in Path("/proc").glob("[0-9]*/cmdline"):
        try:
            if f"{folder}{os.sep}".encode() in cmdline.read_bytes():
                pids.append(int(cmdline.parent.name))
        except OSError:
            continue  # the process ended meanwhile
    return [pid for pid in pids if pid != os.getpid()]


@pytest.fixture(scope="module")
def jupyterlab(tmp_path_factory, unavailable):
    """JupyterLab serving the repository on a loopback port: (base URL, token). Shut down after the module."""
    if importlib.util.find_spec("jupyterlab") is None:
        unavailable("JupyterLab is not installed", "`make test` installs it from requirements.txt")
    home = tmp_path_factory.mktemp("jupyterlab")
    for plugin, values in LAB_SETTINGS.items():
        path = home / "settings" / f"{plugin}.jupyterlab-settings"
        path.parent.mkdir(parents=True, exist_ok=True)
        path.write_text(json.dumps(values))
    env = dict(
        os.environ,
        JUPYTER_TOKEN=secrets.token_hex(24),
        JUPYTER_CONFIG_DIR=str(home / "config"),
        JUPYTER_DATA_DIR=str(home / "data"),
        JUPYTER_RUNTIME_DIR=str(home / "runtime"),
        JUPYTERLAB_SETTINGS_DIR=str(home / "settings"),
        JUPYTERLAB_WORKSPACES_DIR=str(home / "workspaces"),
        IPYTHONDIR=str(home / "ipython"),
    )
    port = _free_port()
    command = [
        sys.executable, "-m", "jupyterlab", "--no-browser", "--ServerApp.ip=127.0.0.1", f"--ServerApp.port={port}",
        "--ServerApp.port_retries=0", f"--ServerApp.root_dir={ROOT}",
        f"--FileCheckpoints.checkpoint_dir={home / 'checkpoints'}",  # not .ipynb_checkpoints/ in the repository
        "--LabApp.extension_manager=readonly", "--LabApp.news_url=None",
        *(["--allow-root"] if hasattr(os, "geteuid") and os.geteuid() == 0 else []),  # CI runs as root
    ]  # fmt: skip
    log = home / "jupyterlab.log"
    with open(log, "wb") as output:
        server = subprocess.Popen(
            command, env=env, stdin=subprocess.DEVNULL, stdout=output, stderr=subprocess.STDOUT, start_new_session=True
        )
    base, token = f"http://127.0.0.1:{port}/", env["JUPYTER_TOKEN"]
    try:
        deadline = time.monotonic() + START_TIMEOUT
        while True:
            if server.poll() is not None:
                pytest.fail(f"JupyterLab exited with {server.returncode}:\n{log.read_text()[-4000:]}")
            try:
                if _request(f"{base}api/status", token) == 200:
                    break
            except OSError:
                pass
            if time.monotonic() > deadline:
                pytest.fail(f"JupyterLab did not answer within {START_TIMEOUT} s:\n{log.read_text()[-4000:]}")
            time.sleep(0.25)
        yield base, token
    finally:
        _shut_down(server, base, token, home)


def _shut_down(server: subprocess.Popen, base: str, token: str, home: Path) -> None:
    """Ask the server to shut down with its kernels; terminate, then kill, whatever is still running."""
    if server.poll() is None:
        try:
            _request(f"{base}api/shutdown", token, method="POST", timeout=30)
        except OSError:
            pass  # it may close the connection as it stops
        try:
            server.wait(timeout=30)
        except subprocess.TimeoutExpired:
            server.terminate()
            try:
                server.wait(timeout=15)
            except subprocess.TimeoutExpired:
                os.killpg(server.pid, signal.SIGKILL)
                server.wait()
    left = _processes_naming(home) if Path("/proc").is_dir() else []
    for pid in left:
        os.kill(pid, signal.SIGKILL)
    assert not left, f"JupyterLab left processes running (killed now): {left}"


def _raw_markup(cell: dict) -> list[str]:
    found = [f"role {role!r}" for role in cell["roles"]] + [f"directive {fence!r}" for fence in cell["fences"]]
    for match in RAW_MARKUP.finditer(cell["text"]):
        start, end = max(match.start() - 40, 0), min(match.end() + 40, len(cell["text"]))
        found.append(f"{match.group(0).strip()!r} in {' '.join(cell['text'][start:end].split())!r}")
    return found


@pytest.mark.parametrize("chapter", CHAPTERS, ids=lambda chapter: Path(chapter).stem)
def test_jupyterlab_shows_the_chapter_without_raw_myst_markup(browser, jupyterlab, chapter):
    from selenium.common.exceptions import TimeoutException
    from selenium.webdriver.support.ui import WebDriverWait

    base, token = jupyterlab
    cells = nbformat.read(ROOT / chapter, as_version=4).cells
    expected = {i: bool(MATHS.search(cell.source)) for i, cell in enumerate(cells) if cell.cell_type == "markdown"}

    def waiting_for(shown) -> list[str]:
        """What is not shown yet: nothing once every markdown cell is rendered and its maths typeset."""
        if shown is None or len(shown) != len(cells):
            return [f"the notebook with its {len(cells)} cells ({0 if shown is None else len(shown)} shown)"]
        missing = [i for i in expected if not (shown[i] or {}).get("rendered")]
        untypeset = [i for i, maths in expected.items() if maths and not (shown[i] or {}).get("typeset")]
        return [f"cells {missing} rendered"] * bool(missing) + [f"the maths of cells {untypeset}"] * bool(untypeset)

    # Single-document mode ("doc"), in a workspace of its own: the chapter alone fills the window.
    browser.get(f"{base}doc/workspaces/{Path(chapter).stem}/tree/{chapter}?token={token}")
    screenshot = REPORT_DIR / f"jupyterlab-{Path(chapter).stem}.png"
    REPORT_DIR.mkdir(parents=True, exist_ok=True)
    try:
        WebDriverWait(browser, START_TIMEOUT, poll_frequency=0.5).until(
            lambda driver: not waiting_for(driver.execute_script(SHOWN))
        )
    except TimeoutException:
        browser.save_screenshot(str(screenshot))
        still = ", ".join(waiting_for(browser.execute_script(SHOWN)))
        pytest.fail(f"{chapter}: JupyterLab did not show {still} within {START_TIMEOUT} s (see {screenshot})")
    shown = browser.execute_script(SHOWN)
    browser.save_screenshot(str(screenshot))
    found = [f"{chapter}, cell {i}: {finding}" for i in expected for finding in _raw_markup(shown[i])]
    if found:
        pytest.fail(
            f"JupyterLab shows raw MyST markup ({len(found)}); write plain Markdown (see "
            "tests/test_notebook_markdown.py):\n" + "\n".join(found),
            pytrace=False,
        )
