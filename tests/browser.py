"""A real headless Chromium, driven over the DevTools protocol (no Playwright download:
the system's browser, Debian's `chromium`), and `reader serve` to point it at.

Used by tests/tui/test_browser.py and scripts/browser_screenshot.py. The browser may not
reach anything but this machine (`--host-resolver-rules`): the served page asks for a web
font on the internet, which must not be fetched in a test.
"""

from __future__ import annotations

import asyncio
import base64
import contextlib
import json
import os
import shutil
import signal
import socket
import subprocess
import sys
import time
from collections.abc import AsyncIterator
from pathlib import Path
from typing import Any

import aiohttp

BROWSERS = ("chromium", "chromium-browser", "google-chrome", "google-chrome-stable")


def find_browser() -> str | None:
    """The Chromium to use: `$READER_CHROMIUM`, else the first of `BROWSERS` on the PATH."""
    named = os.environ.get("READER_CHROMIUM")
    if named:
        return named
    for name in BROWSERS:
        found = shutil.which(name)
        if found:
            return found
    return None


def free_port() -> int:
    """A TCP port nobody listens on right now."""
    with socket.socket() as probe:
        probe.bind(("127.0.0.1", 0))
        return int(probe.getsockname()[1])


@contextlib.contextmanager
def served(library: Path, port: int, timeout: float = 60) -> Any:
    """`reader serve` on `library` at 127.0.0.1:`port`, until the block ends."""
    command = [
        sys.executable,
        "-m",
        "reader",
        "serve",
        "--port",
        str(port),
        "--library",
        str(library),
    ]
    process = subprocess.Popen(
        command,
        stdout=subprocess.DEVNULL,
        stderr=subprocess.PIPE,
        start_new_session=True,  # its apps too are stopped with it, below
    )
    try:
        deadline = time.monotonic() + timeout
        while True:
            with contextlib.suppress(OSError), socket.create_connection(("127.0.0.1", port), 1):
                break
            if process.poll() is not None:
                raise RuntimeError(f"reader serve ended: {process.stderr.read().decode()}")  # type: ignore[union-attr]
            if time.monotonic() > deadline:
                raise RuntimeError("reader serve did not start listening")
            time.sleep(0.1)
        yield process
    finally:
        with contextlib.suppress(ProcessLookupError):
            os.killpg(process.pid, signal.SIGTERM)
        try:
            process.wait(10)
        except subprocess.TimeoutExpired:
            with contextlib.suppress(ProcessLookupError):
                os.killpg(process.pid, signal.SIGKILL)
            process.wait()


@contextlib.asynccontextmanager
async def app_in_browser(
    binary: str, library: Path, profile: Path, ready: list[str]
) -> AsyncIterator[Chromium]:
    """`reader serve` on `library`, and Chromium showing it: the block starts once the
    terminal shows every text of `ready` and has settled, with the keyboard on it."""
    port = free_port()
    with served(library, port):
        async with Chromium.open(binary, profile, (1400, 900)) as browser:
            await browser.goto(f"http://127.0.0.1:{port}/")
            for text in ready:
                await browser.wait_for(text)
            await browser.wait_until_quiet()
            await browser.focus_terminal()
            yield browser


class Chromium:
    """One headless Chromium with one page, spoken to over the DevTools protocol."""

    def __init__(self, process: asyncio.subprocess.Process, session: aiohttp.ClientSession) -> None:
        self._process = process
        self._session = session
        self._socket: aiohttp.ClientWebSocketResponse | None = None
        self._next = 0
        self._answers: dict[int, asyncio.Future[dict[str, Any]]] = {}
        self._reader: asyncio.Task[None] | None = None
        self.received = bytearray()
        """Every byte the page's websockets received (the terminal's output)."""

    @classmethod
    @contextlib.asynccontextmanager
    async def open(
        cls, binary: str, profile: Path, size: tuple[int, int]
    ) -> AsyncIterator[Chromium]:
        """Start the browser on a blank page; closed when the block ends."""
        process = await asyncio.create_subprocess_exec(
            binary,
            "--headless=new",
            "--no-sandbox",
            "--disable-gpu",
            "--no-first-run",
            "--disable-extensions",
            "--disable-background-networking",
            "--disable-component-update",
            "--host-resolver-rules=MAP * ~NOTFOUND , EXCLUDE 127.0.0.1",
            f"--window-size={size[0]},{size[1]}",
            f"--user-data-dir={profile}",
            "--remote-debugging-port=0",
            "about:blank",
            stdout=asyncio.subprocess.DEVNULL,
            stderr=asyncio.subprocess.PIPE,
            start_new_session=True,
        )
        session = aiohttp.ClientSession()
        browser = cls(process, session)
        try:
            await browser._attach()
            yield browser
        finally:
            await browser._close()

    async def _attach(self) -> None:
        assert self._process.stderr is not None
        endpoint = ""
        async with asyncio.timeout(30):
            while not endpoint:
                line = (await self._process.stderr.readline()).decode(errors="replace")
                if not line:
                    raise RuntimeError("chromium ended before it listened")
                if "DevTools listening on ws://" in line:
                    endpoint = line.split("ws://", 1)[1].split("/", 1)[0]
            page = ""
            while not page:
                async with self._session.get(f"http://{endpoint}/json/list") as answer:
                    targets = await answer.json()
                page = next((t["webSocketDebuggerUrl"] for t in targets if t["type"] == "page"), "")
                await asyncio.sleep(0.05)
        self._socket = await self._session.ws_connect(page, max_msg_size=0)
        self._reader = asyncio.create_task(self._read())
        await self.send("Network.enable")
        await self.send("Page.enable")

    async def _read(self) -> None:
        assert self._socket is not None
        async for message in self._socket:
            data = json.loads(message.data)
            if "id" in data:
                future = self._answers.pop(data["id"], None)
                if future is not None and not future.done():
                    future.set_result(data)
            elif data.get("method") == "Network.webSocketFrameReceived":
                frame = data["params"]["response"]
                payload = frame["payloadData"]
                self.received += (
                    base64.b64decode(payload) if frame["opcode"] == 2 else payload.encode()
                )

    async def send(self, method: str, **params: Any) -> dict[str, Any]:
        """Call a DevTools method; its result (an error raises)."""
        assert self._socket is not None
        self._next += 1
        future: asyncio.Future[dict[str, Any]] = asyncio.get_running_loop().create_future()
        self._answers[self._next] = future
        await self._socket.send_str(
            json.dumps({"id": self._next, "method": method, "params": params})
        )
        async with asyncio.timeout(30):
            answer = await future
        if "error" in answer:
            raise RuntimeError(f"{method}: {answer['error']}")
        return dict(answer.get("result", {}))

    async def goto(self, url: str) -> None:
        """Load `url` in the page."""
        await self.send("Page.navigate", url=url)

    async def wait_for(self, text: str, timeout: float = 60) -> None:
        """Wait until the terminal's output holds `text` (TimeoutError otherwise)."""
        wanted = text.encode()
        async with asyncio.timeout(timeout):
            while wanted not in self.received:
                await asyncio.sleep(0.05)

    async def wait_until_quiet(self, quiet: float = 0.5, timeout: float = 30) -> None:
        """Wait until the terminal has drawn nothing new for `quiet` seconds (the app
        settles its first layout to the browser's size before it takes keys)."""
        async with asyncio.timeout(timeout):
            while True:
                size = len(self.received)
                await asyncio.sleep(quiet)
                if len(self.received) == size:
                    return

    async def focus_terminal(self) -> None:
        """Give the keyboard to the terminal, as a click on it would."""
        script = "document.querySelector('.xterm-helper-textarea').focus(); true"
        async with asyncio.timeout(30):
            while True:
                result = await self.send("Runtime.evaluate", expression=script)
                if result.get("result", {}).get("value") is True:
                    return
                await asyncio.sleep(0.1)

    async def press(self, key: str) -> None:
        """One key, as typed on a keyboard: a character, or "Enter" / "Escape"."""
        special = {"Enter": (13, "\r"), "Escape": (27, "")}
        if key in special:
            code, text = special[key]
            down: dict[str, Any] = {"key": key, "code": key, "windowsVirtualKeyCode": code}
            if text:
                down["text"] = text
        else:
            down = {"key": key, "text": key, "unmodifiedText": key}
        await self.send("Input.dispatchKeyEvent", type="keyDown", **down)
        await self.send("Input.dispatchKeyEvent", type="keyUp", key=down["key"])

    async def type(self, text: str) -> None:
        """Type `text`, one key at a time."""
        for char in text:
            await self.press(char)

    async def screenshot(self, path: Path) -> None:
        """Save the page as a PNG."""
        shot = await self.send("Page.captureScreenshot", format="png")
        path.write_bytes(base64.b64decode(shot["data"]))

    async def _close(self) -> None:
        with contextlib.suppress(Exception):
            await self.send("Browser.close")
        if self._reader is not None:
            self._reader.cancel()
        if self._socket is not None:
            await self._socket.close()
        await self._session.close()
        try:
            async with asyncio.timeout(10):
                await self._process.wait()
        except TimeoutError:
            with contextlib.suppress(ProcessLookupError):
                os.killpg(self._process.pid, signal.SIGKILL)
            await self._process.wait()
