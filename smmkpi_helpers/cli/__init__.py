"""The smmkpi command (placeholder until the CLI lands)."""


def main(argv=None) -> int:  # pragma: no cover - replaced below
    return 0
