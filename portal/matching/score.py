"""Scoring of a mentor × mentee pair: form eligibility, weighted criteria and ranked suggestions."""

import heapq
import math
import re
from collections.abc import Iterable, Sequence
from collections.abc import Set as AbstractSet
from dataclasses import dataclass, fields
from functools import cached_property, lru_cache
from typing import TypedDict

# Half-up rounding of the 0–100 total with a nudge. The exact total is 100·N/(W·D), W the weight
# sum, D = 4·|request tokens|·min(|interests A|, |interests B|); a non-tie lies at least
# 1/(2·W·D) from a .5 boundary (> 1e-10 for any realistic tag counts) while float error is
# about 1e-13, so the nudge turns a true x.5 computed as x.4999999999999 into x+1 and moves
# nothing else.
TOTAL_ROUNDING_NUDGE = 1e-10

# The age criterion loses a quarter per year outside the desired range (zero at 4 years). With
# the club (halves) and format (quarters) criteria it stays an exact multiple of 1/4, which lets
# assign.py add these three criteria in integer quarters and still agree bit-wise with this file.
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
        # intersection (and a single sparse product in assign.py) serves both definitions.
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


def _mentor_pair_ok(
    mentor: Candidate, mentee: Candidate, form: FormRule, already_paired: bool
) -> bool:
    """Boolean twin of the mentor-side and pair checks of hard_filter (no strings built)."""
    if already_paired or mentor.id == mentee.id or not mentor.consent_valid:
        return False
    if mentor.category not in form.mentor_categories:
        return False
    if mentor.capacity - mentor.active_mentees <= 0:
        return False
    if form.mentor_higher_level and mentor.level is not None and mentee.level is not None:
        return mentor.level > mentee.level
    return True


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
# Criteria as fractions 0..1; assign.py mirrors these operations element-wise, so any change
# here must be made there too (a test compares both on random instances).


def _request_fraction(mentor: _Profile, mentee: _Profile) -> float:
    wanted = mentee.request_tokens
    if not wanted:
        return 0.0
    return len(wanted & mentor.comp_tokens) / len(wanted)


def _interest_fraction(mentor: _Profile, mentee: _Profile) -> float:
    # Overlap coefficient rather than Jaccard: a mentor with broad interests is not penalised
    # for breadth as long as the mentee's interests are covered.
    a, b = mentor.interests, mentee.interests
    if not a or not b:
        return 0.0
    return len(a & b) / min(len(a), len(b))


def _age_gap(mentor: Candidate, age: int) -> int:
    low, high = mentor.desired_age_min, mentor.desired_age_max
    return max(0, low - age if low is not None else 0, age - high if high is not None else 0)


def _age_fraction(mentor: Candidate, mentee: Candidate) -> float:
    if mentee.age is None or (mentor.desired_age_min is None and mentor.desired_age_max is None):
        return 0.5
    return max(0, QUARTERS - _age_gap(mentor, mentee.age)) / QUARTERS


def _club_fraction(mentor: _Profile, mentee: _Profile) -> float:
    if mentor.club is None or mentee.club is None:
        return 0.5
    return 1.0 if mentor.club == mentee.club else 0.0


def _shared_half(a: frozenset[str], b: frozenset[str]) -> float:
    if not a or not b:
        return 0.25
    return 0.5 if a & b else 0.0


def _format_fraction(mentor: _Profile, mentee: _Profile) -> float:
    return _shared_half(mentor.formats, mentee.formats) + _shared_half(mentor.slots, mentee.slots)


def combine_points(request: float, interests: float, age: float, club: float, fmt: float) -> float:
    """Σ points in the one order of float operations shared with assign.py.

    age + club + format are exact multiples of 1/4, so their sum is exact (assign.py computes
    it in integer quarters); request and interests are added first, as floats.
    """
    return request + interests + (age + club + fmt)


def scale_total(weighted_sum: float, weight_total: int) -> int:
    """Map Σ weight·fraction onto 0–100 with half-up rounding (0 when all weights are 0)."""
    if weight_total <= 0:
        return 0
    return math.floor(weighted_sum * 100.0 / weight_total + 0.5 + TOTAL_ROUNDING_NUDGE)


def _numeric_total(mentor: Candidate, mentee: Candidate, weights: Weights) -> int:
    mp, ep = mentor._profile, mentee._profile
    weighted = combine_points(
        weights.request * _request_fraction(mp, ep),
        weights.interests * _interest_fraction(mp, ep),
        weights.age * _age_fraction(mentor, mentee),
        weights.club * _club_fraction(mp, ep),
        weights.format * _format_fraction(mp, ep),
    )
    return scale_total(weighted, weights.total)


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
    mp, ep = mentor._profile, mentee._profile
    rows = (
        (
            "request",
            "Ключевой запрос",
            weights.request,
            _request_fraction(mp, ep),
            _request_reason(mentor, mentee),
        ),
        (
            "interests",
            "Общие интересы",
            weights.interests,
            _interest_fraction(mp, ep),
            _interest_reason(mentor, mentee),
        ),
        ("age", "Возраст", weights.age, _age_fraction(mentor, mentee), _age_reason(mentor, mentee)),
        ("club", "Объединение", weights.club, _club_fraction(mp, ep), _club_reason(mentor, mentee)),
        (
            "format",
            "Формат и время",
            weights.format,
            _format_fraction(mp, ep),
            _format_reason(mp, ep),
        ),
    )
    parts = tuple(
        Criterion(code, label, weight * fraction, float(weight), reason)
        for code, label, weight, fraction, reason in rows
    )
    weighted = combine_points(*(part.points for part in parts))
    return MatchScore(total=scale_total(weighted, weights.total), parts=parts)


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


def top_suggestions(
    mentee: Candidate,
    mentors: Sequence[Candidate],
    form: FormRule,
    weights: Weights,
    *,
    paired_ids: AbstractSet[int] = frozenset(),
    limit: int = 10,
) -> list[Suggestion]:
    """The best `limit` mentors passing the hard filter, by total desc, then name, then id.

    `paired_ids` are the mentors already paired with this mentee in this form. Reasons are
    built only for the returned mentors; everything else is scored numerically.
    """
    if limit <= 0 or mentee_blockers(mentee, form):
        return []
    ranked = []
    for index, mentor in enumerate(mentors):
        if _mentor_pair_ok(mentor, mentee, form, mentor.id in paired_ids):
            total = _numeric_total(mentor, mentee, weights)
            ranked.append((-total, mentor._profile.sort_name, mentor.id, index))
    best = heapq.nsmallest(limit, ranked)
    return [
        Suggestion(
            mentor=mentors[index],
            score=match_score(mentors[index], mentee, weights),
            remaining_capacity=mentors[index].remaining_capacity,
        )
        for _, _, _, index in best
    ]
