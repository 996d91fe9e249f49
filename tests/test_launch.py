"""Launching a chapter on Colab or Binder: the Colab cell every notebook starts with, and what Binder builds from.

The Colab cell's text lives here, in COLAB_CELL, and nowhere else; the repository address and branch it installs
from are filled in from `_config.yml`, the one place they are written (the launch buttons are built from the
same entries). To give a new notebook its first cell, or to refresh every notebook's after changing the
repository in `_config.yml`, run

    .venv/bin/python tests/test_launch.py notebooks/NN-name.ipynb [...]

then commit the notebook (a new notebook: `make execute NOTEBOOKS=...` first). Off Colab the cell does nothing, so
refreshing its text cannot change any output.
"""

from __future__ import annotations

import importlib.metadata
import re
import shutil
import string
import sys
import types
from pathlib import Path

import nbformat
import pytest
import yaml

ROOT = Path(__file__).resolve().parents[1]
NOTEBOOKS = sorted((ROOT / "notebooks").glob("*.ipynb"))

# Jupyter Book removes the cell from the page (`remove-cell`). The notebook tests run it and compare its output like
# any other cell's: outside Colab it prints nothing, so the stored output is empty and must stay empty.
COLAB_CELL_TAGS = ["remove-cell"]
# What Colab lacks for the notebooks' `from myst_nb import glue`: the cell installs these pins without dependencies.
GLUE_NEEDS = ("myst-nb", "docutils")
COLAB_CELL = """\
# On Google Colab only: install this book's helper package `aeutils` with the
# library versions the book was run with (its requirements.txt), and what the
# notebooks' `glue` calls need from myst-nb. If Colab then asks you to restart
# the session, do so and run the notebook again. Anywhere else (your computer,
# Binder, the book's tests) this cell does nothing.
import sys

if "google.colab" in sys.modules:
    from pathlib import Path

    REPOSITORY = "$repository"
    GLUE_NEEDS = $glue_needs  # what Colab lacks for myst_nb.glue
    if not Path("autoencoders-book").exists():
        !git clone -q --depth 1 --branch $branch {REPOSITORY} autoencoders-book
    requirements = Path("autoencoders-book/requirements.txt").read_text()
    pins = [line for line in requirements.splitlines() if "==" in line]
    Path("pins.txt").write_text("\\n".join(pins) + "\\n")
    %pip install --quiet --constraint pins.txt ./autoencoders-book
    glue_pins = " ".join(p for p in pins if p.split("==")[0] in GLUE_NEEDS)
    %pip install --quiet --no-deps {glue_pins}"""


def repository() -> dict[str, str]:
    """The `repository` entries of _config.yml: url, branch, path_to_book."""
    return yaml.safe_load((ROOT / "_config.yml").read_text())["repository"]


def colab_cell_source() -> str:
    """The Colab cell, with the repository address and branch of _config.yml."""
    repo = repository()
    return string.Template(COLAB_CELL).substitute(
        repository=repo["url"],
        branch=repo["branch"],
        glue_needs="(" + ", ".join(f'"{name}"' for name in GLUE_NEEDS) + ")",
    )


def add_colab_cell(path: Path) -> None:
    """Make the Colab cell the first cell of a notebook; an older copy of it gets the new text in place (its id and
    empty output stay: off Colab the cell does nothing, so its output cannot change)."""
    notebook = nbformat.read(path, as_version=4)
    first = notebook.cells[0] if notebook.cells else None
    if first is not None and first.cell_type == "code" and 'if "google.colab" in sys.modules' in first.source:
        first.source = colab_cell_source()
        first.metadata["tags"] = list(COLAB_CELL_TAGS)
    else:
        cell = nbformat.v4.new_code_cell(colab_cell_source(), metadata={"tags": list(COLAB_CELL_TAGS)})
        notebook.cells.insert(0, cell)
    nbformat.write(notebook, path)


# --------------------------------------------------------------------------------------------------------------
# The repository, as the launch buttons and the Colab cell see it
# --------------------------------------------------------------------------------------------------------------


def test_the_repository_is_a_github_repository_on_branch_main():
    repo = repository()
    parts = repo["url"].split("/")
    assert repo["url"].startswith("https://github.com/") and len(parts) == 5 and all(parts[3:]), (
        f"repository.url in _config.yml must be https://github.com/<owner>/<name> (Binder and Colab need a GitHub "
        f"repository), got {repo['url']!r}"
    )
    assert not repo["url"].endswith(".git"), "write repository.url without .git: it also makes the page links"
    assert repo["branch"] == "main", "the launch buttons must open the notebooks of branch main"
    assert repo.get("path_to_book", "") == "", "the book sits at the repository root: path_to_book must be empty"


def test_the_launch_buttons_are_configured():
    config = yaml.safe_load((ROOT / "_config.yml").read_text())
    launch = config["launch_buttons"]
    assert launch["binderhub_url"] == "https://mybinder.org"
    assert launch["colab_url"] == "https://colab.research.google.com"
    assert launch["notebook_interface"] == "jupyterlab", "requirements.txt installs JupyterLab, not the classic UI"


# --------------------------------------------------------------------------------------------------------------
# Binder builds from requirements.txt + runtime.txt, and nothing overrides them
# --------------------------------------------------------------------------------------------------------------

# What repo2docker would use instead of (or before) requirements.txt and runtime.txt.
BINDER_OVERRIDES = ["binder", ".binder", "environment.yml", "Pipfile", "Pipfile.lock", "Dockerfile", "Project.toml"]


def test_binder_builds_from_requirements_and_runtime():
    present = [name for name in BINDER_OVERRIDES if (ROOT / name).exists()]
    assert present == [], f"{present} would override requirements.txt + runtime.txt on Binder: remove them"
    assert (ROOT / "runtime.txt").read_text().strip() == "python-3.11"
    lines = [line.strip() for line in (ROOT / "requirements.txt").read_text().splitlines()]
    assert lines[-1] == "-e .", "requirements.txt must end with `-e .` so that Binder installs aeutils"


# --------------------------------------------------------------------------------------------------------------
# The Colab cell: in every notebook, first, exactly; does nothing off Colab; installs the pinned versions on Colab
# --------------------------------------------------------------------------------------------------------------


@pytest.mark.parametrize("path", NOTEBOOKS, ids=[p.stem for p in NOTEBOOKS])
def test_every_notebook_starts_with_the_colab_cell(path):
    first = nbformat.read(path, as_version=4).cells[0]
    fix = f"run `.venv/bin/python tests/test_launch.py {path.relative_to(ROOT)}`, then `make execute`"
    assert first.cell_type == "code" and first.source == colab_cell_source(), (
        f"{path.name} must start with the Colab cell of tests/test_launch.py (repository from _config.yml): {fix}"
    )
    assert first.metadata.get("tags") == COLAB_CELL_TAGS, f"the Colab cell must be tagged exactly {COLAB_CELL_TAGS}"
    assert first.outputs == [], f"{path.name}'s Colab cell printed something when it was executed: {fix}"


class FakeIPython:
    """Records the shell commands and magics a cell runs; `!git clone` creates the clone from this repository."""

    def __init__(self, namespace: dict):
        self.namespace = namespace
        self.calls: list[tuple[str, str]] = []

    def system(self, command: str) -> None:
        command = string.Formatter().vformat(command, (), self.namespace)  # IPython expands {NAME} like this
        self.calls.append(("!", command))
        if command.startswith("git clone"):
            target = Path(command.split()[-1])
            target.mkdir()
            shutil.copy(ROOT / "requirements.txt", target / "requirements.txt")

    def run_line_magic(self, name: str, line: str) -> None:
        line = string.Formatter().vformat(line, (), self.namespace)  # so does a line magic's
        self.calls.append((f"%{name}", line))


def run_colab_cell(tmp_path, monkeypatch, on_colab: bool, times: int = 1) -> FakeIPython:
    from IPython.core.inputtransformer2 import TransformerManager

    code = TransformerManager().transform_cell(colab_cell_source())
    monkeypatch.chdir(tmp_path)
    if on_colab:
        monkeypatch.setitem(sys.modules, "google.colab", types.ModuleType("google.colab"))
    else:
        monkeypatch.delitem(sys.modules, "google.colab", raising=False)
    namespace: dict = {}
    shell = FakeIPython(namespace)
    namespace["get_ipython"] = lambda: shell
    for _ in range(times):
        exec(compile(code, "<colab cell>", "exec"), namespace)
    return shell


def test_the_colab_cell_does_nothing_outside_colab(tmp_path, monkeypatch):
    shell = run_colab_cell(tmp_path, monkeypatch, on_colab=False)
    assert shell.calls == []
    assert list(tmp_path.iterdir()) == [], "outside Colab the cell must not write files"


def test_the_colab_cell_installs_aeutils_with_the_pinned_versions_on_colab(tmp_path, monkeypatch):
    shell = run_colab_cell(tmp_path, monkeypatch, on_colab=True, times=2)  # run again after a session restart
    url, branch = repository()["url"], repository()["branch"]
    clone = ("!", f"git clone -q --depth 1 --branch {branch} {url} autoencoders-book")
    install = ("%pip", "install --quiet --constraint pins.txt ./autoencoders-book")
    glue_pins = [line for line in required_pins() if line.split("==")[0] in GLUE_NEEDS]
    glue = ("%pip", "install --quiet --no-deps " + " ".join(glue_pins))
    assert shell.calls == [clone, install, glue, install, glue], (
        "clone once from _config.yml's repository, install each run"
    )
    pins = (tmp_path / "pins.txt").read_text().splitlines()
    assert pins == required_pins(), "the constraints are requirements.txt's pinned lines (without `-e .`)"


# What Colab ships among myst-nb's dependencies (the notebooks' `from myst_nb import glue` runs there).
COLAB_HAS = {"ipython", "ipykernel", "nbformat", "pyyaml", "typing-extensions", "importlib-metadata"}


def required_pins() -> list[str]:
    return [line for line in (ROOT / "requirements.txt").read_text().splitlines() if "==" in line]


def test_glue_runs_with_what_the_colab_cell_installs():
    """The Colab cell installs myst-nb and docutils without dependencies, not Sphinx and the notebook tools that
    myst-nb also requires: gluing a value must import none of those."""
    import subprocess

    script = (
        "import importlib.metadata as m, re, sys\n"
        "from myst_nb import glue\n"
        "glue('x', 1, display=False)\n"
        "owners = m.packages_distributions()\n"
        "used = {d for name in list(sys.modules) for d in owners.get(name.split('.')[0], [])}\n"
        "print('\\n'.join(re.sub('[-_.]+', '-', d).lower() for d in used))\n"
    )
    result = subprocess.run([sys.executable, "-c", script], capture_output=True, text=True)
    assert result.returncode == 0, result.stderr
    used = set(result.stdout.split())
    requires = importlib.metadata.requires("myst-nb")
    needs = {re.split(r"[ ;<>=!\[]", r)[0].replace("_", "-").lower() for r in requires if "extra ==" not in r}
    installed_by_cell = {line.split("==")[0] for line in required_pins()} & set(GLUE_NEEDS)
    assert installed_by_cell == set(GLUE_NEEDS), f"requirements.txt must pin {' and '.join(GLUE_NEEDS)}"
    missing = (used & (needs | {"docutils", "sphinx"})) - COLAB_HAS - installed_by_cell
    assert not missing, f"myst_nb.glue imports {sorted(missing)}, which neither Colab nor the Colab cell installs"


if __name__ == "__main__":
    if len(sys.argv) < 2:
        sys.exit(__doc__)
    for argument in sys.argv[1:]:
        add_colab_cell(Path(argument))
        print(f"{argument}: its first cell is now the Colab cell")
