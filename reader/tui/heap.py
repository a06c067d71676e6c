"""Python's full garbage collections kept off the keys, once the app's heap is settled.

Sorted for you, with 100,000 papers, the heap holds Textual, numpy, scipy and the
ranking's objects, and a full collection walks all of them: about 130 ms of the UI
thread, every few stars, wherever it falls (measured: 4 in 20 stars, each on the way
from the key to the repainted list). Those objects live as long as the app. Once they
are all loaded (the vectors and the optimizer, after "for you" is first shown), one
collection clears what is garbage and `gc.freeze` moves the rest out of the collector's
sight: later collections walk only what was made since.
"""

from __future__ import annotations

import gc

_settled = False


def settle_long_lived() -> bool:
    """Collect once, then freeze what is left (once per process); True the first time."""
    global _settled
    if _settled:
        return False
    _settled = True
    gc.collect()
    gc.freeze()
    return True
