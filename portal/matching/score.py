"""Scoring of mentor × mentee pairs: form eligibility, weighted criteria, ranked suggestions.

There is one implementation of the score, vectorised over mentees × mentors (score_totals,
the engine at the end of this module); the quick screen's top ten, the comparison and the
cohort proposal all use it. Reasons in Russian are built separately and only for the pairs
shown (score_pairs).
"""

import copy
import dataclasses
import heapq
import re
from collections import defaultdict
from collections.abc import Iterable, Sequence
from collections.abc import Set as AbstractSet
from dataclasses import dataclass, fields
from functools import cached_property, lru_cache
from typing import TypedDict

import numpy as np
from scipy import sparse

# Half-up rounding of the 0–100 total with a nudge. The exact total is 100·N/(W·D), W the weight
# sum, D = 4·|request tokens|·min(|interests A|, |interests B|); a non-tie lies at least
# 1/(2·W·D) from a .5 boundary (> 1e-10 for any realistic tag counts) while float error is
# about 1e-13, so the nudge turns a true x.5 computed as x.4999999999999 into x+1 and moves
# nothing else.
TOTAL_ROUNDING_NUDGE = 1e-10

# The age criterion loses a quarter per year outside the desired range (zero at 4 years). With
# the club (halves) and format (quarters) criteria it stays an exact multiple of 1/4, so these
# three criteria are added in integer quarters, exactly.
QUARTERS = 4

# Curator weights are small; the cap keeps the quarter sums far inside exact float/int range.
MAX_WEIGHT = 10_000

# Crude Russian stemming for the free-text fallback: the first letters carry the word root
# («олимпиаде» and «олимпиада» → «олимпи»), which is enough to compare a request with tags.
STEM_LENGTH = 6

# Words that say nothing about the subject of a request; short prepositions are dropped by length.
REQUEST_STOPWORDS = frozenset(
    {
        "для",
        "при",
        "над",
        "под",
        "про",
        "без",
        "или",
        "что",
        "как",
        "это",
        "мне",
        "меня",
        "хочу",
        "хотел",
        "хотела",
        "нужно",
        "нужна",
        "нужен",
        "помощь",
        "помочь",
        "очень",
        "чтобы",
        "также",
        "подготовка",
        "подготовиться",
        "научиться",
    }
)

# Natural order of formats and weekdays in reasons, instead of alphabetical.
_FORMAT_ORDER = ("очно", "дистанционно")
_DAY_ORDER = ("пн", "вт", "ср", "чт", "пт", "сб", "вс")
_PART_ORDER = ("утро", "день", "вечер")

_WORD_RE = re.compile(r"\w+")
_REQUEST_QUOTE_LIMIT = 80


@lru_cache(maxsize=1 << 16)  # tags repeat across thousands of people; normalise each once
def normalize_tag(value: str) -> str:
    """Lower-case, ё→е and single spaces: the form in which tags and words are compared."""
    return " ".join(value.casefold().replace("ё", "е").split())


@lru_cache(maxsize=1 << 16)
def request_words(text: str) -> frozenset[str]:
    """Stems of the meaningful words of a free text (used when a request has no tags)."""
    stems: set[str] = set()
    for word in _WORD_RE.findall(normalize_tag(text)):
        if word in REQUEST_STOPWORDS:
            continue
        if len(word) < 3 and not any(ch.isdigit() for ch in word):
            continue
        stems.add(word[:STEM_LENGTH])
    return frozenset(stems)


def _display_map(values: Iterable[str]) -> dict[str, str]:
    """Map normalised tag → the spelling shown to users (the smallest one when they differ)."""
    shown: dict[str, str] = {}
    for value in values:
        key = normalize_tag(value)
        if key and (key not in shown or value.strip() < shown[key]):
            shown[key] = value.strip()
    return shown


# Tag sets repeat across people (formats, time slots, popular interests), so the normalised
# forms are cached per distinct set; a frozenset caches its own hash, making lookups cheap.
@lru_cache(maxsize=1 << 16)
def _normalized(values: frozenset[str]) -> frozenset[str]:
    return frozenset(filter(None, map(normalize_tag, values)))


@lru_cache(maxsize=1 << 16)
def _competency_tokens(competencies: frozenset[str]) -> frozenset[str]:
    """Competency tags ("t:") plus the stems of their words ("s:") for free-text requests."""
    tokens = {"t:" + tag for tag in competencies}
    for tag in competencies:
        tokens.update("s:" + stem for stem in request_words(tag))
    return frozenset(tokens)


class _Profile:
    """Normalised view of a Candidate, computed once per object and reused by every score.

    Only what the numbers need; display spellings for reasons are derived from the Candidate
    when a reason is built, which happens for few pairs.
    """

    __slots__ = (
        "request_tokens",
        "request_by_tags",
        "comp_tags",
        "comp_tokens",
        "interests",
        "club",
        "formats",
        "slots",
        "sort_name",
    )

    def __init__(self, person: "Candidate") -> None:
        request_tags = _normalized(person.request_tags)
        # Tags and free-text stems share one token space with prefixes, so a single set
        # intersection (and a single sparse product in the matrix) serves both definitions.
        self.request_by_tags = bool(request_tags)
        if request_tags:
            self.request_tokens = frozenset("t:" + tag for tag in request_tags)
        else:
            self.request_tokens = frozenset("s:" + s for s in request_words(person.key_request))
        self.comp_tags = _normalized(person.competencies)
        self.comp_tokens = _competency_tokens(self.comp_tags)
        self.interests = _normalized(person.interests)
        self.club = (normalize_tag(person.club) or None) if person.club else None
        self.formats = _normalized(person.formats)
        self.slots = _normalized(person.availability)
        # Names are nearly unique: folded directly rather than through the tag cache.
        self.sort_name = " ".join(person.full_name.casefold().replace("ё", "е").split())


@dataclass(frozen=True)
class Candidate:
    """A person as the matcher sees them (built from database rows elsewhere)."""

    id: int
    full_name: str
    category: str
    age: int | None
    level: int | None
    club: str | None
    interests: frozenset[str]
    competencies: frozenset[str]
    key_request: str
    request_tags: frozenset[str]
    desired_age_min: int | None
    desired_age_max: int | None
    formats: frozenset[str]
    availability: frozenset[str]
    consent_valid: bool
    capacity: int
    active_mentees: int

    @cached_property
    def _profile(self) -> _Profile:
        # cached_property writes into the instance __dict__, which a frozen dataclass allows;
        # eq/hash/repr only look at fields, so the cache is invisible.
        return _Profile(self)

    @property
    def remaining_capacity(self) -> int:
        """Free mentee places of a mentor (never negative)."""
        return max(0, self.capacity - self.active_mentees)


@dataclass(frozen=True)
class FormRule:
    """Eligibility rules of one form of mentorship."""

    code: str
    mentor_categories: frozenset[str]
    mentee_categories: frozenset[str]
    mentor_higher_level: bool
    min_mentee_age: int | None = 10
    title: str = ""  # shown in reasons, e.g. «ученик – ученик»; the code is used when empty

    @property
    def label(self) -> str:
        return self.title or self.code


@dataclass(frozen=True)
class Weights:
    """Curator-tunable weights of the criteria; their sum is scaled to 100 points."""

    request: int = 35
    interests: int = 25
    age: int = 15
    club: int = 10
    format: int = 15

    def __post_init__(self) -> None:
        for item in fields(self):
            value = getattr(self, item.name)
            if isinstance(value, bool) or not isinstance(value, int):
                raise ValueError(f"вес «{item.name}» должен быть целым числом")
            if not 0 <= value <= MAX_WEIGHT:
                raise ValueError(f"вес «{item.name}» должен быть от 0 до {MAX_WEIGHT}")

    @property
    def total(self) -> int:
        return self.request + self.interests + self.age + self.club + self.format


# The criteria in the order they are computed and shown: (code = the Weights field, label).
CRITERIA = (
    ("request", "Ключевой запрос"),
    ("interests", "Общие интересы"),
    ("age", "Возраст"),
    ("club", "Объединение"),
    ("format", "Формат и время"),
)


@dataclass(frozen=True)
class Criterion:
    """One scored criterion: points out of max_points (= its weight) with a Russian reason."""

    code: str
    label: str
    points: float
    max_points: float
    reason: str


@dataclass(frozen=True)
class MatchScore:
    """Total 0–100 and the criteria it is made of."""

    total: int
    parts: tuple[Criterion, ...]


@dataclass(frozen=True)
class Suggestion:
    """A mentor proposed for a mentee, with the score and the mentor's free places."""

    mentor: Candidate
    score: MatchScore
    remaining_capacity: int


class CommonGround(TypedDict):
    """What a mentor and a mentee share, for the side-by-side comparison."""

    interests: list[str]
    request_matches: list[str]
    same_club: str | None
    formats: list[str]
    time_slots: list[str]


# ---------------------------------------------------------------------------------------------
# Russian wording helpers


def plural_ru(n: int, one: str, few: str, many: str) -> str:
    """Russian plural form for a count: 1 год, 2 года, 5 лет, 11 лет."""
    tail = abs(n) % 100
    if 11 <= tail <= 14:
        return many
    if tail % 10 == 1:
        return one
    if 2 <= tail % 10 <= 4:
        return few
    return many


def points_ru(n: int) -> str:
    return f"{n} {plural_ru(n, 'балл', 'балла', 'баллов')}"


def _years_ru(n: int) -> str:
    return f"{n} {plural_ru(n, 'год', 'года', 'лет')}"


def _quote(text: str) -> str:
    text = " ".join(text.split())
    if len(text) > _REQUEST_QUOTE_LIMIT:
        text = text[: _REQUEST_QUOTE_LIMIT - 1].rstrip() + "…"
    return f"«{text}»"


def _format_key(value: str) -> tuple[int, str]:
    return (_FORMAT_ORDER.index(value) if value in _FORMAT_ORDER else len(_FORMAT_ORDER), value)


def _slot_key(value: str) -> tuple[int, int, str]:
    day, _, part = value.partition("-")
    day_rank = _DAY_ORDER.index(day) if day in _DAY_ORDER else len(_DAY_ORDER)
    part_rank = _PART_ORDER.index(part) if part in _PART_ORDER else len(_PART_ORDER)
    return (day_rank, part_rank, value)


def _age_range_ru(low: int | None, high: int | None) -> str:
    if low is not None and high is not None:
        return f"{low}–{high}"
    if low is not None:
        return f"от {low}"
    return f"до {high}"


# ---------------------------------------------------------------------------------------------
# Hard filter


def mentee_blockers(mentee: Candidate, form: FormRule) -> list[str]:
    """Reasons that exclude the mentee from the form whoever the mentor is."""
    reasons: list[str] = []
    if mentee.category not in form.mentee_categories:
        reasons.append(
            f"категория наставляемого «{mentee.category}» не подходит для формы «{form.label}»"
        )
    if form.min_mentee_age is not None and mentee.age is not None:
        if mentee.age < form.min_mentee_age:
            reasons.append(
                f"наставляемому {_years_ru(mentee.age)}, а форма «{form.label}» "
                f"допускает с {_years_ru(form.min_mentee_age)}"
            )
    if not mentee.consent_valid:
        reasons.append("нет действующего согласия на обработку ПДн у наставляемого")
    return reasons


def hard_filter(
    mentor: Candidate, mentee: Candidate, form: FormRule, *, already_paired: bool
) -> list[str]:
    """Russian reasons why the pair is impossible in this form; an empty list means allowed.

    Unknown data never blocks: a missing level or age passes (the score or the curator judges).
    """
    reasons: list[str] = []
    if mentor.id == mentee.id:
        reasons.append("наставник и наставляемый — один и тот же человек")
    if mentor.category not in form.mentor_categories:
        reasons.append(
            f"категория наставника «{mentor.category}» не подходит для формы «{form.label}»"
        )
    if not mentor.consent_valid:
        reasons.append("нет действующего согласия на обработку ПДн у наставника")
    if mentor.capacity - mentor.active_mentees <= 0:
        reasons.append(
            f"у наставника нет свободных мест ({mentor.active_mentees} из {mentor.capacity})"
        )
    if form.mentor_higher_level and mentor.level is not None and mentee.level is not None:
        if mentor.level <= mentee.level:
            reasons.append(
                "наставник должен учиться на более высокой ступени: "
                f"{mentor.level} класс против {mentee.level}"
            )
    reasons.extend(mentee_blockers(mentee, form))
    if already_paired:
        reasons.append("эта пара уже создана в данной форме наставничества")
    return reasons


# ---------------------------------------------------------------------------------------------
# Reasons


def _request_matches(mentor: Candidate, mentee: Candidate) -> list[str]:
    """Mentor competencies (as spelled by the mentor) that answer the mentee's request."""
    wanted = {token[2:] for token in mentee._profile.request_tokens}
    shown = _display_map(mentor.competencies)
    if mentee._profile.request_by_tags:
        return [spelling for tag, spelling in shown.items() if tag in wanted]
    return [spelling for tag, spelling in shown.items() if request_words(tag) & wanted]


def _request_reason(mentor: Candidate, mentee: Candidate) -> str:
    profile, mentor_profile = mentee._profile, mentor._profile
    if not profile.request_tokens:
        return "ключевой запрос не указан"
    if mentee.key_request.strip():
        subject = f"ключевой запрос {_quote(mentee.key_request)}"
    else:
        tags = sorted(token[2:] for token in profile.request_tokens)
        subject = f"ключевой запрос (темы: {', '.join(tags)})"
    if not mentor_profile.comp_tags:
        return f"{subject}: компетенции наставника не указаны"
    matched = sorted(_request_matches(mentor, mentee))
    if not matched:
        return f"{subject} не совпадает с компетенциями наставника"
    hit = len(profile.request_tokens & mentor_profile.comp_tokens)
    wanted = len(profile.request_tokens)
    reason = f"{subject} ↔ компетенции: {', '.join(matched)}"
    if hit < wanted:
        unit = "тем запроса" if profile.request_by_tags else "слов запроса"
        reason += f" ({hit} из {wanted} {unit})"
    return reason


def _shared_interests(mentor: Candidate, mentee: Candidate) -> list[str]:
    """Shared interests as the mentee spells them."""
    common = mentor._profile.interests & mentee._profile.interests
    return sorted(
        spelling for tag, spelling in _display_map(mentee.interests).items() if tag in common
    )


def _interest_reason(mentor: Candidate, mentee: Candidate) -> str:
    if not mentee._profile.interests:
        return "интересы наставляемого не указаны"
    if not mentor._profile.interests:
        return "интересы наставника не указаны"
    shared = _shared_interests(mentor, mentee)
    if not shared:
        return "общих интересов нет"
    return f"общие интересы: {', '.join(shared)}"


def _age_reason(mentor: Candidate, mentee: Candidate) -> str:
    if mentee.age is None:
        return "возраст неизвестен"
    low, high = mentor.desired_age_min, mentor.desired_age_max
    if low is None and high is None:
        return f"возраст {mentee.age}; желаемый возраст наставляемых не указан"
    gap = _age_gap(mentor, mentee.age)
    span = _age_range_ru(low, high)
    if gap == 0:
        return f"возраст {mentee.age} — в желаемом диапазоне {span}"
    return f"возраст {mentee.age} — вне желаемого диапазона {span} (на {_years_ru(gap)})"


def _club_reason(mentor: Candidate, mentee: Candidate) -> str:
    mentor_club, mentee_club = mentor._profile.club, mentee._profile.club
    if mentor_club is None or mentee_club is None:
        return "объединение неизвестно"
    if mentor_club == mentee_club:
        return f"одно объединение: «{(mentee.club or '').strip()}»"
    return f"разные объединения: «{(mentor.club or '').strip()}» и «{(mentee.club or '').strip()}»"


def _format_reason(mentor: _Profile, mentee: _Profile) -> str:
    if not mentor.formats or not mentee.formats:
        formats = "не указан"
    elif shared := mentor.formats & mentee.formats:
        formats = "оба готовы " + ", ".join(sorted(shared, key=_format_key))
    else:
        mine = ", ".join(sorted(mentor.formats, key=_format_key))
        theirs = ", ".join(sorted(mentee.formats, key=_format_key))
        formats = f"нет общего (наставник: {mine}; наставляемый: {theirs})"
    if not mentor.slots or not mentee.slots:
        slots = "время неизвестно"
    elif shared_slots := mentor.slots & mentee.slots:
        slots = "общее время: " + ", ".join(sorted(shared_slots, key=_slot_key))
    else:
        slots = "нет общего времени"
    return f"формат: {formats}; {slots}"


def common_ground(mentor: Candidate, mentee: Candidate) -> CommonGround:
    """What the two share: interests, request↔competency matches, club, formats, time slots."""
    mp, ep = mentor._profile, mentee._profile
    same_club = (mentee.club or "").strip() if mp.club is not None and mp.club == ep.club else None
    return CommonGround(
        interests=_shared_interests(mentor, mentee),
        request_matches=sorted(_request_matches(mentor, mentee)),
        same_club=same_club,
        formats=sorted(mp.formats & ep.formats, key=_format_key),
        time_slots=sorted(mp.slots & ep.slots, key=_slot_key),
    )


# Cells of the score matrix computed at once: each float64 temporary stays near 2 MB whatever
# the cohort size (cache-friendly, and reused by the allocator instead of fresh mmaps).
_BLOCK_CELLS = 1 << 18

# ---------------------------------------------------------------------------------------------
# The one score: criteria of every mentee × mentor pair, vectorised


def _vocabulary(sets: Sequence[frozenset[str]]) -> dict[str, int]:
    vocabulary: dict[str, int] = {}
    for tokens in sets:
        for token in tokens:
            vocabulary.setdefault(token, len(vocabulary))
    return vocabulary


def _incidence(sets: Sequence[frozenset[str]], vocabulary: dict[str, int]) -> sparse.csr_matrix:
    """Binary people × tokens matrix; tokens outside the vocabulary are skipped."""
    indptr = [0]
    indices: list[int] = []
    for tokens in sets:
        indices.extend(vocabulary[t] for t in tokens if t in vocabulary)
        indptr.append(len(indices))
    data = np.ones(len(indices), dtype=np.float64)
    shape = (len(sets), max(len(vocabulary), 1))
    return sparse.csr_matrix((data, np.asarray(indices, dtype=np.int64), indptr), shape=shape)


def _bitmasks(sets: Sequence[frozenset[str]], vocabulary: dict[str, int]) -> np.ndarray:
    masks = [sum(1 << vocabulary[t] for t in tokens if t in vocabulary) for tokens in sets]
    return np.array(masks, dtype=np.int64)


class _MentorPart:
    """The mentors' half of one set-valued attribute: its vocabulary and their encoding."""

    # Up to 63 distinct tokens (formats, time slots) fit one int64 bitmask per person, and
    # "shares any" becomes a single AND instead of a sparse product.
    _BITMASK_LIMIT = 63

    def __init__(self, mentor_sets: Sequence[frozenset[str]], *, counts: bool) -> None:
        # The vocabulary comes from the mentors only: a token no mentor has is in no
        # intersection, and the set sizes (denominators) are taken from the profiles.
        self.vocabulary = _vocabulary(mentor_sets)
        self.bits: np.ndarray | None = None
        self.inc_t = None
        if not counts and len(self.vocabulary) <= self._BITMASK_LIMIT:
            self.bits = _bitmasks(mentor_sets, self.vocabulary)
        else:
            self.inc_t = _incidence(mentor_sets, self.vocabulary).T.tocsr()


class _Overlap:
    """Intersections of one set-valued attribute, mentee sets × mentor sets."""

    def __init__(self, mentee_sets: Sequence[frozenset[str]], mentor: _MentorPart) -> None:
        self.mentor = mentor
        if mentor.bits is not None:
            self.mentee_bits = _bitmasks(mentee_sets, mentor.vocabulary)
        else:
            self.mentee_inc = _incidence(mentee_sets, mentor.vocabulary)

    def counts(self, rows: slice) -> np.ndarray:
        """|A ∩ B| as float64 (exact small integers) for a block of mentees."""
        return (self.mentee_inc[rows] @ self.mentor.inc_t).toarray()

    def shares_any(self, rows: slice) -> np.ndarray:
        if self.mentor.bits is not None:
            return (self.mentee_bits[rows, None] & self.mentor.bits[None, :]) != 0
        return self.counts(rows) > 0


# Sentinels for an open side of the desired age range: far beyond any age, so the gap formula
# needs no special case.
_OPEN_LOW, _OPEN_HIGH = -1_000_000, 1_000_000


class _Side:
    """Column-wise numeric encoding of one side (mentors or mentees) of the matrix."""

    def __init__(self, people: Sequence[Candidate]) -> None:
        profiles = [person._profile for person in people]
        self.profiles = profiles
        self.ids = np.array([p.id for p in people], dtype=np.int64)
        self.request_len = np.array([len(p.request_tokens) for p in profiles], dtype=np.float64)
        self.interest_len = np.array([len(p.interests) for p in profiles], dtype=np.float64)
        self.no_formats = np.array([not p.formats for p in profiles], dtype=bool)
        self.no_slots = np.array([not p.slots for p in profiles], dtype=bool)
        self.age_known = np.array([p.age is not None for p in people], dtype=bool)
        self.age = np.array([p.age or 0 for p in people], dtype=np.int64)
        self.level_known = np.array([p.level is not None for p in people], dtype=bool)
        self.level = np.array([p.level or 0 for p in people], dtype=np.int64)
        low = [p.desired_age_min for p in people]
        high = [p.desired_age_max for p in people]
        self.range_known = np.array([a is not None for a in low], dtype=bool)
        self.range_known |= np.array([b is not None for b in high], dtype=bool)
        self.low = np.array([_OPEN_LOW if a is None else a for a in low], dtype=np.int64)
        self.high = np.array([_OPEN_HIGH if b is None else b for b in high], dtype=np.int64)
        self.consent = np.array([p.consent_valid for p in people], dtype=bool)
        self.remaining = np.array([p.remaining_capacity for p in people], dtype=np.int64)
        self.categories = [p.category for p in people]
        self.sort_names = [p.sort_name for p in profiles]


class MentorIndex:
    """The mentors' side of the score, encoded once and reusable for many mentees.

    Consent and free places change more often than profiles; ``with_current`` gives a copy
    with fresh values for those two, sharing everything else (the index itself is never
    changed, so one index may serve concurrent requests).
    """

    def __init__(self, mentors: Sequence[Candidate]) -> None:
        self.people = list(mentors)
        self.side = _Side(self.people)
        profiles = self.side.profiles
        self.request = _MentorPart([p.comp_tokens for p in profiles], counts=True)
        self.interests = _MentorPart([p.interests for p in profiles], counts=True)
        self.formats = _MentorPart([p.formats for p in profiles], counts=False)
        self.slots = _MentorPart([p.slots for p in profiles], counts=False)
        self.clubs: dict[str, int] = {}
        self.club = np.array(
            [
                -1 if p.club is None else self.clubs.setdefault(p.club, len(self.clubs))
                for p in profiles
            ],
            dtype=np.int32,
        )

    def with_current(self, consent_ids: AbstractSet[int], active: dict[int, int]) -> "MentorIndex":
        """A copy whose consent and free places are as given (person ids, active mentees)."""
        fresh = copy.copy(self)
        fresh.side = copy.copy(self.side)
        ids = self.side.ids.tolist()
        fresh.side.consent = np.array([i in consent_ids for i in ids], dtype=bool)
        capacity = np.array([p.capacity for p in self.people], dtype=np.int64)
        taken = np.array([active.get(i, 0) for i in ids], dtype=np.int64)
        fresh.side.remaining = np.maximum(capacity - taken, 0)
        fresh.people = None  # Candidates hold the old values: see current_candidate
        fresh._source = self
        fresh._consent_ids, fresh._active = consent_ids, active
        return fresh

    def candidate(self, j: int) -> Candidate:
        """Mentor j as a Candidate with the index's consent and free places."""
        source = getattr(self, "_source", None)
        if source is None:
            return self.people[j]
        person = source.people[j]
        return dataclasses.replace(
            person,
            consent_valid=person.id in self._consent_ids,
            active_mentees=self._active.get(person.id, 0),
        )

    def __len__(self) -> int:
        return len(self.side.ids)


class _Encoded:
    """Both sides plus the overlaps needed by the set-valued criteria."""

    def __init__(
        self,
        mentees: Sequence[Candidate],
        mentors: Sequence[Candidate] | None = None,
        *,
        index: MentorIndex | None = None,
    ) -> None:
        index = index if index is not None else MentorIndex(mentors or [])
        self.mentees, self.mentors = _Side(mentees), index.side
        mentee_p = self.mentees.profiles
        self.request = _Overlap([p.request_tokens for p in mentee_p], index.request)
        self.interests = _Overlap([p.interests for p in mentee_p], index.interests)
        self.formats = _Overlap([p.formats for p in mentee_p], index.formats)
        self.slots = _Overlap([p.slots for p in mentee_p], index.slots)
        self.age_table, self.age_row = _age_quarters_table(self.mentees, self.mentors)
        self.mentor_club = index.club
        # −2: a known club no mentor belongs to, unequal to every mentor code but not unknown.
        self.mentee_club = np.array(
            [-1 if p.club is None else index.clubs.get(p.club, -2) for p in mentee_p],
            dtype=np.int32,
        )


def _age_quarters_table(mentees: "_Side", mentors: "_Side") -> tuple[np.ndarray, np.ndarray]:
    """Age criterion in quarters for every distinct mentee age × mentor, and each mentee's row.

    Ages take few distinct values, so one small table plus a row gather replaces several
    passes over the mentee × mentor block; the last row serves mentees of unknown age.
    """
    ages, inverse = np.unique(mentees.age[mentees.age_known], return_inverse=True)
    gap = np.maximum(
        np.maximum(mentors.low[None, :] - ages[:, None], ages[:, None] - mentors.high[None, :]), 0
    )
    table = np.clip(QUARTERS - gap, 0, QUARTERS).astype(np.int32)
    table[:, ~mentors.range_known] = QUARTERS // 2
    table = np.vstack([table, np.full((1, table.shape[1]), QUARTERS // 2, dtype=np.int32)])
    row = np.full(mentees.age.shape, ages.size, dtype=np.int64)
    row[mentees.age_known] = inverse
    return table, row


def _quarters(enc: "_Encoded", rows: slice) -> tuple[np.ndarray, np.ndarray, np.ndarray]:
    """The age, club and format fractions of a block in quarters (small exact integers)."""
    me, mn = enc.mentees, enc.mentors
    age_q = enc.age_table[enc.age_row[rows]]
    # Small int8 blocks and row/column overwrites for "unknown": several times cheaper than
    # nested np.where over int64 temporaries.
    club_q = (enc.mentee_club[rows, None] == enc.mentor_club[None, :]).view(np.int8) * QUARTERS
    club_q[:, enc.mentor_club == -1] = QUARTERS // 2
    club_q[enc.mentee_club[rows] == -1] = QUARTERS // 2
    format_q = _half_in_quarters(enc.formats.shares_any(rows), me.no_formats[rows], mn.no_formats)
    format_q += _half_in_quarters(enc.slots.shares_any(rows), me.no_slots[rows], mn.no_slots)
    return age_q, club_q, format_q


def _quarter_sum(enc: "_Encoded", rows: slice, weights: Weights) -> np.ndarray:
    """age + club + format points of a block of mentees, in integer quarters (exact)."""
    age_q, club_q, format_q = _quarters(enc, rows)
    quarters = np.multiply(age_q, weights.age, dtype=np.int32)
    quarters += np.multiply(club_q, weights.club, dtype=np.int32)
    quarters += np.multiply(format_q, weights.format, dtype=np.int32)
    return quarters


def _half_in_quarters(
    shared: np.ndarray, mentee_empty: np.ndarray, mentor_empty: np.ndarray
) -> np.ndarray:
    """The format half in quarters, int8: 2 if shared, 0 if not, 1 if either side is unknown."""
    quarters = shared.view(np.int8) * 2
    quarters[:, mentor_empty] = 1
    quarters[mentee_empty] = 1
    return quarters


def _weighted_points(enc: _Encoded, rows: slice, weights: Weights) -> np.ndarray:
    """Σ weight·fraction for a block of mentees (request and interests as floats, the three
    quarter-valued criteria as an exact integer sum added last)."""
    me, mn = enc.mentees, enc.mentors
    # An empty side has no hits, so dividing 0 by 1 instead of skipping gives the same 0.0 and
    # spares np.divide's slow where= path.
    request = enc.request.counts(rows)
    request /= np.maximum(me.request_len[rows], 1.0)[:, None]

    interests = enc.interests.counts(rows)
    interests /= np.maximum(np.minimum.outer(me.interest_len[rows], mn.interest_len), 1.0)

    weighted = weights.request * request
    weighted += weights.interests * interests
    weighted += _quarter_sum(enc, rows, weights) / QUARTERS
    return weighted


def _feasible_ignoring_capacity(
    enc: _Encoded, form: FormRule, paired: AbstractSet[tuple[int, int]]
) -> np.ndarray:
    """Hard filter without the capacity check, as a mentee × mentor boolean matrix."""
    me, mn = enc.mentees, enc.mentors
    mentee_ok = np.array([c in form.mentee_categories for c in me.categories], dtype=bool)
    mentee_ok &= me.consent
    if form.min_mentee_age is not None:
        mentee_ok &= ~me.age_known | (me.age >= form.min_mentee_age)
    mentor_ok = np.array([c in form.mentor_categories for c in mn.categories], dtype=bool)
    mentor_ok &= mn.consent
    feasible = mentee_ok[:, None] & mentor_ok[None, :]
    feasible &= me.ids[:, None] != mn.ids[None, :]
    if form.mentor_higher_level:
        unknown = ~me.level_known[:, None] | ~mn.level_known[None, :]
        feasible &= unknown | (mn.level[None, :] > me.level[:, None])
    if paired:
        rows_of: defaultdict[int, list[int]] = defaultdict(list)
        cols_of: defaultdict[int, list[int]] = defaultdict(list)
        for i, person_id in enumerate(me.ids.tolist()):
            rows_of[person_id].append(i)
        for j, person_id in enumerate(mn.ids.tolist()):
            cols_of[person_id].append(j)
        for mentee_id, mentor_id in paired:
            for i in rows_of.get(mentee_id, ()):
                feasible[i, cols_of.get(mentor_id, [])] = False
    return feasible


def _age_gap(mentor: Candidate, age: int) -> int:
    low, high = mentor.desired_age_min, mentor.desired_age_max
    return max(0, low - age if low is not None else 0, age - high if high is not None else 0)


def _scale(weighted: np.ndarray, weight_total: int) -> np.ndarray:
    """Map Σ weight·fraction onto 0–100 with half-up rounding (0 when all weights are 0)."""
    if weight_total <= 0:
        return np.zeros(weighted.shape, dtype=np.int16)
    return np.floor(weighted * 100.0 / weight_total + 0.5 + TOTAL_ROUNDING_NUDGE).astype(np.int16)


def score_totals(
    mentees: Sequence[Candidate], mentors: Sequence[Candidate], weights: Weights
) -> np.ndarray:
    """int16 mentee × mentor matrix of totals 0–100 (no hard filter), computed block-wise."""
    return _totals(_Encoded(mentees, mentors), len(mentees), len(mentors), weights)


def _totals(enc: "_Encoded", n: int, m: int, weights: Weights) -> np.ndarray:
    totals = np.zeros((n, m), dtype=np.int16)
    if weights.total > 0 and n and m:
        block = max(1, _BLOCK_CELLS // m)
        for start in range(0, n, block):
            rows = slice(start, min(n, start + block))
            totals[rows] = _scale(_weighted_points(enc, rows, weights), weights.total)
    return totals


# Pairs scored at once when reasons are wanted: a block × block matrix whose diagonal is used.
_PAIR_BLOCK = 128


def score_pairs(pairs: Sequence[tuple[Candidate, Candidate]], weights: Weights) -> list[MatchScore]:
    """Full scores (criteria points and Russian reasons) of (mentor, mentee) pairs.

    The points come from the same vectorised criteria as score_totals, so a total shown
    with its reasons is the total the ranking and the cohort used. Call it for the pairs
    that are shown: reasons are the costly part.
    """
    result: list[MatchScore] = []
    for start in range(0, len(pairs), _PAIR_BLOCK):
        chunk = pairs[start : start + _PAIR_BLOCK]
        mentors = [mentor for mentor, _ in chunk]
        mentees = [mentee for _, mentee in chunk]
        enc = _Encoded(mentees, mentors)
        rows = slice(0, len(chunk))
        points = [np.diagonal(p) for p in _criteria_points(enc, rows, weights)]
        totals = np.diagonal(_scale(_weighted_points(enc, rows, weights), weights.total))
        for k, (mentor, mentee) in enumerate(chunk):
            reasons = (
                _request_reason(mentor, mentee),
                _interest_reason(mentor, mentee),
                _age_reason(mentor, mentee),
                _club_reason(mentor, mentee),
                _format_reason(mentor._profile, mentee._profile),
            )
            parts = tuple(
                Criterion(code, label, float(points[c][k]), float(getattr(weights, code)), why)
                for c, ((code, label), why) in enumerate(zip(CRITERIA, reasons, strict=True))
            )
            result.append(MatchScore(total=int(totals[k]), parts=parts))
    return result


def _criteria_points(enc: "_Encoded", rows: slice, weights: Weights) -> tuple[np.ndarray, ...]:
    """Each criterion's points (weight × fraction) for a block, in the order of CRITERIA."""
    me, mn = enc.mentees, enc.mentors
    request = enc.request.counts(rows)
    request /= np.maximum(me.request_len[rows], 1.0)[:, None]
    interests = enc.interests.counts(rows)
    interests /= np.maximum(np.minimum.outer(me.interest_len[rows], mn.interest_len), 1.0)
    age_q, club_q, format_q = _quarters(enc, rows)
    return (
        weights.request * request,
        weights.interests * interests,
        # Divide first: the quarters are int8, and weight × quarters would overflow them.
        weights.age * (age_q / QUARTERS),
        weights.club * (club_q / QUARTERS),
        weights.format * (format_q / QUARTERS),
    )


def match_score(mentor: Candidate, mentee: Candidate, weights: Weights) -> MatchScore:
    """Score a mentor for a mentee: each criterion's fraction 0..1 times its weight.

    request   = |request_tags ∩ competencies| / |request_tags|; without tags, the share of the
                key request's word stems (first 6 letters, stop words dropped) found among the
                stems of the competency words; 0 if there is no request.
    interests = |A ∩ B| / min(|A|, |B|) (overlap coefficient); 0 if either side has none.
    age       = 1 inside the mentor's desired range, minus 1/4 per year outside (0 at 4 years);
                0.5 if the age or the whole range is unknown (an open side is unbounded).
    club      = 1 same объединение, 0 different, 0.5 if either is unknown.
    format    = 0.5 for a shared format + 0.5 for a shared time slot; each half is 0.25 when
                that side's data is missing for either person.
    total     = half-up round of 100 · Σ points / Σ weights (0 when all weights are 0).
    """
    return score_pairs([(mentor, mentee)], weights)[0]


def top_suggestions(
    mentee: Candidate,
    mentors: Sequence[Candidate] | MentorIndex,
    form: FormRule,
    weights: Weights,
    *,
    paired_ids: AbstractSet[int] = frozenset(),
    limit: int = 10,
) -> list[Suggestion]:
    """The best `limit` mentors passing the hard filter, by total desc, then name, then id.

    `mentors` is a list or a prepared MentorIndex (reused across requests while the mentors'
    profiles do not change); `paired_ids` are the mentors already paired with this mentee in
    this form. One vectorised row of totals ranks every mentor; reasons are built only for
    those returned.
    """
    index = mentors if isinstance(mentors, MentorIndex) else MentorIndex(mentors)
    if limit <= 0 or not len(index) or mentee_blockers(mentee, form):
        return []
    enc = _Encoded([mentee], index=index)
    paired = {(mentee.id, mentor_id) for mentor_id in paired_ids}
    allowed = _feasible_ignoring_capacity(enc, form, paired)[0] & (enc.mentors.remaining > 0)
    totals = _totals(enc, 1, len(index), weights)[0]
    names = index.side.sort_names
    ids = index.side.ids
    ranked = [(-int(totals[j]), names[j], int(ids[j]), j) for j in np.flatnonzero(allowed).tolist()]
    best = [index.candidate(j) for *_, j in heapq.nsmallest(limit, ranked)]
    scores = score_pairs([(mentor, mentee) for mentor in best], weights)
    return [
        Suggestion(mentor=mentor, score=score, remaining_capacity=mentor.remaining_capacity)
        for mentor, score in zip(best, scores, strict=True)
    ]
