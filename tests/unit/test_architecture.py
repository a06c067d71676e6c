"""The layering of STYLE.md, enforced: the core never imports Textual.

The module list is computed from the package, so a new core module is checked the day
it is added.
"""

import pkgutil
import subprocess
import sys
from pathlib import Path

import reader
from reader.library import Library

REPO = Path(__file__).resolve().parents[2]


def core_modules() -> list[str]:
    """Every module of `reader` outside the TUI (the CLI included: only its app command
    imports Textual, lazily)."""
    names = [
        module.name
        for module in pkgutil.walk_packages(reader.__path__, prefix="reader.")
        if not module.name.startswith("reader.tui") and module.name != "reader.__main__"
    ]
    return sorted(names)


def test_the_module_list_is_complete():
    names = core_modules()
    # Spot checks that the walk found the packages and their modules.
    for name in ("reader.cli", "reader.library.sql", "reader.feeds.client", "reader.export.bibtex"):
        assert name in names
    assert len(names) > 30


def test_core_and_cli_do_not_import_textual():
    code = (
        "import sys\n"
        # httpx imports rich for its own command line when click happens to be installed
        # (huggingface_hub brings it with the semantic extra): not reader's import.
        "sys.modules['httpx._main'] = None\n"
        f"for name in {core_modules()!r}:\n"
        "    __import__(name)\n"
        "bad = sorted(m for m in sys.modules if m.split('.')[0] in ('textual', 'rich'))\n"
        "print(','.join(bad))\n"
    )
    done = subprocess.run([sys.executable, "-c", code], capture_output=True, text=True, check=True)
    assert done.stdout.strip() == ""


def test_the_tui_is_the_only_layer_that_imports_textual():
    for path in (REPO / "reader").rglob("*.py"):
        if "tui" in path.relative_to(REPO / "reader").parts:
            continue
        text = path.read_text(encoding="utf-8")
        for line in text.splitlines():
            stripped = line.strip()
            if stripped.startswith(("import textual", "from textual")):
                raise AssertionError(f"{path} imports Textual: {stripped}")


def test_importing_creates_no_files(tmp_path):
    code = "import reader.cli, reader.library, reader.paths; import os; print(os.listdir('.'))"
    done = subprocess.run(
        [sys.executable, "-c", code],
        capture_output=True,
        text=True,
        check=True,
        cwd=tmp_path,
        env={"READER_HOME": str(tmp_path / "home"), "PYTHONPATH": str(REPO)},
    )
    assert done.stdout.strip() == "[]"
    assert not (tmp_path / "home").exists()


def _modules_loaded_by(setup: str, *, prefixes: tuple[str, ...]) -> list[str]:
    """The modules (or packages, by their first name) among `prefixes` that running
    `setup` in a fresh interpreter loads."""
    code = (
        f"import sys\n{setup}\n"
        f"wanted = {prefixes!r}\n"
        "loaded = [m for m in sys.modules if m in wanted or m.split('.')[0] in wanted]\n"
        "print(','.join(sorted(loaded)))\n"
    )
    done = subprocess.run([sys.executable, "-c", code], capture_output=True, text=True, check=True)
    return [name for name in done.stdout.strip().split(",") if name]


def test_building_the_command_line_loads_no_http_client_or_ranking():
    # `reader list` must start fast: the parser of every command is built on each run.
    setup = "from reader.cli import build_parser\nbuild_parser()"
    heavy = ("httpx", "numpy", "scipy", "textual", "tomlkit")
    assert _modules_loaded_by(setup, prefixes=heavy) == []


def test_opening_the_app_loads_nothing_the_first_painted_list_does_not_need(
    sample_library: Library, tmp_path: Path
):
    # What the first painted list does not need loads at its first use: the import
    # dialogs (a paste box, a directory tree) and the feed readers at the first import
    # key, the triage helpers and their confirmation dialog at the first triage key, the
    # note and tag editors (Textual's TextArea) and the sharing helpers (clipboard,
    # exporters, browser) at their keys, the sync engine at the first sync, the TOML
    # reader when there is a settings file. Together they were half of reader's own
    # imports on the way to the first painted list. The app is really opened (with a
    # starred paper and the sync settings read), not only imported: the screen's start
    # imports too.
    sample_library.set_starred(sample_library.keys(sort="date")[:1], True)
    folder = sample_library.folder
    sample_library.close()
    setup = f"""
import asyncio
from pathlib import Path
from reader.library import Library
from reader.settings import Settings
from reader.tui.app import make_app

async def first_paint() -> None:
    folder = Path({str(folder)!r})
    app = make_app(Library(folder), settings=Settings(folder))
    async with app.run_test(size=(100, 30)) as pilot:
        while app.main.paper_list.row_count == 0:
            await pilot.pause(0.01)
        await pilot.pause()
        lines = [app.main.paper_list.render_line(y).text for y in range(25)]
        assert any("★" in line for line in lines), "the starred paper shows no star"

asyncio.run(first_paint())
"""
    lazy = (
        "reader.tui.importing",
        "reader.importing",
        "reader.sources",
        "reader.tui.screens.paste",
        "reader.tui.triage",
        "reader.tui.screens.confirm",
        "reader.tui.screens.dialog",
        "reader.tui.screens.reading",
        "reader.tui.screens.note_editor",
        "reader.tui.screens.tag_editor",
        "reader.tui.sharing",
        "reader.clipboard",
        "reader.export",
        "reader.cite",
        "reader.sync.engine",
        "reader.sync.status",
        "reader.sync.record",
        "reader.sync.merge",
        "textual.widgets._text_area",
        "tomllib",
    )
    assert _modules_loaded_by(setup, prefixes=lazy) == []
