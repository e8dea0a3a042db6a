"""Upward-spike detection on count series (daily follows, reach, 5-minute counters, ...).

Robust z-scores against a median baseline (level + seasonal part) and a MAD scale with a Poisson
floor; see :func:`find_spikes` and ``docs/spike-detector.md`` (design and measured figures).
"""

from __future__ import annotations

import warnings

import numpy as np
import pandas as pd

from smmkpi_helpers.errors import DataError, UsageError

__all__ = ["SPIKE_COLUMNS", "SpikeInputError", "find_spikes", "spike_baseline"]

#: Columns of the frame :func:`find_spikes` returns, in order.
SPIKE_COLUMNS = ("start", "end", "peak", "baseline", "excess", "score")

_MAD_TO_SD = 1.4826  # MAD of a normal distribution x 1.4826 = its standard deviation
_MEAN_AD_TO_SD = 1.2533  # mean absolute deviation x sqrt(pi / 2) = standard deviation (normal)
_MIN_POINTS = 8  # fewer valid points than this: no baseline can be trusted, nothing is flagged
_DEFAULT_WINDOW = 29  # points, when there is no season (4 weeks + 1 day of daily data)


class SpikeInputError(DataError, ValueError):
    """Raised when a series cannot be searched for spikes (index, order or values)."""


def _whole(value, name: str, least: int) -> int:
    if isinstance(value, bool) or not isinstance(value, (int, np.integer)) or value < least:
        raise UsageError(f"{name} must be None or a whole number of points >= {least}: {value!r}")
    return int(value)


def _real(value) -> bool:
    return isinstance(value, (int, float, np.integer, np.floating)) and not isinstance(value, bool)


def _check_params(season, window, threshold, min_excess) -> tuple[int | None, int]:
    season = None if season is None else _whole(season, "season", 2)
    if window is None:
        window = 4 * season + 1 if season else _DEFAULT_WINDOW
    if not _real(threshold) or not 0 < threshold < np.inf:
        raise UsageError(f"threshold must be a finite number > 0: {threshold!r}")
    if not _real(min_excess) or not 0 <= min_excess < np.inf:
        raise UsageError(f"min_excess must be a finite number >= 0: {min_excess!r}")
    return season, _whole(window, "window", 5) | 1  # odd: a centred window has a middle point


def _validated_values(series: pd.Series) -> np.ndarray:
    """Check the series and return its values as a float array (the input is not touched)."""
    if not isinstance(series, pd.Series):
        raise SpikeInputError(f"expected a pandas Series, got {type(series).__name__}")
    if len(series) == 0:
        return np.empty(0)
    name, index = f"series {series.name!r}", series.index
    if not isinstance(index, pd.DatetimeIndex):
        raise SpikeInputError(f"{name} needs a DatetimeIndex, got {type(index).__name__}")
    if not index.is_monotonic_increasing or index.hasnans:
        raise SpikeInputError(f"{name}: the index must be sorted by time (sort_index() first)")
    if pd.api.types.is_bool_dtype(series.dtype) or not pd.api.types.is_numeric_dtype(series.dtype):
        raise SpikeInputError(f"{name} must hold numbers, got {series.dtype}")
    values = series.to_numpy(dtype=np.float64, na_value=np.nan, copy=True)
    if np.isinf(values).any():
        raise SpikeInputError(f"{name} holds infinite values")
    bad = np.flatnonzero(values < 0)
    if bad.size:
        raise SpikeInputError(f"{name} must be >= 0: {values[bad[0]]:g} at {index[bad[0]]}")
    return values


def _grid_positions(index: pd.DatetimeIndex) -> np.ndarray:
    """Grid position of each timestamp when all steps are whole multiples of the median step.

    A daily series that skips days goes back on its daily grid (missing days = NaN), so that
    "7 points ago" stays "the same weekday"; otherwise the points are used as they come.
    """
    n, plain = len(index), np.arange(len(index))
    if n < 3:
        return plain
    if index.tz is not None:  # wall-clock time: a local day stays one step across DST changes
        index = index.tz_localize(None)
    ns = index.as_unit("ns").asi8
    steps = np.diff(ns)
    step = int(np.median(steps))
    if step <= 0 or (steps <= 0).any() or (steps % step).any():
        return plain
    pos = (ns - ns[0]) // step
    return pos if pos[-1] < 4 * n else plain


def _rolling_median(x: np.ndarray, window: int, min_periods: int, trailing: bool) -> np.ndarray:
    if trailing:  # the ``window`` points before each point, not the point itself
        return pd.Series(x).rolling(window, min_periods=min_periods).median().shift(1).to_numpy()
    return pd.Series(x).rolling(window, center=True, min_periods=min_periods).median().to_numpy()


def _pooled_phases(season: int) -> int:
    return round(season / 96)  # fine seasons (5-minute data): pool phases +-15 minutes too


def _seasonal_index(d: np.ndarray, season: int, seasons) -> np.ndarray:
    """Median of ``d`` at the same phase ``j * season`` points away, for each ``j`` in ``seasons``.

    The point itself is never among them, so a spike cannot raise its own expectation; for
    seasons over 48 points, ``round(season / 96)`` phases either side are pooled too. With fewer
    than two neighbours the index is 0.
    """
    n, h = d.size, _pooled_phases(season)
    offsets = [j * season + m for j in seasons for m in range(-h, h + 1)]
    offsets = [off for off in offsets if abs(off) < n]
    if not offsets:
        return np.zeros(n)
    stack = np.full((len(offsets), n), np.nan)
    for row, off in enumerate(offsets):  # a few shifted copies, not a loop over points
        if off > 0:
            stack[row, : n - off] = d[off:]
        else:
            stack[row, -off:] = d[: n + off]
    with warnings.catch_warnings():
        warnings.simplefilter("ignore", RuntimeWarning)  # all-NaN columns
        med = np.nanmedian(stack, axis=0)
    med[(np.isfinite(stack).sum(axis=0) < 2) | np.isnan(med)] = 0.0
    return med


def _score_arrays(x: np.ndarray, season: int | None, window: int, counts: bool, trailing: bool):
    """Return (baseline, scale, z) for the values ``x`` laid on a regular grid (NaN = gap)."""
    min_level = max(3, window // 8)
    level = _rolling_median(x, window, min_level, trailing)
    baseline = level.copy()
    if season:
        k = max(2, window // (2 * season))
        if trailing:  # deviations from the centred level, in seasons whose level is known by now
            first = (window // 2 + _pooled_phases(season)) // season + 1
            d = x - _rolling_median(x, window, min_level, False)
            baseline = level + _seasonal_index(d, season, range(-first - 2 * k + 1, -first + 1))
        else:
            baseline = level + _seasonal_index(
                x - level, season, [j for j in range(-k, k + 1) if j]
            )
    if counts:
        baseline = np.clip(baseline, 0.0, None)
    resid = x - baseline
    scale_window, min_periods = 3 * window, max(_MIN_POINTS, window // 4)  # ~90 points: steadier
    centre = _rolling_median(resid, scale_window, min_periods, trailing)
    mad = _MAD_TO_SD * _rolling_median(np.abs(resid - centre), scale_window, min_periods, trailing)
    if counts:  # Poisson noise: a standard deviation of sqrt(expected count), at least 1
        floor = np.sqrt(np.fmax(baseline, 1.0))
    else:  # a tenth of the overall spread, so that flat stretches (MAD 0) do not flag every blip
        dev = pd.Series(np.abs(resid - np.nanmedian(resid)) if np.isfinite(resid).any() else resid)
        spread = dev.expanding().mean().shift(1).to_numpy() if trailing else dev.mean()
        floor = np.fmax(0.1 * _MEAN_AD_TO_SD * np.nan_to_num(spread), 1e-9)
    scale = np.fmax(mad, floor)
    scale[np.isnan(mad)] = np.nan
    with np.errstate(invalid="ignore", divide="ignore"):
        z = resid / scale
    return baseline, scale, z


def _scores(series, season, window, counts, trailing):
    values = _validated_values(series)
    if np.isfinite(values).sum() < _MIN_POINTS:
        nan = np.full(values.size, np.nan)
        return values, nan, nan, nan
    pos = _grid_positions(series.index)
    grid = np.full(pos[-1] + 1, np.nan)
    grid[pos] = values
    baseline, scale, z = _score_arrays(grid, season, window, counts, trailing)
    return values, baseline[pos], scale[pos], z[pos]


def spike_baseline(
    series: pd.Series,
    *,
    season: int | None = None,
    window: int | None = None,
    counts: bool = True,
    trailing: bool = False,
) -> pd.DataFrame:
    """Return the expected value, the noise scale and the robust z-score of every point.

    The model :func:`find_spikes` thresholds, e.g. for the excess follows of each day:
    ``(series - baseline).clip(lower=0)``.

    Parameters
    ----------
    series, season, window, counts, trailing
        As in :func:`find_spikes`.

    Returns
    -------
    pandas.DataFrame
        Indexed like ``series``, with float columns ``baseline`` (expected value), ``scale``
        (robust standard deviation of the noise around it) and ``score`` (robust z-score
        ``(value - baseline) / scale``; NaN where the value is NaN). All NaN when the series has
        fewer than 8 non-NaN points.

    Examples
    --------
    >>> idx = pd.date_range("2026-01-01", periods=60, freq="D")
    >>> follows = pd.Series(100.0, index=idx)
    >>> follows.iloc[30] = 400.0
    >>> model = spike_baseline(follows, season=7)
    >>> float(model["baseline"].iloc[30]), float(model["scale"].iloc[30])
    (100.0, 10.0)
    """
    season, window = _check_params(season, window, 1.0, 0.0)
    _, baseline, scale, z = _scores(series, season, window, counts, trailing)
    return pd.DataFrame({"baseline": baseline, "scale": scale, "score": z}, index=series.index)


def find_spikes(
    series: pd.Series,
    *,
    season: int | None = None,
    window: int | None = None,
    threshold: float = 4.5,
    min_excess: float = 0.0,
    counts: bool = True,
    trailing: bool = False,
) -> pd.DataFrame:
    """Find upward spikes in a series of counts (or other non-negative values).

    Each point gets an expected value (*baseline*) built from robust medians of its
    neighbourhood, and a robust z-score ``(value - baseline) / scale``:

    * level: centred rolling median of the values over ``window`` points (it follows slow
      trends, and a spike shorter than half the window cannot move it much);
    * seasonal part (when ``season`` is given): median, over the ``k`` seasons before and after,
      of the deviation from the level at the same phase (the point itself left out), where
      ``k = max(2, window // (2 * season))``; baseline = level + seasonal part;
    * scale: rolling MAD x 1.4826 of the residuals over ``3 * window`` points, floored at
      ``max(1, sqrt(baseline))`` for counts (Poisson noise), so that 3 follows after days of
      0-1 is not a spike.

    A point is anomalous when its score is above ``threshold`` and its excess over the baseline
    is at least ``min_excess``. Consecutive anomalous points (NaN values skipped) make one
    interval. Positions count points; a series with missing timestamps on an otherwise regular
    grid (a daily series that skips days) is first laid back on its grid so that seasons stay
    aligned. Edges use the part of the window that exists (the last point sees only the past).

    Parameters
    ----------
    series : pandas.Series
        Non-negative values with a sorted ``DatetimeIndex`` (daily or finer, possibly
        irregular); NaN values are gaps. Not modified.
    season : int, optional
        Seasonal period in points: 7 for daily data with a weekly cycle, 24 for hourly data
        with a daily one, 288 for 5-minute data. ``None`` (default): no seasonality.
    window : int, optional
        Width in points of the centred rolling median (made odd). Default ``4 * season + 1``
        (29 days for daily data), or 29 without a season.
    threshold : float, default 4.5
        Robust z-score a point must exceed.
    min_excess : float, default 0.0
        Smallest ``value - baseline`` (in the series' units) a point must show to count.
    counts : bool, default True
        The values are counts: floor the scale at ``max(1, sqrt(baseline))`` and clip the
        baseline at 0. Use ``False`` for other measurements (latency, temperature, shares):
        the scale is then only floored at a tenth of the residuals' overall spread (their mean
        absolute deviation x 1.2533), so that flat stretches (MAD 0) do not flag every blip.
    trailing : bool, default False
        Use only the past: the ``window`` (and ``3 * window``) points before each point, and
        the same phase in ``2 * k`` earlier seasons old enough for their centred level to be
        known; a point's verdict then never changes when later data arrive (monitoring). The
        default centred windows suit audits: the baseline does not lag behind a trend, but a
        plateau longer than half the window is taken for a new level, not a spike.

    Returns
    -------
    pandas.DataFrame
        One row per interval, in time order, with columns ``start`` and ``end`` (timestamps of
        the first and last anomalous point), ``peak`` (largest value in the interval),
        ``baseline`` (expected value at the peak's timestamp, *not* summed), ``excess`` (sum
        over the interval of ``max(value - baseline, 0)``) and ``score`` (largest z-score in
        the interval). Empty, with these columns, when nothing is found or the series has fewer
        than 8 non-NaN points.

    Raises
    ------
    SpikeInputError
        ``series`` is not a Series, lacks a DatetimeIndex, is not sorted by time, holds
        non-numeric, infinite or negative values (a subclass of ``DataError`` and
        ``ValueError``).
    smmkpi_helpers.errors.UsageError
        A parameter is out of range.

    See Also
    --------
    spike_baseline : the baseline, scale and score of every point.

    Examples
    --------
    >>> idx = pd.date_range("2026-01-01", periods=60, freq="D")
    >>> follows = pd.Series(100.0, index=idx)
    >>> follows.iloc[30:32] = [400.0, 250.0]
    >>> spikes = find_spikes(follows, season=7)
    >>> spikes[["start", "end", "peak", "baseline", "excess"]]
           start        end   peak  baseline  excess
    0 2026-01-31 2026-02-01  400.0     100.0   450.0
    """
    season, window = _check_params(season, window, threshold, min_excess)
    values, baseline, _, z = _scores(series, season, window, counts, trailing)
    resid = values - baseline
    with np.errstate(invalid="ignore"):
        hot = (z > threshold) & (resid >= min_excess)
    valid = np.flatnonzero(np.isfinite(values))
    hot_valid = hot[valid]
    if not hot_valid.any():
        ts = series.index.dtype if isinstance(series.index, pd.DatetimeIndex) else "M8[ns]"
        empty = {c: pd.Series(dtype=ts if c in ("start", "end") else float) for c in SPIKE_COLUMNS}
        return pd.DataFrame(empty)
    # label runs of anomalous points among the valid ones (NaN gaps neither break nor extend)
    run = np.cumsum(hot_valid & ~np.concatenate(([False], hot_valid[:-1])))[hot_valid]
    rows = valid[hot_valid]
    ts = series.index[rows]
    parts = pd.DataFrame({"start": ts, "end": ts, "peak": values[rows], "score": z[rows]})
    parts["excess"] = np.clip(resid[rows], 0.0, None)
    out = parts.groupby(run).agg(
        {"start": "min", "end": "max", "peak": "max", "excess": "sum", "score": "max"}
    )
    out.insert(3, "baseline", baseline[rows][parts.groupby(run)["peak"].idxmax().to_numpy()])
    return out.reset_index(drop=True).astype({c: "float64" for c in SPIKE_COLUMNS[2:]})
