"""Readers of every input format. Each turns text into `Incoming` papers; none touches storage."""
