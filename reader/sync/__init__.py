"""Reading state that syncs through a shared folder (Syncthing, Dropbox, git, a network
drive): hybrid logical clocks (`clock`), per-device append-only logs (`log`), the merge
(`merge`), what a library remembers (`record`) and one sync (`engine`). No Textual here."""
