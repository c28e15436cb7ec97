"""Folding Russian text for search keys that behave the same on SQLite and PostgreSQL."""

import re

_SPACES = re.compile(r"\s+")


def fold(text: str | None) -> str:
    """Lower-case, ё→е, single spaces: SQLite's lower() folds only ASCII, so we store this."""
    if not text:
        return ""
    return _SPACES.sub(" ", text.casefold().replace("ё", "е")).strip()
