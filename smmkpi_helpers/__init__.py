"""smmkpi: judge the work of social media marketing specialists fairly.

The package computes; the notebooks narrate. Public entry points:

- :func:`load_dataset` (``smmkpi_helpers.dataset``): load and validate a dataset folder;
- :func:`parse_period` (``smmkpi_helpers.periods``): period labels and comparison periods;
- :func:`build_scope` (``smmkpi_helpers.scope``): a specialist's account-days in a period.
"""

from .dataset import Dataset, load_dataset
from .errors import SmmKpiError
from .periods import Period, parse_period
from .scope import Scope, build_scope

__version__ = "0.1.0"

__all__ = [
    "Dataset",
    "Period",
    "Scope",
    "SmmKpiError",
    "__version__",
    "build_scope",
    "load_dataset",
    "parse_period",
]
