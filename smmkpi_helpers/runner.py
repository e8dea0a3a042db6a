"""Run evaluations: execute the notebooks for specialists and a period, and put them in place.

``smmkpi evaluate`` is a thin layer over two calls (``docs/evaluate.md`` is the user's guide):

>>> plan = plan_evaluation(specialists=["anna"], period="2026-10")   # doctest: +SKIP
>>> result = run_evaluation(plan)                                     # doctest: +SKIP
>>> result.index_path, result.ok                                      # doctest: +SKIP

:func:`plan_evaluation` checks everything **before anything is written or any kernel starts**:
the ids (the data model's id rule), the period label, the business goal, the dataset (loaded and
validated), that every specialist exists, that every notebook declares the agreed parameters,
and that no existing evaluation would be overwritten without ``force``.

:func:`run_evaluation` then runs one *job* per specialist (all their notebooks, ``00-...`` to
``09-...``, in one kernel, in turn) and one job for the team notebook, in parallel worker
processes (``jobs`` of them). Each worker keeps one Jupyter kernel for the jobs it gets; between
two notebooks the kernel's namespace is cleared (``%reset``), figures are closed, and the
matplotlib, warnings, pandas and ``sys.path`` state are restored to what they were after start,
so each notebook sees what a fresh kernel would show it (a test proves the recorded numbers and
``results.json`` are the same as with one fresh kernel per notebook). The dataset is loaded and
validated once, in the parent, and handed to each kernel as a pickle, so no kernel loads it
again. Kernel starts that fail (ZMQ "address already in use", "Kernel died before replying")
are retried.

Parameters reach the notebooks the papermill way: an ``injected-parameters`` cell after the
``parameters`` cell and ``metadata.papermill`` (``papermill.parameterize_notebook``), executed by
papermill's nbclient wrapper, so executed notebooks look exactly like papermill's, including
the red error markers of a failed cell.

Nothing is lost: a failing cell stops only its notebook (the executed copy keeps the error), the
other notebooks still run, and the job is marked failed in the manifest. Each specialist's
evaluation is written into a hidden temporary folder next to its final place and renamed into
place when complete (:func:`smmkpi_helpers.storage.atomic_directory`), so a crash leaves either
the previous evaluation or the new one, never half of one. A worker that dies is retried once
alone. The period's ``index.html`` and ``manifest.json`` are rebuilt from every specialist folder
present (:func:`rebuild_period`).

Output layout (``OUT/<period>/`` with ``<period>`` from :func:`period_folder`)::

    OUT/<period>/index.html, manifest.json, 10-team.ipynb, 10-team.html
    OUT/<period>/<specialist>/NN-name.ipynb, NN-name.html, results.json, manifest.json
    OUT/<period>/specialists/<specialist>/...   (audience "specialist": a pack per person,
                                                  with its own 10-team and index.html)

Extensions of the contract (documented here and in ``docs/evaluate.md``): a range period's
folder is its label with ``..`` written ``_`` (``2026-09-01_2026-09-30``), because ``..`` may not
appear in a path; each specialist folder holds its own ``manifest.json``; ``cell_timeout``
(``--cell-timeout``) limits each cell; ``notebooks_dir`` (``--notebooks``) runs other notebooks
that follow the parameter contract. For the specialist audience the ``parameters`` cell of each
executed notebook shows the pack's own values, and Markdown examples that name the notebook's
default specialist name the pack's owner (a pack never names anyone else).
"""

from __future__ import annotations

import contextlib
import datetime as dt
import hashlib
import html
import json
import logging
import os
import re
import shutil
import sys
import tempfile
import time
from collections.abc import Callable, Iterable, Mapping, Sequence
from dataclasses import dataclass, field
from pathlib import Path

from .config import NOTEBOOKS_DIR, PROJ_ROOT, REPORTS_DIR, resolve_data_dir
from .errors import InvalidIdError, SmmKpiError, UsageError
from .schema import BUSINESS_GOALS, is_valid_id

__all__ = [
    "AUDIENCES",
    "CONTRACT_PARAMETERS",
    "DEFAULT_CELL_TIMEOUT",
    "KERNEL_NAME",
    "MANIFEST_VERSION",
    "TEAM_NOTEBOOK",
    "TEAM_PARAMETERS",
    "EvaluationPlan",
    "EvaluationResult",
    "KernelSession",
    "KernelStartError",
    "NotebookContractError",
    "NotebookSpec",
    "discover_notebooks",
    "execute_notebook",
    "kernel_prepare",
    "kernel_reset",
    "kernel_results",
    "period_folder",
    "plan_evaluation",
    "rebuild_period",
    "run_evaluation",
]

logger = logging.getLogger(__name__)

#: The team notebook: run once per period (audience "manager") or once per pack ("specialist").
TEAM_NOTEBOOK = "10-team"
#: The parameters every notebook declares (the NB/RUN contract).
CONTRACT_PARAMETERS = ("data_dir", "specialist", "period", "business_goal", "interactive")
#: The team notebook also declares ``audience``.
TEAM_PARAMETERS = (*CONTRACT_PARAMETERS, "audience")
#: Who the evaluation is for.
AUDIENCES = ("manager", "specialist")
KERNEL_NAME = "python3"
#: Seconds a single cell may run before it is interrupted and marked as failed.
DEFAULT_CELL_TIMEOUT = 600
MANIFEST_VERSION = 1
#: Packages whose versions the manifest records.
VERSIONED_PACKAGES = (
    "smmkpi",
    "pandas",
    "numpy",
    "matplotlib",
    "seaborn",
    "papermill",
    "nbclient",
    "nbconvert",
    "nbformat",
    "ipykernel",
    "jupyter_client",
)
_MPL_INLINE = "module://matplotlib_inline.backend_inline"


class NotebookContractError(SmmKpiError):
    """Raised when a notebook is missing or does not declare the agreed parameters."""


class KernelStartError(SmmKpiError):
    """Raised when a kernel cannot be started after the retries."""


# ------------------------------------------------------------------------------------------
# Plan: every check before anything is written
# ------------------------------------------------------------------------------------------


@dataclass(frozen=True)
class NotebookSpec:
    """A notebook of the evaluation.

    Attributes
    ----------
    path : Path
        The source notebook.
    parameters : tuple of str
        The names its ``parameters`` cell declares.
    """

    path: Path
    parameters: tuple[str, ...]

    @property
    def name(self) -> str:
        """Return the file name without ``.ipynb`` (``03-engagement``)."""
        return self.path.stem


@dataclass(frozen=True)
class EvaluationPlan:
    """Everything an evaluation needs, checked (see :func:`plan_evaluation`).

    Attributes
    ----------
    dataset : Dataset
        The loaded, validated dataset.
    data_dir : Path
        Its folder (absolute; passed to the notebooks as ``data_dir``).
    period : Period
    specialists : tuple of str
        The specialists to evaluate, in order.
    names : dict
        ``{specialist: name}`` for those specialists.
    out_dir : Path
        The output root (absolute).
    audience : str
        ``manager`` or ``specialist``.
    business_goal : str or None
    show_code : bool
    force : bool
    jobs : int
        Worker processes (each with one kernel).
    notebooks : tuple of NotebookSpec
        The per-specialist notebooks, sorted by name.
    team : NotebookSpec or None
        The team notebook.
    cell_timeout : int
        Seconds per cell.
    """

    dataset: object
    data_dir: Path
    period: object
    specialists: tuple[str, ...]
    names: dict
    out_dir: Path
    audience: str
    business_goal: str | None
    show_code: bool
    force: bool
    jobs: int
    notebooks: tuple[NotebookSpec, ...]
    team: NotebookSpec | None
    cell_timeout: int = DEFAULT_CELL_TIMEOUT

    @property
    def period_dir(self) -> Path:
        """Return ``OUT/<period>``."""
        return self.out_dir / period_folder(self.period)

    def target(self, specialist: str) -> Path:
        """Return the folder of a specialist's evaluation."""
        if self.audience == "specialist":
            return self.period_dir / "specialists" / specialist
        return self.period_dir / specialist


def period_folder(period) -> str:
    """Return the folder name of a period: its label, with ``..`` of a range written ``_``.

    Examples
    --------
    >>> from smmkpi_helpers.periods import parse_period
    >>> period_folder(parse_period("2026-10"))
    '2026-10'
    >>> period_folder(parse_period("2026-09-01..2026-09-30"))
    '2026-09-01_2026-09-30'
    """
    from .periods import parse_period

    label = parse_period(period).label
    name = label.replace("..", "_")
    if not is_valid_id(name):  # cannot happen for a parsed label; kept as the last guard
        raise InvalidIdError(f"the period label '{label}' cannot be used as a folder name")
    return name


def _check_id(value: object, what: str) -> str:
    if not isinstance(value, str) or not is_valid_id(value):
        raise InvalidIdError(
            f"{value!r} is not a valid {what} id: ids are 1-64 letters, digits, '_', '.' or "
            "'-', start with a letter or digit and never contain '..'"
        )
    return value


def _declared_parameters(nb) -> tuple[str, ...] | None:
    """Return the names assigned in the ``parameters`` cell (None without such a cell).

    Parsed with :mod:`ast`, not with papermill's line regex, which skips a line whose comment
    holds ``=`` (``data_dir: str = ""  # "" = the bundled sample``).
    """
    import ast

    for cell in nb.cells:
        if cell.get("cell_type") != "code":
            continue
        if "parameters" not in cell.get("metadata", {}).get("tags", []):
            continue
        try:
            tree = ast.parse(cell.source)
        except SyntaxError:
            return None
        names = []
        for node in tree.body:
            if isinstance(node, ast.AnnAssign) and isinstance(node.target, ast.Name):
                names.append(node.target.id)
            elif isinstance(node, ast.Assign):
                names += [t.id for t in node.targets if isinstance(t, ast.Name)]
        return tuple(names)
    return None


def discover_notebooks(folder: str | Path | None = None) -> list[NotebookSpec]:
    """Return the notebooks of ``folder`` (default ``notebooks/``), sorted by name.

    Raises
    ------
    NotebookContractError
        When the folder has no notebook, or a notebook has no ``parameters`` cell declaring
        :data:`CONTRACT_PARAMETERS` (plus ``audience`` for the team notebook).
    """
    from papermill.iorw import load_notebook_node

    folder = Path(folder) if folder is not None else NOTEBOOKS_DIR
    paths = sorted(p for p in folder.glob("*.ipynb") if not p.name.startswith("."))
    if not paths:
        raise NotebookContractError(f"no notebook (*.ipynb) in '{folder}'")
    specs = []
    for path in paths:
        try:
            nb = load_notebook_node(str(path))
        except Exception as exc:
            raise NotebookContractError(f"cannot read the notebook '{path.name}': {exc}") from exc
        declared = _declared_parameters(nb)
        if declared is None:
            raise NotebookContractError(
                f"the notebook '{path.name}' has no cell tagged 'parameters' (or its code does "
                "not parse)"
            )
        wanted = TEAM_PARAMETERS if path.stem == TEAM_NOTEBOOK else CONTRACT_PARAMETERS
        missing = [name for name in wanted if name not in declared]
        if missing:
            raise NotebookContractError(
                f"the notebook '{path.name}' does not declare the parameter(s) "
                f"{', '.join(missing)} in a cell tagged 'parameters'; expected "
                f"{', '.join(wanted)}"
            )
        specs.append(NotebookSpec(path.resolve(), declared))
    return specs


def plan_evaluation(
    *,
    period: str,
    specialists: Sequence[str] | None = None,
    all_specialists: bool = False,
    data: str | Path | None = None,
    out: str | Path | None = None,
    audience: str = "manager",
    business_goal: str | None = None,
    show_code: bool = False,
    force: bool = False,
    jobs: int | None = None,
    notebooks_dir: str | Path | None = None,
    cell_timeout: int = DEFAULT_CELL_TIMEOUT,
    dataset=None,
) -> EvaluationPlan:
    """Check every input of an evaluation; write nothing and start no kernel.

    Parameters
    ----------
    period : str
        A period label.
    specialists : sequence of str, optional
        Specialist ids (exactly one of ``specialists`` and ``all_specialists``).
    all_specialists : bool
        Every specialist of the dataset.
    data : str or Path, optional
        The dataset folder; default the bundled sample.
    out : str or Path, optional
        The output root; default ``reports/``.
    audience : {"manager", "specialist"}
    business_goal : str, optional
        Judge every account on this goal.
    show_code : bool
        Show code in the HTML.
    force : bool
        Replace existing evaluations of these specialists.
    jobs : int, optional
        Worker processes; default ``min(cpu count, number of jobs)``.
    notebooks_dir : str or Path, optional
        Default ``notebooks/``.
    cell_timeout : int
        Seconds per cell.
    dataset : Dataset, optional
        An already loaded dataset of ``data`` (skips loading it again).

    Returns
    -------
    EvaluationPlan

    Raises
    ------
    UsageError
        Bad command-line values (exit code 2): an id breaking the id rule, an unknown
        specialist, a bad period, audience, business goal or job count.
    DataError
        The dataset cannot be loaded or breaks the data model (exit code 1).
    OutputExistsError
        An evaluation exists and ``force`` is not set (exit code 1).
    NotebookContractError
        A notebook is missing or lacks the agreed parameters.
    """
    from .dataset import load_dataset
    from .errors import OutputExistsError
    from .periods import parse_period
    from .scope import check_specialist

    if audience not in AUDIENCES:
        raise UsageError(f"unknown audience '{audience}'; expected one of {', '.join(AUDIENCES)}")
    if business_goal is not None and business_goal not in BUSINESS_GOALS:
        raise UsageError(
            f"unknown business goal '{business_goal}'; expected one of " + ", ".join(BUSINESS_GOALS)
        )
    if jobs is not None and (not isinstance(jobs, int) or jobs < 1):
        raise UsageError(f"--jobs must be a whole number >= 1, got {jobs!r}")
    if not isinstance(cell_timeout, int) or cell_timeout < 1:
        raise UsageError(
            f"--cell-timeout must be a whole number of seconds >= 1, got {cell_timeout!r}"
        )
    if bool(specialists) == bool(all_specialists):
        raise UsageError("name the specialists (--specialist ID ...) or pass --all, not both")
    requested = [_check_id(s, "specialist") for s in specialists or ()]
    period = parse_period(period)
    period_folder(period)
    notebooks = discover_notebooks(notebooks_dir)
    team = next((n for n in notebooks if n.name == TEAM_NOTEBOOK), None)
    per_specialist = tuple(n for n in notebooks if n.name != TEAM_NOTEBOOK)
    data_dir = resolve_data_dir(data)
    if dataset is None:
        dataset = load_dataset(data_dir)
    if all_specialists:
        chosen = tuple(dataset.specialist_ids)
    else:
        chosen = tuple(dict.fromkeys(check_specialist(dataset, s) for s in requested))
    if not chosen:
        raise UsageError(f"the dataset '{dataset.name}' has no specialist to evaluate")
    table = dataset["specialists"].set_index("specialist_id")["name"]
    names = {s: str(table.get(s, "")) for s in chosen}
    out_dir = Path(out).expanduser().resolve() if out else REPORTS_DIR
    if out_dir.exists() and not out_dir.is_dir():
        raise UsageError(f"--out '{out}' is a file, not a folder")
    n_jobs = len(chosen) + (1 if team is not None and audience == "manager" else 0)
    workers = jobs if jobs is not None else max(1, min(os.cpu_count() or 1, n_jobs))
    plan = EvaluationPlan(
        dataset=dataset,
        data_dir=data_dir,
        period=period,
        specialists=chosen,
        names=names,
        out_dir=out_dir,
        audience=audience,
        business_goal=business_goal,
        show_code=show_code,
        force=force,
        jobs=workers,
        notebooks=per_specialist,
        team=team,
        cell_timeout=cell_timeout,
    )
    if not force:
        existing = [s for s in chosen if plan.target(s).exists()]
        if existing:
            shown = ", ".join(str(plan.target(s)) for s in existing)
            raise OutputExistsError(
                f"an evaluation exists already for {', '.join(existing)} in "
                f"{period.label} ({shown}); pass --force to replace it"
            )
    return plan


# ------------------------------------------------------------------------------------------
# Kernel side: functions the runner calls inside each kernel (light imports only)
# ------------------------------------------------------------------------------------------

_KERNEL_STATE: dict = {}


def kernel_prepare(dataset_pickle: str | None = None, data_dir: str | None = None) -> None:
    """Prepare a fresh kernel for a series of notebooks (runs inside the kernel).

    Imports the heavy libraries once, takes a snapshot of the state that :func:`kernel_reset`
    restores (matplotlib rcParams and inline-figure settings, warning filters, ``sys.path``),
    and, when ``dataset_pickle`` is given, loads the dataset the runner already validated so
    that no notebook loads it again.
    """
    import copy
    import warnings

    import matplotlib
    import matplotlib.pyplot as plt

    plt.close(plt.figure())  # loads the backend: inline figures and interactive mode are set up
    state = _KERNEL_STATE
    state["rc"] = {k: copy.deepcopy(v) for k, v in matplotlib.rcParams.items() if k != "backend"}
    state["filters"] = list(warnings.filters)
    state["sys_path"] = list(sys.path)
    try:
        from matplotlib_inline.backend_inline import InlineBackend

        backend = InlineBackend.instance()
        state["inline"] = (
            list(backend.figure_formats),
            dict(backend.print_figure_kwargs),
        )
    except Exception:  # not in IPython, or another backend
        state["inline"] = None
    if dataset_pickle:
        _prime_dataset(dataset_pickle, data_dir)


def _prime_dataset(dataset_pickle: str, data_dir: str | None) -> None:
    """Put the runner's already validated dataset into the notebooks' dataset cache."""
    import pickle

    with open(dataset_pickle, "rb") as stream:
        dataset = pickle.load(stream)
    _KERNEL_STATE["dataset"] = (str(data_dir), dataset)
    try:
        from . import notebook
    except ImportError:  # pragma: no cover - the notebooks' helpers are part of the package
        return
    prime = getattr(notebook, "prime_dataset", None)
    if callable(prime):
        prime(data_dir, dataset)
        return
    # ``notebook.load_cached`` keys its in-process cache on (folder, state of its files); a
    # dataset folder whose files changed since the runner loaded it misses and loads afresh
    cache = getattr(notebook, "_DATASETS", None)
    state = getattr(notebook, "_folder_state", None)
    folder = resolve_data_dir(data_dir)
    if cache is not None and callable(state) and folder.is_dir():
        cache[(str(folder), state(folder))] = dataset


def _kernel_dataset(data_dir: str):
    try:
        from .notebook import load_cached
    except ImportError:  # pragma: no cover
        load_cached = None
    if load_cached is not None:
        return load_cached(data_dir)
    cached = _KERNEL_STATE.get("dataset")
    if cached and cached[0] == str(data_dir):
        return cached[1]
    from .dataset import load_dataset

    return load_dataset(data_dir or None)


def _kernel_scorecard(dataset, specialist: str, period: str, business_goal: str | None):
    try:
        from .notebook import scorecard
    except ImportError:  # pragma: no cover
        from .scorecard import score_specialist

        return score_specialist(dataset, specialist, period, business_goal=business_goal)
    return scorecard(dataset, specialist, period, business_goal)


def kernel_reset(cwd: str | None = None) -> None:
    """Give the next notebook the state of a fresh kernel (runs inside the kernel).

    Closes every figure, clears the user namespace and the output history, restarts the
    execution count at 1, restores the snapshot of :func:`kernel_prepare` (matplotlib rcParams
    and inline-figure settings, warning filters and their "already shown" registries,
    ``sys.path``), resets pandas options, and changes to ``cwd``.
    """
    import warnings

    import matplotlib
    import matplotlib.pyplot as plt

    plt.close("all")
    state = _KERNEL_STATE
    with warnings.catch_warnings():
        warnings.simplefilter("ignore")
        if "rc" in state:
            matplotlib.rcParams.update(state["rc"])
        try:
            import pandas as pd

            pd.reset_option("all")
        except Exception:  # pragma: no cover - pandas without an option to reset
            pass
    if "filters" in state:
        warnings.filters[:] = state["filters"]
        warnings._filters_mutated()  # forget which warnings were already shown
    if "sys_path" in state:
        sys.path[:] = state["sys_path"]
    if state.get("inline"):
        from matplotlib_inline.backend_inline import InlineBackend

        backend = InlineBackend.instance()
        formats, kwargs = state["inline"]
        backend.print_figure_kwargs = dict(kwargs)
        backend.figure_formats = list(formats)
    try:
        from IPython import get_ipython

        shell = get_ipython()
    except ImportError:  # pragma: no cover
        shell = None
    if shell is not None:
        shell.reset(new_session=False)
        shell.execution_count = 1
    if cwd:
        os.chdir(cwd)


def kernel_results(
    data_dir: str, specialist: str, period: str, business_goal: str | None, path: str
) -> str:
    """Write ``results.json`` of a specialist (runs inside the kernel); return its sha256.

    The document is :func:`smmkpi_helpers.scorecard.results_json` serialised by
    :func:`~smmkpi_helpers.scorecard.results_bytes`, as ``smmkpi score --out`` writes it; the
    scorecard comes from the notebooks' cache (:func:`smmkpi_helpers.notebook.scorecard`), so
    it is the one ``00-scorecard`` showed.
    """
    from .scorecard import results_bytes, results_json
    from .storage import atomic_write_bytes

    dataset = _kernel_dataset(data_dir)
    card = _kernel_scorecard(dataset, specialist, period, business_goal or None)
    data = results_bytes(results_json(card, dataset=dataset))
    atomic_write_bytes(path, data)
    return hashlib.sha256(data).hexdigest()


# ------------------------------------------------------------------------------------------
# Worker side: one kernel, notebooks executed the papermill way
# ------------------------------------------------------------------------------------------


def kernel_env(extra: Mapping[str, str] | None = None) -> dict[str, str]:
    """Return the environment of a kernel: this one, with inline figures and fixed hashing."""
    env = dict(os.environ)
    env.update(
        {
            "MPLBACKEND": _MPL_INLINE,
            "PYTHONHASHSEED": "0",
            "PYDEVD_DISABLE_FILE_VALIDATION": "1",
            "JUPYTER_PLATFORM_DIRS": "1",
        }
    )
    env.update(extra or {})
    return env


def _tail(log, size: int = 600) -> str:
    """Return the end of a kernel's log, for an error message ("" when empty)."""
    try:
        log.seek(0, os.SEEK_END)
        log.seek(max(0, log.tell() - size))
        text = log.read().decode("utf-8", "replace").strip()
    except (OSError, ValueError):
        return ""
    return f" (kernel output: {text})" if text else ""


class KernelSession:
    """One Jupyter kernel that executes notebooks one after another.

    Parameters
    ----------
    kernel_name : str
        The kernel spec (``python3``: the kernel of the running environment).
    startup_timeout : float
        Seconds to wait for a kernel to answer after it starts.
    retries : int
        How many times a failed start is retried (ZMQ "address already in use" races).
    prepare : str, optional
        Code run after each (re)start, e.g. a call of :func:`kernel_prepare`.
    env : mapping, optional
        The kernel's environment (default :func:`kernel_env`).
    cwd : str, optional
        The kernel's first working folder.
    """

    def __init__(
        self,
        *,
        kernel_name: str = KERNEL_NAME,
        startup_timeout: float = 60,
        retries: int = 3,
        prepare: str | None = None,
        env: Mapping[str, str] | None = None,
        cwd: str | None = None,
    ) -> None:
        self.kernel_name = kernel_name
        self.startup_timeout = startup_timeout
        self.retries = retries
        self.prepare_code = prepare
        self.env = dict(env) if env is not None else kernel_env()
        self.cwd = cwd
        self.km = None
        self.kc = None
        self._log = None
        self.starts = 0
        self.failed_starts: list[str] = []

    # -- life cycle ---------------------------------------------------------------------------
    # nbclient needs an asynchronous client (a blocking one waits on IOPub without a timeout, so
    # cell timeouts would never fire): the manager and client are jupyter_client's async ones,
    # driven through ``run_sync`` where this class offers a plain call.
    @property
    def alive(self) -> bool:
        """Return whether the kernel is running."""
        from jupyter_core.utils import run_sync

        return self.km is not None and bool(run_sync(self.km.is_alive)())

    def start(self) -> None:
        """Start the kernel, retrying failed starts; run the prepare code.

        Raises
        ------
        KernelStartError
            When every attempt failed; the message holds each attempt's error.
        """
        from jupyter_client.manager import AsyncKernelManager
        from jupyter_core.utils import run_sync

        errors = []
        for attempt in range(self.retries + 1):
            km = AsyncKernelManager(kernel_name=self.kernel_name)
            kc = None
            # the kernel's own stdout/stderr: noise, or why it died; closed in shutdown()
            log = tempfile.TemporaryFile()  # noqa: SIM115
            try:
                run_sync(km.start_kernel)(
                    extra_arguments=["--HistoryManager.hist_file=:memory:"],
                    env=self.env,
                    cwd=self.cwd,
                    stdout=log,
                    stderr=log,
                )
                kc = km.client()
                kc.start_channels()
                run_sync(kc.wait_for_ready)(timeout=self.startup_timeout)
                self.km, self.kc, self._log = km, kc, log
                self.starts += 1
                if self.prepare_code:
                    ok, error = self.run_code(self.prepare_code, timeout=self.startup_timeout * 5)
                    if not ok:
                        raise RuntimeError(f"the kernel's preparation failed: {error}")
                return
            except Exception as exc:
                errors.append(f"{exc.__class__.__name__}: {exc}{_tail(log)}")
                self.failed_starts.append(errors[-1])
                logger.warning("kernel start failed (attempt %d): %s", attempt + 1, errors[-1])
                self._stop(km, kc)
                log.close()
                self.km = self.kc = self._log = None
                if attempt < self.retries:
                    time.sleep(0.5 * (attempt + 1))
        raise KernelStartError(
            f"the kernel '{self.kernel_name}' did not start after {self.retries + 1} attempts: "
            + " | ".join(errors)
        )

    @staticmethod
    def _stop(km, kc) -> None:
        from jupyter_core.utils import run_sync

        with contextlib.suppress(Exception):
            if kc is not None:
                kc.stop_channels()
        with contextlib.suppress(Exception):
            if km is not None and km.has_kernel:
                run_sync(km.shutdown_kernel)(now=True)

    def shutdown(self) -> None:
        """Stop the kernel (safe to call twice)."""
        self._stop(self.km, self.kc)
        if self._log is not None:
            self._log.close()
        self.km = self.kc = self._log = None

    def restart(self) -> None:
        """Replace the kernel with a fresh one (after it died)."""
        self.shutdown()
        self.start()

    def ensure(self) -> None:
        """Start the kernel if it is not running."""
        if not self.alive:
            self.shutdown()
            self.start()

    # -- execution ----------------------------------------------------------------------------
    def _client(self, nb, **traits):
        from nbclient import NotebookClient

        client = NotebookClient(nb, km=self.km, kernel_name=self.kernel_name, log=logger, **traits)
        client.kc = self.kc
        return client

    def run_code(self, code: str, *, timeout: float | None = None) -> tuple[bool, str | None]:
        """Run code outside any notebook (no history); return ``(ok, error text)``.

        A run longer than ``timeout`` seconds is interrupted and reported as an error.
        """
        import nbformat

        nb = nbformat.v4.new_notebook()
        cell = nbformat.v4.new_code_cell(code)
        nb.cells = [cell]
        from nbclient.exceptions import CellExecutionError

        client = self._client(
            nb,
            timeout=int(timeout) if timeout else None,
            interrupt_on_timeout=True,
            error_on_timeout={
                "ename": "CellTimeoutError",
                "evalue": f"ran longer than {timeout} s and was interrupted",
                "traceback": [],
            },
        )
        try:
            client.execute_cell(cell, 0, store_history=False)
        except CellExecutionError as exc:
            return False, f"{exc.ename}: {exc.evalue}"
        except Exception as exc:
            return False, f"{exc.__class__.__name__}: {exc}"
        return True, None

    def call(self, function: str, *args, timeout: float | None = None) -> tuple[bool, str | None]:
        """Call a function of this module inside the kernel with literal arguments."""
        arguments = ", ".join(repr(a) for a in args)
        code = f"__import__('smmkpi_helpers.runner', fromlist=['_']).{function}({arguments})"
        return self.run_code(code, timeout=timeout)

    def reset(self, cwd: str | None = None) -> None:
        """Reset the kernel's state between notebooks (restart it if that fails)."""
        self.ensure()
        ok, error = self.call("kernel_reset", cwd, timeout=120)
        if not ok:
            logger.warning("kernel reset failed (%s); restarting the kernel", error)
            self.restart()
            if cwd:
                self.call("kernel_reset", cwd, timeout=120)

    def execute(self, nb, *, timeout: int | None = DEFAULT_CELL_TIMEOUT) -> dict:
        """Execute a parameterised notebook in place, the way papermill does.

        Cells run in order until one fails; the notebook gets papermill's metadata (per-cell
        status and timing) and, on failure, its error markers.

        Returns
        -------
        dict
            ``{"status": "ok" | "failed" | "timeout" | "kernel died", "error": None | {"ename",
            "evalue", "cell"}}``.
        """
        from nbclient.exceptions import DeadKernelError
        from papermill.clientwrap import PapermillNotebookClient
        from papermill.engines import NotebookExecutionManager

        self.ensure()
        nb_man = NotebookExecutionManager(
            nb, output_path=None, progress_bar=False, autosave_cell_every=0
        )
        nb_man.notebook_start()
        status = "ok"
        extra_error = None
        timed_out: list[int] = []
        too_long = f"the cell ran longer than {timeout} s and was interrupted"

        def on_error(cell, cell_index, execute_reply) -> None:
            if execute_reply["content"].get("ename") == "CellTimeoutError":
                timed_out.append(cell_index)

        try:
            client = PapermillNotebookClient(
                nb_man,
                km=self.km,
                kernel_name=self.kernel_name,
                timeout=timeout,
                startup_timeout=int(self.startup_timeout),
                interrupt_on_timeout=True,
                error_on_timeout={"ename": "CellTimeoutError", "evalue": too_long, "traceback": []},
                on_cell_error=on_error,
                log=logger,
            )
            client.kc = self.kc
            client.execute()
        except DeadKernelError as exc:
            status = "kernel died"
            extra_error = ("DeadKernelError", f"the kernel died while running this cell ({exc})")
        except Exception as exc:  # nbclient/zmq failures: keep going with a fresh kernel
            status = "kernel died"
            extra_error = (exc.__class__.__name__, str(exc))
        finally:
            nb_man.notebook_complete()
        if status == "kernel died":
            _add_error_output(nb, *extra_error)
            self.restart()
        if timed_out and status == "ok":
            import nbformat

            status = "timeout"
            cell = nb.cells[timed_out[0]]
            cell.setdefault("outputs", []).append(
                nbformat.v4.new_output(
                    "error", ename="CellTimeoutError", evalue=too_long, traceback=[]
                )
            )
            error = {
                "ename": "CellTimeoutError",
                "evalue": too_long,
                "cell": timed_out[0],
                "execution_count": cell.get("execution_count"),
            }
        else:
            error = _first_error(nb)
            if error is not None and status == "ok":
                status = "failed"
        if error is not None:
            _mark_error(nb, error)
        return {"status": status, "error": error}


def _failed_cell_index(nb) -> int | None:
    for index, cell in enumerate(nb.cells):
        meta = cell.get("metadata", {}).get("papermill", {})
        if meta.get("status") in ("failed", "running") or meta.get("exception") is True:
            return index
    return None


def _add_error_output(nb, ename: str, evalue: str) -> None:
    """Give the failed (or running) cell a visible error output if it has none."""
    import nbformat

    index = _failed_cell_index(nb)
    if index is None:
        return
    cell = nb.cells[index]
    cell.metadata.setdefault("papermill", {})["status"] = "failed"
    cell.metadata["papermill"]["exception"] = True
    nb.metadata.setdefault("papermill", {})["exception"] = True
    if not any(o.get("output_type") == "error" for o in cell.get("outputs", [])):
        cell.setdefault("outputs", []).append(
            nbformat.v4.new_output("error", ename=ename, evalue=evalue, traceback=[])
        )


def _first_error(nb) -> dict | None:
    """Return ``{"ename", "evalue", "cell", "execution_count"}`` of the first failure."""
    for index, cell in enumerate(nb.cells):
        for output in cell.get("outputs", []) or []:
            if output.get("output_type") == "error":
                if output.get("ename") == "SystemExit" and output.get("evalue") in ("", "0"):
                    continue
                return {
                    "ename": output.get("ename"),
                    "evalue": output.get("evalue"),
                    "cell": index,
                    "execution_count": cell.get("execution_count"),
                }
    index = _failed_cell_index(nb)
    if index is not None and nb.cells[index].get("metadata", {}).get("papermill", {}).get(
        "exception"
    ):
        _add_error_output(nb, "CellExecutionError", "the cell failed")
        return _first_error(nb)
    return None


def _mark_error(nb, error: dict) -> None:
    """Insert papermill's two red markers: at the top, and just before the failed cell."""
    import nbformat
    from papermill.execute import ERROR_ANCHOR_MSG, ERROR_MARKER_TAG, ERROR_MESSAGE_TEMPLATE

    head = nbformat.v4.new_markdown_cell(ERROR_MESSAGE_TEMPLATE % str(error["execution_count"]))
    head.metadata["tags"] = [ERROR_MARKER_TAG]
    anchor = nbformat.v4.new_markdown_cell(ERROR_ANCHOR_MSG)
    anchor.metadata["tags"] = [ERROR_MARKER_TAG]
    nb.cells.insert(error["cell"], anchor)
    nb.cells.insert(0, head)


_PARAM_LINE = re.compile(
    r"^(?P<name>[A-Za-z_]\w*)(?P<annotation>\s*:\s*[^=]+?)?\s*=\s*(?P<value>.+?)(?P<comment>\s+#.*)?$"
)


def _pin_parameters_cell(nb, parameters: Mapping[str, object]) -> None:
    """Write the passed values into the ``parameters`` cell in place of its defaults.

    Used for the specialist audience, so that a pack never carries the notebook's default
    specialist (someone else's id): the ``parameters`` cell shows the pack's own values, and
    the Markdown cells' examples that name the default specialist (``-r specialist anna``)
    name the pack's specialist instead.
    """
    import ast

    from papermill.translators import PythonTranslator

    for cell in nb.cells:
        if "parameters" not in cell.get("metadata", {}).get("tags", []):
            continue
        defaults = {}
        lines = []
        for line in cell.source.splitlines():
            match = _PARAM_LINE.match(line)
            if match and match["name"] in parameters:
                with contextlib.suppress(ValueError, SyntaxError):
                    defaults[match["name"]] = ast.literal_eval(match["value"].strip())
                value = PythonTranslator.translate(parameters[match["name"]])
                line = (
                    f"{match['name']}{match['annotation'] or ''} = {value}{match['comment'] or ''}"
                )
            lines.append(line)
        cell.source = "\n".join(lines)
        default, own = defaults.get("specialist"), parameters.get("specialist")
        if isinstance(default, str) and default and isinstance(own, str) and default != own:
            word = re.compile(rf"(?<![\w.-]){re.escape(default)}(?![\w-])")
            for other in nb.cells:
                if other.get("cell_type") == "markdown":
                    other.source = word.sub(own, other.source)
        return


def execute_notebook(
    session: KernelSession,
    spec: NotebookSpec,
    parameters: Mapping[str, object],
    *,
    input_label: str,
    output_label: str,
    timeout: int = DEFAULT_CELL_TIMEOUT,
    cwd: str | None = None,
    pin_parameters: bool = False,
):
    """Parameterise ``spec`` papermill's way, reset the kernel, and execute it.

    Parameters
    ----------
    session : KernelSession
    spec : NotebookSpec
    parameters : mapping
        Values for the notebook's parameters (only names it declares are passed).
    input_label, output_label : str
        Paths recorded in ``metadata.papermill`` (relative, never the user's home).
    timeout : int
        Seconds per cell.
    cwd : str, optional
        The working folder of the kernel while it runs the notebook.
    pin_parameters : bool
        Also write the values into the ``parameters`` cell (see :func:`_pin_parameters_cell`).

    Returns
    -------
    (NotebookNode, dict)
        The executed notebook and ``{"status", "error"}`` from :meth:`KernelSession.execute`.
    """
    from papermill.execute import prepare_notebook_metadata, remove_error_markers
    from papermill.iorw import load_notebook_node
    from papermill.parameterize import parameterize_notebook

    nb = load_notebook_node(str(spec.path))
    passed = {k: v for k, v in parameters.items() if k in spec.parameters}
    nb = parameterize_notebook(
        nb, passed, report_mode=False, kernel_name=KERNEL_NAME, language="python"
    )
    if pin_parameters:
        _pin_parameters_cell(nb, passed)
    nb = prepare_notebook_metadata(nb, input_label, output_label)
    nb = remove_error_markers(nb)
    session.reset(cwd)
    outcome = session.execute(nb, timeout=timeout)
    return nb, outcome


# ------------------------------------------------------------------------------------------
# Worker processes
# ------------------------------------------------------------------------------------------

_WORKER: dict = {}


def _worker_init(queue, config: dict) -> None:
    """Initialise a worker process: its event queue and how to prepare its kernel."""
    import multiprocessing.util

    logging.basicConfig(level=logging.ERROR)
    _WORKER.clear()
    _WORKER.update(queue=queue, config=config)
    multiprocessing.util.Finalize(None, _worker_shutdown, exitpriority=50)


def _worker_shutdown() -> None:
    session = _WORKER.pop("session", None)
    if session is not None:
        session.shutdown()


def _emit(*event) -> None:
    queue = _WORKER.get("queue")
    if queue is not None:
        with contextlib.suppress(Exception):  # the parent went away
            queue.put(event)


def _session() -> KernelSession:
    session = _WORKER.get("session")
    if session is None:
        config = _WORKER.get("config", {})
        prepare = (
            "__import__('smmkpi_helpers.runner', fromlist=['_']).kernel_prepare("
            f"{config.get('dataset_pickle')!r}, {config.get('data_dir')!r})"
        )
        session = KernelSession(
            prepare=prepare,
            env=kernel_env(config.get("kernel_env")),
            cwd=config.get("kernel_cwd"),
            retries=config.get("kernel_retries", 3),
            startup_timeout=config.get("startup_timeout", 60),
        )
        _WORKER["session"] = session
    return session


def _renderer(show_code: bool):
    from .render import NotebookRenderer

    renderers = _WORKER.setdefault("renderers", {})
    if show_code not in renderers:
        renderers[show_code] = NotebookRenderer(show_code=show_code)
    return renderers[show_code]


def _now() -> str:
    return dt.datetime.now(dt.UTC).isoformat(timespec="seconds")


def _run_notebooks(payload: dict, folder: Path, notebooks: Sequence[dict]) -> list[dict]:
    """Execute notebooks into ``folder`` (ipynb + html); return one entry per notebook."""
    import nbformat

    from .record import read_records
    from .render import mask_outputs
    from .storage import atomic_write_text

    session = _session()
    renderer = _renderer(payload["show_code"])
    entries = []
    no_kernel = None  # after a kernel that would not start, the job's other notebooks wait
    for item in notebooks:
        spec = NotebookSpec(Path(item["path"]), tuple(item["parameters"]))
        started = time.perf_counter()
        entry = {
            "notebook": spec.name,
            "status": "ok",
            "error": None,
            "files": {"ipynb": f"{spec.name}.ipynb", "html": f"{spec.name}.html"},
            "parameters": {
                k: (payload["data"]["name"] if k == "data_dir" else v)
                for k, v in item["values"].items()
                if k in spec.parameters
            },
        }
        try:
            if no_kernel is not None:
                raise no_kernel
            session.ensure()
            nb, outcome = execute_notebook(
                session,
                spec,
                item["values"],
                input_label=item["input_label"],
                output_label=item["output_label"],
                timeout=payload["cell_timeout"],
                cwd=str(folder),
                pin_parameters=payload["audience"] == "specialist",
            )
            entry["status"], entry["error"] = outcome["status"], outcome["error"]
        except KernelStartError as exc:
            no_kernel = exc
            nb = nbformat.read(str(spec.path), as_version=4)
            marker = nbformat.v4.new_markdown_cell(
                "**This notebook did not run: no kernel could be started.** "
                + html.escape(str(exc))
            )
            marker.metadata["tags"] = ["papermill-error-cell-tag"]
            nb.cells.insert(0, marker)
            entry["status"] = "not run"
            entry["error"] = {"ename": "KernelStartError", "evalue": str(exc), "cell": None}
        entry["execute_s"] = round(time.perf_counter() - started, 3)
        mask_outputs(nb)
        entry["records"] = read_records(nb)
        atomic_write_text(folder / f"{spec.name}.ipynb", nbformat.writes(nb))
        rendered = time.perf_counter()
        title = f"{spec.name} · {item['title']}"
        atomic_write_text(folder / f"{spec.name}.html", renderer.render(nb, title=title))
        entry["html_s"] = round(time.perf_counter() - rendered, 3)
        entry["duration_s"] = round(time.perf_counter() - started, 3)
        entries.append(entry)
        _emit("notebook", payload["key"], spec.name, entry["status"], entry["duration_s"])
    return entries


def _job_manifest(payload: dict, entries: list[dict], started: str, clock: float) -> dict:
    failed = [e["notebook"] for e in entries if e["status"] != "ok"]
    return {
        "manifest_version": MANIFEST_VERSION,
        "kind": payload["kind"],
        "specialist": payload["specialist"],
        "name": payload.get("name"),
        "audience": payload["audience"],
        "period": payload["period"],
        "status": "ok" if not failed else "failed",
        "failed": failed,
        "parameters": payload["parameters"],
        "data": payload["data"],
        "notebooks": entries,
        "timing": {
            "started_at": started,
            "finished_at": _now(),
            "duration_s": round(time.perf_counter() - clock, 3),
        },
        "environment": payload["environment"],
    }


def _run_job(payload: dict) -> dict:
    """Run one job in a worker process; return its manifest (a plain dict)."""
    from .storage import atomic_directory, atomic_write_text

    started, clock = _now(), time.perf_counter()
    _emit("start", payload["key"])
    if payload["kind"] == "team":
        folder = Path(payload["target"])
        folder.mkdir(parents=True, exist_ok=True)
        entries = _run_notebooks(payload, folder, payload["notebooks"])
        manifest = _job_manifest(payload, entries, started, clock)
        _emit("done", payload["key"], manifest["status"])
        return manifest
    target = Path(payload["target"])
    with atomic_directory(target, replace=payload["force"]) as tmp:
        _emit("tmp", payload["key"], str(tmp))
        entries = _run_notebooks(payload, tmp, payload["notebooks"])
        results = {"file": "results.json", "status": "ok", "sha256": None, "error": None}
        session = _session()
        try:
            if any(e["status"] == "not run" for e in entries):
                raise KernelStartError("no kernel could be started for this job")
            session.reset(str(tmp))
            ok, error = session.call(
                "kernel_results",
                payload["data_dir"],
                payload["specialist"],
                payload["period"]["label"],
                payload["business_goal"],
                str(tmp / "results.json"),
                timeout=payload["cell_timeout"],
            )
        except KernelStartError as exc:
            ok, error = False, str(exc)
        if ok and (tmp / "results.json").exists():
            results["sha256"] = hashlib.sha256((tmp / "results.json").read_bytes()).hexdigest()
        else:
            results.update(status="failed", error=error)
        manifest = _job_manifest(payload, entries, started, clock)
        manifest["results"] = results
        if results["status"] != "ok":
            manifest["status"] = "failed"
            manifest["failed"].append("results.json")
        atomic_write_text(tmp / "manifest.json", _json(manifest))
        if payload["audience"] == "specialist":
            _write_pack_index(tmp, manifest, payload)
    _emit("done", payload["key"], manifest["status"])
    return manifest


def _json(document) -> str:
    return (
        json.dumps(document, indent=2, sort_keys=True, ensure_ascii=False, allow_nan=False) + "\n"
    )


# ------------------------------------------------------------------------------------------
# Index and manifest
# ------------------------------------------------------------------------------------------


def _load_json(path: Path) -> dict | None:
    try:
        return json.loads(path.read_text(encoding="utf-8"))
    except (OSError, ValueError):
        return None


def _flag_counts(results: Mapping | None) -> dict:
    counts = {"critical": 0, "warning": 0}
    for flag in (results or {}).get("flags", []) or []:
        if flag.get("severity") in counts:
            counts[flag["severity"]] += 1
    return counts


def _profile_text(results: Mapping | None) -> str:
    profiles = (results or {}).get("profiles") or []
    return ", ".join(f"{p['goal']} {float(p['share']) * 100:.0f}%" for p in profiles)


def _index_row(manifest: Mapping, results: Mapping | None, prefix: str) -> dict:
    links = [
        (e["notebook"].split("-", 1)[-1], prefix + e["files"]["html"])
        for e in manifest.get("notebooks", [])
    ]
    if results is not None:
        links.append(("results.json", prefix + "results.json"))
    return {
        "specialist": manifest.get("specialist"),
        "name": manifest.get("name"),
        "status": manifest.get("status"),
        "failed": manifest.get("failed", []),
        "overall_score": (results or {}).get("overall_score"),
        "family_scores": (results or {}).get("family_scores") or {},
        "integrity_score": (results or {}).get("integrity_score"),
        "flags": _flag_counts(results) if results is not None else {},
        "profile": _profile_text(results),
        "links": links,
    }


def _families() -> list[str]:
    from .kpis.catalog import FAMILIES

    return [f for f in FAMILIES if f not in ("context", "integrity")]


def _problems(manifests: Iterable[Mapping]) -> list[str]:
    out = []
    for m in manifests:
        who = m.get("specialist") if m.get("kind") != "team" else "team report"
        for entry in m.get("notebooks", []):
            if entry.get("status") != "ok":
                error = entry.get("error") or {}
                out.append(
                    f"{who}: {entry['notebook']} {entry['status']}"
                    + (f" ({error.get('ename')}: {error.get('evalue')})" if error else "")
                )
        results = m.get("results") or {}
        if results.get("status") not in (None, "ok"):
            out.append(f"{who}: results.json failed ({results.get('error')})")
        if m.get("status") == "crashed":
            out.append(f"{who}: the job crashed ({m.get('error')}); nothing was put in place")
    return out


def _write_pack_index(folder: Path, manifest: Mapping, payload: Mapping) -> None:
    """Write the index of a specialist's pack (their own row only)."""
    from .render import index_html
    from .storage import atomic_write_text

    results = _load_json(folder / "results.json")
    row = _index_row(manifest, results, "")
    team = next((e for e in manifest["notebooks"] if e["notebook"] == TEAM_NOTEBOOK), None)
    page = index_html(
        title=f"Evaluation of {manifest['specialist']}, {payload['period']['label']}",
        period=payload["period"],
        rows=[row],
        families=_families(),
        data=payload["data"],
        parameters=_shown_parameters(payload["parameters"], payload["audience"]),
        team_link=team["files"]["html"] if team else None,
        problems=_problems([manifest]),
    )
    atomic_write_text(folder / "index.html", page)


def _shown_parameters(parameters: Mapping, audience: str) -> dict:
    return {
        "business goal": parameters.get("business_goal") or "each account's own",
        "audience": audience,
    }


def rebuild_period(
    period_dir: str | Path,
    *,
    run: Mapping | None = None,
    team: Mapping | None = None,
    crashed: Sequence[Mapping] = (),
) -> tuple[Path, Path]:
    """Rebuild ``index.html`` and ``manifest.json`` of a period from every specialist present.

    Reads ``<period_dir>/<specialist>/manifest.json`` and ``results.json`` of every folder
    present (hidden temporary folders and ``specialists/`` are skipped), so evaluations from
    earlier runs stay listed.

    Parameters
    ----------
    period_dir : str or Path
        ``OUT/<period>``.
    run : mapping, optional
        What the last run did (parameters, timing, workers); stored as ``last_run``.
    team : mapping, optional
        The manifest of the team job of the last run.
    crashed : sequence of mapping
        Jobs of the last run that crashed (no folder to read).

    Returns
    -------
    (Path, Path)
        The index and manifest paths.
    """
    from .render import index_html
    from .storage import atomic_write_text

    period_dir = Path(period_dir)
    specialists: dict[str, dict] = {}
    results: dict[str, dict | None] = {}
    for folder in sorted(p for p in period_dir.iterdir() if p.is_dir()):
        if folder.name.startswith(".") or folder.name == "specialists":
            continue
        manifest = _load_json(folder / "manifest.json")
        if not manifest or manifest.get("kind") != "specialist":
            continue
        specialists[folder.name] = manifest
        results[folder.name] = _load_json(folder / "results.json")
    run = dict(run or {})
    if team is None:
        previous = _load_json(period_dir / "manifest.json") or {}
        team = previous.get("team")
    some = team or next(iter(specialists.values()), None) or {}
    period = some.get("period") or run.get("period") or {"label": period_dir.name}
    data = run.get("data") or some.get("data") or {}
    fingerprints = {m.get("data", {}).get("fingerprint") for m in specialists.values()}
    notes = []
    if len(fingerprints - {None}) > 1:
        notes.append(
            "The evaluations listed were made from different data (fingerprints "
            + ", ".join(sorted(f[:12] for f in fingerprints if f))
            + "); re-run them with --force to compare like with like."
        )
    rows = [_index_row(m, results[name], f"{name}/") for name, m in sorted(specialists.items())]
    crashed = list(crashed)
    rows += [
        {"specialist": c["specialist"], "name": c.get("name"), "status": "crashed", "links": []}
        for c in crashed
        if c.get("specialist") not in specialists
    ]
    team_link = None
    if team and (period_dir / f"{TEAM_NOTEBOOK}.html").exists():
        team_link = f"{TEAM_NOTEBOOK}.html"
    manifests = [*specialists.values(), *([team] if team else []), *crashed]
    page = index_html(
        title=f"SMM evaluations, {period.get('label', period_dir.name)}",
        period=period,
        rows=rows,
        families=_families(),
        data=data,
        parameters=_shown_parameters(run.get("parameters") or {}, "manager") if run else {},
        team_link=team_link,
        problems=_problems(manifests),
        notes=notes,
    )
    manifest = {
        "manifest_version": MANIFEST_VERSION,
        "audience": "manager",
        "period": period,
        "data": data,
        "status": "ok" if all(m.get("status") == "ok" for m in manifests) else "failed",
        "specialists": specialists,
        "team": team,
        "last_run": run,
    }
    if crashed:
        manifest["last_run"]["crashed"] = crashed
    index = atomic_write_text(period_dir / "index.html", page)
    path = atomic_write_text(period_dir / "manifest.json", _json(manifest))
    return index, path


def _rebuild_packs(packs_dir: Path, run: Mapping, crashed: Sequence[Mapping]) -> Path:
    """Write ``specialists/manifest.json``: every pack present (for the manager, not sent)."""
    from .storage import atomic_write_text

    packs = {}
    for folder in sorted(p for p in packs_dir.iterdir() if p.is_dir()):
        if folder.name.startswith("."):
            continue
        manifest = _load_json(folder / "manifest.json")
        if manifest and manifest.get("kind") == "specialist":
            packs[folder.name] = manifest
    document = {
        "manifest_version": MANIFEST_VERSION,
        "audience": "specialist",
        "period": run.get("period"),
        "data": run.get("data"),
        "status": "ok"
        if all(m.get("status") == "ok" for m in packs.values()) and not crashed
        else "failed",
        "specialists": packs,
        "last_run": {**run, "crashed": list(crashed)},
    }
    return atomic_write_text(packs_dir / "manifest.json", _json(document))


# ------------------------------------------------------------------------------------------
# The run
# ------------------------------------------------------------------------------------------


@dataclass
class EvaluationResult:
    """What :func:`run_evaluation` did.

    Attributes
    ----------
    jobs : list of dict
        The manifest of every job (team first when there is one); crashed jobs have status
        ``crashed``.
    index_path : Path or None
        ``OUT/<period>/index.html`` (audience manager).
    manifest_path : Path
        The period's manifest (``specialists/manifest.json`` for audience specialist).
    packs : dict
        ``{specialist: folder}`` of the evaluations put in place.
    duration_s : float
    """

    jobs: list[dict] = field(default_factory=list)
    index_path: Path | None = None
    manifest_path: Path | None = None
    packs: dict = field(default_factory=dict)
    duration_s: float = 0.0

    @property
    def failed(self) -> list[dict]:
        """Return the jobs that did not succeed."""
        return [j for j in self.jobs if j.get("status") != "ok"]

    @property
    def ok(self) -> bool:
        """Return whether every job succeeded."""
        return not self.failed


def _git_revision(folder: Path) -> dict:
    import subprocess

    def git(*args) -> str | None:
        try:
            done = subprocess.run(
                ["git", *args],
                cwd=folder,
                capture_output=True,
                text=True,
                timeout=10,
                check=False,
            )
        except (OSError, subprocess.SubprocessError):
            return None
        return done.stdout.strip() if done.returncode == 0 else None

    revision = git("rev-parse", "HEAD")
    dirty = None
    if revision:
        status = git("status", "--porcelain", "--", ".")
        dirty = bool(status) if status is not None else None
    return {"git_revision": revision, "git_dirty": dirty}


def _versions() -> dict:
    import importlib.metadata as metadata
    import platform

    out = {"python": platform.python_version()}
    for name in VERSIONED_PACKAGES:
        try:
            out[name] = metadata.version(name)
        except metadata.PackageNotFoundError:
            out[name] = None
    return out


def _notebooks_digest(specs: Iterable[NotebookSpec]) -> str:
    digest = hashlib.sha256()
    for spec in sorted(specs, key=lambda s: s.name):
        digest.update(spec.path.name.encode() + b"\0" + spec.path.read_bytes() + b"\0")
    return digest.hexdigest()


def _relative(path: Path, root: Path) -> str:
    try:
        return path.resolve().relative_to(root).as_posix()
    except ValueError:
        return path.name


def _payloads(plan: EvaluationPlan, environment: dict) -> list[dict]:
    period = plan.period
    period_info = {
        "label": period.label,
        "start": period.start.isoformat(),
        "end": period.end.isoformat(),
        "folder": period_folder(period),
    }
    data = {"name": plan.dataset.name, "fingerprint": plan.dataset.fingerprint}
    base = {
        "period": period_info,
        "data": data,
        "data_dir": str(plan.data_dir),
        "business_goal": plan.business_goal,
        "audience": plan.audience,
        "show_code": plan.show_code,
        "force": plan.force,
        "cell_timeout": plan.cell_timeout,
        "environment": environment,
    }

    def values(specialist: str, *, team: bool) -> dict:
        out = {
            "data_dir": str(plan.data_dir),
            "specialist": specialist,
            "period": period.label,
            "business_goal": plan.business_goal or "",
            "interactive": False,
        }
        if team:
            out["audience"] = plan.audience
        return out

    def notebook_items(specs, specialist: str, out_rel: str, title: str) -> list[dict]:
        return [
            {
                "path": str(spec.path),
                "parameters": list(spec.parameters),
                "values": values(specialist, team=spec.name == TEAM_NOTEBOOK),
                "input_label": _relative(spec.path, PROJ_ROOT),
                "output_label": f"{out_rel}/{spec.name}.ipynb",
                "title": title,
            }
            for spec in specs
        ]

    def shown(params: dict) -> dict:
        return {**params, "data_dir": plan.dataset.name}

    payloads = []
    if plan.team is not None and plan.audience == "manager":
        first = plan.specialists[0]
        payloads.append(
            {
                **base,
                "key": TEAM_NOTEBOOK,
                "kind": "team",
                "specialist": None,
                "name": None,
                "target": str(plan.period_dir),
                "parameters": shown(values(first, team=True)),
                "notebooks": notebook_items(
                    [plan.team], first, period_info["folder"], f"team · {period.label}"
                ),
            }
        )
    specs = list(plan.notebooks)
    if plan.team is not None and plan.audience == "specialist":
        specs.append(plan.team)
    for specialist in plan.specialists:
        target = plan.target(specialist)
        rel = target.relative_to(plan.out_dir).as_posix()
        payloads.append(
            {
                **base,
                "key": specialist,
                "kind": "specialist",
                "specialist": specialist,
                "name": plan.names.get(specialist),
                "target": str(target),
                "parameters": shown(values(specialist, team=False)),
                "notebooks": notebook_items(
                    specs, specialist, rel, f"{specialist} · {period.label}"
                ),
            }
        )
    return payloads


class _Progress:
    """Two tqdm bars on stderr (jobs and notebooks); silent when disabled."""

    def __init__(self, plan_jobs: Sequence[dict], enabled: bool) -> None:
        self.enabled = enabled
        self.bars = []
        if enabled:
            from tqdm import tqdm

            total = sum(len(p["notebooks"]) for p in plan_jobs)
            self.jobs = tqdm(
                total=len(plan_jobs), desc="specialists", unit="job", position=0, file=sys.stderr
            )
            self.notebooks = tqdm(
                total=total, desc="notebooks", unit="nb", position=1, file=sys.stderr
            )
            self.bars = [self.jobs, self.notebooks]

    def event(self, event: tuple) -> None:
        if not self.enabled:
            return
        kind = event[0]
        if kind == "notebook":
            _, key, name, status, _seconds = event
            self.notebooks.set_postfix_str(f"{key}: {name} {status}", refresh=False)
            self.notebooks.update(1)
        elif kind == "done":
            self.jobs.update(1)

    def close(self) -> None:
        for bar in reversed(self.bars):
            bar.close()


def _drain(queue, handle: Callable[[tuple], None]) -> None:
    import queue as queue_module

    while True:
        try:
            event = queue.get_nowait()
        except (queue_module.Empty, OSError, EOFError):
            return
        handle(event)


def _run_pool(
    payloads: list[dict], workers: int, config: dict, handle: Callable[[tuple], None]
) -> tuple[dict[str, dict], list[dict], list[dict]]:
    """Run payloads in a process pool.

    Returns
    -------
    (dict, list, list)
        Manifests by job key; payloads whose worker died (to retry); payloads whose job raised
        (a bug: not retried). The last two carry the error under ``_error``.
    """
    import multiprocessing as mp
    from concurrent.futures import FIRST_COMPLETED, ProcessPoolExecutor, wait
    from concurrent.futures.process import BrokenProcessPool

    ctx = mp.get_context("spawn")
    queue = ctx.Queue()
    done: dict[str, dict] = {}
    unfinished: list[dict] = []
    errored: list[dict] = []
    with ProcessPoolExecutor(
        max_workers=workers, mp_context=ctx, initializer=_worker_init, initargs=(queue, config)
    ) as pool:
        futures = {pool.submit(_run_job, p): p for p in payloads}
        pending = set(futures)
        while pending:
            finished, pending = wait(pending, timeout=0.2, return_when=FIRST_COMPLETED)
            _drain(queue, handle)
            for future in finished:
                payload = futures[future]
                try:
                    done[payload["key"]] = future.result()
                except BrokenProcessPool as exc:
                    payload = {**payload, "_error": f"{exc.__class__.__name__}: {exc}"}
                    unfinished.append(payload)
                except Exception as exc:  # a bug in a job: keep the others going
                    payload = {**payload, "_error": f"{exc.__class__.__name__}: {exc}"}
                    errored.append(payload)
    time.sleep(0.05)
    _drain(queue, handle)
    queue.close()
    return done, unfinished, errored


def run_evaluation(plan: EvaluationPlan, *, progress: bool = False) -> EvaluationResult:
    """Run an evaluation planned by :func:`plan_evaluation` (see the module docstring).

    Parameters
    ----------
    plan : EvaluationPlan
    progress : bool, default False
        Show progress bars on stderr.

    Returns
    -------
    EvaluationResult
        Every job's manifest, where the index and manifest are; ``ok`` is False when a notebook
        failed or a job crashed (the command then exits with 1).
    """
    import pickle

    clock = time.perf_counter()
    started = _now()
    specs = [*plan.notebooks, *([plan.team] if plan.team else [])]
    environment = {
        "versions": _versions(),
        "notebooks": {
            "folder": _relative(specs[0].path.parent, PROJ_ROOT),
            "sha256": _notebooks_digest(specs),
            **_git_revision(specs[0].path.parent),
        },
        "kernel": KERNEL_NAME,
    }
    payloads = _payloads(plan, environment)
    workdir = Path(tempfile.mkdtemp(prefix="smmkpi-evaluate-"))
    tmp_folders: dict[str, str] = {}
    bars = _Progress(payloads, progress)

    def handle(event: tuple) -> None:
        if event[0] == "tmp":
            tmp_folders[event[1]] = event[2]
        bars.event(event)

    try:
        pickle_path = workdir / "dataset.pickle"
        pickle_path.write_bytes(pickle.dumps(plan.dataset, protocol=pickle.HIGHEST_PROTOCOL))
        config = {
            "dataset_pickle": str(pickle_path),
            "data_dir": str(plan.data_dir),
            "kernel_cwd": str(workdir),
            # the notebooks' on-disk cache, private to this run: a scorecard one kernel
            # computed (the team notebook computes everyone's) is not computed again
            "kernel_env": {"SMMKPI_CACHE_DIR": str(workdir / "cache")},
        }
        plan.period_dir.mkdir(parents=True, exist_ok=True)
        done, unfinished, errored = _run_pool(payloads, plan.jobs, config, handle)
        failures = list(errored)
        for payload in unfinished:  # a worker died: retry each job alone, once
            _discard(tmp_folders.pop(payload["key"], None))
            retry_done, retry_broken, retry_errored = _run_pool([payload], 1, config, handle)
            done.update(retry_done)
            failures += retry_broken + retry_errored
        crashed: list[dict] = []
        for failed in failures:
            _discard(tmp_folders.pop(failed["key"], None))
            crashed.append(
                {
                    "kind": failed["kind"],
                    "specialist": failed["specialist"],
                    "name": failed.get("name"),
                    "status": "crashed",
                    "error": failed.get("_error"),
                    "notebooks": [],
                }
            )
    finally:
        bars.close()
        shutil.rmtree(workdir, ignore_errors=True)
    jobs = [done[p["key"]] for p in payloads if p["key"] in done] + crashed
    run = {
        "started_at": started,
        "duration_s": round(time.perf_counter() - clock, 3),
        "specialists": list(plan.specialists),
        "workers": plan.jobs,
        "period": payloads[0]["period"],
        "data": payloads[0]["data"],
        "parameters": payloads[-1]["parameters"] | {"specialist": None},
        "show_code": plan.show_code,
        "force": plan.force,
        "environment": environment,
        "status": "ok" if all(j.get("status") == "ok" for j in jobs) else "failed",
    }
    result = EvaluationResult(jobs=jobs)
    if plan.audience == "manager":
        team = done.get(TEAM_NOTEBOOK)
        team_crash = [c for c in crashed if c["kind"] == "team"]
        if team is None and team_crash:
            team = team_crash[0]
        result.index_path, result.manifest_path = rebuild_period(
            plan.period_dir,
            run=run,
            team=team,
            crashed=[c for c in crashed if c["kind"] != "team"],
        )
    else:
        result.manifest_path = _rebuild_packs(plan.period_dir / "specialists", run, crashed)
    result.packs = {s: plan.target(s) for s in plan.specialists if plan.target(s).exists()}
    result.duration_s = round(time.perf_counter() - clock, 3)
    return result


def _discard(folder: str | None) -> None:
    if folder:
        shutil.rmtree(folder, ignore_errors=True)
