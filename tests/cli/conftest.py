"""Fixtures of the command-line tests."""

from tests.cli.daily_server import feeds  # noqa: F401 - the loopback feeds, for the tests here
