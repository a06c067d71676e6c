"""The app: one library, the triage screen, and what is app-wide (theme, settings, help,
command palette, keymap).

The triage itself lives in `MainScreen`; the app stays small.
"""

from __future__ import annotations

import asyncio
from collections.abc import Iterable
from functools import partial
from typing import ClassVar

from textual import events
from textual.app import App, SystemCommand
from textual.binding import BindingType
from textual.dom import DOMNode
from textual.screen import Screen

from reader import saved
from reader.errors import ReaderError
from reader.library import Library
from reader.settings import Settings
from reader.text import one_line
from reader.tui import keyroute, keys
from reader.tui.screens.main import MainScreen


class ReaderApp(App[None]):
    """reader's terminal UI over one library."""

    CSS_PATH = "app.tcss"
    TITLE = "reader"
    HORIZONTAL_BREAKPOINTS = [(0, "-narrow"), (110, "-wide")]

    BINDINGS: ClassVar[list[BindingType]] = keys.bindings(keys.APP)
    """Help and quit (see `reader.tui.keys`); the rest is bound on the screen."""

    def __init__(self, library: Library, *, settings: Settings | None = None) -> None:
        super().__init__()
        self._keys = keyroute.KeyGate(self._send_key, owner=self)
        self._holds = 0
        """Counts `hold_keys` calls, so that only the newest hold's timer ends it."""
        self.library = library
        self.settings = settings or Settings(library.folder)
        library.saved_searches = partial(saved.provider, self.settings)
        theme = self.settings.get("theme")
        if isinstance(theme, str) and theme in self.available_themes:
            self.theme = theme
        self.keymap, self.keymap_problems = keys.keymap_from(self.settings.get("keymap"))
        self.set_keymap(self.keymap)

    def get_default_screen(self) -> Screen:
        """The triage screen is the app's first and lowest screen."""
        sort = str(self.settings.get("sort", "date"))
        place = self.settings.get("place")
        if not (
            isinstance(place, list) and len(place) == 2 and all(isinstance(p, str) for p in place)
        ):
            place = ["", ""]
        show_ids = self.settings.get("show_ids") is True
        return MainScreen(
            self.library,
            sort=sort,
            remember=self.remember,
            place=(place[0], place[1]),
            show_ids=show_ids,
            settings=self.settings,
        )

    async def action_quit(self) -> None:
        """Quit, remembering the filter and the paper under the cursor for next time (and
        syncing first, when the settings name a shared folder)."""
        self.remember("place", list(self.main.place()))
        if self.main.auto_sync.folder is not None:
            self.main.set_status("Syncing before quitting…")
            problem = await asyncio.to_thread(self.main.auto_sync.at_quit, self.main)
            if problem:
                self.exit(message=problem)
                return
        await super().action_quit()

    def on_mount(self) -> None:
        """Remember the theme whenever it changes; say what was wrong with the keymap."""
        self.watch(self, "theme", self._remember_theme, init=False)
        if self.keymap_problems:
            # After the first refresh: the triage screen is composed by then.
            message = f"Keymap: {'; '.join(self.keymap_problems)}"
            self.call_after_refresh(partial(self.main.set_status, message, error=True))

    @property
    def main(self) -> MainScreen:
        """The triage screen (under any dialog that is open)."""
        screen = self.screen_stack[0]
        assert isinstance(screen, MainScreen)
        return screen

    def _remember_theme(self, theme: str) -> None:
        self.remember("theme", theme)

    def remember(self, name: str, value: object) -> None:
        """Save a preference; a failure (a full disk) is said, and the app goes on."""
        try:
            self.settings.set(name, value)
        except ReaderError as error:
            self.main.set_status(f"Not remembered: {error}", error=True)

    async def on_event(self, event: events.Event) -> None:
        """Keys from the terminal go through the gate: one at a time (`keyroute`)."""
        if isinstance(event, events.Key) and not event.is_forwarded:
            await self._keys.receive(event)
            return
        await super().on_event(event)

    async def _send_key(self, event: events.Key) -> DOMNode:
        """Send one key where Textual would, noting where (the gate's `send`)."""
        target = self.focused or self.screen
        keyroute.note_target(event, target)
        self.set_timer(keyroute.STUCK_AFTER, partial(self._key_stuck, self._keys.serial, target))
        await super().on_event(event)
        return target

    async def _key_stuck(self, serial: int, target: DOMNode) -> None:
        # A busy machine only delays the key: wait on. Only a target that is gone (a
        # dialog closed meanwhile) will never hand it back.
        if self._keys.busy and self._keys.serial == serial:
            if target.is_attached and not target._closing:
                self.set_timer(keyroute.STUCK_AFTER, partial(self._key_stuck, serial, target))
                return
            await self._keys.release(serial)

    def hold_keys(self, *, at_most: float = keyroute.HOLD_AT_MOST) -> None:
        """Keep the next keys waiting until `release_keys` (or `at_most` seconds: a slow
        machine delays keys, it never swallows them)."""
        self._keys.hold()
        self._holds += 1
        # The timer of an earlier hold must not end this one early.
        self.set_timer(at_most, partial(self._hold_expired, self._holds))

    async def _hold_expired(self, hold: int) -> None:
        if hold == self._holds:
            await self.release_keys()

    async def release_keys(self) -> None:
        """Send on the keys that waited for `hold_keys`."""
        await self._keys.resume()

    async def on_key_handled(self, message: keyroute.KeyHandled) -> None:
        """The key before has been handled: the next may go."""
        await self._keys.handled(message.serial)

    async def on_key(self, event: events.Key) -> None:
        """A key no widget took: a command, unless the keyboard moved while it waited."""
        if keyroute.redirect(event, self.focused or self.screen):
            event.prevent_default()  # never run as a binding of the widget that lost it

    def action_help(self) -> None:
        """Show every key and the filter syntax."""
        from reader.tui.screens.help import HelpScreen

        self.push_screen(HelpScreen(list(keys.by_section(self.keymap))))

    def get_system_commands(self, screen: Screen) -> Iterable[SystemCommand]:
        """Every action of the app, by name, in the command palette (Ctrl+P)."""
        yield from super().get_system_commands(screen)
        for key in keys.KEYS:
            if key.scope == keys.LIST or key.action in ("escape", "quit") or not key.palette:
                continue
            target = self if key.scope == keys.APP else self.main
            yield SystemCommand(
                f"{key.label}  ({keys.display_keys(self.keymap.get(key.id, key.keys))})",
                key.help,
                partial(target.run_action, key.action),
            )
        yield from self._saved_search_commands()

    def _saved_search_commands(self) -> Iterable[SystemCommand]:
        """Each saved search by name (the number keys reach the first nine)."""
        try:
            searches = saved.load(self.settings)
        except ReaderError:
            return
        for number, search in enumerate(searches, start=1):
            key = f"  ({number})" if number <= 9 else ""
            kind = "Watch list" if search.watch else "Saved search"
            yield SystemCommand(
                f"{kind}: {one_line(search.name)}{key}",
                one_line(search.query),
                partial(self.main.run_action, f"saved_search({number})"),
            )


def make_app(library: Library, *, settings: Settings | None = None) -> ReaderApp:
    """The app on an open library: the CLI and the tests both start here.

    The keymap of the settings file applies (see `reader.tui.keys`).
    """
    return ReaderApp(library, settings=settings)
