"""Understanding a spreadsheet's header: where it is, and which portal field each column fills.

Pure functions over the rows read from a file: the header row is found below title rows,
a two-level header with merged group cells is flattened («Обучение / Объединение»), and
each column is guessed from its wording (synonyms, abbreviations, units in brackets, case
and punctuation ignored) and, failing that, from its values.
"""

import hashlib
import re
from dataclasses import dataclass, field
from datetime import date
from functools import lru_cache

from portal.documents.tables import header_text
from portal.people.columns import columns_for, importable_columns
from portal.text import fold

HEADER_SEARCH_ROWS = 20
NAME_PARTS = {"last_name": "Фамилия", "first_name": "Имя", "middle_name": "Отчество"}
GROUP_SEPARATOR = " / "

# How staff title the columns, beside the portal's own titles; compared after _norm().
SYNONYMS: dict[str, tuple[str, ...]] = {
    "fio": (
        "фио",
        "фио полностью",
        "фамилия имя отчество",
        "фамилия имя",
        "фио обучающегося",
        "фио учащегося",
        "фио ученика",
        "фио ребенка",
        "фио участника",
        "фио наставляемого",
        "фио педагога",
        "фио сотрудника",
        "полное имя",
        "участник",
        "обучающийся",
        "учащийся",
    ),
    "last_name": ("фамилия",),
    "first_name": ("имя",),
    "middle_name": ("отчество",),
    "birth_date": (
        "дата рождения",
        "др",
        "д р",
        "дата рожд",
        "день рождения",
        "рождение",
        "родился",
        "родилась",
    ),
    "category": ("категория", "категория участника"),
    "club": (
        "объединение",
        "кружок",
        "студия",
        "секция",
        "творческое объединение",
        "детское объединение",
        "название объединения",
        "коллектив",
        "направление",
    ),
    "study_level": ("класс", "кл", "класс год обучения", "год обучения", "класс группа"),
    "phone": (
        "телефон",
        "тел",
        "контактный телефон",
        "конт телефон",
        "номер телефона",
        "моб тел",
        "мобильный",
        "мобильный телефон",
        "сотовый",
        "контакты",
    ),
    "email": (
        "электронная почта",
        "e mail",
        "email",
        "эл почта",
        "эл адрес",
        "почта",
        "адрес электронной почты",
        "емейл",
        "имейл",
    ),
    "interests": ("интересы", "увлечения", "хобби", "сфера интересов"),
    "key_request": (
        "ключевой запрос",
        "ключевой запрос наставляемого",
        "запрос",
        "запрос наставляемого",
        "цель участия",
    ),
    "entered_on": (
        "дата вхождения в программу",
        "дата вхождения",
        "дата включения",
        "дата зачисления",
        "дата начала",
        "в программе с",
    ),
    "completed_on": (
        "дата завершения программы",
        "дата завершения",
        "дата окончания",
        "дата выхода",
    ),
    "results": ("результаты", "результаты программы", "итоги", "результат"),
    "status": ("статус", "статус участника"),
    "workplace": (
        "место работы",
        "место работы учебы",
        "место учебы",
        "организация",
        "учреждение",
        "оо",
    ),
    "position": ("должность",),
    "competencies": ("ключевые компетенции", "компетенции", "навыки"),
    "achievements": ("достижения", "награды"),
    "desired_age": ("желаемый возраст наставляемых", "желаемый возраст", "возраст наставляемых"),
    "capacity": (
        "сколько наставляемых может взять",
        "число наставляемых",
        "количество наставляемых",
        "макс наставляемых",
    ),
    "comm_time": ("время общения", "удобное время"),
    "comm_format": ("формат общения", "формат"),
    "training": (
        "отметка о прохождении обучения",
        "обучение пройдено",
        "прошел обучение",
        "обучение",
    ),
}

_BRACKETS = re.compile(r"\([^)]*\)|\[[^\]]*\]")
_PUNCTUATION = re.compile(r"[^\w]+")
_EMAIL = re.compile(r"^[^@\s]+@[^@\s]+\.[^@\s]+$")
_PHONE = re.compile(r"^[+\d][\d\s()\-–]{9,}$")
_DATE = re.compile(r"^\d{1,4}[./\-]\d{1,2}[./\-]\d{2,4}")
_FIO = re.compile(r"^[А-ЯЁа-яё\-]+\s+[А-ЯЁа-яё\-]+(\s+[А-ЯЁа-яё\-]+)?$")


def _norm(text: str) -> str:
    """«Дата рождения (дд.мм.гггг)» → «дата рождения»; «Ф.И.О.» → «ф и о»."""
    text = _BRACKETS.sub(" ", fold(text))
    return " ".join(_PUNCTUATION.sub(" ", text).replace("_", " ").split())


def targets(base: str) -> list[tuple[str, str]]:
    """The portal fields a column can fill: (key, title), the name parts after «ФИО»."""
    columns = [(c.key, c.title) for c in importable_columns(base)]
    return columns[:1] + list(NAME_PARTS.items()) + columns[1:]


def target_titles(base: str) -> dict[str, str]:
    return dict(targets(base))


@dataclass(frozen=True)
class Guess:
    key: str  # "" for «не загружать»
    how: str  # exact | wording | values | portal (a column the portal fills itself) | ""


def _wording_index(base: str) -> tuple[dict[str, str], dict[str, str]]:
    columns = columns_for(base)
    return _wording_index_of(base, tuple((c.key, c.title, c.importable) for c in columns))


@lru_cache(maxsize=16)
def _wording_index_of(base: str, columns: tuple) -> tuple[dict[str, str], dict[str, str]]:
    """Built once per set of column titles (the centre may rename them in its config)."""
    exact, synonyms = {}, {}
    allowed = {key for key, _, importable in columns if importable} | set(NAME_PARTS)
    for key, title, importable in columns:
        exact[_norm(title)] = key if importable else "-"
    for key, words in SYNONYMS.items():
        if key not in allowed:
            continue
        for word in words:
            synonyms.setdefault(word, key)
            synonyms.setdefault(word.replace(" ", ""), key)
    return exact, synonyms


def guess_by_wording(title: str, base: str) -> Guess:
    exact, synonyms = _wording_index(base)
    parts = [title, *title.split(GROUP_SEPARATOR)[1:]] if GROUP_SEPARATOR in title else [title]
    for part in parts:
        norm = _norm(part)
        if norm in exact:
            key = exact[norm]
            return Guess("", "portal") if key == "-" else Guess(key, "exact")
        for candidate in (norm, norm.replace(" ", "")):
            if candidate in synonyms:
                return Guess(synonyms[candidate], "wording")
    # «Телефон родителя»… is not the person's own: only a leading synonym of two words or
    # more counts («Дата рождения ребёнка»), not a single word («Телефон мамы»).
    for part in parts:
        norm = _norm(part)
        for word, key in synonyms.items():
            if " " in word and norm.startswith(word + " "):
                return Guess(key, "wording")
    return Guess("", "")


def guess_by_values(values: list) -> str:
    """The field a column's values look like (dates, phones, e-mails, full names), or ""."""
    sample = [v for v in values if v not in (None, "")][:50]
    if len(sample) < 2:
        return ""

    def share(test) -> float:
        return sum(1 for v in sample if test(v)) / len(sample)

    if share(lambda v: isinstance(v, date) or bool(_DATE.match(str(v)))) >= 0.8:
        return "birth_date"
    if share(lambda v: bool(_EMAIL.match(str(v).strip()))) >= 0.8:
        return "email"
    if share(lambda v: bool(_PHONE.match(str(v).strip()))) >= 0.8:
        return "phone"
    if share(lambda v: bool(_FIO.match(str(v).strip()))) >= 0.8:
        return "fio"
    return ""


def guess_mapping(titles: list[str], values: list[list], base: str) -> list[Guess]:
    """A guess per column: its wording first, then its values for a field still free."""
    guesses = [guess_by_wording(title, base) for title in titles]
    taken = set()
    for index, guess in enumerate(guesses):
        if guess.key in taken:  # two columns worded alike: the first one wins
            guesses[index] = Guess("", "")
        taken.add(guesses[index].key)
    names_taken = "fio" in taken or "last_name" in taken
    for index, guess in enumerate(guesses):
        if guess.key or guess.how == "portal":
            continue
        key = guess_by_values(values[index])
        if not key or key in taken or (key == "fio" and names_taken):
            continue
        if key == "birth_date" and "birth_date" in taken:
            continue
        guesses[index] = Guess(key, "values")
        taken.add(key)
    return guesses


_NUMBER_TITLES = {"", "n", "no", "номер", "п п", "номер п п", "n п п"}


def is_row_number(title: str, values: list) -> bool:
    """«№» or «№ п/п» numbering the rows 1, 2, 3…: not data about a person."""
    if _norm(title) not in _NUMBER_TITLES:
        return False
    numbers = [str(v).strip() for v in values if v not in (None, "")]
    return bool(numbers) and all(n.isdigit() for n in numbers)


def signature(titles: list[str]) -> str:
    """The identity of a header: its folded titles in order."""
    return hashlib.sha256("\x1f".join(_norm(t) for t in titles).encode()).hexdigest()


# --- where the header is ------------------------------------------------------------------


@dataclass
class Header:
    """The header found on a sheet: the (lower) header row and each column's title."""

    sheet: str
    row: int  # spreadsheet number of the header's last row
    columns: list[tuple[int, str]]  # (cell index, title)
    top_row: int | None = None  # the group row of a two-level header
    recognised: int = 0  # columns whose wording names a portal field
    names: bool = False  # a name column («ФИО» or «Фамилия») was recognised
    data_rows: int = 0
    truncated: bool = False
    notes: list[str] = field(default_factory=list)

    @property
    def titles(self) -> list[str]:
        return [title for _, title in self.columns]

    @property
    def where(self) -> str:
        rows = f"строки {self.top_row}–{self.row}" if self.top_row else f"строка {self.row}"
        place = f"лист «{self.sheet}»" if self.sheet else "файл CSV"
        return f"{place}, заголовок — {rows}"


def _texts(cells: list) -> list[str]:
    return [header_text(c) for c in cells]


def _flatten(upper: list[str], lower: list[str]) -> list[str] | None:
    """A two-level header as one row, or None when the upper row is not a group row."""
    width = max(len(upper), len(lower))
    upper = upper + [""] * (width - len(upper))
    lower = lower + [""] * (width - len(lower))
    if sum(1 for t in upper if t) < 2:
        return None  # a title above the header, not groups
    vertical = any(u and not lo for u, lo in zip(upper, lower, strict=True))
    titles, group = [], ""
    spanned = False
    for u, lo in zip(upper, lower, strict=True):
        if u and not lo:  # a cell merged down over both rows
            titles.append(u)
            group = ""
        elif u and lo:  # the first column under a group
            group = u
            titles.append(f"{u}{GROUP_SEPARATOR}{lo}")
        elif lo:  # under the same group, merged from the left
            spanned = spanned or bool(group)
            titles.append(f"{group}{GROUP_SEPARATOR}{lo}" if group else lo)
        else:
            titles.append("")
            group = ""
    return titles if vertical or spanned else None


def _score(titles: list[str], base: str) -> tuple[int, bool]:
    guesses = [guess_by_wording(t, base) for t in titles if t]
    keys = {g.key for g in guesses if g.key}
    return len(keys) + sum(1 for g in guesses if g.how == "portal"), bool(
        keys & {"fio", "last_name"}
    )


def find_header(sheet: str, rows: list, base: str, *, truncated: bool = False) -> Header | None:
    """The best header among the first rows of a sheet, or None if the sheet has no table.

    The row naming the most portal fields wins (a two-level header counts its flattened
    titles); without any, the first row with two filled cells.
    """
    best: Header | None = None
    best_key = (-1, False)
    first_plain: Header | None = None
    head = rows[:HEADER_SEARCH_ROWS]
    for position, (number, cells) in enumerate(head):
        lower = _texts(cells)
        if sum(1 for t in lower if t) < 2:
            continue
        options = [(lower, None)]
        if position > 0 and head[position - 1][0] == number - 1:
            flat = _flatten(_texts(head[position - 1][1]), lower)
            if flat is not None:
                options.append((flat, head[position - 1][0]))
        for titles, top in options:
            score, names = _score(titles, base)
            columns = [(i, t) for i, t in enumerate(titles) if t]
            header = Header(sheet, number, columns, top, score, names)
            if first_plain is None:
                first_plain = header
            if score > 0 and (names, score) > (best_key[1], best_key[0]):
                best, best_key = header, (score, names)
    chosen = best or first_plain
    if chosen is None:
        return None
    chosen.data_rows = sum(1 for n, _ in rows if n > chosen.row)
    chosen.truncated = truncated
    return chosen


def portal_exact(header: Header, base: str) -> bool:
    """The header is the portal's own (its template or its export): no mapping needed."""
    if header.top_row is not None:
        return False
    titles = {_norm(c.title) for c in columns_for(base)}
    norms = [_norm(t) for t in header.titles]
    importable = {_norm(c.title) for c in importable_columns(base)}
    return (
        all(n in titles for n in norms)
        and _norm(columns_for(base)[0].title) in norms
        and (bool(set(norms) & importable))
    )
