"""The settings file: TOML read with tomllib, changed with tomlkit (comments kept), locked
read-modify-write across processes, broken files reported and never overwritten, and the
migration of a library's old settings.json."""

from __future__ import annotations

import json
import os
import subprocess
import sys
import tomllib
from pathlib import Path

import pytest
from hypothesis import given, settings
from hypothesis import strategies as st

from reader.config import ConfigError, config_path
from reader.settings import Settings
from tests.conftest import REPO


def test_the_config_folder_comes_from_the_environment(tmp_path: Path):
    assert config_path() == tmp_path / "config" / "config.toml"
    assert config_path({"READER_CONFIG": "/x/y"}) == Path("/x/y/config.toml")
    assert Settings().path == tmp_path / "config" / "config.toml"


def test_set_and_get_keep_the_users_comments_and_layout():
    path = Settings().path
    path.parent.mkdir(parents=True)
    original = (
        "# My reader settings\n"
        'theme = "nord"   # dark, but not too dark\n'
        "\n"
        "[saved.causal]\n"
        "# the search I run every morning\n"
        'query = "causal"\n'
    )
    path.write_text(original, encoding="utf-8")
    settings = Settings()
    settings.set("sort", "title")
    settings.set_entry("saved", "vision", {"query": "vision", "watch": True})
    text = path.read_text(encoding="utf-8")
    assert text.startswith('# My reader settings\ntheme = "nord"   # dark, but not too dark\n')
    assert "# the search I run every morning\n" in text
    assert tomllib.loads(text) == {
        "theme": "nord",
        "sort": "title",
        "saved": {"causal": {"query": "causal"}, "vision": {"query": "vision", "watch": True}},
    }
    settings.set("sort", None)
    settings.set_entry("saved", "vision", None)
    # Back to the user's text (tomlkit leaves the blank line that stood before the entry).
    assert path.read_text(encoding="utf-8") == original + "\n"


def test_a_stale_copy_never_overwrites_another_change():
    first, second = Settings(), Settings()
    assert first.get("theme") is None and second.get("sort") is None
    first.set("theme", "nord")
    second.set("sort", "title")  # second never saw the theme: it must keep it anyway
    assert Settings().get("theme") == "nord" and Settings().get("sort") == "title"
    assert first.get("sort") == "title"  # and a change on disk is seen on the next get


@pytest.mark.slow
def test_processes_changing_settings_at_once_lose_nothing(tmp_path: Path):
    script = (
        "import sys\nfrom reader.settings import Settings\n"
        "for n in range(15):\n    Settings().set(f'{sys.argv[1]}{n}', n)\n"
    )
    env = {**os.environ, "PYTHONPATH": str(REPO)}
    writers = [
        subprocess.Popen([sys.executable, "-c", script, name], env=env) for name in ("a", "b")
    ]
    assert all(writer.wait(timeout=120) == 0 for writer in writers)
    data = tomllib.loads(Settings().path.read_text(encoding="utf-8"))
    assert data == {f"{name}{n}": n for name in ("a", "b") for n in range(15)}


@pytest.mark.parametrize(
    ("content", "message"),
    [
        (b'theme = "unclosed\n', "is not valid TOML: "),
        (b"theme = 1\ntheme = 2\n", "is not valid TOML: "),
        (b"\xff\xfe theme", "is not UTF-8 text"),
        (b"x = " + b"[" * 5000 + b"]" * 5000 + b"\n", "nested too deeply"),
        (b"# " + b"x" * (2 * 1024 * 1024), "is larger than 1024 KiB"),
    ],
    ids=["unclosed", "twice", "binary", "deep", "huge"],
)
def test_a_broken_file_is_one_line_and_never_overwritten(content: bytes, message: str):
    path = Settings().path
    path.parent.mkdir(parents=True)
    path.write_bytes(content)
    settings = Settings()
    with pytest.raises(ConfigError) as caught:
        settings.get("theme")
    assert message in str(caught.value) and "\n" not in str(caught.value)
    with pytest.raises(ConfigError):
        settings.set("theme", "nord")
    assert path.read_bytes() == content


def test_a_folder_where_the_file_should_be_is_an_error():
    Settings().path.mkdir(parents=True)
    with pytest.raises(ConfigError, match=r"cannot read|not a regular file"):
        Settings().get("theme")


@settings(max_examples=60, deadline=None)
@given(
    value=st.text(alphabet=st.characters(blacklist_categories=["Cs"]), max_size=40)
    | st.integers(min_value=-(2**63), max_value=2**63 - 1)
    | st.booleans()
    | st.floats(allow_nan=False)
    | st.dictionaries(st.text(min_size=1, max_size=5), st.text(max_size=5), max_size=3)
)
def test_any_value_reads_back_as_it_was_set(value: object):
    settings = Settings()
    settings.set("value", value)
    assert Settings().get("value") == value


def test_a_value_that_is_no_valid_text_is_refused_and_changes_nothing():
    settings = Settings()
    settings.set("theme", "nord")
    before = settings.path.read_bytes()
    with pytest.raises(ConfigError, match="not valid text"):
        settings.set("theme", "bad \ud800 surrogate")
    assert settings.path.read_bytes() == before


# --- migration of a library's settings.json ------------------------------------------------


def test_migration_keeps_every_setting_and_a_backup(tmp_path: Path):
    library = tmp_path / "lib"
    library.mkdir()
    old = {"theme": "dracula", "sort": "title", "keymap": {"star": "f5"}, "odd": [1, None]}
    (library / "settings.json").write_text(json.dumps(old), encoding="utf-8")
    Settings().set("theme", "nord")
    settings = Settings(library)
    assert settings.get("theme") == "nord"  # the config file's own value wins...
    assert settings.get("sort") == "title" and settings.get("keymap") == {"star": "f5"}
    text = settings.path.read_text(encoding="utf-8")
    assert '#   theme = "dracula"' in text  # ...and the other is kept, as a comment
    assert "#   odd = [1, null]" in text  # as is what TOML cannot hold
    assert not (library / "settings.json").exists()
    assert json.loads((library / "settings.json.migrated").read_text()) == old
    # A second library's file joins too, with a backup of its own.
    other = tmp_path / "lib2"
    other.mkdir()
    (other / "settings.json").write_text('{"hf_url": "https://hf.example.org"}')
    assert Settings(other).get("hf_url") == "https://hf.example.org"
    assert (other / "settings.json.migrated").exists()
    tomllib.loads(Settings().path.read_text(encoding="utf-8"))  # still valid TOML


def test_an_unreadable_old_file_is_left_alone(tmp_path: Path):
    (tmp_path / "settings.json").write_text("{not json", encoding="utf-8")
    assert Settings(tmp_path).get("theme") is None
    assert (tmp_path / "settings.json").read_text() == "{not json"


def test_when_the_config_file_is_broken_the_old_settings_stay_where_they_are(tmp_path: Path):
    (tmp_path / "settings.json").write_text('{"theme": "dracula"}', encoding="utf-8")
    path = Settings().path
    path.parent.mkdir(parents=True)
    path.write_text("broken = \n", encoding="utf-8")
    Settings(tmp_path)  # does not raise: the migration waits for a sound file
    assert (tmp_path / "settings.json").exists()
    path.write_text("", encoding="utf-8")
    assert Settings(tmp_path).get("theme") == "dracula"
    assert not (tmp_path / "settings.json").exists()


def test_a_migrated_backup_is_never_overwritten(tmp_path: Path):
    (tmp_path / "settings.json.migrated").write_text("first backup")
    (tmp_path / "settings.json").write_text('{"sort": "title"}')
    Settings(tmp_path)
    assert (tmp_path / "settings.json.migrated").read_text() == "first backup"
    assert (tmp_path / "settings.json.migrated.1").read_text() == '{"sort": "title"}'


def test_where_a_session_ended_stays_with_its_library(tmp_path: Path):
    first, second = tmp_path / "first", tmp_path / "second"
    first.mkdir()
    second.mkdir()
    Settings(first).set("place", ["causal", "2606.11409"])
    Settings(first).set("sort", "title")
    assert Settings(first).get("place") == ["causal", "2606.11409"]
    assert Settings(second).get("place") is None  # another library: its own place
    assert Settings(second).get("sort") == "title"  # the user's preference: everywhere
    assert "place" not in Settings().path.read_text(encoding="utf-8")
    # An old settings.json's place moves to its library's session, not to the config.
    third = tmp_path / "third"
    third.mkdir()
    (third / "settings.json").write_text('{"place": ["x", "k"], "theme": "nord"}')
    assert Settings(third).get("place") == ["x", "k"]
    assert json.loads((third / "session.json").read_text()) == {"place": ["x", "k"]}
    assert Settings().get("theme") == "nord" and Settings().get("place") is None
