"""How a cell's outputs are split into text and numbers, and how far a number may move (benchmarks/notebook_runs)."""

from __future__ import annotations

import nbformat
import pytest

from benchmarks.notebook_runs import (
    PLACEHOLDER,
    RELATIVE,
    SPREAD_FACTOR,
    cell_text,
    last_digit_unit,
    output_text,
    tolerance,
    with_seed,
)


def stream(text: str, name: str = "stdout") -> dict:
    return {"output_type": "stream", "name": name, "text": text}


@pytest.mark.parametrize(
    ("text", "numbers"),
    [
        ("epoch  5/30  loss 0.1140  val_loss 0.1105", ("5", "30", "0.1140", "0.1105")),
        ("total  101,200 parameters, shape (8000, 28, 28)", ("101,200", "8000", "28", "28")),
        ("ELBO -160.15 nats, KL 1.5e-05", ("-160.15", "1.5e-05")),
        ("PCA-64 against conv2d_1 and layer dense_3", ()),
        ("code values exactly zero: 6.1%", ("6.1",)),
    ],
)
def test_numbers_are_cut_out_of_the_text(text, numbers):
    split = cell_text([stream(text)])
    assert split.numbers == numbers
    assert split.template.count(PLACEHOLDER) == len(numbers)


def test_streams_are_joined_however_the_kernel_chunked_them():
    assert output_text([stream("epoch 1\n"), stream("epoch 2\n")]) == output_text([stream("epoch 1\nepoch 2\n")])
    assert output_text([stream("a\n"), stream("b\n", "stderr")]) == "[stdout]\na\n\n[stderr]\nb\n"


def test_images_count_by_type_and_addresses_do_not_count():
    figure = {"output_type": "display_data", "data": {"image/png": "iVBOR...", "text/plain": "<Figure at 0x7f3a>"}}
    other = {"output_type": "display_data", "data": {"image/png": "other", "text/plain": "<Figure at 0x1b2c>"}}
    assert output_text([figure]) == output_text([other]) == "[image/png]\n[text/plain]\n<Figure at 0xADDRESS>"


def test_errors_are_compared_by_name_and_message():
    error = {"output_type": "error", "ename": "ShapeMismatchError", "evalue": "28 in, 32 out", "traceback": []}
    assert cell_text([error]) == cell_text([{**error, "traceback": ["other frames"]}])
    assert cell_text([error]).numbers == ("28", "32")


@pytest.mark.parametrize(
    ("token", "unit"), [("24.03", 0.01), ("0.00478", 1e-5), ("1.5e-05", 1e-6), ("101,200", 1.0), ("-3", 1.0)]
)
def test_a_unit_in_the_last_printed_digit(token, unit):
    assert last_digit_unit(token) == pytest.approx(unit)


def test_tolerance_follows_the_spread_and_never_lets_integers_move_that_never_varied():
    assert tolerance("0.0081", 0.0002) == pytest.approx(SPREAD_FACTOR * 0.0002)
    assert tolerance("0.05", 1e-9) == pytest.approx(0.01)  # never tighter than the printed precision
    assert tolerance("0.0081", 0.0) == pytest.approx(0.0001, rel=1e-3)  # a rounding boundary on another CPU
    assert tolerance("64", 0.0) == 0.0  # shapes, sizes, parameter counts: exact
    assert tolerance("3", 1.2) == pytest.approx(SPREAD_FACTOR * 1.2)  # dead units vary with the seed
    assert tolerance("24.03", 0.01) == pytest.approx(RELATIVE * 24.03)  # never tighter than 2 % of a varying value


def test_in_a_cell_that_varies_a_number_that_happened_not_to_vary_may_move_a_little():
    assert tolerance("783", 0.0, cell_varies=True) == pytest.approx(RELATIVE * 783)  # a matrix rank
    assert tolerance("28", 0.0, cell_varies=True) == pytest.approx(0.56)  # small integers stay exact
    assert tolerance("0.01669", 0.0, cell_varies=True) == pytest.approx(RELATIVE * 0.01669)


def test_with_seed_replaces_every_seeding_call_and_refuses_a_notebook_without_one():
    notebook = nbformat.v4.new_notebook(
        cells=[
            nbformat.v4.new_code_cell("import aeutils\naeutils.seed_everything(42)"),
            nbformat.v4.new_markdown_cell("seed_everything(42) in prose stays"),
            nbformat.v4.new_code_cell("aeutils.seed_everything(42)  # again, before the second model"),
        ]
    )
    seeded = with_seed(notebook, 7)
    assert [c.source.count("seed_everything(7)") for c in seeded.cells] == [1, 0, 1]
    assert notebook.cells[0].source.endswith("seed_everything(42)")  # the original is untouched
    with pytest.raises(ValueError, match="never calls aeutils.seed_everything"):
        with_seed(nbformat.v4.new_notebook(cells=[nbformat.v4.new_code_cell("print(1)")]), 7)


def test_a_column_that_shifts_by_a_space_keeps_the_template():
    nine, ten = cell_text([stream("dead  9\n")]), cell_text([stream("dead 10\n")])
    assert nine.template == ten.template and (nine.numbers, ten.numbers) == (("9",), ("10",))


def test_numpy_sign_padding_and_a_plus_sign_keep_the_template():
    padded, negative = cell_text([stream("[ 0.5 0.2]\n")]), cell_text([stream("[-0.5 0.2]\n")])
    assert padded.template == negative.template
    plus, minus = cell_text([stream("(+1.2 %)\n")]), cell_text([stream("(-1.2 %)\n")])
    assert plus.template == minus.template and plus.numbers == ("+1.2",)
