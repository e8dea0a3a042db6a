"""The picker: changing a control in Python re-renders the Output with that selection.

No browser and no kernel: the callback sets ``Output.outputs`` itself, so the captured outputs
can be read here. The dataset is tiny and its numbers are computed by hand.
"""

from __future__ import annotations

import datetime as dt

import pandas as pd
import pytest

from smmkpi_helpers import notebook, widgets

# Two specialists, one account each, daily reach constant within a month:
#   anna  runs vk_a: reach 100 a day in September 2026, 150 a day in October
#   boris runs vk_b: reach 240 a day in September 2026, 300 a day in October
REACH = {"vk_a": (100, 150), "vk_b": (240, 300)}


@pytest.fixture
def ctx(build, tmp_path):
    daily = [
        {
            "account_id": account,
            "date": day.date().isoformat(),
            "followers": 1000,
            "reach": september if day.month == 9 else october,
        }
        for account, (september, october) in REACH.items()
        for day in pd.date_range("2026-09-01", "2026-10-31")
    ]
    ds = build(
        specialists=[
            {"specialist_id": "anna", "name": "Anna <b>A</b>"},
            {"specialist_id": "boris", "name": "Boris B"},
        ],
        accounts=[
            {
                "account_id": account,
                "platform": "vk",
                "name": account,
                "brand": "Acme",
                "business_goal": "awareness",
                "timezone": "UTC",
            }
            for account in REACH
        ],
        assignments=[
            {"specialist_id": "anna", "account_id": "vk_a", "start_date": "2026-01-01"},
            {"specialist_id": "boris", "account_id": "vk_b", "start_date": "2026-01-01"},
        ],
        account_daily=daily,
    )
    notebook.clear_caches()
    yield notebook.setup(
        data_dir=str(ds.root), specialist="anna", period="2026-10", record_parameters=False
    )
    notebook.clear_caches()


def _reach_row(explorer: widgets.Explorer) -> list[str]:
    """Return the words after ``avg_daily_reach`` in the KPI table's text."""
    line = next(line for line in explorer.text().splitlines() if "avg_daily_reach" in line)
    words = line.split()
    return words[words.index("avg_daily_reach") + 1 :]


def _header(explorer: widgets.Explorer) -> str:
    """Return the header line of the KPI table's text."""
    return next(line for line in explorer.text().splitlines() if line.split()[:2] == ["KPI", "id"])


def test_period_choices_cover_the_data_newest_first(ctx):
    months, quarters, first, last = widgets.period_choices(ctx.dataset)
    assert months == ["2026-10", "2026-09"]
    assert quarters == ["2026-Q4", "2026-Q3"]
    assert (first, last) == (dt.date(2026, 9, 1), dt.date(2026, 10, 31))


def test_changing_the_specialist_re_renders_the_output(ctx):
    explorer = widgets.explore(ctx, "reach", show=False)
    assert explorer.specialist.options == ("anna", "boris")
    first = explorer.text()
    assert first.startswith("Anna <b>A</b> (anna) | 2026-10")
    # anna: October 150 a day against September 100: +50, +50 / 100 x 100 = +50.0 %
    assert _reach_row(explorer)[:4] == ["150", "100", "+50", "(+50.0"]
    assert explorer.output.outputs[-1]["data"]["image/png"]  # the chart is there too

    explorer.specialist.value = "boris"
    assert explorer.text().startswith("Boris B (boris) | 2026-10")
    # boris: 300 against 240: +60, +60 / 240 x 100 = +25.0 %
    assert _reach_row(explorer)[:4] == ["300", "240", "+60", "(+25.0"]
    assert explorer.last_seconds > 0

    explorer.specialist.value = "anna"  # back to a selection already seen: same outputs
    assert explorer.text() == first


def test_names_from_the_data_are_escaped_in_the_html(ctx):
    explorer = widgets.explore(ctx, "scorecard", show=False)
    markup = explorer.output.outputs[0]["data"]["text/html"]
    assert "Anna &lt;b&gt;A&lt;/b&gt;" in markup
    assert "<b>A</b>" not in markup


def test_quarter_and_custom_range(ctx):
    explorer = widgets.explore(ctx, "reach", show=False)
    assert explorer.quarter.value == "2026-Q4"  # the quarter holding the starting month
    explorer.kind.value = "quarter"
    assert explorer.period_label() == "2026-Q4"
    assert explorer.quarter.layout.display == "" and explorer.month.layout.display == "none"
    # Q4 has data in October only; days without reach are left out (rule 4): 150 a day.
    # Q3 has data in September only: 100 a day.
    assert explorer.text().startswith("Anna <b>A</b> (anna) | 2026-Q4 (2026-10-01..2026-12-31)")
    assert _reach_row(explorer)[:3] == ["150", "100", "+50"]

    explorer.kind.value = "range"
    explorer.end.value = dt.date(2026, 10, 10)
    # 2026-10-01..2026-10-10 (10 days) compares with 2026-09-21..2026-09-30: 150 against 100
    assert explorer.period_label() == "2026-10-01..2026-10-10"
    assert _reach_row(explorer)[:3] == ["150", "100", "+50"]


def test_a_bad_custom_range_shows_the_error_in_the_output(ctx):
    explorer = widgets.explore(ctx, "reach", show=False)
    explorer.kind.value = "range"
    explorer.end.value = dt.date(2026, 9, 1)
    assert "the range ends before it starts" in explorer.text()
    assert len(explorer.output.outputs) == 1
    explorer.end.value = dt.date(2026, 10, 31)
    assert _reach_row(explorer)[0] == "150"


def test_the_comparison_toggle_hides_the_previous_period(ctx):
    explorer = widgets.explore(ctx, "reach", show=False)
    assert "previous period" in _header(explorer)
    assert "Reach KPIs, 2026-10 against 2026-09" in explorer.text()
    explorer.comparison.value = False
    assert "previous period" not in _header(explorer)
    assert "against 2026-09" not in explorer.text()
    assert _reach_row(explorer)[:2] == ["150", "no"]  # value, then "easy to game"


def test_views_are_cached_per_selection(ctx):
    first = notebook.render_view(ctx, "reach")
    assert notebook.render_view(ctx, "reach") is first
    assert notebook.render_view(ctx, "reach", comparison=False) is not first
    boris = ctx.with_selection("boris")
    assert notebook.render_view(boris, "reach") is not first


def test_a_specialist_audience_offers_only_that_specialist(ctx):
    import dataclasses

    own = dataclasses.replace(ctx, audience="specialist")
    explorer = widgets.explore(own, "team", show=False)
    assert explorer.specialist.options == ("anna",)
    text = explorer.text()
    assert "anna" in text and "team median" in text
    assert "boris" not in text and "Boris" not in text


def test_an_unknown_view_is_refused(ctx):
    with pytest.raises(ValueError, match="unknown view 'nope'; views: scorecard"):
        widgets.explore(ctx, "nope", show=False)
