"""Mentions exported by monitoring services (Brand Analytics, Brand24, YouScan and similar).

Their column names differ between services and languages, so each ``mentions`` column is
found by a list of usual titles (English and Russian, case-insensitive), and a column mapping
overrides them: ``--col FIELD=TITLE`` (repeated) or ``--columns FILE`` (CSV with the columns
``field`` and ``column``). Fields: ``mention_id``, ``published_at`` (and ``time`` when the
time of day is a column of its own), ``brand``, ``source``, ``author``, ``author_audience``,
``sentiment``, ``own``, ``text``, ``url``.

* ``published_at``: ISO 8601 (an offset is kept), ``DD.MM.YYYY HH:MM[:SS]`` or a day plus a
  ``time`` column. A time without offset stays wall-clock time (the data model's "naive"
  mention, the same wall clock in every time zone) unless ``--timezone`` names the zone the
  service wrote it in.
* ``sentiment``: positive/neutral/negative in English or Russian (позитив, нейтрально,
  негатив ...), or a number whose sign decides.
* ``mention_id``: the service's id, made a valid id; without one, ``m-`` and a hash of the url
  (or of time, author and text), so importing the same file twice adds nothing.
* ``brand``: the column, else ``--brand``, else the brand of ``--account``.
* ``own``: the column, else ``--own-author NAME`` (repeated): mentions by those authors are own
  (own posts are not awareness); without either, own stays empty, which counts as not own.
"""

from __future__ import annotations

import re

import numpy as np
import pandas as pd

from ..coerce import FALSE_WORDS, TRUE_WORDS
from ..errors import UsageError
from .common import (
    Converted,
    ImportContext,
    SourceFile,
    TableUpdate,
    as_number,
    find_column,
    local_iso,
    make_id,
    row_issues,
    stable_hash,
    text_cells,
)
from .detect import wrong_kind

__all__ = ["FIELDS", "convert", "parse_sentiment", "parse_times"]

#: The fields a column mapping may name, with the usual titles of each.
FIELDS: dict[str, tuple[str, ...]] = {
    "mention_id": ("mention_id", "id", "mention id", "message id", "id сообщения", "ид"),
    "published_at": (
        "published_at",
        "date",
        "datetime",
        "date time",
        "created",
        "created at",
        "published",
        "дата",
        "дата публикации",
        "дата и время",
        "время публикации",
    ),
    "time": ("time", "время"),
    "brand": ("brand", "бренд", "объект", "объект мониторинга", "тема", "query", "запрос"),
    "source": ("source", "источник", "площадка", "ресурс", "resource", "platform", "domain"),
    "author": ("author", "автор", "author name", "имя автора"),
    "author_audience": (
        "author_audience",
        "audience",
        "аудитория",
        "аудитория автора",
        "authorfollowers",
        "author followers",
        "подписчики",
        "followers",
    ),
    "sentiment": ("sentiment", "тональность", "тон"),
    "own": ("own", "собственный", "свой"),
    "text": ("text", "текст", "content", "сообщение", "snippet", "текст сообщения"),
    "url": ("url", "ссылка", "link", "адрес"),
}
_EXPECTED = "a mentions export (CSV/XLSX with a date column and text or url)"
_POSITIVE = re.compile(r"^(pos|позит|полож|\+)", re.I)
_NEGATIVE = re.compile(r"^(neg|негат|отриц)", re.I)
_NEUTRAL = re.compile(r"^(neu|нейтр)", re.I)


def parse_sentiment(values: pd.Series) -> tuple[pd.Series, pd.Series]:
    """Return sentiments as ``positive``/``neutral``/``negative`` and a mask of unreadable cells.

    Examples
    --------
    >>> parse_sentiment(pd.Series(["Позитив", "neg", "0", "-0.4", None]))[0].tolist()
    ['positive', 'negative', 'neutral', 'negative', None]
    """
    text = text_cells(values)
    out = pd.Series([None] * len(text), index=text.index, dtype=object)
    filled = text.notna()
    words = text.fillna("").str.lower()
    numbers, _ = as_number(text.where(~words.str.match(r"^[+]?[a-zа-я]")))
    out[words.str.match(_POSITIVE)] = "positive"
    out[words.str.match(_NEGATIVE)] = "negative"
    out[words.str.match(_NEUTRAL)] = "neutral"
    number_rows = out.isna() & numbers.notna()
    out[number_rows] = np.select(
        [numbers[number_rows] > 0, numbers[number_rows] < 0], ["positive", "negative"], "neutral"
    )
    return out, filled & out.isna()


_ISO_OFFSET = re.compile(r"^\d{4}-\d{2}-\d{2}[T ]\d{2}:\d{2}(:\d{2})?(\.\d+)?(Z|[+-]\d{2}:?\d{2})$")


def parse_times(
    day: pd.Series, time: pd.Series | None, timezone: str | None
) -> tuple[pd.Series, pd.Series]:
    """Return ISO 8601 publication times and a mask of unreadable cells.

    A cell with an offset keeps it; other cells stay wall-clock text (``YYYY-MM-DDTHH:MM:SS``)
    unless ``timezone`` is given, which attaches its offset.
    """
    text = text_cells(day)
    if time is not None:
        clock = text_cells(time)
        text = text.where(clock.isna(), text.fillna("") + " " + clock.fillna(""))
    with_offset = text.fillna("").str.match(_ISO_OFFSET)
    out = pd.Series([None] * len(text), index=text.index, dtype=object)
    if with_offset.any():
        exact = text[with_offset].astype("str")
        valid = pd.to_datetime(exact, format="ISO8601", utc=True, errors="coerce").notna()
        normal = (
            exact.str.replace(" ", "T", n=1, regex=False)
            .str.replace(r"Z$", "+00:00", regex=True)
            .str.replace(r"([+-]\d{2})(\d{2})$", r"\1:\2", regex=True)
            .str.replace(r"T(\d{2}:\d{2})([+-])", r"T\1:00\2", regex=True)
        )  # the offset is kept as written: it says where the author was
        out[with_offset] = normal.where(valid.to_numpy(), None).to_numpy(dtype=object)
    naive_text = text.where(~with_offset)
    wall = pd.to_datetime(naive_text, format="ISO8601", errors="coerce")
    for fmt in ("%d.%m.%Y %H:%M:%S", "%d.%m.%Y %H:%M", "%d.%m.%Y", "%d/%m/%Y %H:%M"):
        missing = wall.isna() & naive_text.notna()
        if not missing.any():
            break
        wall = wall.where(
            ~missing, pd.to_datetime(naive_text.where(missing), format=fmt, errors="coerce")
        )
    if timezone:
        formatted = local_iso(wall, timezone)
    else:
        formatted = wall.dt.strftime("%Y-%m-%dT%H:%M:%S").astype(object).where(wall.notna(), None)
    out = out.where(with_offset, formatted)
    return out, text.notna() & out.isna()


def _mapping(ctx: ImportContext) -> dict[str, str]:
    mapping = dict(ctx.option("columns", {}) or {})
    for field in mapping:
        if field not in FIELDS:
            raise UsageError(
                f"column mapping: '{field}' is not a mentions field; fields: " + ", ".join(FIELDS)
            )
    return mapping


def convert(files: list[SourceFile], ctx: ImportContext) -> Converted:
    """Convert mention exports into ``mentions`` rows (upsert)."""
    out = Converted()
    mapping = _mapping(ctx)
    for file in files:
        if file.kind != "table":
            raise wrong_kind(file, _EXPECTED)
        out.issues += file.table.issues or []
        out.updates.append(_convert_file(file, ctx, mapping, out))
    return out


def _column(frame: pd.DataFrame, field: str, mapping: dict[str, str], name: str) -> str | None:
    if field in mapping:
        hit = find_column(frame.columns, mapping[field])
        if hit is None:
            raise UsageError(
                f"{name}: the column mapping names '{mapping[field]}' for {field}, but the file "
                "has no such column; its columns: " + ", ".join(map(str, frame.columns))
            )
        return hit
    return find_column(frame.columns, *FIELDS[field])


def _convert_file(
    file: SourceFile, ctx: ImportContext, mapping: dict[str, str], out: Converted
) -> TableUpdate:
    raw = file.table
    frame = raw.frame
    cols = {field: _column(frame, field, mapping, file.name) for field in FIELDS}
    if cols["published_at"] is None or (cols["text"] is None and cols["url"] is None):
        raise wrong_kind(file, _EXPECTED)
    base = pd.DataFrame({"_file": file.name, "_line": raw.lines, "_where": None}, index=frame.index)
    rows = pd.DataFrame(index=frame.index)
    published, bad_time = parse_times(
        frame[cols["published_at"]],
        frame[cols["time"]] if cols["time"] else None,
        ctx.option("timezone"),
    )
    out.issues += row_issues(
        base,
        bad_time,
        "mentions",
        "the row is left out: its publication time cannot be read",
        column=cols["published_at"],
        values=frame[cols["published_at"]],
        expected="a time such as 2026-10-01 14:30 or 01.10.2026 14:30",
    )
    rows["published_at"] = published
    for field in ("source", "author", "text", "url", "author_audience"):
        rows[field] = frame[cols[field]] if cols[field] else None
    if cols["sentiment"]:
        sentiment, bad = parse_sentiment(frame[cols["sentiment"]])
        out.issues += row_issues(
            base,
            bad,
            "mentions",
            "the sentiment is not recognised and is left empty",
            column=cols["sentiment"],
            values=frame[cols["sentiment"]],
            expected="positive, neutral or negative (or a number)",
            severity="warning",
        )
        rows["sentiment"] = sentiment
    rows["brand"] = _brands(frame, cols["brand"], ctx)
    rows["own"] = _own(frame, cols, ctx)
    rows["mention_id"] = _ids(frame, cols, rows)
    rows = pd.concat([rows, base], axis=1)[~bad_time]
    return TableUpdate(
        "mentions",
        rows,
        sources={k: v for k, v in cols.items() if v is not None and k in rows},
    )


def _brands(frame: pd.DataFrame, column: str | None, ctx: ImportContext) -> pd.Series:
    fallback = ctx.option("brand") or (ctx.account or {}).get("brand")
    if column is not None:
        values = text_cells(frame[column])
        return values.where(values.notna(), fallback)
    if fallback is None:
        raise UsageError("the file has no brand column: give --brand NAME or --account ID")
    return pd.Series(fallback, index=frame.index, dtype=object)


def _own(frame: pd.DataFrame, cols: dict, ctx: ImportContext) -> pd.Series:
    authors = [a.strip().lower() for a in ctx.option("own_authors", []) or []]
    if cols["own"] is not None:
        words = text_cells(frame[cols["own"]]).str.lower()
        return words.map(lambda w: True if w in TRUE_WORDS else False if w in FALSE_WORDS else None)
    if authors and cols["author"] is not None:
        names = text_cells(frame[cols["author"]]).fillna("").str.lower()
        return names.isin(authors)
    return pd.Series(None, index=frame.index, dtype=object)


def _ids(frame: pd.DataFrame, cols: dict, rows: pd.DataFrame) -> pd.Series:
    derived = pd.Series(
        [
            "m-" + stable_hash(url) if url else "m-" + stable_hash(t, a, x)
            for url, t, a, x in zip(
                text_cells(rows["url"]),
                rows["published_at"],
                text_cells(rows["author"]),
                text_cells(rows["text"]),
                strict=True,
            )
        ],
        index=frame.index,
        dtype=object,
    )  # one hash per mention: hashing has no vectorised form
    if cols["mention_id"] is None:
        return derived
    given = text_cells(frame[cols["mention_id"]]).map(make_id)
    return given.where(given.notna(), derived)
