"""Russian text: folding for search keys (the same on SQLite and PostgreSQL), names declined
in the case the sentence needs, dates with month names and plurals through Babel."""

import re
from datetime import date, datetime
from enum import StrEnum
from functools import lru_cache

from babel import Locale
from babel.dates import format_date as _babel_date

_SPACES = re.compile(r"\s+")


def fold(text: str | None) -> str:
    """Lower-case, ё→е, single spaces: SQLite's lower() folds only ASCII, so we store this."""
    if not text:
        return ""
    return _SPACES.sub(" ", text.casefold().replace("ё", "е")).strip()


# --- Names in the case the sentence needs ---------------------------------------------------
#
# Declension is pytrovich's (the petrovich team's rules, kept for Python): it declines Russian
# surnames, first names and patronymics, double-barrelled surnames part by part, and leaves
# indeclinable ones (Шевчук for a woman, Дюма) as they are. Gender comes from the patronymic
# (-вич/-вна), else from the first name. Where gender cannot be decided (no patronymic and an
# androgynous or unknown first name) or the name is not Cyrillic, the nominative is kept:
# a name left as written is better than a wrong form.

_CYRILLIC_NAME = re.compile(r"^[А-Яа-яЁё]+(?:-[А-Яа-яЁё]+)*$")


class Case(StrEnum):
    """The cases the portal's sentences need (more are easy to add)."""

    NOMINATIVE = "nominative"
    GENITIVE = "genitive"  # «за Орлова Дмитрия Андреевича», «от Орловой Натальи Петровны»
    DATIVE = "dative"  # «Директору … Мариной Татьяне Витальевне», «Орлову Д. А. нет 14 лет»
    ACCUSATIVE = "accusative"
    INSTRUMENTAL = "instrumental"
    PREPOSITIONAL = "prepositional"


@lru_cache(maxsize=1)
def _petrovich():
    from pytrovich.detector import PetrovichGenderDetector
    from pytrovich.maker import PetrovichDeclinationMaker

    return PetrovichDeclinationMaker(), PetrovichGenderDetector()


def _gender(first: str | None, middle: str | None):
    from pytrovich.enums import Gender

    _, detector = _petrovich()
    try:
        if middle and _CYRILLIC_NAME.match(middle):
            gender = detector.detect(firstname=first or "", middlename=middle)
        elif first and _CYRILLIC_NAME.match(first):
            gender = detector.detect(firstname=first)
        else:
            return None
    except (KeyError, ValueError):
        return None
    return gender if gender in (Gender.MALE, Gender.FEMALE) else None


@lru_cache(maxsize=4096)
def decline_parts(
    last: str | None, first: str | None, middle: str | None, case: Case | str
) -> tuple[str | None, str | None, str | None]:
    """(last, first, middle) in the case; each part unchanged when undecidable."""
    case = Case(case)
    if case == Case.NOMINATIVE:
        return last, first, middle
    gender = _gender(first, middle)
    if gender is None:
        return last, first, middle
    from pytrovich.enums import Case as PCase
    from pytrovich.enums import NamePart

    maker, _ = _petrovich()
    pcase = getattr(PCase, case.name)

    def one(part: NamePart, value: str | None) -> str | None:
        if not value or not _CYRILLIC_NAME.match(value):
            return value
        try:
            return maker.make(part, gender, pcase, value) or value
        except (KeyError, ValueError, IndexError):
            return value

    return (
        one(NamePart.LASTNAME, last),
        one(NamePart.FIRSTNAME, first),
        one(NamePart.MIDDLENAME, middle),
    )


def _split(name) -> tuple[str | None, str | None, str | None]:
    """A person-like object (last_name, first_name, middle_name) or «Фамилия Имя Отчество»."""
    if hasattr(name, "last_name"):
        return name.last_name, name.first_name, getattr(name, "middle_name", None)
    if hasattr(name, "full_name"):  # e.g. the matcher's Candidate
        name = name.full_name
    words = (name or "").split()
    if len(words) > 3 or any("." in w for w in words):
        return None, None, None  # initials or a title: not a name we may decline safely
    words += [None] * (3 - len(words))
    return words[0], words[1], words[2]


def full_name_in(name, case: Case | str) -> str:
    """«Орлов Дмитрий Андреевич» in the case: ``full_name_in(person, Case.GENITIVE)``.

    Takes a Person (or anything with last_name, first_name, middle_name) or a full-name
    string; a string with initials or more than three words comes back unchanged."""
    last, first, middle = _split(name)
    if last is None:
        return name if isinstance(name, str) else getattr(name, "full_name", "")
    parts = decline_parts(last, first, middle, case)
    return " ".join(p for p in parts if p)


def short_name_in(name, case: Case | str) -> str:
    """«Кузнецова Е. С.» in the case: the surname declined (by the full first and middle name),
    initials as they are."""
    last, first, middle = _split(name)
    if last is None:
        return name if isinstance(name, str) else ""
    declined = decline_parts(last, first, middle, case)[0]
    shown = getattr(name, "short_name", None)
    if shown and shown.startswith(last):  # keep the record's own spelling of the initials
        return declined + shown[len(last) :]
    initials = " ".join(f"{p[0]}." for p in (first, middle) if p)
    return f"{declined} {initials}".strip()


# --- Dates and numbers through Babel ------------------------------------------------------------

_RU = Locale("ru")


def long_date(value: date | datetime, *, padded: bool = False) -> str:
    """«1» сентября 2026 г. (the documents' form; padded: «01»), month names from Babel's CLDR."""
    pattern = "«dd» MMMM y 'г.'" if padded else "«d» MMMM y 'г.'"
    return _babel_date(value, pattern, locale=_RU)


def month_genitive(value: date | datetime) -> str:
    """The month of the date as it stands after a day: «сентября»."""
    return _babel_date(value, "MMMM", locale=_RU)


def plural(n: int, one: str, few: str, many: str) -> str:
    """Russian plural by CLDR's rules: 1 наставник, 2 наставника, 5 наставников."""
    return {"one": one, "few": few}.get(_RU.plural_form(abs(n)), many)
