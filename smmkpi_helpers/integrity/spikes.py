"""Upward-spike detection on count series (daily follows, reach, 5-minute counters, ...).

The detector compares each point with a robust *expected* value built only from medians of its
neighbourhood: a rolling median for the level (it follows slow trends) plus, when the series has
a cycle, the median of the same phase in the neighbouring seasons (weekday effect). The residual
is divided by a robust noise scale (rolling MAD x 1.4826, floored at ``sqrt(baseline)`` and 1 for
counts) and points whose robust z-score passes ``threshold`` are merged into intervals.
See ``docs/spike-detector.md`` for the reasoning and the measured figures.
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


def _check_params(season, window, threshold, min_excess) -> tuple[int | None, int]:
    if season is not None:
        if isinstance(season, bool) or not isinstance(season, (int, np.integer)) or season < 2:
            raise UsageError(
                f"season must be None or a whole number of points >= 2, got {season!r}"
            )
        season = int(season)
    if window is None:
        window = 4 * season + 1 if season else _DEFAULT_WINDOW
    elif isinstance(window, bool) or not isinstance(window, (int, np.integer)) or window < 5:
        raise UsageError(f"window must be None or a whole number of points >= 5, got {window!r}")
    if not np.isfinite(threshold) or threshold <= 0:
        raise UsageError(f"threshold must be a positive number, got {threshold!r}")
    if not np.isfinite(min_excess) or min_excess < 0:
        raise UsageError(f"min_excess must be a number >= 0, got {min_excess!r}")
    return season, int(window) | 1  # odd, so that a centred window has a middle point


def _validated_values(series: pd.Series) -> np.ndarray:
    """Check the series and return its values as a float array (the input is not touched)."""
    if not isinstance(series, pd.Series):
        raise SpikeInputError(f"expected a pandas Series, got {type(series).__name__}")
    if len(series) == 0:
        return np.empty(0)
    if not isinstance(series.index, pd.DatetimeIndex):
        raise SpikeInputError(
            f"series {series.name!r} needs a DatetimeIndex, got {type(series.index).__name__}"
        )
    if not series.index.is_monotonic_increasing or series.index.hasnans:
        raise SpikeInputError(
            f"series {series.name!r}: the index must be sorted by time (sort_index() first)"
        )
    if series.dtype == bool or not pd.api.types.is_numeric_dtype(series.dtype):
        raise SpikeInputError(f"series {series.name!r} must hold numbers, got {series.dtype}")
    values = series.to_numpy(dtype=np.float64, na_value=np.nan, copy=True)
    if np.isinf(values).any():
        raise SpikeInputError(f"series {series.name!r} holds infinite values")
    bad = np.flatnonzero(values < 0)
    if bad.size:
        raise SpikeInputError(
            f"series {series.name!r} must be >= 0: {values[bad[0]]:g} at {series.index[bad[0]]}"
        )
    return values


def _grid_positions(index: pd.DatetimeIndex) -> np.ndarray:
    """Position of each timestamp on a regular grid when the index is one with holes.

    A daily series that skips a few days is put back on its daily grid (the missing days act as
    NaN), so that "7 points ago" stays "the same weekday". If the steps are not all whole
    multiples of the typical step (or timestamps repeat), the points are used as they come.
    """
    n = len(index)
    plain = np.arange(n)
    if n < 3:
        return plain
    ns = index.as_unit("ns").asi8
    steps = np.diff(ns)
    step = int(np.median(steps))
    if step <= 0 or (steps <= 0).any() or (steps % step).any():
        return plain
    pos = (ns - ns[0]) // step
    return pos if pos[-1] < 4 * n else plain


def _rolling_median(x: np.ndarray, window: int, min_periods: int) -> np.ndarray:
    rolled = pd.Series(x).rolling(window, center=True, min_periods=min_periods)
    return rolled.median().to_numpy()


def _seasonal_index(d: np.ndarray, season: int, k: int) -> np.ndarray:
    """Median of ``d`` at the same phase in the ``k`` seasons before and after each point.

    The point itself is left out, so a spike never raises its own expectation; where fewer
    than two neighbours exist the index is 0 (no seasonal correction).
    """
    n = d.size
    offsets = [j * season for j in range(-k, k + 1) if j and abs(j * season) < n]
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


def _score_arrays(x: np.ndarray, season: int | None, window: int, counts: bool):
    """Return (baseline, scale, z) for the values ``x`` laid on a regular grid (NaN = gap)."""
    level = _rolling_median(x, window, max(3, window // 8))
    baseline = level.copy()
    if season:
        k = max(2, window // (2 * season))
        baseline = level + _seasonal_index(x - level, season, k)
    if counts:
        baseline = np.clip(baseline, 0.0, None)
    resid = x - baseline
    scale_window, min_periods = 3 * window, max(_MIN_POINTS, window // 4)  # ~90 points: steadier
    centre = _rolling_median(resid, scale_window, min_periods)
    mad = _rolling_median(np.abs(resid - centre), scale_window, min_periods) * _MAD_TO_SD
    if counts:
        floor = np.maximum(1.0, np.sqrt(np.nan_to_num(baseline)))
    else:  # keep flat stretches (MAD 0) from turning every blip into a spike
        spread = np.nanmean(np.abs(resid - np.nanmedian(resid))) if np.isfinite(resid).any() else 0
        floor = np.full(x.size, max(0.1 * _MEAN_AD_TO_SD * spread, 1e-9))
    scale = np.where(np.isnan(mad), np.nan, np.fmax(mad, floor))
    with np.errstate(invalid="ignore", divide="ignore"):
        z = resid / scale
    return baseline, scale, z


def _scores(series, season, window, counts):
    values = _validated_values(series)
    if np.isfinite(values).sum() < _MIN_POINTS:
        nan = np.full(values.size, np.nan)
        return values, nan, nan, nan
    pos = _grid_positions(series.index)
    grid = np.full(pos[-1] + 1, np.nan)
    grid[pos] = values
    baseline, scale, z = _score_arrays(grid, season, window, counts)
    return values, baseline[pos], scale[pos], z[pos]


def spike_baseline(
    series: pd.Series, *, season: int | None = None, window: int | None = None, counts: bool = True
) -> pd.DataFrame:
    """Return the expected value, the noise scale and the robust z-score of every point.

    This is the model :func:`find_spikes` thresholds, exposed so that callers can compute
    e.g. the excess follows of each day (``(series - baseline).clip(lower=0)``) or compare the
    z-scores of two series.

    Parameters
    ----------
    series, season, window, counts
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
    _, baseline, scale, z = _scores(series, season, window, counts)
    return pd.DataFrame({"baseline": baseline, "scale": scale, "score": z}, index=series.index)


def _empty_result(index: pd.Index) -> pd.DataFrame:
    ts = index.dtype if isinstance(index, pd.DatetimeIndex) else np.dtype("datetime64[ns]")
    cols = {c: pd.Series(dtype=ts if c in ("start", "end") else "float64") for c in SPIKE_COLUMNS}
    return pd.DataFrame(cols)


def find_spikes(
    series: pd.Series,
    *,
    season: int | None = None,
    window: int | None = None,
    threshold: float = 4.5,
    min_excess: float = 0.0,
    counts: bool = True,
) -> pd.DataFrame:
    """Find upward spikes in a series of counts (or other non-negative values).

    Each point gets an expected value (*baseline*) built from robust medians of its
    neighbourhood, and a robust z-score ``(value - baseline) / scale``:

    * level: centred rolling median of the values over ``window`` points (follows slow trends;
      a spike shorter than half the window cannot move it much);
    * seasonal part (when ``season`` is given): median, over the ``k`` seasons before and after,
      of the deviation from the level at the same phase (the point itself left out), where
      ``k = max(2, window // (2 * season))``;
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
        the scale is then floored at a tenth of its typical value only.

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
    values, baseline, _, z = _scores(series, season, window, counts)
    resid = values - baseline
    with np.errstate(invalid="ignore"):
        hot = (z > threshold) & (resid >= min_excess)
    valid = np.flatnonzero(np.isfinite(values))
    hot_valid = hot[valid]
    if not hot_valid.any():
        return _empty_result(series.index)
    # label runs of anomalous points among the valid ones (NaN gaps neither break nor extend)
    starts = hot_valid & ~np.concatenate(([False], hot_valid[:-1]))
    run = np.cumsum(starts)[hot_valid]
    rows = valid[hot_valid]
    parts = pd.DataFrame(
        {
            "run": run,
            "ts": series.index[rows],
            "value": values[rows],
            "baseline": baseline[rows],
            "excess": np.clip(resid[rows], 0.0, None),
            "score": z[rows],
        }
    )
    groups = parts.groupby("run", sort=True)
    at_peak = parts.loc[groups["value"].idxmax()].set_index("run")
    result = pd.DataFrame(
        {
            "start": groups["ts"].min(),
            "end": groups["ts"].max(),
            "peak": groups["value"].max(),
            "baseline": at_peak["baseline"],
            "excess": groups["excess"].sum(),
            "score": groups["score"].max(),
        }
    )
    return result.reset_index(drop=True).astype({c: "float64" for c in SPIKE_COLUMNS[2:]})
