"""Fixtures of the command-line tests."""

from tests.cli.daily_server import feeds  # noqa: F401 - the loopback feeds
from tests.unit.test_feeds import server  # noqa: F401 - the fake server under `feeds`
