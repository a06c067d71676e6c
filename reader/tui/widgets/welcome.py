"""What an empty library shows: how to get papers into it."""

from __future__ import annotations

from textual.content import Content
from textual.widgets import Static


def welcome_text() -> Content:
    """The welcome message, with the keys to press in bold."""
    return Content.assemble(
        ("Welcome to reader", "bold"),
        "\n\nYour library is empty.\n\n",
        "Press ",
        ("f", "bold"),
        " to fetch today's papers from Hugging Face Daily Papers or arXiv: the daily habit.\n\n",
        "Press ",
        ("i", "bold"),
        " to import a file, ",
        ("I", "bold"),
        " to paste a copied Daily Papers page, or run ",
        ("reader import FILE", "bold"),
        ".\n\n",
        "Press ",
        ("d", "bold"),
        " to load the bundled sample papers.",
    )


class WelcomeView(Static):
    """A short welcome and the ways to import papers; the app binds the keys it names."""

    DEFAULT_CSS = """
    WelcomeView {
        width: 1fr;
        height: 1fr;
        padding: 2 4;
        content-align: center middle;
        text-align: center;
        background: $surface;
    }
    """

    def __init__(
        self,
        *,
        name: str | None = None,
        id: str | None = None,
        classes: str | None = None,
    ) -> None:
        super().__init__(welcome_text(), name=name, id=id, classes=classes)
