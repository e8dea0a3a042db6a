"""Communications KPIs: requests, response rate, reply times, redirects (kpi-catalog.md, rule 9).

The request model
-----------------
Threads are keyed by (``account_id``, ``thread_id``); their messages are ordered by ``sent_at``
(an exact instant), ties in file order (the loaded frame's row order). Bot messages are taken
out first: an auto-reply neither answers a request nor splits a run. What is left is a sequence
of user and staff messages per thread, and

- a **request** is a maximal run of consecutive user messages (it starts at a user message whose
  previous message in the thread is a staff message, or none);
- its **answer** is the first later staff message in the thread, even after the period (which is
  exactly the staff message that ends the run);
- a request counts for a scope when the local day of its first message is a scoped account-day
  (a run that started before the specialist's first day is not theirs, even if it goes on
  into it).

Reply times are measured twice. ``first_response_min`` is the real time between the two
instants. ``first_response_work_min`` counts only the minutes inside the account's working
hours (``work_hours`` on ``work_days``, local wall-clock time): a request sent on Friday at 19:00
and answered on Monday at 09:30, with ``mon-fri`` ``09:00-18:00``, waited 30 working minutes.
It is computed from a "working-minutes clock" (whole weeks + whole working days + the part of
the day), so it costs the same for a one-minute and a one-month wait.
"""

from __future__ import annotations

import numpy as np
import pandas as pd

from ..coerce import parse_work_days, parse_work_hours
from ..dataset import Dataset
from ..errors import DataError
from ..scope import Scope, in_scope

__all__ = ["FAMILY", "KPI_IDS", "REQUEST_COLUMNS", "compute", "requests_table", "working_minutes"]

FAMILY = "communications"

#: The catalog ids this module computes, in catalog order.
KPI_IDS = (
    "requests",
    "response_rate",
    "median_first_response_min",
    "p90_first_response_min",
    "median_first_response_work_min",
    "p90_first_response_work_min",
    "redirect_rate",
)

#: Columns of :func:`requests_table`, in order (the last three extend the shared contract).
REQUEST_COLUMNS = (
    "account_id",
    "thread_id",
    "channel",
    "started_at_local",
    "answered",
    "first_response_min",
    "first_response_work_min",
    "redirect",
    "date",
    "answered_at_local",
    "user_messages",
)

#: A Monday, the origin of the working-minutes clock (any Monday gives the same differences).
_EPOCH = np.datetime64("2000-01-03", "D")
_NS_PER_MIN = 60 * 10**9


def _empty_requests() -> pd.DataFrame:
    """Return a requests table without rows, with the documented dtypes."""
    return pd.DataFrame(
        {
            "account_id": pd.Series(dtype="str"),
            "thread_id": pd.Series(dtype="str"),
            "channel": pd.Series(dtype="str"),
            "started_at_local": pd.Series(dtype="datetime64[ns]"),
            "answered": pd.Series(dtype=bool),
            "first_response_min": pd.Series(dtype="float64"),
            "first_response_work_min": pd.Series(dtype="float64"),
            "redirect": pd.Series(dtype="boolean"),
            "date": pd.Series(dtype="datetime64[ns]"),
            "answered_at_local": pd.Series(dtype="datetime64[ns]"),
            "user_messages": pd.Series(dtype="int64"),
        }
    )


def _work_calendars(
    ds: Dataset, account_ids
) -> tuple[pd.Index, np.ndarray, np.ndarray, np.ndarray]:
    """Return, per account, its working-day start and end (minutes) and weekday mask.

    Returns
    -------
    index : Index
        The account ids, in the order of the arrays.
    start, end : ndarray of int
        Working hours as minutes after local midnight.
    days : ndarray of bool, shape (n, 7)
        Working weekdays (Monday first).

    Raises
    ------
    DataError
        When an account's ``work_hours`` or ``work_days`` cannot be read (the loader normally
        rejects such a value first).
    """
    accounts = ds["accounts"].drop_duplicates("account_id").set_index("account_id")
    index = pd.Index(sorted(set(account_ids)), dtype=object)
    start = np.empty(len(index), dtype=np.int64)
    end = np.empty(len(index), dtype=np.int64)
    days = np.zeros((len(index), 7), dtype=bool)
    for i, account in enumerate(index):  # one pass per account, not per message
        hours = accounts.at[account, "work_hours"]
        weekdays = accounts.at[account, "work_days"]
        try:
            start[i], end[i] = parse_work_hours(hours)
        except ValueError:
            raise DataError(
                f"accounts, column 'work_hours', account '{account}': cannot read {hours!r}; "
                "expected local working hours HH:MM-HH:MM such as 09:00-18:00"
            ) from None
        try:
            days[i, list(parse_work_days(weekdays))] = True
        except ValueError:
            raise DataError(
                f"accounts, column 'work_days', account '{account}': cannot read {weekdays!r}; "
                "expected working days such as mon-fri or mon,wed,fri"
            ) from None
    return index, start, end, days


def _work_clock(
    local: np.ndarray, start: np.ndarray, end: np.ndarray, days: np.ndarray
) -> tuple[np.ndarray, np.ndarray]:
    """Return a working-time clock reading at each local time, in two exact integer parts.

    Parameters
    ----------
    local : ndarray of datetime64[ns]
        Naive local wall-clock times (no NaT).
    start, end : ndarray of int
        Per time, the working hours of its account in minutes after midnight.
    days : ndarray of bool, shape (n, 7)
        Per time, the working weekdays of its account.

    Returns
    -------
    whole_days : ndarray of int
        Working days from the clock's origin (a Monday) to the start of the time's day: whole
        weeks x working days a week + working days earlier in the week.
    today_ns : ndarray of int
        Working nanoseconds of the time's own day before the time.

    Notes
    -----
    The working minutes between two times of one account are
    ``(whole_days_2 - whole_days_1) x (end - start) + (today_ns_2 - today_ns_1) / 6e10``: two
    readings and a subtraction, however long the wait, in integers until the last division.
    """
    day = local.astype("datetime64[D]")
    weeks, weekday = np.divmod((day - _EPOCH).astype(np.int64), 7)
    in_day = (local - day.astype("datetime64[ns]")).astype(np.int64)
    before = np.concatenate([np.zeros((len(days), 1), dtype=np.int64), days.cumsum(axis=1)], 1)
    rows = np.arange(len(local))
    whole_days = weeks * before[:, 7] + before[rows, weekday]
    today_ns = days[rows, weekday] * np.clip(
        in_day - start * _NS_PER_MIN, 0, (end - start) * _NS_PER_MIN
    )
    return whole_days, today_ns


def working_minutes(
    ds: Dataset, account_id: pd.Series, start_local: pd.Series, end_local: pd.Series
) -> pd.Series:
    """Return the minutes between two local times that fall inside the account's working hours.

    Parameters
    ----------
    ds : Dataset
        The dataset (its ``accounts`` give ``work_hours`` and ``work_days``).
    account_id : Series of str
        The account of each row.
    start_local, end_local : Series of datetime64[ns]
        Naive local wall-clock times, aligned with ``account_id``; a NaT gives NaN.

    Returns
    -------
    Series of float64
        Working minutes, on the index of ``account_id``; 0 when both times lie outside working
        hours with no working time between them. Wall-clock arithmetic: a daylight-saving jump
        at night does not touch working hours.

    Examples
    --------
    With the default ``mon-fri`` ``09:00-18:00``, Friday 2026-10-02 19:00 to Monday
    2026-10-05 09:30 is 30 working minutes, and Thursday 17:00 to Friday 10:00 is 120.
    """
    out = pd.Series(np.nan, index=account_id.index, dtype="float64")
    ok = (start_local.notna() & end_local.notna()).to_numpy()
    if not ok.any():
        return out
    accounts = account_id[ok].astype(object)
    index, start, end, days = _work_calendars(ds, accounts.unique())
    pos = index.get_indexer(accounts)
    begin = start_local[ok].to_numpy(dtype="datetime64[ns]")
    finish = end_local[ok].to_numpy(dtype="datetime64[ns]")
    s, e, d = start[pos], end[pos], days[pos]
    days_1, ns_1 = _work_clock(begin, s, e, d)
    days_2, ns_2 = _work_clock(finish, s, e, d)
    out[ok] = (days_2 - days_1) * (e - s) + (ns_2 - ns_1) / _NS_PER_MIN
    return out


def _threads_to_read(messages: pd.DataFrame, scope: Scope) -> pd.DataFrame:
    """Return the messages of the threads in which a request of the scope may start.

    Those are the threads of the scoped accounts with a user message between the scope's first
    and last local day, taken with their whole history (the message before a run and the
    answer after it may lie outside the period). Cheap filters come first, so that only a few
    rows of a large table are factorised and sorted.
    """
    days = scope.days["date"].to_numpy(dtype="datetime64[ns]")
    first, after = days.min(), days.max() + np.timedelta64(1, "D")
    local = messages["sent_at_local"].to_numpy(dtype="datetime64[ns]")
    window = messages.iloc[np.flatnonzero((local >= first) & (local < after))]
    starts = (window["sender"] == "user") & window["account_id"].isin(scope.accounts)
    threads = pd.unique(window["thread_id"].to_numpy(dtype=object)[starts.to_numpy()])
    if not len(threads):
        return messages.iloc[0:0]
    mine = messages[messages["thread_id"].isin(threads).to_numpy()]
    return mine[mine["account_id"].isin(scope.accounts).to_numpy()]


def _requests(messages: pd.DataFrame) -> pd.DataFrame | None:
    """Return one row per request in the given messages (rule 9).

    Bot messages are dropped; runs and answers are found in each thread's messages as given
    (:func:`_threads_to_read` gives whole threads). The frame has the request's first message
    (``account_id``, ``thread_id``, ``channel``, ``sent_at`` as naive UTC, ``sent_at_local``),
    ``user_messages`` (messages in the run), and the answer's ``answered``, ``answer_at``,
    ``answer_at_local`` and ``answer_redirect`` (NaT / False when unanswered); None without
    a user or staff message.
    """
    keep = (messages["sender"].isin(["user", "staff"]) & messages["sent_at"].notna()).to_numpy()
    account_codes, account_names = pd.factorize(messages["account_id"].to_numpy(dtype=object))
    thread_codes, thread_names = pd.factorize(messages["thread_id"].to_numpy(dtype=object))
    key = account_codes.astype(np.int64) * (len(thread_names) + 1) + thread_codes
    user = (messages["sender"] == "user").to_numpy()
    local = messages["sent_at_local"].to_numpy(dtype="datetime64[ns]")
    rows = np.flatnonzero(keep)  # file order of the kept messages
    sent = messages["sent_at"].dt.tz_convert("UTC").dt.tz_localize(None).to_numpy("datetime64[ns]")
    # thread, then time, then file order (ties keep the order of the file)
    rows = rows[np.lexsort((rows, sent[rows].astype(np.int64), key[rows]))]
    key, user, sent, local = key[rows], user[rows], sent[rows], local[rows]
    n = len(rows)
    if not n:
        return None
    new_thread = np.ones(n, dtype=bool)
    new_thread[1:] = key[1:] != key[:-1]
    after_user = np.zeros(n, dtype=bool)
    after_user[1:] = user[:-1]
    is_start = user & (new_thread | ~after_user)
    starts = np.flatnonzero(is_start)
    run_no = np.cumsum(is_start)
    user_messages = np.bincount(run_no[user], minlength=run_no[-1] + 1)
    # the answer: the first staff message after the start, when it is in the same thread
    staff = np.flatnonzero(~user)
    found = np.searchsorted(staff, starts)
    answer = np.append(staff, 0)[found]  # 0: a placeholder where no staff message follows
    answered = (found < len(staff)) & (key[answer] == key[starts])
    nat = np.datetime64("NaT", "ns")
    redirect = messages["redirect"].fillna(False).astype(bool).to_numpy()[rows]
    source = rows[starts]
    return pd.DataFrame(
        {
            "account_id": account_names[account_codes[source]],
            "thread_id": thread_names[thread_codes[source]],
            "channel": messages["channel"].to_numpy(dtype=object)[source],
            "sent_at": sent[starts],
            "sent_at_local": local[starts],
            "user_messages": user_messages[run_no[starts]].astype(np.int64),
            "answered": answered,
            "answer_at": np.where(answered, sent[answer], nat),
            "answer_at_local": np.where(answered, local[answer], nat),
            "answer_redirect": np.where(answered, redirect[answer], False),
        }
    )


def requests_table(ds: Dataset, scope: Scope) -> pd.DataFrame:
    """Return one row per request of the scope (rule 9), the base of every communications KPI.

    Parameters
    ----------
    ds : Dataset
        A loaded dataset; without a ``messages`` table the result has no rows.
    scope : Scope
        The specialist's account-days; a request counts when the local day of its first
        message is one of them. Answers are looked for in the whole thread, even after the
        period.

    Returns
    -------
    DataFrame
        A new frame, sorted by ``started_at_local``, ``account_id``, ``thread_id``, with the
        columns of :data:`REQUEST_COLUMNS`:

        - ``account_id``, ``thread_id`` (str), ``channel`` (str, the first message's; NaN when
          empty);
        - ``started_at_local`` (datetime64[ns]): local wall-clock time of the first message;
        - ``answered`` (bool): a staff message followed in the thread;
        - ``first_response_min`` (float64): real minutes to the answer (NaN when unanswered);
        - ``first_response_work_min`` (float64): the same, counting working hours only;
        - ``redirect`` (boolean): the answer had ``redirect=true`` (an empty cell is False); NA
          when unanswered, so ``redirect.mean()`` is the redirect rate;
        - extensions of the shared contract: ``date`` (the request's local day),
          ``answered_at_local`` (NaT when unanswered), ``user_messages`` (int64, messages in
          the run).
    """
    messages = ds.get("messages")
    if messages is None or scope.is_empty or messages.empty:
        return _empty_requests()
    runs = _requests(_threads_to_read(messages, scope))
    if runs is None:
        return _empty_requests()
    runs = in_scope(
        runs.assign(date=runs["sent_at_local"].dt.normalize()), scope, day_column="date"
    )
    if runs.empty:
        return _empty_requests()
    raw = (runs["answer_at"] - runs["sent_at"]).dt.total_seconds() / 60.0
    work = working_minutes(ds, runs["account_id"], runs["sent_at_local"], runs["answer_at_local"])
    out = pd.DataFrame(
        {
            "account_id": runs["account_id"].astype("str"),
            "thread_id": runs["thread_id"].astype("str"),
            "channel": runs["channel"].astype("str"),
            "started_at_local": runs["sent_at_local"].astype("datetime64[ns]"),
            "answered": runs["answered"].astype(bool),
            "first_response_min": raw.astype("float64"),
            "first_response_work_min": work.astype("float64"),
            "redirect": runs["answer_redirect"].astype("boolean").where(runs["answered"], pd.NA),
            "date": runs["date"].astype("datetime64[ns]"),
            "answered_at_local": runs["answer_at_local"].astype("datetime64[ns]"),
            "user_messages": runs["user_messages"].astype("int64"),
        }
    )
    return out.sort_values(
        ["started_at_local", "account_id", "thread_id"], kind="stable", ignore_index=True
    )


def _median(values: np.ndarray) -> float | None:
    return float(np.median(values)) if len(values) else None


def _p90(values: np.ndarray) -> float | None:
    return float(np.percentile(values, 90)) if len(values) else None


def compute(ds: Dataset, scope: Scope) -> dict[str, float | int | None]:
    """Compute every communications KPI of the catalog for a scope.

    Parameters
    ----------
    ds : Dataset
        A loaded dataset.
    scope : Scope
        The specialist's account-days.

    Returns
    -------
    dict
        ``requests`` (int), ``response_rate``, ``median_first_response_min``,
        ``p90_first_response_min``, ``median_first_response_work_min``,
        ``p90_first_response_work_min`` and ``redirect_rate`` (float, percent for the rates).
        Every value is None without a ``messages`` table or without a scoped day (rules 1 and
        14); with no request in scope ``requests`` is 0 and the rest None. Medians and
        percentiles use answered requests only (median of an even count: mean of the two
        middle values; p90: numpy's linear interpolation); ``redirect_rate`` is over the
        first staff answers, that is the answered requests.
    """
    values: dict[str, float | int | None] = dict.fromkeys(KPI_IDS)
    if not ds.has("messages") or scope.is_empty:
        return values
    table = requests_table(ds, scope)
    answered = table[table["answered"]]
    n, n_answered = len(table), len(answered)
    raw = answered["first_response_min"].to_numpy(dtype=np.float64)
    work = answered["first_response_work_min"].to_numpy(dtype=np.float64)
    redirects = int(answered["redirect"].fillna(False).astype(bool).sum())
    values.update(
        requests=int(n),
        response_rate=n_answered / n * 100.0 if n else None,
        median_first_response_min=_median(raw),
        p90_first_response_min=_p90(raw),
        median_first_response_work_min=_median(work),
        p90_first_response_work_min=_p90(work),
        redirect_rate=redirects / n_answered * 100.0 if n_answered else None,
    )
    return values
