"""Folding Russian text for search keys that behave the same on SQLite and PostgreSQL."""

import re

_SPACES = re.compile(r"\s+")
_WORD = re.compile(r"[A-Za-zА-Яа-яЁё]+")
_CYRILLIC = re.compile(r"[А-Яа-яЁё]")
_LATIN = re.compile(r"[A-Za-z]")
# Latin letters that print like Cyrillic ones: typed on the wrong keyboard layout or pasted,
# they make «Иванoва» a different person from «Иванова».
_LOOKALIKES = str.maketrans("AaBCcEeHKkMOoPpTXxYy", "АаВСсЕеНКкМОоРрТХхУу")
# After case folding, every Latin letter whose capital looks Cyrillic.
_FOLDED_LOOKALIKES = str.maketrans("abcehkmoptxy", "авсенкмортху")


def _in_cyrillic_words(text: str, table: dict) -> str:
    def replace(match: re.Match) -> str:
        word = match.group(0)
        return word.translate(table) if _CYRILLIC.search(word) else word

    return _WORD.sub(replace, text)


def replace_lookalikes(text: str) -> str:
    """Latin look-alikes inside words that hold Cyrillic letters, replaced by the Cyrillic."""
    if not text or not _LATIN.search(text):
        return text
    return _in_cyrillic_words(text, _LOOKALIKES)


def has_latin(text: str | None) -> bool:
    return bool(_LATIN.search(text or ""))


def mixed_alphabet_words(text: str | None) -> list[str]:
    """Words that mix Cyrillic and Latin letters."""
    return [w for w in _WORD.findall(text or "") if _CYRILLIC.search(w) and _LATIN.search(w)]


def fold(text: str | None) -> str:
    """Lower-case, ё→е, look-alike Latin letters in Russian words made Cyrillic, single
    spaces: SQLite's lower() folds only ASCII, so we store this."""
    if not text:
        return ""
    folded = text.casefold().replace("ё", "е")
    if _LATIN.search(folded):
        folded = _in_cyrillic_words(folded, _FOLDED_LOOKALIKES)
    return _SPACES.sub(" ", folded).strip()
