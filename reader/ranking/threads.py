"""One BLAS thread for the ranking.

numpy and scipy come with OpenBLAS, which starts a thread per processor and, after each
operation, keeps them spinning for more. The ranking's BLAS calls are small (the
optimizer's steps over some tens of thousands of weights): the extra threads brought
nothing but took a processor from the app's own threads, about 35 ms at every star
sorted for you at 100,000 papers, and with one thread the search worker itself spent
less (30 ms against 41 ms, measured in one session).
"""

from __future__ import annotations

_limited = False


def one_blas_thread() -> None:
    """Limit the BLAS libraries loaded now to one thread (once, after scipy is loaded)."""
    global _limited
    if _limited:
        return
    from threadpoolctl import threadpool_limits

    threadpool_limits(limits=1, user_api="blas")
    _limited = True
