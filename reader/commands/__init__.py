"""The handlers of the `reader` commands, one module per group; `reader.cli` parses the
arguments and dispatches here. Each handler gets the parsed arguments (and the open
library, for the commands that work on one) and returns the exit status."""
