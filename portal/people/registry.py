"""The bases of mentors and mentees: validating, saving, finding and listing person records."""

import re
from dataclasses import dataclass, field
from datetime import date, datetime
from typing import Any

from sqlalchemy import Select, func, insert, select
from sqlalchemy.orm import selectinload

from portal import audit
from portal.domain import RuleViolation
from portal.extensions import db
from portal.people.models import (
    CATEGORIES,
    CHANNELS,
    COMM_FORMATS,
    STATUSES,
    Person,
    PersonTag,
    Representative,
    Tag,
)
from portal.people.rules import require_publication_consent
from portal.relations import (
    PairInfo,
    consent_state,
    consent_state_clause,
    in_open_pair_clause,
    pair_info,
)
from portal.statuses import ConsentState, PersonCategory, PersonStatus
from portal.text import fold
from portal.timeutil import age_on, today_moscow

MENTEE_CATEGORIES = (PersonCategory.STUDENT, PersonCategory.TEACHER, PersonCategory.SPECIALIST)
STUDENT_AGES = (10, 18)  # the regulation: mentees from 10 years old
ADULT_MIN_AGE = {
    PersonCategory.TEACHER: 18,
    PersonCategory.SPECIALIST: 18,
    "родитель": 18,
    PersonCategory.EXPERT: 18,
    "выпускник": 16,
}
PLAUSIBLE_AGES = (6, 100)
TAG_FIELDS = {"interests": "interest", "competencies": "competency", "requests": "request"}
CONSENT_TITLES = {state.value: state.title for state in ConsentState}

# Maximum lengths, from the columns of Person.
LENGTHS = {
    "last_name": 100,
    "first_name": 100,
    "middle_name": 100,
    "club": 150,
    "workplace": 250,
    "position": 150,
    "phone": 30,
    "email": 150,
    "messenger": 150,
    "comm_time": 200,
    "case_url": 500,
    "key_request": 2000,
    "achievements": 2000,
    "results": 2000,
    "notes": 5000,
}
LABELS = {
    "last_name": "Фамилия",
    "first_name": "Имя",
    "middle_name": "Отчество",
    "birth_date": "Дата рождения",
    "category": "Категория",
    "club": "Объединение",
    "study_level": "Класс / год обучения",
    "workplace": "Место работы / учёбы",
    "position": "Должность",
    "phone": "Телефон",
    "email": "Электронная почта",
    "messenger": "Мессенджер",
    "preferred_channel": "Предпочтительный канал связи",
    "key_request": "Ключевой запрос",
    "achievements": "Достижения",
    "desired_age_min": "Желаемый возраст наставляемых: от",
    "desired_age_max": "Желаемый возраст наставляемых: до",
    "capacity": "Число наставляемых",
    "comm_time": "Время общения",
    "comm_format": "Формат общения",
    "entered_on": "Дата вхождения в программу",
    "completed_on": "Дата завершения программы",
    "results": "Результаты",
    "case_url": "Ссылка на кейс/отзыв",
    "status": "Статус",
    "training_completed": "Обучение пройдено",
    "notes": "Примечания",
}
# Person fields a save may set, in the order the audit log lists them.
PERSON_FIELDS = tuple(LABELS)
_NAME_RE = re.compile(r"^[A-Za-zА-Яа-яЁё][A-Za-zА-Яа-яЁё' \-]*$")
_EMAIL_RE = re.compile(r"^[^@\s]+@[^@\s]+\.[^@\s]+$")
_URL_RE = re.compile(r"^https?://[^\s/$.?#][^\s]*$", re.IGNORECASE)
_RANGE_RE = re.compile(r"^\s*(\d{1,3})\s*(?:[-–—]|до)\s*(\d{1,3})\s*(?:лет)?\s*$")
_TRUE = {"да", "+", "1", "true", "истина", "пройдено", "прошёл", "прошел", "есть"}
_FALSE = {"нет", "-", "0", "false", "ложь", ""}


# --- parsing and validation ---------------------------------------------------------------


def normalise_phone(raw: str) -> str:
    """+7 (912) 345-67-89 from any common way of writing a Russian number."""
    digits = re.sub(r"\D", "", raw)
    if len(digits) == 11 and digits[0] in "78":
        digits = digits[1:]
    if len(digits) != 10:
        raise ValueError("ожидается российский номер из 10 цифр, например +7 (915) 123-45-67")
    return f"+7 ({digits[:3]}) {digits[3:6]}-{digits[6:8]}-{digits[8:]}"


def parse_date_value(value: Any) -> date | None:
    """A date from a form (ISO) or a spreadsheet (date or ДД.ММ.ГГГГ); ValueError if impossible."""
    if value is None or value == "":
        return None
    if isinstance(value, datetime):
        return value.date()
    if isinstance(value, date):
        return value
    text = str(value).strip()
    for pattern in ("%Y-%m-%d", "%d.%m.%Y", "%d.%m.%y", "%d/%m/%Y"):
        try:
            return datetime.strptime(text, pattern).date()
        except ValueError:
            continue
    raise ValueError("такой даты нет; ожидается ДД.ММ.ГГГГ")


def parse_age_range(text: str) -> tuple[int | None, int | None]:
    text = (text or "").strip()
    if not text:
        return None, None
    match = _RANGE_RE.match(text)
    if not match:
        raise ValueError("ожидается диапазон вида «10–14»")
    return int(match.group(1)), int(match.group(2))


def parse_bool(value: Any) -> bool:
    if isinstance(value, bool):
        return value
    text = fold(str(value or ""))
    if text in _TRUE:
        return True
    if text in _FALSE:
        return False
    raise ValueError("ожидается «да» или «нет»")


def split_fio(text: str) -> tuple[str, str, str | None]:
    parts = (text or "").split()
    if len(parts) < 2:
        raise ValueError("нужны как минимум фамилия и имя")
    return parts[0], parts[1], " ".join(parts[2:]) or None


def split_tags(value: Any) -> list[str]:
    if isinstance(value, list | tuple):
        items = value
    else:
        items = re.split(r"[;,\n]", str(value or ""))
    seen, names = set(), []
    for item in items:
        name = " ".join(str(item).split())[:80]
        if name and fold(name) not in seen:
            seen.add(fold(name))
            names.append(name)
    return names


@dataclass
class Cleaned:
    """A person's values after validation, and the Russian error for each bad field."""

    values: dict[str, Any] = field(default_factory=dict)
    tags: dict[str, list[str]] = field(default_factory=dict)
    errors: dict[str, str] = field(default_factory=dict)

    @property
    def ok(self) -> bool:
        return not self.errors


def _text(raw: dict, key: str) -> str | None:
    value = raw.get(key)
    if value is None:
        return None
    if isinstance(value, date):
        value = value.strftime("%d.%m.%Y")
    text = str(value).strip()
    return text or None


def _int(raw: dict, key: str, cleaned: Cleaned, low: int, high: int) -> int | None:
    text = _text(raw, key)
    if text is None:
        return None
    try:
        number = (
            int(float(text.replace(",", ".")))
            if re.fullmatch(r"-?\d+([.,]0+)?", text)
            else int(text)
        )
    except ValueError:
        cleaned.errors[key] = "ожидается целое число"
        return None
    if not low <= number <= high:
        cleaned.errors[key] = f"ожидается число от {low} до {high}"
        return None
    return number


def clean_person(raw: dict[str, Any], base: str, person: Person | None = None) -> Cleaned:
    """Validate a person's values from a form or an import row; errors are Russian.

    ``raw`` holds text (or dates and numbers from a spreadsheet) under the field names of
    Person, plus ``interests``, ``competencies``, ``requests`` (lists or comma text).
    """
    c = Cleaned()
    v = c.values
    today = today_moscow()
    for key, limit in LENGTHS.items():
        text = _text(raw, key)
        if text is not None and len(text) > limit:
            c.errors[key] = f"не длиннее {limit} символов (сейчас {len(text)})"
        v[key] = text
    for key in ("last_name", "first_name", "middle_name"):
        text = v.get(key)
        if text and key not in c.errors and not _NAME_RE.match(text):
            c.errors[key] = "только буквы, дефис, апостроф и пробел"
    for key in ("last_name", "first_name"):
        if not v.get(key):
            c.errors[key] = "обязательное поле"

    category = _text(raw, "category") or (PersonCategory.STUDENT if base == "mentees" else None)
    if category is not None:
        category = next((x for x in CATEGORIES if fold(x) == fold(category)), category)
    if not category:
        c.errors["category"] = "выберите категорию"
    elif category not in CATEGORIES:
        c.errors["category"] = "неизвестная категория; допустимо: " + ", ".join(CATEGORIES)
    elif base == "mentees" and category not in MENTEE_CATEGORIES:
        c.errors["category"] = "наставляемым может быть обучающийся, педагог или специалист"
    v["category"] = category

    for key in ("birth_date", "entered_on", "completed_on"):
        try:
            v[key] = parse_date_value(raw.get(key))
        except ValueError as exc:
            c.errors[key] = str(exc)
            v[key] = None
            continue
        if v[key] is not None and v[key] > today:
            c.errors[key] = "дата в будущем"
        elif v[key] is not None and v[key].year < 1900:
            c.errors[key] = "слишком ранняя дата"
    birth = v["birth_date"]
    if birth is None and "birth_date" not in c.errors and category == PersonCategory.STUDENT:
        c.errors["birth_date"] = "обязательное поле для обучающегося"
    if birth is not None and "birth_date" not in c.errors:
        age = age_on(birth, today)
        if not PLAUSIBLE_AGES[0] <= age <= PLAUSIBLE_AGES[1]:
            c.errors["birth_date"] = f"неправдоподобный возраст: {age} лет"
        elif (
            category == PersonCategory.STUDENT
            and base == "mentees"
            and not (STUDENT_AGES[0] <= age <= STUDENT_AGES[1])
        ):
            c.errors["birth_date"] = (
                f"наставляемому обучающемуся должно быть от 10 до 18 лет (сейчас {age})"
            )
        elif category in ADULT_MIN_AGE and age < ADULT_MIN_AGE[category]:
            c.errors["birth_date"] = (
                f"для категории «{category}» возраст от {ADULT_MIN_AGE[category]} лет "
                f"(сейчас {age})"
            )
    for key in ("entered_on", "completed_on"):
        if v[key] and birth and v[key] < birth and key not in c.errors:
            c.errors[key] = "раньше даты рождения"
    if v["entered_on"] and v["completed_on"] and v["completed_on"] < v["entered_on"]:
        c.errors.setdefault("completed_on", "раньше даты вхождения в программу")

    if v.get("phone") and "phone" not in c.errors:
        try:
            v["phone"] = normalise_phone(v["phone"])
        except ValueError as exc:
            c.errors["phone"] = str(exc)
    if v.get("email") and "email" not in c.errors:
        v["email"] = v["email"].lower()
        if not _EMAIL_RE.match(v["email"]):
            c.errors["email"] = "адрес вида name@example.ru"
    if v.get("case_url") and "case_url" not in c.errors:
        if not _URL_RE.match(v["case_url"]):
            c.errors["case_url"] = "ссылка должна начинаться с http:// или https://"
        elif person is None or v["case_url"] != person.case_url:
            try:
                if person is None:
                    raise RuleViolation("нет согласия на распространение персональных данных")
                require_publication_consent(person)
            except RuleViolation as exc:
                c.errors["case_url"] = exc.message

    if category == PersonCategory.STUDENT:
        v["study_level"] = _int(raw, "study_level", c, 1, 11)
        if base == "mentees" and not v.get("club") and "club" not in c.errors:
            c.errors["club"] = "обязательное поле для обучающегося: укажите объединение"
    else:
        v["study_level"] = _int(raw, "study_level", c, 1, 11)
    if base == "mentors" and category in (
        PersonCategory.TEACHER,
        PersonCategory.SPECIALIST,
        PersonCategory.EXPERT,
    ):
        if not v.get("workplace") and "workplace" not in c.errors:
            c.errors["workplace"] = f"обязательное поле для категории «{category}»"

    if "desired_age" in raw:
        try:
            low, high = parse_age_range(_text(raw, "desired_age") or "")
            raw = {**raw, "desired_age_min": low, "desired_age_max": high}
        except ValueError as exc:
            c.errors["desired_age_min"] = str(exc)
    v["desired_age_min"] = _int(raw, "desired_age_min", c, 6, 100)
    v["desired_age_max"] = _int(raw, "desired_age_max", c, 6, 100)
    low, high = v["desired_age_min"], v["desired_age_max"]
    if low and high and low > high:
        c.errors["desired_age_max"] = "«до» меньше, чем «от»"
    capacity = _int(raw, "capacity", c, 1, 10)
    v["capacity"] = capacity if capacity is not None else 1

    for key, allowed, default in (
        ("status", STATUSES, PersonStatus.CANDIDATE),
        ("comm_format", COMM_FORMATS, None),
        ("preferred_channel", CHANNELS, None),
    ):
        text = _text(raw, key)
        if text is None:
            v[key] = default
            continue
        match = next((x for x in allowed if fold(x) == fold(text)), None)
        if match is None:
            c.errors[key] = "допустимо: " + ", ".join(allowed)
        v[key] = match
    try:
        v["training_completed"] = parse_bool(raw.get("training_completed"))
    except ValueError as exc:
        c.errors["training_completed"] = str(exc)
        v["training_completed"] = False
    for key in TAG_FIELDS:
        c.tags[key] = split_tags(raw.get(key))
    return c


# --- saving -------------------------------------------------------------------------------


def person_snapshot(person: Person) -> dict[str, Any]:
    """A person's fields and tags as plain values, for the audit log's before/after."""
    data = {key: getattr(person, key) for key in PERSON_FIELDS}
    data.update(is_mentor=person.is_mentor, is_mentee=person.is_mentee)
    for key, kind in TAG_FIELDS.items():
        data[key] = person.tag_names(kind)
    return data


def find_tags(names: list[str]) -> dict[str, Tag]:
    """The vocabulary's tags by folded name, creating the missing ones (one query)."""
    wanted = {fold(n): n for n in names if fold(n)}
    if not wanted:
        return {}
    found = {t.folded: t for t in db.session.scalars(select(Tag).where(Tag.folded.in_(wanted)))}
    for key, name in wanted.items():
        if key not in found:
            found[key] = Tag.make(name)
            db.session.add(found[key])
    return found


def _set_tags(person: Person, tags: dict[str, list[str]]) -> None:
    vocabulary = find_tags([n for names in tags.values() for n in names])
    keep = []
    for key, kind in TAG_FIELDS.items():
        if key not in tags:
            keep.extend(t for t in person.tags if t.kind == kind)
            continue
        current = {t.tag.folded: t for t in person.tags if t.kind == kind}
        for name in tags[key]:
            folded = fold(name)
            keep.append(current.get(folded) or PersonTag(tag=vocabulary[folded], kind=kind))
    person.tags = keep


def save_person(person: Person | None, cleaned: Cleaned, base: str | None, *, actor=None) -> Person:
    """Create or update a person from cleaned values and record the change in the audit log."""
    if not cleaned.ok:
        raise RuleViolation("Исправьте ошибки в форме.")
    created = person is None
    if created:
        person = Person()
        db.session.add(person)
        before = {}
    else:
        before = person_snapshot(person)
    for key in PERSON_FIELDS:
        if key in cleaned.values:
            setattr(person, key, cleaned.values[key])
    if base == "mentees":
        person.is_mentee = True
    elif base == "mentors":
        person.is_mentor = True
    person.refresh_search_key()
    _set_tags(person, cleaned.tags)
    db.session.flush()
    after = person_snapshot(person)
    audit.record(
        "person_created" if created else "person_updated",
        "person",
        person.id,
        audit.diff(before, after),
        summary=person.full_name,
        actor=actor,
    )
    return person


def likely_duplicates(
    last_name: str,
    first_name: str,
    middle_name: str | None,
    birth_date: date | None,
    exclude_id: int | None = None,
) -> list[Person]:
    """People with the same folded name and date of birth."""
    if not (last_name and first_name and birth_date):
        return []
    key = fold(f"{last_name} {first_name} {middle_name or ''}")
    query = select(Person).where(Person.search_key == key, Person.birth_date == birth_date)
    if exclude_id is not None:
        query = query.where(Person.id != exclude_id)
    return list(db.session.scalars(query.limit(5)))


def tag_vocabulary(kind: str | None = None, limit: int = 500) -> list[str]:
    query = select(Tag.name).order_by(Tag.name).limit(limit)
    if kind is not None:
        query = query.where(Tag.id.in_(select(PersonTag.tag_id).where(PersonTag.kind == kind)))
    return list(db.session.scalars(query))


def clubs() -> list[str]:
    query = select(Person.club).where(Person.club.is_not(None)).distinct().order_by(Person.club)
    return [c for c in db.session.scalars(query) if c]


# --- lists --------------------------------------------------------------------------------


# Each sort is a list of (column, ascending); "-key" reverses every direction.
SORTS = {
    "name": ((Person.last_name, True), (Person.first_name, True), (Person.middle_name, True)),
    "age": ((Person.birth_date, False),),  # the youngest first reads as "age ascending"
    "club": ((Person.club, True), (Person.last_name, True)),
    "workplace": ((Person.workplace, True), (Person.last_name, True)),
    "status": ((Person.status, True), (Person.last_name, True)),
    "category": ((Person.category, True), (Person.last_name, True)),
    "entered": ((Person.entered_on, True), (Person.last_name, True)),
}


@dataclass
class ListFilters:
    q: str = ""
    category: str = ""
    status: str = ""
    club: str = ""
    consent: str = ""  # valid | revoked | missing
    pair: str = ""  # with | without
    sort: str = "name"

    @classmethod
    def from_args(cls, args) -> "ListFilters":
        return cls(**{k: (args.get(k) or "").strip()[:100] for k in cls.__dataclass_fields__})

    @property
    def active(self) -> dict[str, str]:
        return {k: v for k, v in self.__dict__.items() if v}


def base_query(base: str, filters: ListFilters) -> Select:
    """The people of a base, filtered and sorted, with what the rows show eager-loaded."""
    query = select(Person).where(Person.is_mentee if base == "mentees" else Person.is_mentor)
    query = query.options(
        selectinload(Person.consents), selectinload(Person.tags).selectinload(PersonTag.tag)
    )
    if filters.q:
        query = query.where(Person.search_key.contains(fold(filters.q), autoescape=True))
    if filters.category:
        query = query.where(Person.category == filters.category)
    if filters.status:
        query = query.where(Person.status == filters.status)
    if filters.club:
        query = query.where(Person.club == filters.club)
    if filters.consent in ConsentState.values():
        query = query.where(consent_state_clause(ConsentState(filters.consent)))
    has_pair = in_open_pair_clause(Person.id, as_mentor=base != "mentees")
    if filters.pair == "with":
        query = query.where(has_pair)
    elif filters.pair == "without":
        query = query.where(~has_pair)
    descending = filters.sort.startswith("-")
    spec = SORTS.get(filters.sort.lstrip("-"), SORTS["name"])
    order = [col.asc() if ascending != descending else col.desc() for col, ascending in spec]
    return query.order_by(*order, Person.id.desc() if descending else Person.id)


def export_rows(base: str, people: list[Person], place: str) -> list[dict[str, Any]]:
    """The base's rows for export, keyed by column key."""
    info = pair_info([p.id for p in people])
    rows = []
    for person in people:
        pi = info.get(person.id) or PairInfo()
        low, high = person.desired_age_min, person.desired_age_max
        rows.append(
            {
                "fio": person.full_name,
                "birth_date": person.birth_date,
                "age": person.age,
                "category": person.category,
                "club": person.club,
                "study_level": person.study_level,
                "workplace": person.workplace,
                "position": person.position,
                "phone": person.phone,
                "email": person.email,
                "interests": ", ".join(person.tag_names("interest")),
                "competencies": ", ".join(person.tag_names("competency")),
                "achievements": person.achievements,
                "key_request": person.key_request,
                "desired_age": f"{low}–{high}"
                if low and high
                else (str(low or high or "") or None),
                "capacity": person.capacity,
                "comm_time": person.comm_time,
                "comm_format": person.comm_format,
                "entered_on": person.entered_on,
                "completed_on": person.completed_on,
                "mentor_name": "; ".join(pi.mentor_names) or None,
                "mentor_workplace": "; ".join(w for w in pi.mentor_workplaces if w) or None,
                "mentees": "; ".join(pi.mentee_names) or None,
                "form": "; ".join(dict.fromkeys(pi.forms)) or None,
                "term": "; ".join(pi.terms) or None,
                "place": place,
                "results": person.results,
                "case_url": person.case_url,
                "training": "да" if person.training_completed else "нет",
                "status": person.status,
                "consent": CONSENT_TITLES[consent_state(person)],
            }
        )
    return rows


def export_people(base: str, filters: ListFilters | None = None) -> list[Person]:
    query = base_query(base, filters or ListFilters())
    return list(db.session.scalars(query))


def count_base(base: str) -> int:
    flag = Person.is_mentee if base == "mentees" else Person.is_mentor
    return db.session.scalar(select(func.count()).select_from(Person).where(flag)) or 0


def bulk_insert_people(rows: list[dict[str, Any]]) -> list[int]:
    """Insert many people in one statement per batch and return their ids in order."""
    if not rows:
        return []
    result = db.session.execute(
        insert(Person).returning(Person.id, sort_by_parameter_order=True), rows
    )
    return [r[0] for r in result]


# --- legal representatives -----------------------------------------------------------------

RELATIONS = ("мать", "отец", "опекун", "попечитель", "приёмный родитель")


def add_representative(
    child: Person,
    representative: Person,
    relation: str,
    authority_document: str | None,
    *,
    actor=None,
) -> Representative:
    """Link a minor to a parent or guardian."""
    if representative.id == child.id:
        raise RuleViolation("Человек не может быть законным представителем самого себя.")
    if child.age is not None and child.age >= 18:
        raise RuleViolation(f"{child.short_name} совершеннолетний(-яя): представитель не нужен.")
    if representative.age is not None and representative.age < 18:
        raise RuleViolation(
            f"{representative.short_name} младше 18 лет и не может быть законным представителем."
        )
    if relation not in RELATIONS:
        raise RuleViolation("Выберите, кем приходится представитель: " + ", ".join(RELATIONS))
    document = (authority_document or "").strip() or None
    if document and len(document) > 250:
        raise RuleViolation("Документ о полномочиях — не длиннее 250 символов.")
    if relation in ("опекун", "попечитель") and not document:
        raise RuleViolation(
            "Для опекуна и попечителя укажите документ о полномочиях (акт органа опеки)."
        )
    exists_already = db.session.scalar(
        select(Representative).where(
            Representative.child_id == child.id,
            Representative.representative_id == representative.id,
        )
    )
    if exists_already is not None:
        raise RuleViolation(f"{representative.short_name} уже указан(а) представителем.")
    link = Representative(
        child=child, representative=representative, relation=relation, authority_document=document
    )
    db.session.add(link)
    db.session.flush()
    audit.record(
        "representative_added",
        "person",
        child.id,
        {"representative": [None, f"{representative.full_name} ({relation})"]},
        summary="Добавлен законный представитель",
        actor=actor,
    )
    return link


def remove_representative(link: Representative, *, actor=None) -> None:
    audit.record(
        "representative_removed",
        "person",
        link.child_id,
        {"representative": [f"{link.representative.full_name} ({link.relation})", None]},
        summary="Удалён законный представитель",
        actor=actor,
    )
    db.session.delete(link)
