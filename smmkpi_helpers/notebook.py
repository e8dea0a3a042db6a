"""Notebook-facing helpers: validate parameters, compute once, show tables and charts safely.

The notebooks in ``notebooks/`` narrate; this module does the work behind each of their code
cells, so that a cell is one short call::

    ctx = notebook.setup(data_dir=data_dir, specialist=specialist, period=period,
                         business_goal=business_goal)
    ctx.show_kpis("engagement")        # the family's KPI table
    ctx.plot("er_by_format")           # one chart
    ctx.record_kpis("engagement")      # machine-readable numbers (smmkpi_helpers.record)

What it guarantees

- **Clear parameter errors.** :func:`setup` checks every parameter with the package and raises
  a :class:`~smmkpi_helpers.errors.SmmKpiError` whose message names the known specialist ids,
  the valid period forms and business goals, and explains papermill's ``-r`` for ids that look
  like numbers (``-p specialist 007`` reaches the kernel as the number 7).
- **Safe output.** Every table is shown with personal data masked
  (:func:`smmkpi_helpers.privacy.mask_frame`) and every cell HTML-escaped
  (``DataFrame.to_html(escape=True)``); names and texts from the data in headings are escaped
  too. No ``Styler`` is used (it does not escape by default).
- **Charts from** :mod:`smmkpi_helpers.plots`, drawn on a ``matplotlib.figure.Figure`` that
  pyplot never sees (nothing is shown twice, nothing leaks between notebooks) and embedded as
  PNG without a version stamp, so the same data gives the same bytes. The theme is applied in
  a context manager: global matplotlib state is left as it was.
- **Computed once.** Datasets are cached per (folder, file names, sizes and modification
  times): several notebooks run in one kernel load the data once. Scorecards and rendered
  views are cached per (data, specialist, period, goal), which is what makes the widgets
  (:mod:`smmkpi_helpers.widgets`) fast. Cached objects are shared: use them read-only.
  Setting the environment variable ``SMMKPI_CACHE_DIR`` to a folder also keeps loaded datasets
  and scorecards there (pickled; keyed on the files' state or the data fingerprint, and on the
  package's source files), so that separate kernels, such as a test suite's or parallel
  evaluations', skip the slow validation and scoring; it is off by default. Only point it at
  a folder you own: the files are unpickled.

Outside a kernel (a plain Python process running a notebook's code) the ``show_*`` and
``plot`` methods compute and render as usual but display nothing.

Extensions (not in the shared spec): the charts :func:`team_scores_chart`,
:func:`score_trend_chart` and :func:`robot_sessions_chart` live here until ``plots`` has them.
"""

from __future__ import annotations

import base64
import contextlib
import dataclasses
import hashlib
import html
import io
import os
import pickle
from collections import OrderedDict
from collections.abc import Callable, Iterable
from pathlib import Path

import numpy as np
import pandas as pd

from . import __version__, plots
from .config import PACKAGE_DIR, resolve_data_dir
from .dataset import Dataset, load_dataset
from .errors import InvalidIdError, SmmKpiError, UsageError
from .integrity import counting
from .kpis import breakdowns
from .kpis.awareness import mentions_daily, share_of_voice_table
from .kpis.catalog import CATALOG, FAMILIES
from .kpis.communications import requests_table
from .kpis.subscribers import followers_by_account
from .kpis.table import format_change, format_value, verdict
from .periods import Period, months_back, parse_period
from .privacy import mask_frame
from .record import record
from .schema import BUSINESS_GOALS
from .scope import Scope, check_specialist, in_scope
from .scorecard import Scorecard, score_specialist
from .storage import atomic_write_bytes

__all__ = [
    "AUDIENCES",
    "CACHE_ENV",
    "CHARTS",
    "FAMILY_TITLES",
    "NOTEBOOKS",
    "PARAMETERS",
    "TABLES",
    "TEAM_PARAMETERS",
    "TREND_PERIODS",
    "VIEWS",
    "Context",
    "clear_caches",
    "error_bundle",
    "figure_bundle",
    "html_bundle",
    "in_kernel",
    "load_cached",
    "notebook_parameters",
    "points_to_discuss",
    "render_view",
    "robot_sessions_chart",
    "robot_sessions_daily",
    "score_trend_chart",
    "scorecard",
    "setup",
    "show_bundles",
    "table_bundle",
    "team_frame",
    "team_scores_chart",
    "team_trend",
]

#: The notebooks and the view (family) each one is about.
NOTEBOOKS = {
    "00-scorecard": "scorecard",
    "01-subscribers": "subscribers",
    "02-reach": "reach",
    "03-engagement": "engagement",
    "04-content": "content",
    "05-communications": "communications",
    "06-site-traffic": "traffic",
    "07-goals": "goals",
    "08-brand-awareness": "awareness",
    "09-integrity": "integrity",
    "10-team": "team",
}
#: The parameters of every notebook, in the order of its parameters cell.
PARAMETERS = ("data_dir", "specialist", "period", "business_goal", "interactive")
#: The parameters of ``10-team``.
TEAM_PARAMETERS = (*PARAMETERS, "audience")
#: Who a team report is for: a manager sees everyone; a specialist sees only themselves and
#: an anonymous team median.
AUDIENCES = ("manager", "specialist")
#: How many periods (the given one and those before it) the team trend shows.
TREND_PERIODS = 4
#: The environment variable that turns on the on-disk dataset cache (a folder).
CACHE_ENV = "SMMKPI_CACHE_DIR"

FAMILY_TITLES = {
    "subscribers": "Subscribers",
    "reach": "Reach",
    "engagement": "Engagement",
    "content": "Content",
    "communications": "Communications",
    "traffic": "Site traffic",
    "goals": "Goals reached",
    "awareness": "Brand awareness",
    "integrity": "Integrity",
    "context": "Context (never scored)",
}
_FLAG_TITLES = {
    "follower_spike": "bought followers (follower spike)",
    "unfollow_wave": "unfollow wave after a spike",
    "ghost_growth": "growth without activity",
    "bought_likes": "bought likes",
    "robot_traffic": "robot traffic",
    "contradiction": "impossible numbers",
}
_FOLLOWER_FLAGS = ("follower_spike", "unfollow_wave", "ghost_growth")
_SIZE = (8.0, 4.0)


def notebook_parameters(name: str) -> tuple[str, ...]:
    """Return the declared parameter names of a notebook (``"03-engagement"`` or its file)."""
    stem = Path(name).stem
    if stem not in NOTEBOOKS:
        raise UsageError(f"unknown notebook '{name}'; notebooks: " + ", ".join(NOTEBOOKS))
    return TEAM_PARAMETERS if stem == "10-team" else PARAMETERS


# --------------------------------------------------------------------------------------------
# caches

_DATASETS: OrderedDict[tuple, Dataset] = OrderedDict()
_CARDS: OrderedDict[tuple, Scorecard] = OrderedDict()
_VIEWS: OrderedDict[tuple, list[dict]] = OrderedDict()
_CODE_STATE: list[str] = []


def _remember(cache: OrderedDict, key: tuple, value, limit: int):
    cache[key] = value
    cache.move_to_end(key)
    while len(cache) > limit:
        cache.popitem(last=False)
    return value


def clear_caches(*, views_only: bool = False) -> None:
    """Forget every cached dataset, scorecard and rendered view of this process.

    With ``views_only`` only the rendered views go (the next change re-draws its charts).
    """
    _VIEWS.clear()
    if not views_only:
        _DATASETS.clear()
        _CARDS.clear()


def _folder_state(folder: Path) -> tuple:
    """Return (name, size, modification time) of every visible file of a dataset folder."""
    state = []
    for path in sorted(folder.iterdir()):
        if path.is_file() and not path.name.startswith((".", "~$")):
            stat = path.stat()
            state.append((path.name, stat.st_size, stat.st_mtime_ns))
    return tuple(state)


def _code_state() -> str:
    """Return a digest of the package's source files (name, size, time): the disk cache key."""
    if not _CODE_STATE:
        digest = hashlib.sha256(__version__.encode())
        for path in sorted(PACKAGE_DIR.rglob("*.py")):
            stat = path.stat()
            entry = f"{path.relative_to(PACKAGE_DIR)}:{stat.st_size}:{stat.st_mtime_ns}"
            digest.update(entry.encode())
        _CODE_STATE.append(digest.hexdigest())
    return _CODE_STATE[0]


def _disk_path(kind: str, key: tuple) -> Path | None:
    """Return the on-disk cache file of ``key`` (None when the disk cache is off)."""
    folder = os.environ.get(CACHE_ENV)
    if not folder:
        return None
    name = hashlib.sha256(repr((kind, key, _code_state())).encode()).hexdigest()[:40]
    return Path(folder).expanduser() / f"{kind}-{name}.pickle"


def _disk_get(path: Path | None, kind: type):
    if path is None or not path.is_file():
        return None
    try:
        value = pickle.loads(path.read_bytes())
    except Exception:  # a damaged or foreign file is ignored and rewritten
        return None
    return value if isinstance(value, kind) else None


def _disk_put(path: Path | None, value) -> None:
    if path is None:
        return
    with contextlib.suppress(OSError):  # a read-only cache folder only costs speed
        atomic_write_bytes(path, pickle.dumps(value, protocol=pickle.HIGHEST_PROTOCOL))


def load_cached(data_dir: str | Path | None = None) -> Dataset:
    """Load a dataset folder once per process (and once per disk cache, when it is on).

    Parameters
    ----------
    data_dir : str, Path or None
        The dataset folder; None or ``""`` is the bundled sample.

    Returns
    -------
    Dataset
        The same object for as long as the folder's files keep their names, sizes and
        modification times. Treat its tables as read-only.

    Raises
    ------
    DatasetNotFoundError, ValidationError
        As :func:`smmkpi_helpers.dataset.load_dataset`.
    """
    folder = resolve_data_dir(data_dir)
    if not folder.is_dir():
        return load_dataset(data_dir)  # raises the clear "no dataset folder" error
    key = (str(folder), _folder_state(folder))
    if key in _DATASETS:
        _DATASETS.move_to_end(key)
        return _DATASETS[key]
    disk = _disk_path("dataset", key)
    dataset = _disk_get(disk, Dataset)
    if dataset is None:
        dataset = load_dataset(folder)
        _disk_put(disk, dataset)
    return _remember(_DATASETS, key, dataset, 4)


def _dataset_key(ds: Dataset) -> tuple:
    return (ds.fingerprint, str(ds.root), id(ds) if not ds.fingerprint else 0)


def scorecard(
    ds: Dataset, specialist: str, period: str | Period, business_goal: str | None = None
) -> Scorecard:
    """Return :func:`smmkpi_helpers.scorecard.score_specialist`, computed once per process.

    The scorecard holds the KPI report (``card.report``: the values with ``integrity_score``
    and ``clean_net_follower_growth`` filled in) and the integrity flags of the scope.
    """
    period = parse_period(period)
    key = (*_dataset_key(ds), specialist, period.label, business_goal)
    if key in _CARDS:
        _CARDS.move_to_end(key)
        return _CARDS[key]
    disk = _disk_path("scorecard", key) if ds.fingerprint else None
    card = _disk_get(disk, Scorecard)
    if card is None:
        card = score_specialist(ds, specialist, period, business_goal=business_goal)
        _disk_put(disk, card)
    return _remember(_CARDS, key, card, 256)


# --------------------------------------------------------------------------------------------
# parameters


def _check_text(name: str, value: object, known: str = "") -> str:
    if isinstance(value, str):
        return value
    raise InvalidIdError(
        f"{name} must be text, got the {type(value).__name__} {value!r}. Papermill's -p turns "
        f"values that look like numbers into numbers (-p {name} 007 gives 7): pass them with "
        f"-r (raw), e.g. papermill IN.ipynb OUT.ipynb -r {name} VALUE." + known
    )


def _check_goal(business_goal: object) -> str | None:
    goal = _check_text("business_goal", business_goal).strip()
    if goal == "":
        return None
    if goal not in BUSINESS_GOALS:
        raise UsageError(
            f"unknown business_goal '{goal}'; expected one of {', '.join(BUSINESS_GOALS)}, or "
            '"" to judge each account on its own goal'
        )
    return goal


def _check_audience(audience: object) -> str:
    value = _check_text("audience", audience)
    if value not in AUDIENCES:
        raise UsageError(
            f"unknown audience '{value}'; expected 'manager' (everyone's names and rows) or "
            "'specialist' (only the specialist's own rows and an anonymous team median)"
        )
    return value


def setup(
    data_dir: str = "",
    specialist: str = "",
    period: str = "",
    business_goal: str = "",
    *,
    audience: str = "manager",
    record_parameters: bool = True,
) -> Context:
    """Check a notebook's parameters with the package and return its :class:`Context`.

    Parameters
    ----------
    data_dir : str
        The dataset folder; ``""`` is the bundled sample.
    specialist : str
        A specialist id of the dataset (text: ``"007"``, never the number 7).
    period : str
        A period label: ``2026-10``, ``2026-Q3``, ``2026-W40``, ``2026`` or
        ``2026-09-01..2026-09-30``.
    business_goal : str
        ``""`` (each account is judged on its own goal) or one of the data model's goals.
    audience : {"manager", "specialist"}
        Who the report is for (the team notebook).
    record_parameters : bool
        Record ``specialist``, ``period`` and ``business_goal`` (:func:`record`).

    Returns
    -------
    Context

    Raises
    ------
    InvalidIdError, UnknownSpecialistError
        For a specialist that is not text, breaks the id rule or is not in the dataset; the
        message lists the known specialists and explains papermill's ``-r``.
    PeriodError
        For a bad period label (the message shows valid labels).
    UsageError
        For an unknown business goal or audience.
    DatasetNotFoundError, ValidationError
        When the dataset cannot be loaded.
    """
    __tracebackhide__ = True  # IPython shows the message, not this function's frames
    data_dir = _check_text("data_dir", data_dir)
    goal = _check_goal(business_goal)
    audience = _check_audience(audience)
    dataset = load_cached(data_dir)
    known = " Known specialists: " + ", ".join(dataset.specialist_ids) + "."
    _check_text("specialist", specialist, known)
    check_specialist(dataset, specialist)
    label = period.strip() if isinstance(period, str) else period
    parsed = parse_period(label)
    ctx = Context(dataset, specialist, parsed, goal, audience)
    if record_parameters:
        record("specialist", specialist)
        record("period", parsed.label)
        record("business_goal", goal)
    return ctx


# --------------------------------------------------------------------------------------------
# output bundles (MIME dicts): the same for a notebook cell and a widget's Output


def in_kernel() -> bool:
    """Return whether an IPython shell (a kernel) runs this code."""
    from IPython.core.interactiveshell import InteractiveShell

    return InteractiveShell.initialized()


def show_bundles(bundles: Iterable[dict]) -> None:
    """Display MIME bundles in the running kernel (nothing happens outside one)."""
    if not in_kernel():
        return
    from IPython.display import display

    for bundle in bundles:
        display(bundle, raw=True)


def html_bundle(markup: str, text: str) -> dict:
    """Return a bundle of trusted HTML (built here, data already escaped) and its plain text."""
    return {"text/html": markup, "text/plain": text}


def _esc(value: object) -> str:
    return html.escape(str(value), quote=True)


def table_bundle(frame: pd.DataFrame, title: str | None = None, *, note: str | None = None) -> dict:
    """Return a table as an HTML and text bundle: personal data masked, every cell escaped.

    Parameters
    ----------
    frame : DataFrame
        What to show (already formatted for reading; NaN shows as ``n/a``).
    title : str, optional
        A heading above the table.
    note : str, optional
        A sentence under the heading (e.g. why the table is empty).
    """
    shown = mask_frame(frame)
    parts = []
    if title:
        parts.append(f"<p><strong>{_esc(title)}</strong></p>")
    if note:
        parts.append(f"<p><em>{_esc(note)}</em></p>")
    if len(shown.columns) and len(shown):
        parts.append(
            shown.to_html(escape=True, index=False, na_rep="n/a", border=0, classes="smmkpi")
        )
    elif not note:
        parts.append("<p><em>no rows</em></p>")
    text = "\n".join(
        p
        for p in (
            title,
            note,
            shown.to_string(index=False, na_rep="n/a") if len(shown) else "",
        )
        if p
    )
    return html_bundle("\n".join(parts), text)


def figure_bundle(draw: Callable, *, size: tuple[float, float] = _SIZE, title: str = "") -> dict:
    """Draw a chart on a fresh figure and return it as a PNG bundle.

    Parameters
    ----------
    draw : callable
        ``draw(ax)``: draws on a matplotlib Axes (a ``plots`` function).
    size : tuple of float
        Figure size in inches (100 dpi).
    title : str
        Text for the plain-text representation.

    Returns
    -------
    dict
        ``{"image/png": base64, "text/plain": ...}``. The figure never enters pyplot, the
        theme is set only while drawing, and the PNG carries no version stamp, so the same
        inputs give the same bytes.
    """
    import seaborn as sns
    from matplotlib.figure import Figure

    with (
        sns.axes_style("whitegrid"),
        sns.plotting_context("notebook", font_scale=0.85),
        sns.color_palette("deep"),
    ):
        fig = Figure(figsize=size, dpi=100, layout="constrained")
        ax = fig.add_subplot()
        draw(ax)
        buffer = io.BytesIO()
        fig.savefig(buffer, format="png", metadata={"Software": None})
    name = title or ax.get_title() or "chart"
    return {
        "image/png": base64.b64encode(buffer.getvalue()).decode("ascii"),
        "text/plain": f"<chart: {name}>",
    }


def _value_columns(frame: pd.DataFrame, units: dict[str, str]) -> pd.DataFrame:
    """Return ``frame`` with the given columns formatted for reading (``format_value``)."""
    out = frame.copy()
    for column, unit in units.items():
        if column in out:
            out[column] = [
                format_value(None if pd.isna(v) else float(v), unit) for v in out[column]
            ]
    return out


def _date_text(values: pd.Series) -> list[str]:
    return ["" if pd.isna(v) else pd.Timestamp(v).strftime("%Y-%m-%d") for v in values]


# --------------------------------------------------------------------------------------------
# the context of one notebook run


@dataclasses.dataclass(frozen=True)
class Context:
    """What a notebook works on: the dataset, the specialist, the period and the goal.

    Attributes
    ----------
    dataset : Dataset
        The loaded dataset (shared through the cache: read-only).
    specialist : str
        The specialist id.
    period : Period
        The period.
    business_goal : str or None
        A goal that overrides the accounts' own goals, or None.
    audience : str
        ``manager`` or ``specialist`` (who the team report is for).
    """

    dataset: Dataset
    specialist: str
    period: Period
    business_goal: str | None = None
    audience: str = "manager"

    # -- derived data (computed once per process, see :func:`scorecard`) --------------------

    @property
    def card(self) -> Scorecard:
        """Return the scorecard (KPI report, flags, scores)."""
        return scorecard(self.dataset, self.specialist, self.period, self.business_goal)

    @property
    def report(self):
        """Return the KPI report (``table``, ``values``, ``scope``, ``comparison_scope``)."""
        return self.card.report

    @property
    def scope(self) -> Scope:
        """Return the specialist's scope in the period."""
        return self.report.scope

    @property
    def comparison_scope(self) -> Scope:
        """Return the specialist's scope in the comparison period."""
        return self.report.comparison_scope

    @property
    def values(self) -> dict:
        """Return ``{kpi id: value}`` for the period."""
        return self.report.values

    @property
    def name(self) -> str:
        """Return the specialist's name (raw text from the data: escape it before showing)."""
        table = self.dataset["specialists"]
        names = table.loc[table["specialist_id"] == self.specialist, "name"]
        return str(names.iloc[0]) if len(names) and pd.notna(names.iloc[0]) else self.specialist

    def with_selection(
        self, specialist: str | None = None, period: str | Period | None = None
    ) -> Context:
        """Return the same context for another specialist and/or period (both checked)."""
        specialist = self.specialist if specialist is None else specialist
        check_specialist(self.dataset, specialist)
        period = self.period if period is None else parse_period(period)
        return dataclasses.replace(self, specialist=specialist, period=period)

    # -- pieces ------------------------------------------------------------------------------

    def headline_text(self, view: str = "scorecard") -> str:
        """Return the one-line summary shown above a view (plain text)."""
        p = self.period
        span = f"{p.start.isoformat()}..{p.end.isoformat()}"
        if view == "team":
            who = (
                f"team report for {self.name} ({self.specialist})"
                if self.audience == "specialist"
                else "team report for a manager"
            )
            return f"{who} | {p.label} ({span})"
        head = f"{self.name} ({self.specialist}) | {p.label} ({span})"
        if self.scope.is_empty:
            return head + " | ran no account in this period"
        card = self.card
        if view == "scorecard":
            return (
                f"{head} | overall score {_score(card.overall_score)} / 100"
                f" | integrity {_score(card.integrity_score)} / 100"
            )
        if view == "integrity":
            flags = counting(card.flags)
            return f"{head} | integrity {_score(card.integrity_score)} / 100 | {len(flags)} flag(s)"
        family = FAMILY_TITLES.get(view, view)
        if view not in card.family_scores:
            return f"{head} | {family}: not weighed in this evaluation's score"
        return f"{head} | {family} score {_score(card.family_scores[view]['score'])} / 100"

    def headline(self, view: str = "scorecard") -> dict:
        """Return the headline bundle of a view."""
        text = self.headline_text(view)
        parts = [_esc(part) for part in text.split(" | ")]
        markup = (
            '<p class="smmkpi-headline"><strong>'
            + parts[0]
            + "</strong> &middot; "
            + " &middot; ".join(parts[1:])
            + "</p>"
        )
        notes = []
        if self.scope.uncovered_days and view != "team":
            notes.append(
                f"{self.scope.uncovered_days} scoped account-day(s) have no daily data: the "
                "period reaches past the data, so some KPIs cover fewer days."
            )
        if notes:
            markup += "".join(f"<p><em>{_esc(n)}</em></p>" for n in notes)
        return html_bundle(markup, "\n".join([text, *notes]))

    def kpi_frame(self, family: str, *, comparison: bool = True) -> pd.DataFrame:
        """Return a family's KPIs formatted for reading (one row per KPI)."""
        rows = self.card.rows
        rows = [
            {k: _nan_none(v) if k in _NUMBERS else v for k, v in r.items()}
            for r in rows[rows["family"] == family].to_dict(orient="records")
        ]
        frame = pd.DataFrame(
            {
                "KPI": [r["label"] for r in rows],
                "id": [r["kpi"] for r in rows],
                "value": [format_value(r["value"], r["unit"]) for r in rows],
            }
        )
        if comparison:
            frame["previous period"] = [format_value(r["comparison"], r["unit"]) for r in rows]
            frame["change"] = [format_change(r["change"], r["change_pct"], r["unit"]) for r in rows]
            frame["trend"] = [verdict(r["change"], r["better"]) for r in rows]
        frame["easy to game"] = ["yes" if r["gameable"] else "no" for r in rows]
        frame["in the score"] = [_judging(r) for r in rows]
        return frame

    # -- display (one call per notebook cell) -----------------------------------------------

    def bundles(self, view: str, *, comparison: bool = True) -> list[dict]:
        """Return the rendered main table and chart of a view (see :data:`VIEWS`)."""
        return render_view(self, view, comparison=comparison)

    def show(self, view: str, *, comparison: bool = True) -> None:
        """Show a view: its headline, main table and main chart."""
        show_bundles(self.bundles(view, comparison=comparison))

    def show_headline(self, view: str = "scorecard") -> None:
        """Show the one-line summary of a view."""
        show_bundles([self.headline(view)])

    def show_kpis(self, family: str, *, comparison: bool = True) -> None:
        """Show a family's KPI table: value, previous period, change, and how it is judged."""
        if family not in FAMILY_TITLES:
            raise UsageError(f"unknown KPI family '{family}'; families: " + ", ".join(FAMILIES))
        show_bundles([self._kpi_bundle(family, comparison)])

    def _kpi_bundle(self, family: str, comparison: bool) -> dict:
        note = "the specialist ran no account in this period" if self.scope.is_empty else None
        title = f"{FAMILY_TITLES[family]} KPIs, {self.period.label}"
        if comparison:
            title += f" against {self.period.comparison().label}"
        return table_bundle(self.kpi_frame(family, comparison=comparison), title, note=note)

    def plot(self, chart: str, *, comparison: bool = True) -> None:
        """Show one chart of :data:`CHARTS` (e.g. ``"er_by_format"``)."""
        show_bundles([self.chart(chart, comparison=comparison)])

    def chart(self, chart: str, *, comparison: bool = True) -> dict:
        """Return one chart of :data:`CHARTS` as a PNG bundle."""
        if chart not in CHARTS:
            raise UsageError(f"unknown chart '{chart}'; charts: " + ", ".join(CHARTS))
        draw, size = CHARTS[chart]
        return figure_bundle(lambda ax: draw(self, ax, comparison), size=size)

    def show_table(self, name: str) -> None:
        """Show one table of :data:`TABLES` (e.g. ``"by_account"``)."""
        show_bundles([self.table(name)])

    def table(self, name: str) -> dict:
        """Return one table of :data:`TABLES` as a bundle."""
        if name not in TABLES:
            raise UsageError(f"unknown table '{name}'; tables: " + ", ".join(TABLES))
        frame, title, note = TABLES[name](self)
        return table_bundle(frame, title, note=note)

    def show_profile(self) -> None:
        """Show which business-goal profiles judge the specialist, with their reasons."""
        show_bundles([self.table("profile"), self.table("accounts")])

    def show_points(self) -> None:
        """Show the points to discuss with the specialist (a list of sentences)."""
        items = points_to_discuss(self.card)
        markup = "<ul>" + "".join(f"<li>{_esc(i)}</li>" for i in items) + "</ul>"
        show_bundles([html_bundle(markup, "\n".join(f"- {i}" for i in items))])

    # -- records ---------------------------------------------------------------------------

    def record_kpis(self, *families: str) -> None:
        """Record the value of every KPI of the given families (ids as names)."""
        for entry in CATALOG:
            if entry.family in families:
                record(entry.id, self.values.get(entry.id))

    def record_scores(self) -> None:
        """Record ``overall_score``, ``family_scores`` (``{family: score}``),
        ``integrity_score``, ``flags`` (counting flags) and ``profiles`` (``{goal: share}``)."""
        card = self.card
        record("overall_score", card.overall_score)
        record("family_scores", {f: v["score"] for f, v in card.family_scores.items()})
        record("integrity_score", card.integrity_score)
        record("flags", len(counting(card.flags)))
        record("profiles", {p["goal"]: p["share"] for p in card.profiles})

    def record_integrity(self) -> None:
        """Record ``integrity_score``, ``clean_net_follower_growth``, ``net_follower_growth``
        and ``flags_by_kind`` (counting flags per kind)."""
        flags = counting(self.card.flags)
        record("integrity_score", self.values.get("integrity_score"))
        record("net_follower_growth", self.values.get("net_follower_growth"))
        record("clean_net_follower_growth", self.values.get("clean_net_follower_growth"))
        record("flags_by_kind", {str(k): int(n) for k, n in flags["kind"].value_counts().items()})

    def record_team(self) -> None:
        """Record the team's scores: every specialist's for a manager; for a specialist only
        their own and the anonymous team median."""
        frame = team_frame(self)
        if self.audience == "specialist":
            own = frame[frame["who"] == self.specialist]
            median = frame[frame["who"] == "team median"]
            record("overall_score", _first(own["overall_score"]))
            record("team_median_overall_score", _first(median["overall_score"]))
            return
        record(
            "team",
            {
                row["who"]: {
                    "overall_score": _nan_none(row["overall_score"]),
                    "integrity_score": _nan_none(row["integrity_score"]),
                }
                for row in frame.to_dict(orient="records")
            },
        )


def _score(value) -> str:
    return "n/a" if value is None or pd.isna(value) else f"{float(value):.1f}"


def _nan_none(value):
    """Return None for None and NaN, else the number as a Python float (int stays int)."""
    if value is None or pd.isna(value):
        return None
    return int(value) if isinstance(value, (int, np.integer)) else float(value)


_NUMBERS = ("value", "comparison", "change", "change_pct", "target", "attainment", "weight")


def _first(series: pd.Series):
    return _nan_none(series.iloc[0]) if len(series) else None


def _judging(row: dict) -> str:
    status = row["status"]
    if status == "judged":
        source = "target" if row["target_source"] == "target" else "previous period"
        return f"weight {row['weight']:.3g}: {row['attainment']:.0f} % of {source}"
    if status == "discounted":
        return f"weight {row['weight']:.3g}: 0 points, flagged ({', '.join(row['flags'])})"
    if status == "dropped":
        return "dropped: no value or nothing to compare with"
    if status == "context":
        return "shown for context, never scored"
    return "not weighed for this goal"


def points_to_discuss(card: Scorecard) -> list[str]:
    """Return the points a manager should raise with the specialist, in plain sentences.

    Integrity flags come first, then the KPIs that missed their target or the previous
    period most, then the strongest results, then what could not be judged.
    """
    scope = card.report.scope
    if scope.is_empty:
        return [f"{card.specialist} ran no account in {card.period.label}: nothing to judge."]
    items: list[str] = []
    for flag in counting(card.flags).itertuples(index=False):
        span = f"{flag.start:%Y-%m-%d}" + (
            "" if flag.start == flag.end else f" to {flag.end:%Y-%m-%d}"
        )
        what = _FLAG_TITLES.get(flag.kind, flag.kind)
        items.append(
            f"Integrity ({flag.severity}): {what} on {flag.account_id}, {span}: {flag.message}"
        )
    judged = card.rows[card.rows["status"] == "judged"]
    if len(judged):
        ranked = judged.assign(_a=judged["attainment"].astype(float)).sort_values(
            ["_a", "kpi"], kind="stable"
        )
        for row in ranked[ranked["_a"] < 100].head(3).to_dict(orient="records"):
            items.append(_attainment_sentence(row, "Below"))
        for row in ranked[ranked["_a"] >= 100].iloc[::-1].head(2).to_dict(orient="records"):
            items.append(_attainment_sentence(row, "Strong"))
    items.extend(card.notes)
    if scope.uncovered_days:
        items.append(
            f"{scope.uncovered_days} scoped account-day(s) have no daily data; check the "
            "exports before judging."
        )
    if not items:
        items.append("Nothing stands out: every judged KPI met its target.")
    return items


def _attainment_sentence(row: dict, kind: str) -> str:
    source = "the target" if row["target_source"] == "target" else "the previous period"
    value = format_value(row["value"], row["unit"])
    target = format_value(row["target"], row["unit"])
    return (
        f"{kind}: {row['label']} is {value} against {target} ({source}), "
        f"{row['attainment']:.0f} % of it (weight {row['weight']:.3g})."
    )


# --------------------------------------------------------------------------------------------
# charts: name -> (draw(ctx, ax, comparison), figure size)


def _flag_spans(ax, flags: pd.DataFrame, kinds: Iterable[str]) -> None:
    """Shade the days of the given flags on a date axis and add them to the legend."""
    from matplotlib.patches import Patch

    rows = flags[flags["kind"].isin(list(kinds))]
    if rows.empty:
        return
    half = pd.Timedelta(hours=12)  # bars are centred on their day
    for flag in rows.itertuples(index=False):
        ax.axvspan(flag.start - half, flag.end + half, color="#d1495b", alpha=0.15)
    legend = ax.get_legend()
    handles = list(legend.legend_handles) if legend is not None else []
    handles.append(Patch(color="#d1495b", alpha=0.15, label="flagged by the integrity checks"))
    ax.legend(handles=handles, loc="upper left")


def _followers(ctx: Context, ax, comparison: bool):
    plots.follower_trend(breakdowns.daily_totals(ctx.dataset, ctx.scope), ax=ax)
    _flag_spans(ax, counting(ctx.card.flags), _FOLLOWER_FLAGS)


def _reach(ctx: Context, ax, comparison: bool):
    before = breakdowns.daily_totals(ctx.dataset, ctx.comparison_scope) if comparison else None
    plots.reach_vs_comparison(
        breakdowns.daily_totals(ctx.dataset, ctx.scope), comparison=before, ax=ax
    )


def _likes_evidence(ctx: Context, ax, comparison: bool):
    posts = breakdowns.posts_table(ctx.dataset, ctx.scope)
    plots.er_by_post(posts, ax=ax)
    flags = counting(ctx.card.flags)
    flagged = flags.loc[flags["kind"] == "bought_likes", ["account_id", "post_id"]]
    hit = posts.merge(flagged, on=["account_id", "post_id"], how="inner")
    hit = hit[hit["er_reach_pct"].notna()]
    if len(hit):
        ax.scatter(
            hit["published_at_local"],
            hit["er_reach_pct"],
            s=160,
            facecolors="none",
            edgecolors="#d1495b",
            linewidths=2,
            label="flagged: bought likes",
            zorder=5,
        )
        ax.legend(loc="best")


def _attainment(ctx: Context, ax, comparison: bool):
    judged = ctx.card.judged()
    data = pd.DataFrame(
        {
            "kpi": judged["label"].astype(str),
            "attainment": judged["attainment"].astype(float),
            "weight": judged["weight"].astype(float).round(1),
        }
    )
    plots.kpi_attainment(data, ax=ax)


def _team_scores(ctx: Context, ax, comparison: bool):
    team_scores_chart(team_frame(ctx), ax=ax)


def _team_trend(ctx: Context, ax, comparison: bool):
    score_trend_chart(team_trend(ctx), ax=ax)


def _robots(ctx: Context, ax, comparison: bool):
    robot_sessions_chart(robot_sessions_daily(ctx.dataset, ctx.scope), ax=ax)
    _flag_spans(ax, counting(ctx.card.flags), ("robot_traffic",))


CHARTS: dict[str, tuple[Callable, tuple[float, float]]] = {
    "attainment": (_attainment, (8.0, 5.5)),
    "followers": (_followers, _SIZE),
    "reach": (_reach, _SIZE),
    "er_by_post": (
        lambda c, ax, cmp: plots.er_by_post(breakdowns.posts_table(c.dataset, c.scope), ax=ax),
        _SIZE,
    ),
    "er_by_format": (
        lambda c, ax, cmp: plots.er_by_format(breakdowns.by_format(c.dataset, c.scope), ax=ax),
        _SIZE,
    ),
    "calendar": (
        lambda c, ax, cmp: plots.publishing_calendar(
            breakdowns.plan_calendar(c.dataset, c.scope), ax=ax
        ),
        _SIZE,
    ),
    "reply_times": (
        lambda c, ax, cmp: plots.reply_time_distribution(requests_table(c.dataset, c.scope), ax=ax),
        _SIZE,
    ),
    "funnel": (
        lambda c, ax, cmp: plots.traffic_funnel(
            breakdowns.traffic_funnel(c.dataset, c.scope), ax=ax
        ),
        _SIZE,
    ),
    "goals": (
        lambda c, ax, cmp: plots.goals_by_type(breakdowns.goals_by_type(c.dataset, c.scope), ax=ax),
        _SIZE,
    ),
    "mentions": (
        lambda c, ax, cmp: plots.mentions_sentiment(mentions_daily(c.dataset, c.scope), ax=ax),
        _SIZE,
    ),
    "share_of_voice": (
        lambda c, ax, cmp: plots.share_of_voice(share_of_voice_table(c.dataset, c.scope), ax=ax),
        _SIZE,
    ),
    "likes_evidence": (_likes_evidence, _SIZE),
    "robot_sessions": (_robots, _SIZE),
    "team_scores": (_team_scores, _SIZE),
    "team_trend": (_team_trend, _SIZE),
}


# --------------------------------------------------------------------------------------------
# tables: name -> ctx -> (frame, title, note)


def _profile_table(ctx: Context):
    profiles = ctx.card.profiles
    frame = pd.DataFrame(
        {
            "goal": [p["goal"] for p in profiles],
            "profile": [p["title"] for p in profiles],
            "share of the evaluation": [f"{p['share'] * 100:.0f} %" for p in profiles],
            "why these KPIs": [p["reason"] for p in profiles],
        }
    )
    note = None
    if ctx.business_goal:
        note = f"Every account is judged as '{ctx.business_goal}' (the business_goal parameter)."
    elif not profiles:
        note = "No account was run in this period."
    return frame, "Business-goal profiles", note


def _accounts_table(ctx: Context):
    ds, scope = ctx.dataset, ctx.scope
    if scope.is_empty:
        return pd.DataFrame(), "Accounts in scope", "No account was run in this period."
    accounts = ds["accounts"].set_index("account_id")
    bounds = scope.bounds()
    days = scope.days.groupby("account_id").size()
    ids = bounds["account_id"].tolist()
    frame = pd.DataFrame(
        {
            "account": ids,
            "name": accounts.loc[ids, "name"].astype(str).tolist(),
            "platform": accounts.loc[ids, "platform"].astype(str).tolist(),
            "business goal": accounts.loc[ids, "business_goal"].astype(str).tolist(),
            "from": _date_text(bounds["first"]),
            "to": _date_text(bounds["last"]),
            "days": days.reindex(ids).astype(int).tolist(),
        }
    )
    return frame, "Accounts in scope (only the days this specialist ran them)", None


def _family_scores_table(ctx: Context, comparison: bool = True):
    card = ctx.card
    families = [f for f in FAMILIES if f in card.family_scores]
    frame = pd.DataFrame(
        {
            "family": [FAMILY_TITLES.get(f, f) for f in families],
            "score": [_score(card.family_scores[f]["score"]) for f in families],
            "share of the overall score": [
                f"{card.family_scores[f]['weight']:.0f} %" for f in families
            ],
        }
    )
    if comparison and len(families):
        before = ctx.with_selection(period=ctx.period.comparison()).card
        frame["previous period"] = [
            _score(before.family_scores.get(f, {}).get("score")) for f in families
        ]
    note = None if families else "No KPI could be judged in this period."
    return frame, f"Family scores (0-100), overall {_score(card.overall_score)}", note


def _by_account_table(ctx: Context):
    frame = breakdowns.by_account(ctx.dataset, ctx.scope)
    units = {entry.id: entry.unit for entry in CATALOG if entry.id in frame.columns}
    frame = _value_columns(frame, units).rename(
        columns={"account_id": "account", "business_goal": "business goal"}
        | {entry.id: entry.label for entry in CATALOG}
    )
    return frame, "Main KPIs per account", None


def _by_format_table(ctx: Context):
    frame = breakdowns.by_format(ctx.dataset, ctx.scope)
    frame = _value_columns(
        frame, {"posts": "count", "interactions": "count", "reach": "count", "er_reach": "%"}
    )
    return frame, "Posts, interactions, reach and ER by reach per format", None


def _top_posts_table(ctx: Context):
    posts = breakdowns.posts_table(ctx.dataset, ctx.scope)
    posts = posts.sort_values(["er_reach_pct", "post_id"], ascending=[False, True], kind="stable")
    top = posts.head(5)
    frame = pd.DataFrame(
        {
            "account": top["account_id"].astype(str),
            "post": top["post_id"].astype(str),
            "published": [f"{t:%Y-%m-%d %H:%M}" for t in top["published_at_local"]],
            "format": top["format"].astype(str),
            "topic": top["topic"],
        }
    )
    frame = frame.assign(reach=top["reach"], interactions=top["interactions"])
    frame = frame.assign(er_reach=top["er_reach_pct"])
    frame = _value_columns(frame, {"reach": "count", "interactions": "count", "er_reach": "%"})
    return frame, "The five posts with the highest ER by reach", None


def _requests_summary(ctx: Context):
    requests = requests_table(ctx.dataset, ctx.scope)
    if not ctx.dataset.has("messages"):
        return pd.DataFrame(), "Requests per account", "The dataset has no messages table."
    grouped = requests.groupby(["account_id", "channel"], dropna=False, sort=True)
    frame = pd.DataFrame(
        {
            "requests": grouped.size(),
            "answered": grouped["answered"].sum(),
            "median reply, min": grouped["first_response_min"].median(),
            "median reply in working hours, min": grouped["first_response_work_min"].median(),
        }
    ).reset_index()
    frame = frame.rename(columns={"account_id": "account"})
    frame = _value_columns(
        frame,
        {
            "requests": "count",
            "answered": "count",
            "median reply, min": "min",
            "median reply in working hours, min": "min",
        },
    )
    return frame, "Requests per account and channel", None


def _funnel_table(ctx: Context):
    frame = breakdowns.traffic_funnel(ctx.dataset, ctx.scope)
    return _value_columns(frame, {"value": "count"}), "Traffic funnel", None


def _goals_table(ctx: Context):
    frame = breakdowns.goals_by_type(ctx.dataset, ctx.scope)
    frame = frame.assign(leads=np.where(frame["leads"], "yes", "no"))
    frame = _value_columns(frame, {"conversions": "count", "value_sum": "money"})
    note = None if ctx.dataset.has("conversions") else "The dataset has no conversions table."
    return frame, "Goals reached by type", note


def _sov_table(ctx: Context):
    frame = share_of_voice_table(ctx.dataset, ctx.scope)
    frame = frame.assign(own_brand=np.where(frame["own_brand"], "yes", "no"))
    frame = _value_columns(frame, {"mentions": "count", "share_pct": "%"})
    note = None if ctx.dataset.has("mentions") else "The dataset has no mentions table."
    return frame, "Share of voice by brand", note


def _followers_table(ctx: Context):
    if ctx.scope.is_empty:
        return pd.DataFrame(), "Followers per account", "No account was run in this period."
    frame = followers_by_account(ctx.dataset, ctx.scope)
    out = pd.DataFrame(
        {
            "account": frame["account_id"],
            "from": _date_text(frame["first"]),
            "to": _date_text(frame["last"]),
            "followers at start": frame["followers_start"],
            "followers at end": frame["followers_end"],
            "unfollows": frame["unfollows"],
        }
    )
    units = {"followers at start": "count", "followers at end": "count", "unfollows": "count"}
    return _value_columns(out, units), "Followers per account", None


def _flags_table(ctx: Context):
    flags = ctx.card.flags
    if flags.empty:
        note = "No integrity check found anything on this specialist's account-days."
        return pd.DataFrame(), "Integrity flags", note
    frame = pd.DataFrame(
        {
            "severity": flags["severity"].astype(str),
            "check": [_FLAG_TITLES.get(k, k) for k in flags["kind"]],
            "account": flags["account_id"].astype(str),
            "from": _date_text(flags["start"]),
            "to": _date_text(flags["end"]),
            "post": [p if isinstance(p, str) else "" for p in flags["post_id"]],
            "what was found": flags["message"].astype(str),
        }
    )
    return frame, "Integrity flags (only warning and critical ones cost points)", None


def _team_table(ctx: Context):
    frame = team_frame(ctx)
    shown = pd.DataFrame({"specialist": frame["who"]})
    if ctx.audience == "manager":
        shown["name"] = frame["name"]
    shown["overall"] = [_score(v) for v in frame["overall_score"]]
    shown["integrity"] = [_score(v) for v in frame["integrity_score"]]
    for family in FAMILIES:
        if family in frame and frame[family].notna().any():
            shown[FAMILY_TITLES[family]] = [_score(v) for v in frame[family]]
    shown["flags"] = [_score(v).removesuffix(".0") for v in frame["flags"]]
    title = f"Scores (0-100), {ctx.period.label}"
    note = (
        "Only your own row and the team median are shown: other specialists stay anonymous."
        if ctx.audience == "specialist"
        else None
    )
    return shown, title, note


TABLES: dict[str, Callable] = {
    "profile": _profile_table,
    "accounts": _accounts_table,
    "family_scores": _family_scores_table,
    "by_account": _by_account_table,
    "by_format": _by_format_table,
    "top_posts": _top_posts_table,
    "requests": _requests_summary,
    "funnel": _funnel_table,
    "goals": _goals_table,
    "share_of_voice": _sov_table,
    "followers": _followers_table,
    "flags": _flags_table,
    "team": _team_table,
}


# --------------------------------------------------------------------------------------------
# team


def team_frame(ctx: Context, period: str | Period | None = None) -> pd.DataFrame:
    """Return one row per specialist with their scores (or, for a specialist, two rows).

    Parameters
    ----------
    ctx : Context
        The dataset, the period, the goal and the audience; ``ctx.specialist`` is the one the
        report is for when the audience is ``specialist``.
    period : str or Period, optional
        Another period than ``ctx.period``.

    Returns
    -------
    DataFrame
        ``who`` (specialist id, or ``team median``), ``name``, ``overall_score``,
        ``integrity_score``, one column per family score, ``flags`` (counting flags), all
        float (NaN = not available). For the ``specialist`` audience: the specialist's row and
        a ``team median`` row (the median of every specialist's value, the specialist
        included), with no other name or id.
    """
    period = ctx.period if period is None else parse_period(period)
    names = ctx.dataset["specialists"].set_index("specialist_id")["name"]
    records = []
    for specialist in ctx.dataset.specialist_ids:  # a handful of people, not rows of a table
        card = scorecard(ctx.dataset, specialist, period, ctx.business_goal)
        row = {
            "who": specialist,
            "name": str(names.get(specialist, "")),
            "overall_score": _nan_none(card.overall_score),
            "integrity_score": _nan_none(card.integrity_score),
            "flags": float(len(counting(card.flags))) if not card.report.scope.is_empty else None,
        }
        row |= {f: card.family_scores.get(f, {}).get("score") for f in FAMILIES}
        records.append(row)
    columns = ["who", "name", "overall_score", "integrity_score", *FAMILIES, "flags"]
    frame = pd.DataFrame.from_records(records, columns=columns)
    numeric = [c for c in columns if c not in ("who", "name")]
    frame = frame.astype({c: "float64" for c in numeric})
    if ctx.audience != "specialist":
        return frame
    own = frame[frame["who"] == ctx.specialist]
    median = frame[numeric].median(skipna=True).to_frame().T.assign(who="team median", name="")
    return pd.concat([own, median[columns]], ignore_index=True)


def team_trend(ctx: Context, periods: int = TREND_PERIODS) -> pd.DataFrame:
    """Return the overall score of each row of :func:`team_frame` over recent periods.

    Returns
    -------
    DataFrame
        ``period`` (label, oldest first), ``who`` and ``overall_score`` (float, NaN = none).
    """
    parts = []
    for period in months_back(ctx.period, periods):
        frame = team_frame(ctx, period)
        parts.append(frame[["who", "overall_score"]].assign(period=period.label))
    out = pd.concat(parts, ignore_index=True)
    return out[["period", "who", "overall_score"]]


def team_scores_chart(data: pd.DataFrame | None, *, ax=None, **kwargs):
    """Plot each specialist's overall score as horizontal bars, with their integrity score.

    Parameters
    ----------
    data : DataFrame or None
        :func:`team_frame`: ``who``, ``overall_score`` and ``integrity_score``.
    ax : matplotlib Axes, optional
        Axes to draw on; the current Axes when None.
    **kwargs
        Passed to :meth:`Axes.barh`.

    Returns
    -------
    Axes
    """
    import matplotlib.pyplot as plt

    ax = plt.gca() if ax is None else ax
    title, xlabel, ylabel = "Overall score by specialist", "Overall score (0-100)", "Specialist"
    if data is None or data.empty:
        ax.text(0.5, 0.5, "no data", transform=ax.transAxes, ha="center", va="center")
        ax.set(title=title, xlabel=xlabel, ylabel=ylabel)
        return ax
    rows = data.iloc[::-1]
    values = rows["overall_score"].to_numpy(dtype=float)
    positions = np.arange(len(rows))
    colors = ["#b0b0b0" if who == "team median" else "#4c72b0" for who in rows["who"]]
    kwargs.setdefault("color", colors)
    bars = ax.barh(positions, np.nan_to_num(values), **kwargs)
    labels = [
        f"{_score(v)}  (integrity {_score(i)})"
        for v, i in zip(values, rows["integrity_score"], strict=True)
    ]
    ax.bar_label(bars, labels=labels, padding=3, fontsize="small")
    ax.set_yticks(positions, rows["who"].astype(str).tolist())
    ax.set_xlim(0, 130)
    ax.set(title=title, xlabel=xlabel, ylabel=ylabel)
    return ax


def score_trend_chart(data: pd.DataFrame | None, *, ax=None, **kwargs):
    """Plot overall scores over recent periods, one line per specialist (or you and the median).

    Parameters
    ----------
    data : DataFrame or None
        :func:`team_trend`: ``period``, ``who``, ``overall_score``.
    ax : matplotlib Axes, optional
        Axes to draw on; the current Axes when None.
    **kwargs
        Passed to :func:`seaborn.lineplot`.

    Returns
    -------
    Axes
    """
    import matplotlib.pyplot as plt
    import seaborn as sns

    ax = plt.gca() if ax is None else ax
    title, xlabel, ylabel = "Overall score over recent periods", "Period", "Overall score (0-100)"
    if data is None or data.empty or data["overall_score"].isna().all():
        ax.text(0.5, 0.5, "no data", transform=ax.transAxes, ha="center", va="center")
        ax.set(title=title, xlabel=xlabel, ylabel=ylabel)
        return ax
    order = list(dict.fromkeys(data["period"]))
    points = data.assign(step=data["period"].map({p: i for i, p in enumerate(order)}))
    kwargs.setdefault("marker", "o")
    sns.lineplot(data=points, x="step", y="overall_score", hue="who", ax=ax, **kwargs)
    ax.set_xticks(range(len(order)), order)
    ax.set_ylim(0, 105)
    ax.legend(title=None, loc="lower left")
    ax.set(title=title, xlabel=xlabel, ylabel=ylabel)
    return ax


# --------------------------------------------------------------------------------------------
# integrity evidence


def robot_sessions_daily(ds: Dataset, scope: Scope) -> pd.DataFrame:
    """Return the scope's web sessions per local day, split into people and robots.

    Returns
    -------
    DataFrame
        ``date``, ``people`` (sessions not marked ``robot=true``) and ``robots`` (int64). No
        rows without a ``web_sessions`` table.
    """
    empty = pd.DataFrame(
        {
            "date": pd.Series(dtype="datetime64[ns]"),
            "people": pd.Series(dtype="int64"),
            "robots": pd.Series(dtype="int64"),
        }
    )
    sessions = ds.get("web_sessions")
    if sessions is None or scope.is_empty or sessions.empty:
        return empty
    frame = sessions.loc[
        sessions["account_id"].notna(), ["account_id", "started_at_local", "robot"]
    ]
    frame = frame.assign(date=frame["started_at_local"].dt.normalize())
    frame = in_scope(frame, scope, day_column="date")
    if frame.empty:
        return empty
    robot = frame["robot"].fillna(False).astype(bool)
    grouped = frame.assign(robots=robot, people=~robot).groupby("date", sort=True)
    out = grouped[["people", "robots"]].sum().astype("int64").reset_index()
    return out[["date", "people", "robots"]]


def robot_sessions_chart(data: pd.DataFrame | None, *, ax=None, **kwargs):
    """Plot daily site sessions from the social accounts, robots stacked on top of people.

    Parameters
    ----------
    data : DataFrame or None
        :func:`robot_sessions_daily`: ``date``, ``people``, ``robots``.
    ax : matplotlib Axes, optional
        Axes to draw on; the current Axes when None.
    **kwargs
        Passed to :meth:`Axes.bar`.

    Returns
    -------
    Axes
        A day with a tall red part is a burst of robot visits (they are left out of
        ``social_sessions``; a check flags months where they are a large share).
    """
    import matplotlib.dates as mdates
    import matplotlib.pyplot as plt

    ax = plt.gca() if ax is None else ax
    title, xlabel, ylabel = "Site sessions from social: people and robots", "Date", "Sessions"
    if data is None or data.empty:
        ax.text(0.5, 0.5, "no data", transform=ax.transAxes, ha="center", va="center")
        ax.set(title=title, xlabel=xlabel, ylabel=ylabel)
        return ax
    dates = pd.to_datetime(data["date"])
    ax.bar(dates, data["people"], color="#4c72b0", label="people", width=0.8, **kwargs)
    ax.bar(
        dates,
        data["robots"],
        bottom=data["people"],
        color="#d1495b",
        label="robots",
        width=0.8,
        **kwargs,
    )
    locator = mdates.AutoDateLocator()
    ax.xaxis.set_major_locator(locator)
    ax.xaxis.set_major_formatter(mdates.ConciseDateFormatter(locator))
    ax.legend(loc="upper left")
    ax.set(title=title, xlabel=xlabel, ylabel=ylabel)
    return ax


# --------------------------------------------------------------------------------------------
# views: what a notebook's widget re-renders (headline, main table, main chart)


def _kpi_view(family: str, chart: str):
    def render(ctx: Context, comparison: bool) -> list[dict]:
        return [
            ctx.headline(family),
            ctx._kpi_bundle(family, comparison),
            ctx.chart(chart, comparison=comparison),
        ]

    return render


def _scorecard_view(ctx: Context, comparison: bool) -> list[dict]:
    frame, title, note = _family_scores_table(ctx, comparison)
    return [
        ctx.headline("scorecard"),
        table_bundle(frame, title, note=note),
        ctx.chart("attainment"),
    ]


def _integrity_view(ctx: Context, comparison: bool) -> list[dict]:
    return [ctx.headline("integrity"), ctx.table("flags"), ctx.chart("followers")]


def _team_view(ctx: Context, comparison: bool) -> list[dict]:
    return [ctx.headline("team"), ctx.table("team"), ctx.chart("team_scores")]


VIEWS: dict[str, Callable[[Context, bool], list[dict]]] = {
    "scorecard": _scorecard_view,
    "subscribers": _kpi_view("subscribers", "followers"),
    "reach": _kpi_view("reach", "reach"),
    "engagement": _kpi_view("engagement", "er_by_format"),
    "content": _kpi_view("content", "calendar"),
    "communications": _kpi_view("communications", "reply_times"),
    "traffic": _kpi_view("traffic", "funnel"),
    "goals": _kpi_view("goals", "goals"),
    "awareness": _kpi_view("awareness", "mentions"),
    "integrity": _integrity_view,
    "team": _team_view,
}


def render_view(ctx: Context, view: str, *, comparison: bool = True) -> list[dict]:
    """Return the bundles of a view (headline, main table, main chart), rendered once.

    Parameters
    ----------
    ctx : Context
        The selection to render.
    view : str
        A key of :data:`VIEWS` (a family, ``scorecard``, ``integrity`` or ``team``).
    comparison : bool
        Show the comparison period (columns, lines) too.

    Returns
    -------
    list of dict
        MIME bundles. They are cached per (data, specialist, period, goal, audience, view,
        comparison): a second request for the same selection costs nothing.
    """
    if view not in VIEWS:
        raise UsageError(f"unknown view '{view}'; views: " + ", ".join(VIEWS))
    key = (
        *_dataset_key(ctx.dataset),
        ctx.specialist,
        ctx.period.label,
        ctx.business_goal,
        ctx.audience,
        view,
        bool(comparison),
    )
    if key in _VIEWS:
        _VIEWS.move_to_end(key)
        return _VIEWS[key]
    return _remember(_VIEWS, key, VIEWS[view](ctx, bool(comparison)), 512)


def error_bundle(exc: SmmKpiError) -> dict:
    """Return a readable bundle for an error raised by a selection (shown in a widget)."""
    text = str(exc)
    return html_bundle(f'<p class="smmkpi-error"><strong>{_esc(text)}</strong></p>', text)
