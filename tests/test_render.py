"""HTML rendering: sanitising, masking, hidden cells, offline pages and the index (no kernel)."""

from __future__ import annotations

import base64
import re

import nbformat
import pandas as pd
import pytest

from smmkpi_helpers.render import (
    CSP,
    NotebookRenderer,
    index_html,
    mask_html_text,
    mask_outputs,
    prepare_for_html,
    sanitize_html,
)

HOSTILE_SCRIPT = "<script>alert(1)</script>"
HOSTILE_IMG = "<img src=x onerror=alert(1)>"
PERSONAL = "write ivan@example.ru, call +7 (912) 345-67-89 or 8 912 345 67 89"


def _display(data: dict):
    return nbformat.v4.new_output("display_data", data=data)


def _notebook() -> nbformat.NotebookNode:
    """An executed notebook as papermill leaves it, with hostile and personal outputs."""
    nb = nbformat.v4.new_notebook()
    params = nbformat.v4.new_code_cell('specialist = "anna"  # default')
    params.metadata["tags"] = ["parameters"]
    injected = nbformat.v4.new_code_cell('specialist = "boris"\n')
    injected.metadata["tags"] = ["injected-parameters"]
    widget = nbformat.v4.new_code_cell("if interactive:\n    widgets.explore(ctx)")
    widget.metadata["tags"] = ["interactive"]
    widget.outputs = [_display({"text/plain": "WIDGET-OUTPUT"})]
    frame = pd.DataFrame({"text": [HOSTILE_SCRIPT, HOSTILE_IMG, PERSONAL]})
    table = nbformat.v4.new_code_cell("ctx.show_table('posts')  # SECRET-CODE")
    png = base64.b64encode(b"\x89PNG fake 1234567890 bytes").decode()
    table.outputs = [
        _display({"text/html": frame.to_html(escape=True), "text/plain": frame.to_string()}),
        _display({"text/html": f"<b>raw</b>{HOSTILE_SCRIPT}{HOSTILE_IMG}<p onclick='x()'>p</p>"}),
        _display({"application/vnd.smmkpi.record+json": {"name": "er_reach", "value": 4.2}}),
        _display({"application/javascript": "alert(2)"}),
        _display({"image/png": png, "text/plain": "<Figure>"}),
        nbformat.v4.new_output("stream", name="stdout", text=PERSONAL + "\n"),
        nbformat.v4.new_output("stream", name="stderr", text="UserWarning: noisy\n"),
    ]
    nb.cells = [
        nbformat.v4.new_markdown_cell("# Engagement\n\nHow to read the chart."),
        params,
        injected,
        table,
        widget,
    ]
    nb.metadata["widgets"] = {"application/vnd.jupyter.widget-state+json": {"state": {}}}
    return nb


def test_sanitize_removes_scripts_handlers_and_remote_images():
    # (script removed with its content; onerror and src=x removed; p's onclick removed)
    assert sanitize_html(f"<p onclick='x()'>hi</p>{HOSTILE_SCRIPT}{HOSTILE_IMG}") == (
        "<p>hi</p><img>"
    )
    assert sanitize_html('<a href="javascript:alert(1)">x</a>') == "<a>x</a>"
    assert sanitize_html('<img src="https://evil.example/p.png">') == "<img>"
    assert sanitize_html("<style>body{background:url(https://x)}</style><i>k</i>") == "<i>k</i>"
    assert sanitize_html("<iframe src='https://x'>inside</iframe>ok") == "ok"


def test_sanitize_keeps_tables_headings_and_data_images():
    table = "<table><thead><tr><th>a</th></tr></thead><tbody><tr><td>1</td></tr></tbody></table>"
    assert sanitize_html(table) == table
    assert sanitize_html("<h2>Title</h2><p>text</p>") == "<h2>Title</h2><p>text</p>"
    image = '<img src="data:image/png;base64,iVBORw0KGgo=">'
    assert sanitize_html(image) == image
    # escaped text stays text
    assert sanitize_html("<td>&lt;script&gt;</td>") == "&lt;script&gt;"


def test_mask_html_text_masks_text_but_not_attributes():
    # the digits inside the data: URI look like a phone but are in an attribute
    markup = '<img src="data:image/png;base64,AB/912 345 67 89/=">' + f"<td>{PERSONAL}</td>"
    masked = mask_html_text(markup)
    assert masked.startswith('<img src="data:image/png;base64,AB/912 345 67 89/=">')
    assert masked.endswith("<td>write [email], call [phone] or [phone]</td>")


def test_mask_outputs_masks_every_text_output_but_not_records():
    nb = _notebook()
    error = nbformat.v4.new_output(
        "error", ename="ValueError", evalue=f"bad {PERSONAL}", traceback=[f"line {PERSONAL}"]
    )
    nb.cells[3].outputs.append(error)
    mask_outputs(nb)
    outputs = nb.cells[3].outputs
    assert "ivan@example.ru" not in nbformat.writes(nb)
    assert "345-67-89" not in nbformat.writes(nb)
    assert outputs[5]["text"] == "write [email], call [phone] or [phone]\n"
    assert outputs[-1]["evalue"] == "bad write [email], call [phone] or [phone]"
    assert outputs[2]["data"]["application/vnd.smmkpi.record+json"]["value"] == 4.2


def test_prepare_for_html_drops_hidden_cells_records_scripts_and_stderr():
    shown = prepare_for_html(_notebook())
    text = nbformat.writes(shown)
    assert "WIDGET-OUTPUT" not in text  # the interactive cell
    assert '"boris"' not in text  # the injected parameters
    assert '"anna"' not in text  # the parameters cell (code hidden)
    assert "vnd.smmkpi.record" not in text
    assert "alert(2)" not in text  # javascript output
    assert "noisy" not in text  # stderr
    assert "widgets" not in shown.metadata
    kinds = [c.cell_type for c in shown.cells]
    assert kinds == ["markdown", "code"]


def test_prepare_for_html_with_code_keeps_parameters_but_not_injected():
    shown = prepare_for_html(_notebook(), show_code=True)
    sources = [c.source for c in shown.cells]
    assert 'specialist = "anna"  # default' in sources
    assert not any("boris" in s for s in sources)
    assert any("noisy" in nbformat.writes(c) for c in shown.cells)  # stderr kept with code


@pytest.fixture(scope="module")
def page() -> str:
    return NotebookRenderer().render(_notebook(), title="03-engagement · anna · 2026-10")


def test_page_loads_nothing_from_the_network(page):
    assert not re.search(r"<script\b", page, re.IGNORECASE)
    sources = re.findall(r"""<(?:link|img|iframe|embed|object)\b[^>]*>""", page, re.IGNORECASE)
    for tag in sources:
        assert not re.search(r"""(src|href)\s*=\s*["']?(https?:)?//""", tag), tag
    assert not re.search(r"""@import|url\(\s*["']?(https?:)?//""", page)
    assert f'content="{CSP}"' in page


def test_page_shows_hostile_text_as_text_and_masks_personal_data(page):
    assert "&lt;script&gt;alert(1)&lt;/script&gt;" in page  # the DataFrame cell, escaped
    assert "&lt;img src=x onerror=alert(1)&gt;" in page
    assert "onerror" not in page.replace("&lt;img src=x onerror=alert(1)&gt;", "")
    assert "onclick" not in page
    assert "ivan@example.ru" not in page and "345-67-89" not in page and "345 67 89" not in page
    assert "[email]" in page and "[phone]" in page


def test_page_hides_code_and_embeds_figures(page):
    assert "SECRET-CODE" not in page
    assert "In&nbsp;[" not in page and "In [" not in page
    assert "data:image/png;base64," in page
    assert "<title>03-engagement · anna · 2026-10</title>" in page


def test_show_code_shows_code():
    page = NotebookRenderer(show_code=True).render(_notebook())
    assert "SECRET-CODE" in page


def test_failed_notebook_gets_a_plain_banner():
    nb = _notebook()
    marker = nbformat.v4.new_markdown_cell("<span>An Exception was encountered</span>")
    marker.metadata["tags"] = ["papermill-error-cell-tag"]
    anchor = nbformat.v4.new_markdown_cell("<span id='papermill-error-cell'>here</span>")
    anchor.metadata["tags"] = ["papermill-error-cell-tag"]
    nb.cells.insert(3, anchor)
    nb.cells.insert(0, marker)
    nb.cells[5].outputs.append(  # the table cell, after the two markers
        nbformat.v4.new_output(
            "error", ename="ValueError", evalue=HOSTILE_SCRIPT, traceback=[HOSTILE_SCRIPT]
        )
    )
    shown = prepare_for_html(nb)
    banner = shown.cells[0]
    assert banner.source.startswith("**This report is incomplete: a step failed (ValueError: ")
    assert "&lt;script&gt;" in banner.source and "<script>" not in banner.source
    page = NotebookRenderer().render(nb)
    assert "This report is incomplete" in page and "<script" not in page


def _row(**kw) -> dict:
    row = {
        "specialist": "anna",
        "name": "Anna <b>S</b>",
        "status": "ok",
        "overall_score": 87.25,
        "family_scores": {"reach": {"score": 90.0}},
        "integrity_score": 100.0,
        "flags": {"warning": 1, "critical": 0},
        "profile": "sales 100%",
        "links": [("scorecard", "anna/00-scorecard.html")],
    }
    row.update(kw)
    return row


def test_index_escapes_and_links():
    page = index_html(
        title="SMM evaluations, 2026-10",
        period={"label": "2026-10", "start": "2026-10-01", "end": "2026-10-31"},
        rows=[_row(), _row(specialist="boris", name=HOSTILE_IMG, status="failed", links=[])],
        families=["reach", "goals"],
        data={"name": "sample", "fingerprint": "abcdef0123456789ffff"},
        parameters={"business goal": HOSTILE_SCRIPT},
        team_link="10-team.html",
        problems=[f"boris: 05-communications failed (ValueError: {HOSTILE_SCRIPT} {PERSONAL})"],
    )
    assert "<script" not in page and "<img" not in page
    assert "Anna &lt;b&gt;S&lt;/b&gt;" in page
    assert '<a href="anna/00-scorecard.html">scorecard</a>' in page
    assert '<a href="10-team.html">' in page
    # 87.25 is shown with one decimal: 87.2 (round half to even of the binary 87.25)
    assert '<td class="num">87.2</td>' in page and '<td class="num">90.0</td>' in page
    assert "1 warning" in page and "abcdef0123456789" in page and "ffff" not in page
    assert "ivan@example.ru" not in page and "[email]" in page
    assert f'content="{CSP}"' in page
