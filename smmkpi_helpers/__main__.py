"""``python -m smmkpi_helpers`` runs the smmkpi command."""

import sys

from .cli import main

sys.exit(main())
