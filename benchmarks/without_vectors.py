"""`reader` with the ranking's vectors switched off: the baseline of the import figure.

    python -m benchmarks.without_vectors import PAGE --library DIR

Runs the real command line with `Ranking.prepare` and `Ranking.add` made no-ops, so the
benchmark can tell what building the text representation during an import costs.
"""

from __future__ import annotations

import sys

from reader.cli import main
from reader.ranking import Ranking


def _nothing(*_: object, **__: object) -> None:
    return None


if __name__ == "__main__":
    Ranking.prepare = _nothing  # type: ignore[assignment,method-assign]
    Ranking.add = _nothing  # type: ignore[method-assign]
    raise SystemExit(main(sys.argv[1:]))
