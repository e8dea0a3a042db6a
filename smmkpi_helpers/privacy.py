"""Keep personal data and live markup out of everything a user can see.

Text from the data (post texts, messages, mentions, names) is shown only after
:func:`mask_personal` (e-mail addresses become ``[email]``, phone numbers ``[phone]``) and HTML
escaping (:func:`safe_text`), so that ``<script>alert(1)</script>`` in a post appears as text
and never runs, and a report can be sent outside the company.
"""

from __future__ import annotations

import html
import re

import pandas as pd

__all__ = [
    "EMAIL",
    "mask_personal",
    "safe_text",
    "mask_frame",
    "frame_html",
    "PERSONAL_COLUMNS",
]

EMAIL = re.compile(r"[A-Za-z0-9._%+\-]+@[A-Za-z0-9.\-]+\.[A-Za-z]{2,}")
# a run that starts with + or a digit, holds digits, spaces, dashes, dots and brackets, and
# ends with a digit; it is a phone when it holds 10 to 15 digits (dates and times hold fewer)
_PHONE_CANDIDATE = re.compile(r"(?<![\w+])\+?\(?\d[\d\s\-().]{6,}\d(?!\w)")
_DATE_LIKE = re.compile(r"\d{4}[-./]\d{1,2}[-./]\d{1,2}|\d{1,2}[./]\d{1,2}[./]\d{2,4}")
#: Columns that hold personal data and are never shown in a shared report.
PERSONAL_COLUMNS = frozenset({"email", "author"})


def _phone(match: re.Match) -> str:
    text = match.group(0)
    digits = sum(ch.isdigit() for ch in text)
    if _DATE_LIKE.search(text):
        return text
    return "[phone]" if 10 <= digits <= 15 else text


def mask_personal(text: object) -> object:
    """Replace e-mail addresses with ``[email]`` and phone numbers with ``[phone]``.

    Non-text values are returned unchanged.

    Examples
    --------
    >>> mask_personal("write to ivan@example.ru or call +7 (912) 345-67-89, 8 912 345 67 89")
    'write to [email] or call [phone], [phone]'
    >>> mask_personal("sale from 2026-10-01 to 2026-10-15, 20:00; order 2026-10-01 12:00")
    'sale from 2026-10-01 to 2026-10-15, 20:00; order 2026-10-01 12:00'
    """
    if not isinstance(text, str):
        return text
    return _PHONE_CANDIDATE.sub(_phone, EMAIL.sub("[email]", text))


def safe_text(text: object) -> str:
    """Return text from the data masked and HTML-escaped, ready to put into a page."""
    if text is None or (isinstance(text, float) and pd.isna(text)):
        return ""
    return html.escape(str(mask_personal(text)), quote=True)


def mask_frame(frame: pd.DataFrame, *, drop_personal: bool = True) -> pd.DataFrame:
    """Return a copy with personal data masked in every text column.

    Parameters
    ----------
    frame : DataFrame
        Any table about to be shown.
    drop_personal : bool, default True
        Drop columns that only hold personal data (``email``, ``author``).
    """
    out = (
        frame.drop(columns=[c for c in frame.columns if c in PERSONAL_COLUMNS])
        if drop_personal
        else frame.copy()
    )
    for name in out.columns:
        column = out[name]
        if column.dtype == object or pd.api.types.is_string_dtype(column.dtype):
            out[name] = column.map(mask_personal)
    return out


def frame_html(frame: pd.DataFrame, **kwargs) -> str:
    """Return an HTML table of ``frame`` with personal data masked and every cell escaped."""
    return mask_frame(frame).to_html(escape=True, **kwargs)
