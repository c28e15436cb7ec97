"""Cleaning names that come from spreadsheets: look-alike Latin letters and capitals."""

import re

from portal.text import replace_lookalikes

_PARTS = re.compile(r"([-'’ ])")


def _normal_word(word: str) -> str:
    letters = [c for c in word if c.isalpha()]
    if len(letters) < 2 or not (word.isupper() or word.islower()):
        return word
    # Each part of a double surname and after an apostrophe starts with a capital.
    return "".join(part.capitalize() for part in _PARTS.split(word))


def clean_name(text: str) -> tuple[str, list[str]]:
    """The name as it should be stored, and what was changed, in Russian for the user."""
    notes = []
    text = " ".join(text.split())
    fixed = replace_lookalikes(text)
    if fixed != text:
        # The two spellings look the same, so the note names the letters and the words.
        changed = [(a, b) for a, b in zip(text.split(" "), fixed.split(" "), strict=True) if a != b]
        letters = sorted({x for a, b in changed for x, y in zip(a, b, strict=True) if x != y})
        words = ", ".join(f"«{a}»" for a, _ in changed)
        listed = ", ".join(f"«{x}»" for x in letters)
        if len(letters) == 1:
            notes.append(f"латинская буква {listed} в {words} заменена такой же на вид русской")
        else:
            notes.append(f"латинские буквы {listed} в {words} заменены такими же на вид русскими")
    words = fixed.split(" ")
    normal = " ".join(_normal_word(word) for word in words)
    if normal != fixed:
        changed = [w for w in words if _normal_word(w) != w]
        how = "заглавными" if any(w.isupper() for w in changed) else "строчными"
        notes.append(f"ФИО было написано {how} буквами — будет записано как «{normal}»")
    return normal, notes
