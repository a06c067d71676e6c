"""Keystrokes always reach the widget the user sees focused, even in a fast burst.

Textual sends each key to the widget that has the focus when the key is read, and checks
bindings when the key comes back up unhandled. In a burst (a paste, fast typing, a
terminal that sends a whole word in one write) the keys after `/` or `t` would all be sent
to the list before `/` had moved the focus to the filter or `t` had opened the tag
editor, and come back as list commands (`s` stars, `u` undoes, `e` exports).

Two rules prevent it:

- **One key at a time.** The app sends a key on only when the previous one has been
  handled all the way (`KeyHandled` follows each key up the same path, so it arrives
  after the key), so a key that moves the focus or opens a dialog has done so before the
  next key is sent anywhere. Actions that move the keyboard do it at once (`set_focus`,
  `dismiss`), never in a later message.
- **Sent again, never misread.** A key that comes back unhandled from a widget that no
  longer has the keyboard (a dialog still being built has no focus yet) is sent again to
  the one that has it now, instead of being read as a command there.

And one hold: **keys wait for the list they act on.** Enter in the filter while its search
is still under way holds the next keys until the list shows that search's result, so the
`s` of `/sparse<Enter>s` stars the first match, not the paper the old list had on top.
"""

from __future__ import annotations

from collections import deque
from collections.abc import Awaitable, Callable
from dataclasses import dataclass

from textual import events
from textual.dom import DOMNode
from textual.message import Message
from textual.message_pump import MessagePump

_TARGET = "_reader_sent_to"
"""The attribute on a key event naming where the app sent it."""

STUCK_AFTER = 0.5
"""Seconds after which a key whose `KeyHandled` never came back (its widget was removed)
no longer holds the next ones."""

HOLD_AT_MOST = 3.0
"""Seconds keys wait for a search at most (`KeyGate.hold`): then they go to the list as
it is."""


@dataclass
class KeyHandled(Message):
    """Follows a key up the path it took: when it reaches the app, the key is handled."""

    serial: int


class KeyGate:
    """Sends keys on one at a time, in order (see the module docstring)."""

    def __init__(
        self, send: Callable[[events.Key], Awaitable[DOMNode]], owner: MessagePump | None = None
    ) -> None:
        self._send = send
        self._owner = owner
        """Where `KeyHandled` must arrive (the app); its sender, so it bubbles all the way."""
        self._waiting: deque[events.Key] = deque()
        self._serial = 0
        self._busy = False
        self._held = False

    @property
    def busy(self) -> bool:
        """Whether a key is on its way (the next ones wait)."""
        return self._busy

    @property
    def held(self) -> bool:
        """Whether keys wait for `resume` (see `hold`)."""
        return self._held

    def hold(self) -> None:
        """Keep the next keys waiting until `resume` (the key on its way still arrives)."""
        self._held = True

    async def resume(self) -> None:
        """Send the keys that waited for a `hold`, one at a time again."""
        if not self._held:
            return
        self._held = False
        if not self._busy and self._waiting:
            await self._dispatch(self._waiting.popleft())

    async def receive(self, event: events.Key) -> None:
        """A key from the terminal: send it now, or after the ones before it."""
        if self._busy or self._held:
            self._waiting.append(event)
            return
        await self._dispatch(event)

    async def handled(self, serial: int) -> None:
        """The key with this serial number has been handled: send the next one."""
        if serial != self._serial or not self._busy:
            return  # a late one, after the gate gave up on it
        self._busy = False
        if self._waiting and not self._held:
            await self._dispatch(self._waiting.popleft())

    async def release(self, serial: int) -> None:
        """Give up on a key whose `KeyHandled` never came back."""
        await self.handled(serial)

    async def _dispatch(self, event: events.Key) -> None:
        self._busy = True
        self._serial += 1
        target = await self._send(event)
        handled = KeyHandled(self._serial)
        if self._owner is not None:
            # From the owner, whoever sends the key on: Textual stops a message bubbling
            # at its sender, and a key the screen releases (`resume` after a hold, called
            # from the screen) made the screen the sender: its `KeyHandled` never reached
            # the app, and every key after it waited for good.
            handled.set_sender(self._owner)
        target.post_message(handled)

    @property
    def serial(self) -> int:
        """The serial number of the key on its way."""
        return self._serial


def note_target(event: events.Key, target: DOMNode) -> None:
    """Remember where a key was sent (call before Textual forwards it)."""
    setattr(event, _TARGET, target)


def redirect(event: events.Key, now: DOMNode) -> bool:
    """Send a key that came back from a widget that lost the keyboard to `now`.

    Returns True when the key was sent on (the caller must then not treat it as a
    command); False when it came from the widget that still has the keyboard.
    """
    sent_to = getattr(event, _TARGET, None)
    if sent_to is None or sent_to is now:
        return False
    again = events.Key(event.key, event.character)
    note_target(again, now)
    # Marked as forwarded, as Textual marks the keys it sends to a widget: coming back up
    # unhandled, it is then read as a command there (Enter submits the filter).
    again._set_forwarded()
    now.post_message(again)
    return True
