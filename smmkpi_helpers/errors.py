"""Typed errors of smmkpi.

Every error a user can cause derives from :class:`SmmKpiError` and carries an ``exit_code``
that the command line uses: 1 when the data or the run failed, 2 when the command line is
wrong. Messages name the table, file, line, column, value and what was expected, so that a
marketer can fix the input without reading a traceback.
"""

from __future__ import annotations

from dataclasses import dataclass

__all__ = [
    "DataError",
    "DatasetNotFoundError",
    "ImportFailedError",
    "InvalidIdError",
    "Issue",
    "OutputExistsError",
    "PeriodError",
    "SmmKpiError",
    "UnknownSpecialistError",
    "UsageError",
    "ValidationError",
]


class SmmKpiError(Exception):
    """Raised for any problem smmkpi reports to a user (base class)."""

    exit_code = 1


class UsageError(SmmKpiError, ValueError):
    """Raised when a parameter or command-line value is wrong (exit code 2)."""

    exit_code = 2


class PeriodError(UsageError):
    """Raised when a period label cannot be parsed."""


class InvalidIdError(UsageError):
    """Raised when an id breaks the data model's id rule (it would be unsafe in a file name)."""


class UnknownSpecialistError(UsageError, KeyError):
    """Raised when a specialist id is not in the dataset's ``specialists`` table."""

    def __str__(self) -> str:  # KeyError would quote the message
        return str(self.args[0]) if self.args else ""


class DataError(SmmKpiError):
    """Raised when the input data cannot be used (exit code 1)."""


class DatasetNotFoundError(DataError, FileNotFoundError):
    """Raised when a dataset folder, or a required table in it, does not exist."""


class OutputExistsError(SmmKpiError, FileExistsError):
    """Raised when an output exists and may not be overwritten (use ``--force``)."""


class ImportFailedError(DataError):
    """Raised when a platform export cannot be imported; the dataset is left as it was."""


@dataclass(frozen=True)
class Issue:
    """One breach (or warning) found in a dataset.

    Attributes
    ----------
    table : str
        Canonical table name, e.g. ``"posts"``.
    message : str
        What is wrong, in plain words.
    file : str or None
        File name as the user has it (``posts.csv``), without the folder.
    line : int or None
        Line where the record starts as a text editor shows it (header = line 1), the sheet
        row for ``.xlsx``, or the 1-based row number for Parquet.
    column : str or None
        Column name.
    value : str or None
        The offending value, as text.
    expected : str or None
        What was expected instead.
    severity : str
        ``"error"`` or ``"warning"``.
    code : str
        A short machine-readable kind, e.g. ``"not_a_count"``, ``"duplicate_key"``.
    """

    table: str
    message: str
    file: str | None = None
    line: int | None = None
    column: str | None = None
    value: str | None = None
    expected: str | None = None
    severity: str = "error"
    code: str = "invalid"

    @property
    def location(self) -> str:
        """Return ``file line N, column c`` (or the parts that are known)."""
        where = self.file or self.table
        parts = [where]
        if self.line is not None:
            parts.append(f"{'row' if where.endswith('.parquet') else 'line'} {self.line}")
        if self.column:
            parts.append(f"column '{self.column}'")
        return ", ".join(parts)

    def __str__(self) -> str:
        text = f"{self.location}: {self.message}"
        if self.value is not None:
            text += f" (got {self.value!r}"
            text += f"; expected {self.expected})" if self.expected else ")"
        elif self.expected:
            text += f" (expected {self.expected})"
        return text

    def as_dict(self) -> dict:
        """Return the issue as a plain dict (for JSON output)."""
        return {
            "table": self.table,
            "file": self.file,
            "line": self.line,
            "column": self.column,
            "value": self.value,
            "expected": self.expected,
            "severity": self.severity,
            "code": self.code,
            "message": self.message,
        }


class ValidationError(DataError):
    """Raised when a dataset breaks the data model; ``issues`` lists every breach found."""

    def __init__(self, issues: list[Issue], *, source: str | None = None) -> None:
        self.issues = list(issues)
        self.source = source
        head = f"{len(self.issues)} problem(s) in the dataset"
        if source:
            head += f" '{source}'"
        super().__init__(head)

    def __str__(self) -> str:
        shown = self.issues[:200]
        lines = [str(self.args[0]) + ":"] + [f"  - {issue}" for issue in shown]
        if len(self.issues) > len(shown):
            lines.append(f"  ... and {len(self.issues) - len(shown)} more")
        return "\n".join(lines)
