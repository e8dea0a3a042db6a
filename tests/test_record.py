"""The recorder: numbers written into a notebook's outputs and read back (no scrapbook)."""

from __future__ import annotations

import math

import nbformat
import numpy as np
import pytest
from nbformat.v4 import new_code_cell, new_markdown_cell, new_notebook, new_output

from smmkpi_helpers.errors import UsageError
from smmkpi_helpers.record import (
    MIME,
    clear_collected,
    collected,
    read_records,
    record,
    records_in,
)


@pytest.fixture(autouse=True)
def _fresh():
    clear_collected()
    yield
    clear_collected()


@pytest.fixture
def shell():
    """An IPython shell for the duration of one test (removed afterwards)."""
    from IPython.core.interactiveshell import InteractiveShell

    instance = InteractiveShell.instance()
    yield instance
    InteractiveShell.clear_instance()


def _record_output(name, value, **extra):
    return new_output("display_data", data={MIME: {"name": name, "value": value}}, **extra)


def test_record_outside_a_kernel_keeps_the_values_in_memory():
    record("er_reach", 4.25)
    record("posts_published", np.int64(12))  # numpy scalar -> int
    record("share", np.float64(0.5))
    record("missing", float("nan"))  # NaN = not available -> null
    record("by_kind", {"bought_likes": 2, "robot_traffic": np.int64(1)})
    record("er_reach", 5.0)  # a later record of a name replaces the earlier one
    values = collected()
    assert values == {
        "er_reach": 5.0,
        "posts_published": 12,
        "share": 0.5,
        "missing": None,
        "by_kind": {"bought_likes": 2, "robot_traffic": 1},
    }
    assert type(values["posts_published"]) is int


@pytest.mark.parametrize(
    ("value", "fragment"),
    [
        (object(), "JSON-serialisable"),
        ({1: "a"}, "keys must be text"),
        (math.inf, "infinite"),
        ({"x": [1, -math.inf]}, "infinite"),
    ],
)
def test_record_refuses_what_json_cannot_hold(value, fragment):
    with pytest.raises(UsageError, match=fragment) as caught:
        record("bad_value", value)
    assert "bad_value" in str(caught.value)
    assert collected() == {}


def test_record_needs_a_name():
    with pytest.raises(UsageError, match="non-empty text"):
        record("", 1)


def test_record_in_a_kernel_emits_an_invisible_display_output(shell):
    from IPython.utils.capture import capture_output

    with capture_output() as captured:
        record("overall_score", 87.5)
    assert len(captured.outputs) == 1
    output = captured.outputs[0]
    # only the record's MIME type: JupyterLab and nbconvert have no renderer for it
    assert output.data == {MIME: {"name": "overall_score", "value": 87.5}}
    assert output.metadata == {MIME: {"name": "overall_score"}}


def test_read_records_from_a_notebook_node_and_a_file(tmp_path):
    nb = new_notebook(
        cells=[
            new_markdown_cell("# title"),
            new_code_cell(
                "record(...)",
                outputs=[
                    _record_output("er_reach", 4.2),
                    new_output("stream", name="stdout", text="hello"),
                    new_output("display_data", data={"text/plain": "a table"}),
                ],
            ),
            new_code_cell(
                "record(...)",
                outputs=[
                    _record_output("er_reach", 4.5),  # recorded twice: the later wins
                    _record_output("flags", {"bought_likes": 2}),
                ],
            ),
            new_code_cell("never run"),
        ]
    )
    expected = {"er_reach": 4.5, "flags": {"bought_likes": 2}}
    assert read_records(nb) == expected
    path = tmp_path / "run.ipynb"
    nbformat.write(nb, path)
    assert read_records(path) == expected
    assert read_records(str(path)) == expected


def test_records_in_reads_json_kept_as_text_and_execute_results():
    outputs = [
        {"output_type": "display_data", "data": {MIME: '{"name": "a", "value": [1, 2]}'}},
        {"output_type": "execute_result", "data": {MIME: {"name": "b", "value": None}}},
        {"output_type": "error", "ename": "X", "evalue": "", "traceback": []},
    ]
    assert records_in(outputs) == {"a": [1, 2], "b": None}
    assert records_in(None) == {}


def test_a_notebook_that_recorded_nothing_gives_an_empty_dict():
    assert read_records(new_notebook(cells=[new_code_cell("1 + 1")])) == {}
