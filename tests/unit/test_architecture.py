"""The layering of STYLE.md, enforced: the core never imports Textual."""

import subprocess
import sys

CORE_MODULES = [
    "reader.cli",
    "reader.model",
    "reader.identity",
    "reader.query",
    "reader.library",
    "reader.sources.detect",
    "reader.sources.hfpage",
    "reader.sources.jsonl",
    "reader.export",
    "reader.serialize",
    "reader.render",
    "reader.fileio",
    "reader.paths",
    "reader.feeds",
    "reader.sources.hfapi",
    "reader.sources.arxiv",
    "reader.sources.bibtex",
    "reader.export.bibtex",
]


def test_core_and_cli_do_not_import_textual():
    code = (
        "import sys\n"
        f"for name in {CORE_MODULES!r}:\n"
        "    __import__(name)\n"
        "bad = sorted(m for m in sys.modules if m.split('.')[0] in ('textual', 'rich'))\n"
        "print(','.join(bad))\n"
    )
    done = subprocess.run([sys.executable, "-c", code], capture_output=True, text=True, check=True)
    assert done.stdout.strip() == ""


def test_importing_creates_no_files(tmp_path):
    code = "import reader.cli, reader.library, reader.paths; import os; print(os.listdir('.'))"
    done = subprocess.run(
        [sys.executable, "-c", code],
        capture_output=True,
        text=True,
        check=True,
        cwd=tmp_path,
        env={
            "READER_HOME": str(tmp_path / "home"),
            "PYTHONPATH": str(__import__("pathlib").Path(__file__).resolve().parents[2]),
        },
    )
    assert done.stdout.strip() == "[]"
    assert not (tmp_path / "home").exists()
