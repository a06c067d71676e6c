"""`reader sync` (with a shared folder, or `--status`) and `reader serve`."""

from __future__ import annotations

import argparse
from pathlib import Path
from typing import TYPE_CHECKING

from reader.errors import ReaderError
from reader.text import plural

if TYPE_CHECKING:
    from reader.library import Library
    from reader.sync.status import SyncStatus


def sync(library: Library, args: argparse.Namespace) -> int:
    """Sync with DIR (or the `sync_dir` setting); `--status` only reports."""
    from reader.settings import Settings
    from reader.sync import status as sync_status
    from reader.sync.engine import sync as run_sync
    from reader.sync.settings import sync_folder

    folder = Path(args.dir) if args.dir else sync_folder(Settings(library.folder))
    if args.status:
        print_status(sync_status.status(library, folder))
        return 0
    if folder is None:
        raise ReaderError("name the shared folder: `reader sync DIR`, or set sync_dir")
    report = run_sync(library, folder)
    others = plural(len(report.devices), "other device")
    print(
        f"Synced with {others if report.devices else 'no other device yet'}:"
        f" sent {plural(report.sent, 'change')} and {plural(report.papers_sent, 'paper')},"
        f" received {plural(report.papers_received, 'paper')};"
        f" {plural(report.received, 'paper')} changed here."
    )
    for key in report.conflicts:
        print(f"Note conflict: {key} has a conflict copy of its note (reader show {key}).")
    if report.incomplete:
        print(f"Still arriving: {plural(len(report.incomplete), 'file')} (read again next sync).")
    if report.removed:
        print(f"Gone from the folder: {', '.join(report.removed)} (their changes are kept).")
    return 0


def print_status(status: SyncStatus) -> None:
    """Print `reader sync --status`."""
    print(f"This library: device {status.device}")
    print(f"Shared folder: {status.folder or 'none yet (reader sync DIR, or sync_dir)'}")
    if not status.synced_before:
        print("Never synced.")
    else:
        print(f"Last sync: {status.last_sync}")
    print(f"Not sent yet: {plural(status.pending, 'change')}")
    if status.conflicts:
        print(f"Notes with conflict copies: {status.conflicts}")
    if not status.devices:
        print("No other device seen.")
    for device in status.devices:
        name = f" ({device.name})" if device.name else ""
        where = "" if device.present else f"; removed from the folder (last seen {device.seen})"
        synced = device.synced or "never"
        arriving = ""
        if device.incomplete:
            arriving = f"; {plural(device.incomplete, 'file')} still arriving"
        print(f"Device {device.device}{name}: last synced {synced}{where}{arriving}")


def serve(folder: Path, args: argparse.Namespace) -> int:
    """Serve the app on the library to web browsers (textual-serve): each browser tab
    runs its own app over the library, like another terminal would."""
    import sys

    host, port = args.host, args.port
    if not 0 < port < 65536:
        raise ReaderError(f"--port must be from 1 to 65535, not {port}")
    local = is_loopback(host)
    if not local and not args.public:
        raise ReaderError(
            f"{host} is reachable from other machines and anyone who can reach the port can"
            " use your library; add --public to serve on it anyway"
        )
    if not local:
        print(
            f"reader: warning: serving on {host}:{port}: anyone who can reach this port can"
            " read and change your library (there is no password)",
            file=sys.stderr,
        )
    from reader.tui.serve import serve_app

    serve_app(folder, host, port, args.url)
    return 0


def is_loopback(host: str) -> bool:
    """Whether `host` is this machine's own address (only local programs can reach it)."""
    import ipaddress

    if host.casefold() == "localhost":
        return True
    try:
        return ipaddress.ip_address(host.strip("[]")).is_loopback
    except ValueError:
        return False
