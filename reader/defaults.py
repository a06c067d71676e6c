"""Defaults the command line's parser shows, in a module that imports nothing: building
the parser must not load the feeds' HTTP client (`reader list` starts in a tenth of a
second because of it)."""

ARXIV_SUBSCRIPTION_MAX = 100
"""The most papers one run of an arXiv search subscription brings, by default."""
