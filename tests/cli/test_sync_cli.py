"""`reader sync DIR`, the `sync_dir` setting, `--status`, conflict copies in `reader show`,
and `reader serve`'s refusal of a public address without `--public`."""

from __future__ import annotations

import json
from pathlib import Path

import pytest

from reader.cli import main
from tests.conftest import Run


@pytest.fixture
def shared(tmp_path: Path) -> Path:
    folder = tmp_path / "shared"
    folder.mkdir()
    return folder


@pytest.fixture
def other(tmp_path: Path, capsys: pytest.CaptureFixture[str]) -> Run:
    return Run(tmp_path / "other", capsys)


def _first_key(run: Run) -> str:
    return str(json.loads(run("list", "--json")[1])[0]["key"])


def test_sync_sends_and_receives_and_says_so(imported: Run, other: Run, shared: Path) -> None:
    key = _first_key(imported)
    assert imported("mark", key, "--star")[0] == 0
    code, out, err = imported("sync", str(shared))
    assert code == 0, err
    assert out.startswith("Synced with no other device yet: sent 1 change and 93 papers")
    code, out, _ = other("sync", str(shared))
    assert code == 0
    assert "Synced with 1 other device" in out and "received 93 papers" in out
    assert "1 paper changed here" in out
    assert json.loads(other("show", key, "--json")[1])["paper"]["starred"] is True


def test_sync_dir_setting_and_status(
    imported: Run, other: Run, shared: Path, tmp_path: Path
) -> None:
    code, _, err = imported("sync")
    assert (
        code == 1
        and err == "reader: error: name the shared folder: `reader sync DIR`, or set sync_dir\n"
    )
    (tmp_path / "config").mkdir(exist_ok=True)
    (tmp_path / "config" / "config.toml").write_text(f'sync_dir = "{shared}"\n')
    code, out, _ = imported("sync", "--status")
    assert code == 0 and "Never synced." in out and f"Shared folder: {shared}" in out
    assert imported("sync")[0] == 0
    assert other("sync")[0] == 0
    assert imported("mark", _first_key(imported), "--read")[0] == 0
    code, out, _ = imported("sync", "--status")
    assert code == 0
    assert "Last sync: " in out and "Not sent yet: 1 change" in out
    assert out.count("Device ") == 1 and "last synced 20" in out


def test_status_names_a_removed_device(imported: Run, other: Run, shared: Path) -> None:
    assert imported("sync", str(shared))[0] == 0
    assert other("sync", str(shared))[0] == 0
    assert imported("sync", str(shared))[0] == 0
    device = json.loads((other.folder / "sync.json").read_text())["device"]
    import shutil

    shutil.rmtree(shared / device)
    code, out, _ = imported("sync", str(shared))
    assert code == 0 and f"Gone from the folder: {device}" in out
    code, out, _ = imported("sync", "--status", str(shared))
    assert f"Device {device}" in out and "removed from the folder" in out


def test_show_prints_the_conflict_copy_of_a_note(imported: Run, other: Run, shared: Path) -> None:
    key = _first_key(imported)
    imported("sync", str(shared))
    other("sync", str(shared))
    assert imported("note", key, "written here")[0] == 0
    assert other("note", key, "written there\x1b[31m")[0] == 0
    imported("sync", str(shared))
    code, out, _ = other("sync", str(shared))
    assert f"Note conflict: {key}" in out
    imported("sync", str(shared))
    for run in (imported, other):
        code, out, _ = run("show", key)
        assert code == 0 and "Conflict copy of the note (from " in out
        assert "written here" in out and "written there" in out
        assert "\x1b" not in out, "a note from another device is printed sanitized"
        shown = json.loads(run("show", key, "--json")[1])
        assert len(shown["note_conflicts"]) == 1


def test_a_missing_folder_is_one_line(imported: Run, tmp_path: Path) -> None:
    code, out, err = imported("sync", str(tmp_path / "nowhere"))
    assert code == 1 and out == ""
    assert err.startswith("reader: error: the sync folder") and err.count("\n") == 1


def test_a_damaged_sync_record_is_one_line_and_kept(imported: Run, shared: Path) -> None:
    imported("sync", str(shared))
    record = imported.folder / "sync.json"
    record.write_text("{not json")
    code, _, err = imported("sync", str(shared))
    assert code == 1 and "sync.json is damaged" in err and err.count("\n") == 1
    assert record.read_text() == "{not json"


def test_serve_refuses_a_public_address_without_the_flag(
    tmp_path: Path, capsys: pytest.CaptureFixture[str]
) -> None:
    code = main(["serve", "--host", "0.0.0.0", "--library", str(tmp_path / "lib")])
    err = capsys.readouterr().err
    assert code == 1
    assert "anyone who can reach the port" in err and "--public" in err and err.count("\n") == 1
    assert main(["serve", "--port", "70000", "--library", str(tmp_path / "lib")]) == 1


def test_serve_on_a_public_address_with_the_flag_warns(
    tmp_path: Path, capsys: pytest.CaptureFixture[str], monkeypatch: pytest.MonkeyPatch
) -> None:
    from reader.tui import serve

    served: list[tuple[object, ...]] = []
    monkeypatch.setattr(serve, "serve_app", lambda *given: served.append(given))
    library = tmp_path / "lib"
    assert main(["serve", "--host", "0.0.0.0", "--public", "--library", str(library)]) == 0
    err = capsys.readouterr().err
    assert err.startswith("reader: warning: serving on 0.0.0.0:8000: anyone who can reach")
    assert served == [(library, "0.0.0.0", 8000, None)]
    # The default is this machine only, without a warning.
    assert main(["serve", "--library", str(library)]) == 0
    assert capsys.readouterr().err == ""
    assert served[-1] == (library, "127.0.0.1", 8000, None)
