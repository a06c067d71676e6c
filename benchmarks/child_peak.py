"""Run a command and report its own wall time and peak memory: `python child_peak.py CMD...`.

Prints one JSON line on standard output, {"seconds": ..., "max_rss_kb": ..., "status": ...,
"cpu_seconds": ...} (the command's user and system time, all its threads); the command's
standard output is discarded and its standard error passes through.

Why a process in between: on Linux a child's `ru_maxrss` starts from the high-water mark
of the process that forked it (the kernel carries it over `exec`), so the benchmark —
holding a million generated papers, 2 GB — made every command it timed look 2 GB big. This
small process forks the command instead: its mark is its own, a few MB.
"""

import json
import os
import subprocess
import sys
import time


def main() -> int:
    started = time.perf_counter()
    process = subprocess.Popen(sys.argv[1:], stdout=subprocess.DEVNULL)
    _, status, usage = os.wait4(process.pid, 0)
    seconds = time.perf_counter() - started
    code = os.waitstatus_to_exitcode(status)
    cpu = usage.ru_utime + usage.ru_stime
    report = {"seconds": seconds, "max_rss_kb": usage.ru_maxrss, "status": code, "cpu_seconds": cpu}
    print(json.dumps(report))
    return code


if __name__ == "__main__":
    raise SystemExit(main())
