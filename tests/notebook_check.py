"""The chapters as tests: each notebook under notebooks/ is executed once, and each code cell is one test.

A cell passes when it ran without an error it is not tagged to raise, and its fresh outputs agree with the
committed ones in two ways (benchmarks/notebook_runs.py):
- the text, numbers aside, is identical: shapes, layer names, messages, table layouts, the errors a cell is
  meant to raise;
- every number lies within its tolerance of the stored one (`tolerance`): a number that varied over the seeds,
  threads and oneDNN settings of `make seeds` may move by SPREAD_FACTOR of its standard deviation there (recorded
  in benchmarks/spread.json) or 2 % of its value; in a cell whose numbers never varied, an integer may not move
  and a number with decimals only by a unit in its last digit.
A cell that prints no number needs no measured spread; one whose text itself varied between the runs of
`make seeds` (a ranking, say) must only run. A cell finds its spread by its cell id, so prose and figure
cells can be edited, added or removed without measuring the spread again. Cells tagged nbval-ignore-output
(timings) are run but not compared. The chapter's closing cell asserts its claims, so a run that breaks a claim
fails that cell.

Loaded by pytest through `-p tests.notebook_check` (pyproject.toml).
"""

from __future__ import annotations

import difflib
import json
from functools import cached_property

import nbformat
import pytest

from benchmarks.notebook_runs import (
    ROOT,
    cell_text,
    code_cells,
    expects_error,
    is_compared,
    number_value,
    run,
    tolerance,
)

SPREAD = ROOT / "benchmarks" / "spread.json"


def pytest_collect_file(parent, file_path):
    if file_path.suffix == ".ipynb" and file_path.parent == ROOT / "notebooks":
        return NotebookFile.from_parent(parent, path=file_path)
    return None


class NotebookFile(pytest.File):
    """A chapter notebook: one item per code cell, the notebook executed once for all of them."""

    def collect(self):
        self.stored = nbformat.read(self.path, as_version=4)
        for index, cell in code_cells(self.stored):
            yield CellItem.from_parent(self, name=f"cell {index}", index=index, cell=cell)

    @cached_property
    def fresh(self):
        return run(self.path)

    @cached_property
    def spread(self) -> dict:
        measured = json.loads(SPREAD.read_text()) if SPREAD.exists() else {}
        return measured.get(self.path.stem, {}).get("cells", {})


class CellItem(pytest.Item):
    def __init__(self, *, index: int, cell: nbformat.NotebookNode, **kwargs):
        super().__init__(**kwargs)
        self.index, self.cell = index, cell

    def runtest(self):
        chapter = self.parent.path.stem
        fresh_cell = self.parent.fresh.notebook.cells[self.index]
        errors = [o for o in fresh_cell.get("outputs", []) if o.get("output_type") == "error"]
        if errors and not expects_error(self.cell):
            traceback = "\n".join(errors[0].get("traceback", []))
            pytest.fail(f"{chapter}, cell {self.index} raised {errors[0]['ename']}:\n{traceback}", pytrace=False)
        if not is_compared(self.cell):
            return
        spread = self.parent.spread.get(self.cell.id, {})
        stored, fresh = cell_text(self.cell.outputs), cell_text(fresh_cell.get("outputs", []))
        if "template" in spread and spread["template"] is None:
            return  # the text itself differs between seeds (a ranking, say): the cell must only run
        if stored.numbers and spread.get("template") != stored.template:
            pytest.fail(
                f"{chapter}, cell {self.index}: its outputs changed since their spread over seeds was measured; "
                f"run `make seeds NOTEBOOKS=notebooks/{chapter}.ipynb` after `make execute`",
                pytrace=False,
            )
        if fresh.template != stored.template:
            diff = difflib.unified_diff(
                stored.template.splitlines(), fresh.template.splitlines(), "stored", "fresh", lineterm="", n=1
            )
            pytest.fail(
                f"{chapter}, cell {self.index}: the output's text (numbers aside, shown as \N{WHITE SQUARE}) "
                "changed:\n" + "\n".join(diff),
                pytrace=False,
            )
        spreads = spread.get("sd", [])
        varies = any(spreads)
        allowed = [tolerance(old, sd, varies) for old, sd in zip(stored.numbers, spreads, strict=True)]
        problems = [
            f"  number {i + 1}: stored {old}, fresh {new}, allowed +-{limit:.3g}"
            for i, (old, new, limit) in enumerate(zip(stored.numbers, fresh.numbers, allowed, strict=True))
            if abs(number_value(new) - number_value(old)) > limit
        ]
        if problems:
            pytest.fail(
                f"{chapter}, cell {self.index}: numbers outside their measured spread\n" + "\n".join(problems),
                pytrace=False,
            )

    def reportinfo(self):
        return self.path, None, f"{self.path.stem}, cell {self.index}"
