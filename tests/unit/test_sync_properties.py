"""The sync's promise, tried on random histories: three devices, one shared folder.

Each device changes fields of the same few papers, syncs now and then, and the files its
syncs write reach the other devices in random order, in pieces (a transfer half done),
duplicated under a sync tool's "conflict copy" name, or not at all until the end. After
everything has arrived and every device has synced, all three libraries hold the same
state, and each field holds the last value anyone gave it (the changes before it were
overwritten by a later one; none is lost). Setting a field to the value it already holds
on that device is no change, as everywhere in reader.
"""

from __future__ import annotations

from pathlib import Path
from tempfile import TemporaryDirectory

import pytest
from hypothesis import HealthCheck, given, settings
from hypothesis import strategies as st

from tests.unit.sync_helpers import Clock, Device, deliver, deliver_all

pytestmark = pytest.mark.slow  # a few seconds: dozens of histories of real syncs

KEYS = ("2401.00001", "2401.00002", "2401.00003")
VALUES = {
    "read": st.booleans(),
    "starred": st.booleans(),
    "dismissed": st.booleans(),
    "note": st.sampled_from(["", "first idea", "second idea", "ünïcode ✓", "a\nb"]),
    "tags": st.lists(st.sampled_from(["vla", "rl", "survey"]), max_size=3, unique=True).map(tuple),
}

change = st.tuples(
    st.just("change"),
    st.integers(0, 2),
    st.sampled_from(KEYS),
    st.sampled_from(sorted(VALUES)),
).flatmap(lambda c: st.tuples(*map(st.just, c), VALUES[c[3]]))
sync_step = st.tuples(st.just("sync"), st.integers(0, 2))
delivery = st.tuples(
    st.just("deliver"),
    st.integers(0, 2),
    st.integers(0, 2),
    st.integers(0, 50),
    st.sampled_from([None, 0.3, 0.7, "duplicate"]),
)
steps = st.lists(st.one_of(change, change, sync_step, delivery), min_size=1, max_size=30)


def _run(history: list[tuple[object, ...]], skews: tuple[int, int, int]) -> None:
    with TemporaryDirectory() as folder:
        clock = Clock()
        devices = [Device(Path(folder), f"d{n}", clock, skews[n]) for n in range(3)]
        last: dict[tuple[str, str], object] = {}
        try:
            for step in history:
                clock.seconds += 1
                if step[0] == "change":
                    _, who, key, name, value = step
                    if devices[who].set(key, name, value):  # type: ignore[index, arg-type]
                        last[(key, name)] = value  # type: ignore[index]
                elif step[0] == "sync":
                    devices[step[1]].sync()  # type: ignore[index]
                else:
                    _, source, target, pick, how = step
                    _deliver_some(devices[source], devices[target], pick, how)  # type: ignore[index, arg-type]
            for _ in range(2):
                clock.seconds += 1
                for device in devices:
                    device.sync()
                deliver_all(devices)
            states = [device.state() for device in devices]
            conflicts = [_conflicts(device) for device in devices]
        finally:
            for device in devices:
                device.close()
    assert states[0] == states[1] == states[2], "the devices did not converge"
    assert conflicts[0] == conflicts[1] == conflicts[2], "conflict copies differ"
    if skews == (0, 0, 0):
        fields = ("read", "starred", "note", "tags", "dismissed")
        for (key, name), value in last.items():
            held = states[0].get(key)
            got = held[fields.index(name)] if held else _default(name)
            assert got == value, f"{key} {name}: the last change ({value!r}) was lost"


def _deliver_some(source: Device, target: Device, pick: int, how: object) -> None:
    if source is target:
        return
    files = source.own_files()
    if not files:
        return
    file = files[pick % len(files)]
    if how == "duplicate":
        copy = deliver(source, target, file)
        stem = file.name.removesuffix(".jsonl")
        copy.rename(copy.with_name(f"{stem}.sync-conflict-20270101-120000-ABCDEFG.jsonl"))
        deliver(source, target, file)
    elif isinstance(how, float):
        deliver(source, target, file, cut=int(file.stat().st_size * how))
    else:
        deliver(source, target, file)


def _conflicts(device: Device) -> dict[str, list[str]]:
    return {
        key: sorted(copy.note for copy in device.library.note_conflicts(key))
        for key in KEYS
        if device.library.note_conflicts(key)
    }


def _default(name: str) -> object:
    return {"note": "", "tags": ()}.get(name, False)


@settings(max_examples=25, deadline=None, suppress_health_check=[HealthCheck.too_slow])
@given(steps)
def test_three_devices_converge_and_keep_every_last_change(
    history: list[tuple[object, ...]],
) -> None:
    _run(history, (0, 0, 0))


@settings(max_examples=10, deadline=None, suppress_health_check=[HealthCheck.too_slow])
@given(
    steps, st.tuples(st.just(0), st.sampled_from([0, -4 * 3600, 3 * 3600]), st.integers(-99, 99))
)
def test_devices_with_clocks_hours_off_still_converge(
    history: list[tuple[object, ...]], skews: tuple[int, int, int]
) -> None:
    _run(history, skews)
