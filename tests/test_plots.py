"""Plots: each function draws on the given (or current) Axes, labels it and returns it.

The frames are built by hand with the columns of the breakdowns they are drawn from
(``kpis.breakdowns``, ``kpis.communications.requests_table``, ``kpis.awareness``).
"""

from __future__ import annotations

import matplotlib.pyplot as plt
import numpy as np
import pandas as pd
import pytest

from smmkpi_helpers import plots
from smmkpi_helpers.errors import UsageError

DAYS = pd.date_range("2026-10-01", periods=5, freq="D")


def daily_totals(days=DAYS, reach=(100.0, 120.0, np.nan, 90.0, 110.0)):
    n = len(days)
    return pd.DataFrame(
        {
            "date": days,
            "followers": np.arange(1000.0, 1000.0 + n),
            "follows": np.full(n, 5.0),
            "unfollows": np.full(n, 4.0),
            "reach": list(reach)[:n],
            "views": np.nan,
            "profile_visits": np.nan,
            "link_clicks": np.nan,
        }
    )


def posts_table():
    return pd.DataFrame(
        {
            "account_id": "vk_a",
            "platform": "vk",
            "post_id": ["p1", "p2", "p3"],
            "published_at_local": pd.to_datetime(
                ["2026-10-01 10:00", "2026-10-02 12:00", "2026-10-03 18:00"]
            ),
            "date": pd.to_datetime(["2026-10-01", "2026-10-02", "2026-10-03"]),
            "format": ["photo", "video", "photo"],
            "reach": [100.0, 300.0, np.nan],
            "interactions": [10.0, 15.0, 4.0],
            "er_reach_pct": [10.0, 5.0, np.nan],
        }
    )


FRAMES = {
    "follower_trend": lambda: daily_totals(),
    "reach_vs_comparison": lambda: daily_totals(),
    "er_by_post": posts_table,
    "er_by_format": lambda: pd.DataFrame(
        {
            "format": ["photo", "video", "poll"],
            "posts": [2, 1, 1],
            "interactions": [14.0, 15.0, np.nan],
            "reach": [100.0, 300.0, np.nan],
            "er_reach": [14.0, 5.0, np.nan],
        }
    ),
    "publishing_calendar": lambda: pd.DataFrame(
        {
            "account_id": "vk_a",
            "date": pd.date_range("2026-10-01", periods=10, freq="D"),
            "planned": [1, 0, 1, 1, 0, 0, 1, 1, 1, 0],
            "published": [1, 1, 0, 1, 0, 0, 0, 1, 2, 0],
            "fulfilled": [1, 0, 0, 1, 0, 0, 0, 1, 1, 0],
        }
    ),
    "reply_time_distribution": lambda: pd.DataFrame(
        {
            "account_id": "vk_a",
            "thread_id": ["t1", "t2", "t3", "t4"],
            "answered": [True, True, True, False],
            "first_response_min": [10.0, 45.0, 3750.0, np.nan],
            "first_response_work_min": [10.0, 45.0, 30.0, np.nan],
        }
    ),
    "traffic_funnel": lambda: pd.DataFrame(
        {"stage": ["reach", "link_clicks", "sessions", "conversions"], "value": [5e4, 900, 700, 12]}
    ),
    "goals_by_type": lambda: pd.DataFrame(
        {
            "goal": ["contact_form", "purchase", "page_view"],
            "conversions": [5, 2, 9],
            "leads": [True, False, False],
            "value_sum": [np.nan, 12000.0, np.nan],
        }
    ),
    "mentions_sentiment": lambda: pd.DataFrame(
        {
            "date": pd.to_datetime(["2026-10-01", "2026-10-01", "2026-10-06"]),
            "brand": ["Acme", "Rival", "Acme"],
            "own_brand": [True, False, True],
            "mentions": [3, 5, 2],
            "positive": [1, 2, 1],
            "neutral": [1, 2, 0],
            "negative": [0, 1, 1],
        }
    ),
    "share_of_voice": lambda: pd.DataFrame(
        {
            "brand": ["Rival", "Acme", "Other"],
            "own_brand": [False, True, False],
            "mentions": [5, 4, 1],
            "share_pct": [50.0, 40.0, 10.0],
        }
    ),
    "kpi_attainment": lambda: pd.DataFrame(
        {
            "kpi": ["er_reach", "leads", "mentions"],
            "attainment": [120.0, 80.0, np.nan],
            "family": ["engagement", "goals", "awareness"],
            "weight": [2.0, 1.0, np.nan],
        }
    ),
}

EMPTY = {
    "follower_trend": lambda: daily_totals().iloc[0:0],
    "reach_vs_comparison": lambda: daily_totals().iloc[0:0],
    "er_by_post": lambda: posts_table().iloc[0:0],
    "er_by_format": lambda: FRAMES["er_by_format"]().iloc[0:0],
    "publishing_calendar": lambda: FRAMES["publishing_calendar"]().iloc[0:0],
    "reply_time_distribution": lambda: FRAMES["reply_time_distribution"]().iloc[0:0],
    "traffic_funnel": lambda: FRAMES["traffic_funnel"]().iloc[0:0],
    "goals_by_type": lambda: FRAMES["goals_by_type"]().iloc[0:0],
    "mentions_sentiment": lambda: FRAMES["mentions_sentiment"]().iloc[0:0],
    "share_of_voice": lambda: FRAMES["share_of_voice"]().iloc[0:0],
    "kpi_attainment": lambda: FRAMES["kpi_attainment"]().iloc[0:0],
}


def assert_labelled(ax):
    assert ax.get_title(), "title"
    assert ax.get_xlabel(), "xlabel"
    assert ax.get_ylabel(), "ylabel"


def texts(ax) -> list[str]:
    return [t.get_text() for t in ax.texts]


def test_every_public_plot_is_covered():
    assert set(plots.__all__) == set(FRAMES) == set(EMPTY)


@pytest.mark.parametrize("name", sorted(FRAMES))
def test_plot_draws_on_the_given_axes(name):
    _fig, ax = plt.subplots()
    data = FRAMES[name]()
    before = data.copy()
    out = getattr(plots, name)(data, ax=ax)
    assert out is ax
    assert_labelled(ax)
    assert "no data" not in texts(ax)
    assert ax.has_data()
    pd.testing.assert_frame_equal(data, before)  # the input is not modified


@pytest.mark.parametrize("name", sorted(FRAMES))
def test_plot_uses_the_current_axes_when_none_is_given(name):
    _fig, ax = plt.subplots()
    out = getattr(plots, name)(FRAMES[name]())
    assert out is ax


@pytest.mark.parametrize("name", sorted(EMPTY))
@pytest.mark.parametrize("kind", ["empty frame", "no columns", "None"])
def test_plot_of_no_data_is_an_empty_labelled_axes(name, kind):
    _fig, ax = plt.subplots()
    data = {"empty frame": EMPTY[name](), "no columns": pd.DataFrame(), "None": None}[kind]
    out = getattr(plots, name)(data, ax=ax)
    assert out is ax
    assert_labelled(ax)
    assert "no data" in texts(ax)
    assert not ax.has_data()


@pytest.mark.parametrize("name", sorted(FRAMES))
def test_missing_columns_are_named_in_the_error(name):
    _fig, ax = plt.subplots()
    with pytest.raises(UsageError, match="not found in data"):
        getattr(plots, name)(pd.DataFrame({"unrelated": [1]}), ax=ax)


def test_data_must_be_a_frame():
    with pytest.raises(UsageError, match="DataFrame"):
        plots.traffic_funnel([1, 2, 3])


def test_follower_trend_draws_bars_on_a_twin_axes():
    fig, ax = plt.subplots()
    plots.follower_trend(daily_totals(), ax=ax)
    assert len(fig.axes) == 2  # the follower axes and the twin for follows / unfollows
    twin = fig.axes[1]
    assert twin.get_ylabel()
    assert len(twin.patches) == 10  # 5 follow bars + 5 unfollow bars
    heights = sorted({p.get_height() for p in twin.patches})
    assert heights == [-4.0, 5.0]  # unfollows drawn downwards
    line = ax.get_lines()[0]
    assert list(line.get_ydata()) == [1000.0, 1001.0, 1002.0, 1003.0, 1004.0]


def test_reach_vs_comparison_aligns_days_and_keeps_gaps():
    _fig, ax = plt.subplots()
    comparison = daily_totals(pd.date_range("2026-09-01", periods=4), reach=(50, 60, 70, 80))
    plots.reach_vs_comparison(daily_totals(), comparison=comparison, ax=ax)
    period, previous = ax.get_lines()
    assert list(period.get_xdata()) == [1, 2, 3, 4, 5]
    assert np.isnan(period.get_ydata()[2])  # a day without reach is a gap, not 0
    assert list(previous.get_xdata()) == [1, 2, 3, 4]
    assert "2026-09-01..2026-09-04" in previous.get_label()


def test_reach_vs_comparison_without_comparison():
    _fig, ax = plt.subplots()
    plots.reach_vs_comparison(daily_totals(), comparison=None, ax=ax)
    assert len(ax.get_lines()) == 1


def test_er_by_post_draws_the_ratio_of_sums():
    _fig, ax = plt.subplots()
    plots.er_by_post(posts_table(), ax=ax)
    # posts with both interactions and reach: (10 + 15) / (100 + 300) x 100 = 6.25 %
    overall = [line for line in ax.get_lines() if "ratio of sums" in line.get_label()]
    assert len(overall) == 1
    assert overall[0].get_ydata()[0] == pytest.approx(6.25)


def test_er_by_format_sorts_and_labels_bars():
    _fig, ax = plt.subplots()
    plots.er_by_format(FRAMES["er_by_format"](), ax=ax)
    assert [t.get_text() for t in ax.get_xticklabels()] == ["photo", "video", "poll"]
    labels = [t.get_text() for t in ax.texts]
    assert "14.00\n2 posts" in labels and "n/a\n1 posts" in labels


def test_publishing_calendar_sums_weeks():
    _fig, ax = plt.subplots()
    plots.publishing_calendar(FRAMES["publishing_calendar"](), ax=ax)
    # weeks starting Mon 28 Sep (1-4 Oct) and Mon 5 Oct (5-10 Oct):
    # planned 1+0+1+1 = 3 and 0+0+1+1+1+0 = 3; published 1+1+0+1 = 3 and 0+0+0+1+2+0 = 3;
    # fulfilled 1+0+0+1 = 2 and 0+0+0+1+1+0 = 2
    heights = [p.get_height() for p in ax.patches]
    assert heights == [3.0, 3.0, 3.0, 3.0, 2.0, 2.0]
    assert [t.get_text() for t in ax.get_xticklabels()] == ["28 Sep", "05 Oct"]


def test_publishing_calendar_rejects_an_unknown_frequency():
    _fig, ax = plt.subplots()
    with pytest.raises(UsageError, match="freq"):
        plots.publishing_calendar(FRAMES["publishing_calendar"](), freq="M", ax=ax)


@pytest.mark.parametrize("kind", ["ecdf", "hist"])
def test_reply_time_distribution_marks_the_medians(kind):
    _fig, ax = plt.subplots()
    plots.reply_time_distribution(FRAMES["reply_time_distribution"](), kind=kind, ax=ax)
    medians = {
        line.get_label(): line.get_xdata()[0]
        for line in ax.get_lines()
        if line.get_label().startswith("median")
    }
    # answered only: clock 10, 45, 3750 -> median 45; working 10, 45, 30 -> median 30
    assert sorted(medians.values()) == [30.0, 45.0]


def test_reply_time_distribution_with_no_answered_request():
    _fig, ax = plt.subplots()
    frame = FRAMES["reply_time_distribution"]().iloc[[3]]
    plots.reply_time_distribution(frame, ax=ax)
    assert_labelled(ax)
    assert "no answered request" in texts(ax)


def test_reply_time_distribution_rejects_an_unknown_kind():
    with pytest.raises(UsageError, match="kind"):
        plots.reply_time_distribution(FRAMES["reply_time_distribution"](), kind="box")


def test_traffic_funnel_labels_conversion_between_stages():
    _fig, ax = plt.subplots()
    plots.traffic_funnel(FRAMES["traffic_funnel"](), ax=ax)
    labels = [t.get_text() for t in ax.texts]
    # 900 / 50 000 = 1.8 %; 700 / 900 = 77.8 %; 12 / 700 = 1.7 %
    assert labels == [
        "50,000",
        "900  (1.8 % of reach)",
        "700  (77.8 % of link clicks)",
        "12  (1.7 % of site sessions)",
    ]
    assert [t.get_text() for t in ax.get_yticklabels()] == [
        "Reach",
        "Link clicks",
        "Site sessions",
        "Conversions",
    ]


def test_traffic_funnel_with_missing_stages():
    _fig, ax = plt.subplots()
    frame = pd.DataFrame({"stage": ["reach", "sessions"], "value": [np.nan, np.nan]})
    plots.traffic_funnel(frame, ax=ax)
    assert "no data" in texts(ax)
    _fig, ax = plt.subplots()
    frame = pd.DataFrame({"stage": ["reach", "sessions"], "value": [1000.0, np.nan]})
    plots.traffic_funnel(frame, ax=ax)
    assert [t.get_text() for t in ax.texts] == ["1,000", "n/a"]


def test_goals_by_type_highlights_leads():
    _fig, ax = plt.subplots()
    plots.goals_by_type(FRAMES["goals_by_type"](), ax=ax)
    # sorted by conversions, bottom-up: purchase 2, contact_form 5, page_view 9
    assert [t.get_text() for t in ax.get_yticklabels()] == ["purchase", "contact_form", "page_view"]
    colors = [p.get_facecolor() for p in ax.patches]
    assert colors[1] != colors[0] and colors[0] == colors[2]  # only contact_form is a lead
    assert "2  (value 12,000)" in [t.get_text() for t in ax.texts]


def test_mentions_sentiment_stacks_own_brand_weeks():
    _fig, ax = plt.subplots()
    plots.mentions_sentiment(FRAMES["mentions_sentiment"](), ax=ax)
    # own rows only: week of 28 Sep (1 Oct): 3 mentions = 1 pos + 1 neu + 0 neg + 1 without;
    # week of 5 Oct (6 Oct): 2 = 1 pos + 0 neu + 1 neg
    tops = {}
    for patch in ax.patches:
        x = round(patch.get_x() + patch.get_width() / 2)
        tops[x] = max(tops.get(x, 0), patch.get_y() + patch.get_height())
    assert tops == {0: 3.0, 1: 2.0}
    legend = [t.get_text() for t in ax.get_legend().get_texts()]
    assert legend == ["positive", "neutral", "negative", "no sentiment"]


def test_mentions_sentiment_without_own_mentions():
    _fig, ax = plt.subplots()
    frame = FRAMES["mentions_sentiment"]()
    plots.mentions_sentiment(frame[~frame["own_brand"]], ax=ax)
    assert "no mention of the brand" in texts(ax)
    _fig, ax = plt.subplots()
    plots.mentions_sentiment(frame[~frame["own_brand"]], own_only=False, ax=ax)
    assert ax.has_data()


def test_share_of_voice_keeps_own_brands_and_groups_the_rest():
    _fig, ax = plt.subplots()
    frame = pd.DataFrame(
        {
            "brand": ["R1", "R2", "R3", "Acme"],
            "own_brand": [False, False, False, True],
            "share_pct": [50.0, 30.0, 15.0, 5.0],
        }
    )
    plots.share_of_voice(frame, top=1, ax=ax)
    # top to bottom: R1 50, other brands (R2 + R3) 45, Acme 5
    assert [t.get_text() for t in ax.get_yticklabels()][::-1] == [
        "R1",
        "other brands (2)",
        "Acme",
    ]
    assert [p.get_width() for p in ax.patches][::-1] == [50.0, 45.0, 5.0]


def test_kpi_attainment_draws_the_target_line():
    _fig, ax = plt.subplots()
    plots.kpi_attainment(FRAMES["kpi_attainment"](), ax=ax)
    assert any(list(line.get_xdata()) == [100, 100] for line in ax.get_lines())
    assert [t.get_text() for t in ax.get_yticklabels()][::-1] == [
        "engagement: er_reach (w 2)",
        "goals: leads (w 1)",
        "awareness: mentions",
    ]
    assert [t.get_text() for t in ax.texts][::-1] == ["120 %", "80 %", "n/a"]


def test_kpi_attainment_with_only_the_required_columns():
    _fig, ax = plt.subplots()
    plots.kpi_attainment(pd.DataFrame({"kpi": ["leads"], "attainment": [100.0]}), ax=ax)
    assert [t.get_text() for t in ax.get_yticklabels()] == ["leads"]


def test_plots_change_no_global_style():
    before = dict(plt.rcParams)
    for name in FRAMES:
        _fig, ax = plt.subplots()
        getattr(plots, name)(FRAMES[name](), ax=ax)
    assert dict(plt.rcParams) == before


def test_follower_trend_with_one_line_per_account():
    _fig, ax = plt.subplots()
    # a handover: vk_b leaves the scope after two days, its line stops instead of the sum
    # dropping from 1000 + 50 = 1050 to 1002
    frame = pd.concat(
        [
            daily_totals(DAYS[:3]).assign(account_id="vk_a"),
            daily_totals(DAYS[:2]).assign(account_id="vk_b", followers=[50.0, 51.0]),
        ]
    )
    plots.follower_trend(frame, hue="account_id", ax=ax)
    lines = {line.get_label(): list(line.get_ydata()) for line in ax.get_lines()}
    assert lines == {"vk_a": [1000.0, 1001.0, 1002.0], "vk_b": [50.0, 51.0]}
    assert_labelled(ax)
