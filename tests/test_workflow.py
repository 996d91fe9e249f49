"""The GitHub Actions workflow: pinned actions, least privilege, tests before publishing, and a guard that refuses
to publish an empty or partial build (run here against the real build and against broken copies of it)."""

from __future__ import annotations

import re
import shutil
import subprocess
import sys
from pathlib import Path

import pytest
import yaml

ROOT = Path(__file__).resolve().parents[1]
WORKFLOW = ROOT / ".github" / "workflows" / "book.yml"
ON_MAIN = "github.event_name == 'push' && github.ref == 'refs/heads/main'"


@pytest.fixture(scope="module")
def workflow() -> dict:
    return yaml.safe_load(WORKFLOW.read_text())


def _steps(workflow: dict, job: str) -> list[dict]:
    return workflow["jobs"][job]["steps"]


def _step(workflow: dict, job: str, name_or_action: str) -> dict:
    for step in _steps(workflow, job):
        if name_or_action in (step.get("name", ""), step.get("uses", "").split("@")[0]):
            return step
    raise AssertionError(f"the {job} job has no step {name_or_action!r}")


def test_every_action_is_pinned_to_a_commit_with_its_release_named():
    uses = re.findall(r"uses:\s*(\S+)(.*)", WORKFLOW.read_text())
    assert uses, "no actions found"
    for action, comment in uses:
        assert re.fullmatch(r"actions/[\w-]+@[0-9a-f]{40}", action), f"{action}: pin official actions to a full SHA"
        assert re.fullmatch(r"\s*# v\d+\.\d+\.\d+", comment), f"{action}: name the release in a comment (# vX.Y.Z)"


def test_runs_on_pushes_and_pull_requests(workflow):
    triggers = workflow.get("on", workflow.get(True))  # YAML 1.1 reads a bare `on` as True
    assert {"push", "pull_request"} <= set(triggers)


def test_permissions_are_least_privilege(workflow):
    assert workflow["permissions"] == {"contents": "read"}
    for name, job in workflow["jobs"].items():
        expected = {"pages": "write", "id-token": "write"} if name == "deploy" else None
        assert job.get("permissions") == expected, f"job {name}: unexpected permissions {job.get('permissions')}"


def test_the_tests_run_first_with_the_book_python_and_a_pip_cache(workflow):
    steps = _steps(workflow, "test")
    setup = _step(workflow, "test", "actions/setup-python")["with"]
    assert setup["cache"] == "pip" and setup["cache-dependency-path"] == "requirements.txt"
    assert f"python-{setup['python-version']}" == (ROOT / "runtime.txt").read_text().strip()
    runs = [step.get("run", "") for step in steps]
    assert "make test" in runs and runs.index("make test") < runs.index("make book"), "test before building"
    assert "AEUTILS_DATA_DIR" not in WORKFLOW.read_text(), "on GitHub, keras.datasets downloads MNIST"


def test_only_a_tested_main_is_published(workflow):
    names = [step.get("name") or step.get("uses", "").split("@")[0] for step in _steps(workflow, "test")]
    guard, upload = (
        names.index("Refuse to publish an empty or partial build"),
        names.index("Upload the site for GitHub Pages"),
    )
    assert names.index("make test") < names.index("make book") < guard < upload
    for name in ("make book", "Refuse to publish an empty or partial build", "Upload the site for GitHub Pages"):
        assert _step(workflow, "test", name)["if"] == ON_MAIN
    assert _step(workflow, "test", "Upload the site for GitHub Pages")["with"]["path"] == "_build/html"
    deploy = workflow["jobs"]["deploy"]
    assert deploy["needs"] == "test" and deploy["if"] == ON_MAIN
    assert deploy["environment"]["name"] == "github-pages"
    assert [step["uses"].split("@")[0] for step in deploy["steps"]] == [
        "actions/configure-pages",
        "actions/deploy-pages",
    ]


def _run_guard(workflow: dict, folder: Path) -> subprocess.CompletedProcess:
    script = _step(workflow, "test", "Refuse to publish an empty or partial build")["run"]
    code = script.split("<<'PY'\n", 1)[1].rsplit("PY", 1)[0]
    return subprocess.run([sys.executable, "-c", code], cwd=folder, capture_output=True, text=True)


@pytest.fixture
def checkout(tmp_path, built_book) -> Path:
    """A stand-in for the CI checkout after `make book`: the sources it reads and a copy of the built site."""
    for name in ("_toc.yml", "notebooks", "book"):
        (tmp_path / name).symlink_to(ROOT / name)
    shutil.copytree(built_book.require_success(), tmp_path / "_build" / "html")
    return tmp_path


def test_the_guard_lets_the_complete_build_through(workflow, checkout):
    result = _run_guard(workflow, checkout)
    assert result.returncode == 0, result.stderr
    assert "publishing" in result.stdout


@pytest.mark.parametrize("damage", ["no index", "a chapter missing", "no MathJax", "empty build"])
def test_the_guard_refuses_a_partial_or_empty_build(workflow, checkout, damage):
    html = checkout / "_build" / "html"
    chapter = next(html.glob("notebooks/*.html"))
    {
        "no index": lambda: (html / "index.html").unlink(),
        "a chapter missing": chapter.unlink,
        "no MathJax": lambda: shutil.rmtree(html / "_static" / "mathjax"),
        "empty build": lambda: [shutil.rmtree(html), html.mkdir()],
    }[damage]()
    result = _run_guard(workflow, checkout)
    assert result.returncode != 0 and "not publishing" in result.stderr
