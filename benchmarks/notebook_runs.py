"""Run a chapter notebook and read back what it printed: shared by `make bench`, `make seeds` and the tests.

A cell's outputs are reduced to one text in which every number is cut out: the *template* (the text with a
placeholder where each number stood) and the *numbers* (as printed). Two runs of a cell agree on what does not
depend on the processor or the seed when their templates are equal; their numbers are compared token by token
with the tolerance rule of `tolerance`, from the spread `make seeds` measured.
"""

from __future__ import annotations

import ast
import os
import re
import time
from collections.abc import Mapping
from dataclasses import dataclass
from pathlib import Path

import nbformat
from nbclient import NotebookClient

ROOT = Path(__file__).resolve().parents[1]
GLUE_TYPE = "application/papermill.record/text/plain"
TEXT_TYPES = ("text/plain", "text/markdown", "text/html", "text/latex", GLUE_TYPE)
NOT_COMPARED_TAG = "nbval-ignore-output"  # outputs that legitimately differ between two runs (timings)
PLACEHOLDER = "\N{WHITE SQUARE}"
SEED_CALL = re.compile(r"seed_everything\((\d+)\)")

# A number as the notebooks print it: optional sign (not a hyphen inside a word such as PCA-64), digits with
# optional thousands separators, optional decimals and exponent. Digits glued to a word (conv2d_1) are text.
NUMBER = re.compile(r"(?<![\w.-])[-+]?(?:\d{1,3}(?:,\d{3})+(?!\d)|\d+)(?:\.\d+)?(?:[eE][-+]?\d+)?")
ADDRESS = re.compile(r" at 0x[0-9a-f]+")
SPACES = re.compile(r" {2,}")
BRACKET_PADDING = re.compile(r"\[ +")  # NumPy pads "[ 0.5 0.2]" for a sign that no value has

# A token that varied between runs may differ from the stored run by this many of its standard deviations over
# the runs of `make seeds` (seeds, one thread, oneDNN off), or by RELATIVE of its value if that is more. In a cell
# whose numbers vary, a number that happened not to vary in those runs (a matrix rank, a rounded error) may move
# by RELATIVE too; in a cell whose numbers never vary (shapes, parameter counts, data statistics) an integer may
# not move at all, and a number with decimals only by one unit in its last digit (a rounding boundary).
SPREAD_FACTOR = 10.0
RELATIVE = 0.02

# Peak resident memory, appended to a copy of the notebook by `run` (Linux reports KiB, macOS bytes).
PEAK_MEMORY_CELL = """
import resource, sys
_peak = resource.getrusage(resource.RUSAGE_SELF).ru_maxrss
print(_peak / 2**20 if sys.platform == "darwin" else _peak / 2**10)
"""


@dataclass(frozen=True)
class CellText:
    """A code cell's outputs as one template and the numbers cut out of it."""

    template: str
    numbers: tuple[str, ...]


def output_text(outputs: list) -> str:
    """The comparable text of a cell's outputs: streams joined per stream, text views of results, errors.

    Images are recorded by their type only: their pixels depend on the run, and what they show is checked
    through the numbers printed next to them.
    """
    parts: list[str] = []
    for output in outputs:
        kind = output.get("output_type")
        if kind == "stream":
            header = f"[{output['name']}]\n"
            if parts and parts[-1].startswith(header):
                parts[-1] += output["text"]
            else:
                parts.append(header + output["text"])
        elif kind == "error":
            parts.append(f"[error]\n{output['ename']}: {output['evalue']}")
        elif kind in ("execute_result", "display_data"):
            data = output.get("data", {})
            for mime in sorted(data):
                value = data[mime]
                text = "".join(value) if isinstance(value, list) else value
                parts.append(f"[{mime}]\n{text}" if mime in TEXT_TYPES else f"[{mime}]")
    return ADDRESS.sub(" at 0xADDRESS", "\n".join(parts))


def cell_text(outputs: list) -> CellText:
    """Split a cell's comparable text into its template and its numbers.

    Runs of spaces count as one: a right-aligned column shifts by a space when its number gains a digit (9 dead
    units in one run, 10 in another), which changes the layout but not what the cell says; for the same reason
    the space NumPy puts after "[" when no value is negative does not count.
    """
    text = output_text(outputs)
    template = SPACES.sub(" ", BRACKET_PADDING.sub("[", NUMBER.sub(PLACEHOLDER, text)))
    return CellText(template, tuple(NUMBER.findall(text)))


def number_value(token: str) -> float:
    return float(token.replace(",", ""))


def last_digit_unit(token: str) -> float:
    """One unit in the last printed digit: 0.01 for 24.03, 1e-07 for 1.5e-05, 1 for 101,200."""
    mantissa, _, exponent = token.lower().partition("e")
    decimals = len(mantissa.partition(".")[2])
    return 10.0 ** (int(exponent or 0) - decimals)


def is_integer(token: str) -> bool:
    return "." not in token and "e" not in token.lower()


def tolerance(token: str, spread: float, cell_varies: bool = False) -> float:
    """How far a fresh value may lie from the stored `token`, given its standard deviation over seeds and CPUs."""
    relative = RELATIVE * abs(number_value(token)) if spread > 0 or cell_varies else 0.0
    if spread > 0:
        return max(SPREAD_FACTOR * spread, relative, last_digit_unit(token))
    if is_integer(token):
        return relative
    return max(relative, last_digit_unit(token) * 1.0001)


def code_cells(notebook: nbformat.NotebookNode) -> list[tuple[int, nbformat.NotebookNode]]:
    """(index in the notebook, cell) for every code cell."""
    return [(i, cell) for i, cell in enumerate(notebook.cells) if cell.cell_type == "code"]


def is_compared(cell: nbformat.NotebookNode) -> bool:
    return NOT_COMPARED_TAG not in cell.get("metadata", {}).get("tags", [])


def glued_values(notebook: nbformat.NotebookNode) -> dict[str, object]:
    """The values a notebook glued with myst_nb.glue, read back from its outputs."""
    values = {}
    for cell in notebook.cells:
        for output in cell.get("outputs", []):
            name = output.get("metadata", {}).get("scrapbook", {}).get("name")
            if name:
                text = output["data"][GLUE_TYPE]
                try:
                    values[name] = ast.literal_eval(text)
                except (ValueError, SyntaxError):
                    values[name] = text
    return values


def with_seed(notebook: nbformat.NotebookNode, seed: int) -> nbformat.NotebookNode:
    """A copy of the notebook whose `aeutils.seed_everything(...)` calls use `seed` instead of the book's."""
    copy = nbformat.from_dict(notebook)
    calls = 0
    for cell in copy.cells:
        if cell.cell_type == "code":
            cell.source, n = SEED_CALL.subn(f"seed_everything({seed})", cell.source)
            calls += n
    if not calls:
        raise ValueError("the notebook never calls aeutils.seed_everything(...), so its seed cannot be changed")
    return copy


@dataclass
class Run:
    """One fresh execution of a notebook: the executed copy, its wall time and the kernel's peak memory."""

    notebook: nbformat.NotebookNode
    seconds: float
    peak_rss_mb: float
    error: str | None  # 'cell N: ename: evalue' of the first unexpected error
    error_cell: int | None  # its index: outputs from there on are not the book's


def run(
    path: Path,
    notebook: nbformat.NotebookNode | None = None,
    env: Mapping[str, str] | None = None,
    cpus: set[int] | None = None,
    timeout: int = 1200,
) -> Run:
    """Execute a copy of the notebook at `path` (or `notebook`, a modified copy) in a new kernel.

    `env` adds environment variables for the kernel; `cpus` pins it to those processors. Errors do not stop the
    run: a cell that raises records its error in its outputs (as the notebook would show it) and `error` names
    the first cell that raised without being tagged `raises-exception`.
    """
    notebook = nbformat.from_dict(notebook or nbformat.read(path, as_version=4))
    notebook.cells.append(nbformat.v4.new_code_cell(PEAK_MEMORY_CELL))
    saved_env, saved_cpus = dict(os.environ), os.sched_getaffinity(0)
    os.environ.update(env or {})
    if cpus:
        os.sched_setaffinity(0, cpus)  # the kernel inherits the affinity when it starts
    try:
        client = NotebookClient(
            notebook, timeout=timeout, kernel_name="python3", allow_errors=True,
            resources={"metadata": {"path": str(Path(path).parent)}},
        )  # fmt: skip
        start = time.perf_counter()
        client.execute()
        seconds = time.perf_counter() - start
    finally:
        os.environ.clear()
        os.environ.update(saved_env)
        os.sched_setaffinity(0, saved_cpus)
    memory_cell = notebook.cells.pop()
    peak = float(memory_cell.outputs[0]["text"]) if memory_cell.outputs else float("nan")
    index = first_error(notebook)
    error = None
    if index is not None:
        output = next(o for o in notebook.cells[index].outputs if o.get("output_type") == "error")
        error = f"cell {index}: {output['ename']}: {output['evalue']}"
    return Run(notebook, seconds, peak, error, index)


def expects_error(cell: nbformat.NotebookNode) -> bool:
    return "raises-exception" in cell.get("metadata", {}).get("tags", [])


def first_error(notebook: nbformat.NotebookNode) -> int | None:
    """The index of the first cell that raised although it is not tagged raises-exception."""
    for index, cell in code_cells(notebook):
        if not expects_error(cell) and any(o.get("output_type") == "error" for o in cell.get("outputs", [])):
            return index
    return None
