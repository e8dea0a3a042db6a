"""Record a notebook's key numbers in a machine-readable form, and read them back.

A notebook calls :func:`record` for each number a machine needs (the KPI values of its family,
the scores). Each call emits a display output of MIME type :data:`MIME` holding
``{"name": ..., "value": ...}``: JupyterLab and nbconvert's HTML have no renderer for it, so it
is invisible to a reader, and it travels inside the executed ``.ipynb``. :func:`read_records`
collects them from an executed notebook (the runner uses it for the manifest and the index).
This replaces the unmaintained ``scrapbook`` package.

>>> record("er_reach", 4.2)                            # doctest: +SKIP
>>> read_records("reports/2026-10/anna/03-engagement.ipynb")["er_reach"]   # doctest: +SKIP
4.2

Outside a kernel (a plain Python process running a notebook's code) nothing is displayed; the
values are kept in memory instead and :func:`collected` returns them.
"""

from __future__ import annotations

import json
import math
from collections.abc import Mapping
from pathlib import Path

from .errors import UsageError

__all__ = ["MIME", "clear_collected", "collected", "read_records", "record", "records_in"]

#: The MIME type of a record output.
MIME = "application/vnd.smmkpi.record+json"

#: Records made in this process since the last :func:`clear_collected`, in order.
_COLLECTED: dict[str, object] = {}


def _plain(value: object, name: str) -> object:
    """Return ``value`` made of JSON types only (numpy scalars unwrapped, NaN as None)."""
    if value is None or isinstance(value, (bool, str)):
        return value
    if isinstance(value, int):
        return int(value)
    if isinstance(value, float):
        return None if math.isnan(value) else value
    if isinstance(value, Mapping):
        out = {}
        for key, item in value.items():
            if not isinstance(key, str):
                raise UsageError(
                    f"record {name!r}: dictionary keys must be text, got the "
                    f"{type(key).__name__} {key!r}"
                )
            out[key] = _plain(item, name)
        return out
    if isinstance(value, (list, tuple)):
        return [_plain(item, name) for item in value]
    item = getattr(value, "item", None)
    if callable(item) and getattr(value, "shape", None) == ():  # a numpy scalar
        return _plain(item(), name)
    raise UsageError(
        f"record {name!r}: the value must be JSON-serialisable (None, bool, int, float, str, "
        f"lists and dicts of them), got the {type(value).__name__} {value!r}"
    )


def record(name: str, value: object) -> None:
    """Record one named value in the notebook's outputs.

    Parameters
    ----------
    name : str
        The record's name, e.g. a KPI id (``er_reach``) or ``overall_score``. A later record of
        the same name replaces an earlier one.
    value : None, bool, int, float, str, list or dict
        A JSON-serialisable value. numpy scalars are unwrapped; NaN becomes None ("not
        available"); infinity is refused.

    Raises
    ------
    UsageError
        When the name is not text or the value cannot be written as JSON.
    """
    if not isinstance(name, str) or not name:
        raise UsageError(f"record: the name must be non-empty text, got {name!r}")
    plain = _plain(value, name)
    try:
        json.dumps(plain, allow_nan=False)
    except ValueError:
        raise UsageError(
            f"record {name!r}: infinite numbers cannot be written as JSON (got {value!r})"
        ) from None
    _COLLECTED[name] = plain
    from IPython.core.interactiveshell import InteractiveShell

    if not InteractiveShell.initialized():
        return
    from IPython.display import display

    display({MIME: {"name": name, "value": plain}}, raw=True, metadata={MIME: {"name": name}})


def collected() -> dict[str, object]:
    """Return the records made in this process since :func:`clear_collected` (a copy)."""
    return dict(_COLLECTED)


def clear_collected() -> None:
    """Forget the records kept in memory."""
    _COLLECTED.clear()


def records_in(outputs) -> dict[str, object]:
    """Return the records found in a list of outputs (a cell's or an Output widget's).

    Parameters
    ----------
    outputs : iterable of dict
        nbformat outputs (``{"output_type": "display_data", "data": {...}}``).

    Returns
    -------
    dict
        ``{name: value}``; a later record of a name wins.
    """
    found: dict[str, object] = {}
    for output in outputs or ():
        if output.get("output_type") not in ("display_data", "execute_result"):
            continue
        payload = (output.get("data") or {}).get(MIME)
        if isinstance(payload, str):  # some writers keep JSON MIME data as text
            payload = json.loads(payload)
        if isinstance(payload, Mapping) and "name" in payload:
            found[payload["name"]] = payload.get("value")
    return found


def read_records(notebook) -> dict[str, object]:
    """Return every record of an executed notebook.

    Parameters
    ----------
    notebook : str, Path, NotebookNode or dict
        The path of an ``.ipynb`` file, or a notebook already read (``nbformat.read``, or what
        ``papermill.execute_notebook`` returns).

    Returns
    -------
    dict
        ``{name: value}`` in the order the notebook recorded them; when a name is recorded
        twice, the later value wins. Empty for a notebook that recorded nothing (or was never
        run).
    """
    if isinstance(notebook, (str, Path)):
        import nbformat

        notebook = nbformat.read(str(notebook), as_version=4)
    found: dict[str, object] = {}
    for cell in notebook.get("cells", ()):
        if cell.get("cell_type") == "code":
            found.update(records_in(cell.get("outputs")))
    return found
