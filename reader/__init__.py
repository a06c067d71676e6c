"""reader: triage the flood of new research papers from the terminal."""

__version__ = "0.1.0"
