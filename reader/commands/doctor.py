"""`reader doctor`: check the library's files; restore or rebuild what is damaged."""

from __future__ import annotations

import argparse
import sys
from pathlib import Path

from reader.text import plural


def doctor(folder: Path, args: argparse.Namespace) -> int:
    from reader.library.doctor import Doctor

    def waiting() -> None:
        print("reader: waiting for another reader process…", file=sys.stderr, flush=True)

    doctor = Doctor(folder, on_wait=waiting)
    found = doctor.examine()
    for line in found.findings:
        print(line)
    # Not checked is not in order: the line above says what to do (room on the disk).
    healthy, repaired = not found.unchecked, False
    if found.state_damaged:
        if found.backup_time is None:
            print(f"No usable backup: move {doctor.state_path} aside to start with no state.")
            healthy = False
        elif confirm(f"Restore the state from the backup of {found.backup_time}?", args.yes):
            restored = doctor.restore_state()
            repaired = True
            if restored is None:
                print("The state file is sound by now: nothing restored.")
            elif restored.aside is None:
                print("Restored the state from the backup.")
            else:
                print(
                    f"Restored the state from the backup; the damaged file is now {restored.aside}."
                )
        else:
            healthy = False
    if found.journal_damaged:
        question = "Keep the journal's readable changes and set the damaged file aside?"
        if confirm(question, args.yes):
            salvaged = doctor.salvage_journal()
            repaired = True
            if salvaged is None:
                print("The journal is sound by now: nothing to salvage.")
            else:
                dropped = plural(salvaged.dropped, "unreadable line")
                if salvaged.unfinished:
                    dropped += " and an unfinished last line"
                print(
                    f"Kept {plural(salvaged.kept, 'change')}; dropped {dropped};"
                    f" the damaged journal is now {salvaged.aside}."
                )
        else:
            healthy = False
    if found.catalog_damaged:
        if args.rebuild_catalog:
            aside = doctor.rebuild_catalog()
            # The ranking's vectors are derived from the catalog: they follow it.
            doctor.rebuild_ranking(unreadable=False)
            repaired = True
            print(
                f"Started an empty catalog; the damaged one is now {aside}. Your read, starred,"
                " notes and tags are kept: re-import or fetch your papers to see them again."
            )
        else:
            print("Run `reader doctor --rebuild-catalog` to start an empty catalog (state is kept)")
            healthy = False
    elif args.rebuild_catalog:
        print("The catalog is not damaged: nothing rebuilt.")
    if found.index_damaged and not found.catalog_damaged:
        # Derived from the papers table, so rebuilding it loses nothing: no need to ask.
        doctor.rebuild_index()
        repaired = True
        print("Rebuilt the full-text index.")
    if found.ranking_stale and not found.catalog_damaged:
        # Derived from the catalog too: rebuilt without asking.
        ranking_aside = doctor.rebuild_ranking(found.ranking_unreadable)
        repaired = True
        kept = f"; the damaged file is now {ranking_aside}" if ranking_aside else ""
        print(f"Rebuilt the ranking vectors{kept}.")
    # "In order" only once the repaired files pass the same checks again.
    if healthy and repaired and not doctor.examine().healthy:
        print("Not everything could be repaired: run `reader doctor` to see what is left.")
        healthy = False
    if healthy:
        print("Everything is in order.")
    return 0 if healthy else 1


def confirm(question: str, assume_yes: bool) -> bool:
    """Ask on the terminal; without one (and without --yes), do nothing and say how."""
    if assume_yes:
        return True
    if not sys.stdin.isatty():
        print(f"{question} Not done: no terminal to ask on; run `reader doctor --yes` to do it.")
        return False
    return input(f"{question} [y/N] ").strip().lower() in ("y", "yes")
