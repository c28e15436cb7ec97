"""Tests of the pure matching logic: criteria, hard filter, suggestions and optimal cohorts."""

import math
import random
from dataclasses import replace
from fractions import Fraction
from functools import cache

import numpy as np
import pytest
from hypothesis import HealthCheck, given, settings
from hypothesis import strategies as st

from portal.matching import score as score_module
from portal.matching.assign import (
    INFEASIBLE,
    assign_cohort,
    build_score_matrix,
    short_name,
    solve_matrix,
)
from portal.matching.score import (
    Candidate,
    FormRule,
    MatchScore,
    Weights,
    common_ground,
    hard_filter,
    match_score,
    normalize_tag,
    plural_ru,
    points_ru,
    request_words,
    score_totals,
    top_suggestions,
)

TEACHER = FormRule(
    code="teacher_student",
    mentor_categories=frozenset({"педагог", "специалист", "выпускник"}),
    mentee_categories=frozenset({"обучающийся"}),
    mentor_higher_level=False,
    title="педагог – ученик",
)
PEER = FormRule(
    code="student_student",
    mentor_categories=frozenset({"обучающийся"}),
    mentee_categories=frozenset({"обучающийся"}),
    mentor_higher_level=True,
    title="ученик – ученик",
)
EXAMPLES = settings(
    max_examples=150, deadline=None, database=None, suppress_health_check=[HealthCheck.too_slow]
)
FEWER_EXAMPLES = settings(EXAMPLES, max_examples=100)  # the per-pair comparisons are slowest


def person(id: int = 1, **changes: object) -> Candidate:
    """A pupil with the optional data left empty; tests override what they look at."""
    base = Candidate(
        id=id,
        full_name=f"Тестов Тест {id}",
        category="обучающийся",
        age=12,
        level=6,
        club=None,
        interests=frozenset(),
        competencies=frozenset(),
        key_request="",
        request_tags=frozenset(),
        desired_age_min=None,
        desired_age_max=None,
        formats=frozenset(),
        availability=frozenset(),
        consent_valid=True,
        capacity=0,
        active_mentees=0,
    )
    return replace(base, **changes)


def mentor(id: int = 100, **changes: object) -> Candidate:
    defaults: dict[str, object] = {
        "full_name": "Иванов Иван Иванович",
        "category": "педагог",
        "age": 35,
        "level": None,
        "capacity": 3,
    }
    return person(id, **{**defaults, **changes})


def tags(*values: str) -> frozenset[str]:
    return frozenset(values)


ROBOT_MENTOR = mentor(
    interests=tags("робототехника", "шахматы", "музыка"),
    competencies=tags("робототехника", "олимпиады", "python"),
    desired_age_min=10,
    desired_age_max=14,
    club="Юный техник",
    formats=tags("очно"),
    availability=tags("сб-утро", "пн-вечер"),
)


def parts(score: MatchScore) -> dict[str, tuple[float, str]]:
    """Criterion code → (points, reason)."""
    return {c.code: (c.points, c.reason) for c in score.parts}


# ---------------------------------------------------------------------------------------------
# Criteria, computed by hand


def test_full_match_by_hand() -> None:
    mentee = person(
        age=12,
        interests=tags("робототехника", "шахматы"),
        request_tags=tags("робототехника", "олимпиады", "физика"),
        key_request="Подготовка к олимпиаде по робототехнике",
        club="Юный техник",
        formats=tags("очно", "дистанционно"),
        availability=tags("сб-утро"),
    )
    score = match_score(ROBOT_MENTOR, mentee, Weights())
    got = parts(score)
    # request 2 of 3 tags = 35·2/3 = 23.33; interests 2/min(3, 2) = 1 → 25; age in range → 15;
    # same club → 10; format 0.5 (очно) + 0.5 (сб-утро) → 15. Σ = 88.33 of 100 → 88.
    assert got["request"][0] == pytest.approx(35 * 2 / 3)
    assert [got[c][0] for c in ("interests", "age", "club", "format")] == [25, 15, 10, 15]
    assert score.total == 88
    assert got["request"][1] == (
        "ключевой запрос «Подготовка к олимпиаде по робототехнике» ↔ компетенции: "
        "олимпиады, робототехника (2 из 3 тем запроса)"
    )
    assert got["interests"][1] == "общие интересы: робототехника, шахматы"
    assert got["age"][1] == "возраст 12 — в желаемом диапазоне 10–14"
    assert got["club"][1] == "одно объединение: «Юный техник»"
    assert got["format"][1] == "формат: оба готовы очно; общее время: сб-утро"
    assert [c.max_points for c in score.parts] == [35, 25, 15, 10, 15]


def test_partial_match_with_free_text_request_by_hand() -> None:
    mentee = person(
        age=16,
        interests=tags("шахматы", "футбол", "рисование"),
        key_request="Подготовка к олимпиаде по физике",
        club="Шахматная школа",
        formats=tags("дистанционно"),
        availability=frozenset(),
    )
    score = match_score(ROBOT_MENTOR, mentee, Weights())
    got = parts(score)
    # Words: «подготовка» is a stop word, «к»/«по» too short → stems {олимпи, физике};
    # competency stems {робото, олимпи, python} → 1/2 → 17.5.
    # Interests {шахматы} / min(3, 3) → 25/3 = 8.33. Age 16 is 2 years above 14 → 1 − 2/4 → 7.5.
    # Clubs differ → 0. No shared format → 0, availability unknown → 0.25 → 3.75.
    # Σ = 17.5 + 8.33 + 7.5 + 0 + 3.75 = 37.08 → 37.
    assert got["request"][0] == 17.5
    assert got["interests"][0] == pytest.approx(25 / 3)
    assert (got["age"][0], got["club"][0], got["format"][0]) == (7.5, 0, 3.75)
    assert score.total == 37
    assert got["request"][1] == (
        "ключевой запрос «Подготовка к олимпиаде по физике» ↔ компетенции: олимпиады "
        "(1 из 2 слов запроса)"
    )
    assert got["interests"][1] == "общие интересы: шахматы"
    assert got["age"][1] == "возраст 16 — вне желаемого диапазона 10–14 (на 2 года)"
    assert got["club"][1] == "разные объединения: «Юный техник» и «Шахматная школа»"
    assert got["format"][1] == (
        "формат: нет общего (наставник: очно; наставляемый: дистанционно); время неизвестно"
    )


def test_unknown_data_scores_lower_but_never_blocks() -> None:
    bare_mentor = mentor(interests=frozenset(), competencies=frozenset())
    mentee = person(age=None, club=None)
    # request 0 (no request), interests 0 (none), age 0.5 → 7.5, club 0.5 → 5,
    # format 0.25 + 0.25 → 7.5. Σ = 20.
    score = match_score(bare_mentor, mentee, Weights())
    assert score.total == 20
    got = parts(score)
    assert got["request"][1] == "ключевой запрос не указан"
    assert got["interests"][1] == "интересы наставляемого не указаны"
    assert got["age"][1] == "возраст неизвестен"
    assert got["club"][1] == "объединение неизвестно"
    assert got["format"][1] == "формат: не указан; время неизвестно"
    assert hard_filter(bare_mentor, mentee, TEACHER, already_paired=False) == []


def test_request_without_competencies_and_without_match() -> None:
    mentee = person(request_tags=tags("физика"), key_request="физика")
    assert parts(match_score(mentor(), mentee, Weights()))["request"] == (
        0,
        "ключевой запрос «физика»: компетенции наставника не указаны",
    )
    assert parts(match_score(ROBOT_MENTOR, mentee, Weights()))["request"] == (
        0,
        "ключевой запрос «физика» не совпадает с компетенциями наставника",
    )
    untitled = person(request_tags=tags("python"))
    assert parts(match_score(ROBOT_MENTOR, untitled, Weights()))["request"] == (
        35,
        "ключевой запрос (темы: python) ↔ компетенции: python",
    )


@pytest.mark.parametrize(
    ("age", "fraction", "reason"),
    [
        (10, 1.0, "возраст 10 — в желаемом диапазоне 10–14"),
        (15, 0.75, "возраст 15 — вне желаемого диапазона 10–14 (на 1 год)"),
        (7, 0.25, "возраст 7 — вне желаемого диапазона 10–14 (на 3 года)"),
        (18, 0.0, "возраст 18 — вне желаемого диапазона 10–14 (на 4 года)"),
        (25, 0.0, "возраст 25 — вне желаемого диапазона 10–14 (на 11 лет)"),
    ],
)
def test_age_decays_linearly_to_zero_at_four_years(age: int, fraction: float, reason: str) -> None:
    only_age = Weights(request=0, interests=0, age=1, club=0, format=0)
    score = match_score(ROBOT_MENTOR, person(age=age), only_age)
    assert score.total == round(100 * fraction)
    assert parts(score)["age"] == (fraction, reason)


def test_open_and_missing_age_ranges() -> None:
    only_age = Weights(request=0, interests=0, age=4, club=0, format=0)
    from_12 = mentor(desired_age_min=12)
    assert parts(match_score(from_12, person(age=11), only_age))["age"] == (
        3.0,
        "возраст 11 — вне желаемого диапазона от 12 (на 1 год)",
    )
    up_to_12 = mentor(desired_age_max=12)
    assert match_score(up_to_12, person(age=30), only_age).total == 0
    no_range = match_score(mentor(), person(age=11), only_age)
    assert no_range.total == 50
    assert parts(no_range)["age"][1] == "возраст 11; желаемый возраст наставляемых не указан"


def test_weights_scale_to_100_and_round_half_up() -> None:
    mentee = person(request_tags=tags("python", "a", "b", "c", "d", "e", "f", "g"))
    only_request = Weights(request=1, interests=0, age=0, club=0, format=0)
    # 1 of 8 tags → 100 · 1/8 = 12.5 → half up → 13.
    assert match_score(ROBOT_MENTOR, mentee, only_request).total == 13
    # 1 of 3 → 33.33 → 33; 2 of 3 → 66.67 → 67.
    third = person(request_tags=tags("python", "x", "y"))
    assert match_score(ROBOT_MENTOR, third, only_request).total == 33
    two_thirds = person(request_tags=tags("python", "олимпиады", "y"))
    assert match_score(ROBOT_MENTOR, two_thirds, only_request).total == 67
    zero = Weights(request=0, interests=0, age=0, club=0, format=0)
    assert match_score(ROBOT_MENTOR, two_thirds, zero).total == 0


def test_exact_half_is_rounded_up_despite_float_error() -> None:
    mentee = person(
        request_tags=tags("python", "x", "y"), interests=tags("робототехника", "шахматы", "театр")
    )
    weights = Weights(request=1, interests=7, age=0, club=0, format=0)
    # 1 · 1/3 + 7 · 2/3 = 5 exactly, 100 · 5 / 8 = 62.5 → 63; in floats Σ is 4.999999999999999.
    assert 1 / 3 + 7 * (2 / 3) < 5
    assert match_score(ROBOT_MENTOR, mentee, weights).total == 63
    assert build_score_matrix([mentee], [ROBOT_MENTOR], TEACHER, weights)[0, 0] == 63


def test_weights_validation() -> None:
    with pytest.raises(ValueError, match="вес «age»"):
        Weights(age=-1)
    with pytest.raises(ValueError):
        Weights(club=True)
    with pytest.raises(ValueError):
        Weights(format=10**6)


def test_tags_are_compared_case_and_yo_insensitively() -> None:
    a = mentor(interests=tags("Ёлочные игрушки", "Шахматы"))
    b = person(interests=tags("елочные игрушки", "шахматы"))
    assert parts(match_score(a, b, Weights()))["interests"][0] == 25
    assert common_ground(a, b)["interests"] == ["елочные игрушки", "шахматы"]


def test_request_words_stems() -> None:
    assert request_words("Подготовка к олимпиаде по физике, ОГЭ!") == {"олимпи", "физике", "огэ"}
    assert request_words("3D и к") == {"3d"}


def test_plural_and_short_name() -> None:
    assert [plural_ru(n, "год", "года", "лет") for n in (1, 2, 5, 11, 21, 104)] == [
        "год",
        "года",
        "лет",
        "лет",
        "год",
        "года",
    ]
    assert short_name("Иванов Иван Иванович") == "Иванов И. И."
    assert short_name("Мария") == "Мария"


def test_common_ground() -> None:
    mentee = person(
        interests=tags("шахматы", "театр"),
        request_tags=tags("python", "физика"),
        club="юный  техник",
        formats=tags("очно"),
        availability=tags("пн-вечер", "вт-утро"),
    )
    assert common_ground(ROBOT_MENTOR, mentee) == {
        "interests": ["шахматы"],
        "request_matches": ["python"],
        "same_club": "юный  техник",
        "formats": ["очно"],
        "time_slots": ["пн-вечер"],
    }
    assert common_ground(mentor(), person())["same_club"] is None


# ---------------------------------------------------------------------------------------------
# Hard filter


def test_hard_filter_allows_a_proper_pair() -> None:
    assert hard_filter(ROBOT_MENTOR, person(), TEACHER, already_paired=False) == []


@pytest.mark.parametrize(
    ("the_mentor", "the_mentee", "form", "paired", "reason"),
    [
        (
            mentor(category="выпускник"),
            person(),
            PEER,
            False,
            "категория наставника «выпускник» не подходит для формы «ученик – ученик»",
        ),
        (
            mentor(),
            person(category="родитель"),
            TEACHER,
            False,
            "категория наставляемого «родитель» не подходит для формы «педагог – ученик»",
        ),
        (
            mentor(category="обучающийся", level=7),
            person(level=8),
            PEER,
            False,
            "наставник должен учиться на более высокой ступени: 7 класс против 8",
        ),
        (
            mentor(category="обучающийся", level=8),
            person(level=8),
            PEER,
            False,
            "наставник должен учиться на более высокой ступени: 8 класс против 8",
        ),
        (
            mentor(consent_valid=False),
            person(),
            TEACHER,
            False,
            "нет действующего согласия на обработку ПДн у наставника",
        ),
        (
            mentor(),
            person(consent_valid=False),
            TEACHER,
            False,
            "нет действующего согласия на обработку ПДн у наставляемого",
        ),
        (
            mentor(capacity=3, active_mentees=3),
            person(),
            TEACHER,
            False,
            "у наставника нет свободных мест (3 из 3)",
        ),
        (mentor(), person(), TEACHER, True, "эта пара уже создана в данной форме наставничества"),
        (
            mentor(id=1),
            person(id=1),
            TEACHER,
            False,
            "наставник и наставляемый — один и тот же человек",
        ),
        (
            mentor(),
            person(age=8),
            TEACHER,
            False,
            "наставляемому 8 лет, а форма «педагог – ученик» допускает с 10 лет",
        ),
    ],
)
def test_each_hard_filter_reason(
    the_mentor: Candidate, the_mentee: Candidate, form: FormRule, paired: bool, reason: str
) -> None:
    assert hard_filter(the_mentor, the_mentee, form, already_paired=paired) == [reason]


def test_hard_filter_unknown_level_and_age_pass_and_reasons_accumulate() -> None:
    peer_mentor = mentor(category="обучающийся", level=None)
    assert hard_filter(peer_mentor, person(level=9, age=None), PEER, already_paired=False) == []
    many = hard_filter(
        mentor(category="родитель", consent_valid=False, capacity=0),
        person(),
        TEACHER,
        already_paired=True,
    )
    assert len(many) == 4


# ---------------------------------------------------------------------------------------------
# Suggestions


def _suggestion_pool() -> list[Candidate]:
    pool = [
        mentor(101, full_name="Борисов Б. Б.", interests=tags("шахматы")),
        mentor(102, full_name="Алексеев А. А.", interests=tags("шахматы")),
        mentor(
            103, full_name="Васильев В. В.", interests=tags("шахматы"), competencies=tags("python")
        ),
        mentor(104, full_name="Григорьев Г. Г."),
        mentor(
            105,
            full_name="Дмитриев Д. Д.",
            interests=tags("шахматы"),
            competencies=tags("python"),
            capacity=1,
            active_mentees=1,
        ),
        mentor(
            106, full_name="Егоров Е. Е.", interests=tags("шахматы"), competencies=tags("python")
        ),
        mentor(107, full_name="Жуков Ж. Ж.", category="родитель", competencies=tags("python")),
    ]
    return pool


def test_top_suggestions_order_filter_and_limit() -> None:
    mentee = person(interests=tags("шахматы"), request_tags=tags("python"))
    pool = _suggestion_pool()
    result = top_suggestions(mentee, pool, TEACHER, Weights(), paired_ids={106})
    # 105 has no places, 106 is already paired, 107 is not allowed by the form.
    assert [s.mentor.id for s in result] == [103, 102, 101, 104]
    assert [s.score.total for s in result] == sorted((s.score.total for s in result), reverse=True)
    assert result[0].score == match_score(pool[2], mentee, Weights())
    assert result[0].remaining_capacity == 3
    assert [s.mentor.id for s in top_suggestions(mentee, pool, TEACHER, Weights(), limit=2)] == [
        103,
        106,
    ]
    assert top_suggestions(mentee, pool, TEACHER, Weights(), limit=0) == []
    assert top_suggestions(replace(mentee, consent_valid=False), pool, TEACHER, Weights()) == []


# ---------------------------------------------------------------------------------------------
# Random instances


TAG_POOL = ("робототехника", "шахматы", "Музыка", "музыка", "python", "олимпиады", "ёлка", "елка")
REQUESTS = (
    "",
    "подготовка к олимпиаде по робототехнике",
    "хочу играть в шахматы",
    "музыка и Python",
    "ОГЭ",
)
CLUBS = (None, "Юный техник", "юный техник ", "Шахматы")
SLOT_POOL = ("пн-вечер", "сб-утро", "ср-день", "вс-вечер")


NAMES = ("Иванов Иван", "Петров Пётр", "Ёжиков Ёж", "Аа")


def _subset(pool: tuple[str, ...], mask: int) -> frozenset[str]:
    return frozenset(value for k, value in enumerate(pool) if mask >> k & 1)


def _candidate(id: int, mentor_side: bool, f: tuple[int, ...]) -> Candidate:
    categories = (
        ("педагог", "обучающийся", "выпускник")
        if mentor_side
        else ("обучающийся", "обучающийся", "родитель")
    )
    low = None if f[9] == 7 else f[9]
    return Candidate(
        id=id,
        full_name=NAMES[f[0]],
        category=categories[f[1]],
        age=None if f[2] == 6 else f[2],
        level=f[3] or None,
        club=CLUBS[f[4]],
        interests=_subset(TAG_POOL, f[5]),
        competencies=_subset(TAG_POOL, f[6]),
        key_request=REQUESTS[f[7]],
        request_tags=_subset(TAG_POOL, f[8]),
        desired_age_min=low,
        desired_age_max=None if f[10] == 0 else (low or 10) + f[10] - 3,
        formats=_subset(("очно", "дистанционно"), f[11]),
        availability=_subset(SLOT_POOL, f[12]),
        consent_valid=f[13] > 0,
        capacity=f[14],
        active_mentees=f[15],
    )


def candidates(id: int, mentor_side: bool) -> st.SearchStrategy[Candidate]:
    """One integer per field (sets as bitmasks): far cheaper to generate than nested sets."""
    tag_mask = st.integers(0, 2 ** len(TAG_POOL) - 1)
    fields = st.tuples(
        st.integers(0, len(NAMES) - 1),
        st.integers(0, 2),
        st.integers(6, 20),  # age, 6 = unknown
        st.integers(0, 4),  # level, 0 = unknown (few levels: equal ones must occur)
        st.integers(0, len(CLUBS) - 1),
        tag_mask,
        tag_mask,
        st.integers(0, len(REQUESTS) - 1),
        tag_mask,
        st.integers(7, 16),  # desired minimum age, 7 = none
        st.integers(0, 7),  # desired maximum = minimum + this − 3 (may be inverted), 0 = none
        st.integers(0, 3),
        st.integers(0, 2 ** len(SLOT_POOL) - 1),
        st.integers(0, 3),  # consent, 0 = none
        st.integers(0, 3),
        st.integers(0, 1),
    )
    return fields.map(lambda f: _candidate(id, mentor_side, f))


Instance = tuple[list[Candidate], list[Candidate], FormRule, Weights, set[tuple[int, int]]]


@st.composite
def instances(draw: st.DrawFn, max_mentees: int = 6, max_mentors: int = 4) -> Instance:
    n = draw(st.integers(0, max_mentees))
    m = draw(st.integers(0, max_mentors))
    # Mentor ids overlap the mentee ids at 1 so the "same person" rule gets exercised.
    mentees = [draw(candidates(i + 1, mentor_side=False)) for i in range(n)]
    mentors = [draw(candidates(1 if j == 0 else 100 + j, mentor_side=True)) for j in range(m)]
    form = draw(st.sampled_from((TEACHER, PEER, replace(PEER, min_mentee_age=None))))
    weights = Weights(*draw(st.tuples(*(st.integers(0, 40) for _ in range(5)))))
    all_pairs = [(a.id, b.id) for a in mentees for b in mentors]
    paired = set(draw(st.lists(st.sampled_from(all_pairs), max_size=3))) if all_pairs else set()
    return mentees, mentors, form, weights, paired


def _norm(values) -> set[str]:
    return {t for t in (normalize_tag(v) for v in values) if t}


def _brute_fractions(mentor: Candidate, mentee: Candidate) -> list[Fraction]:
    """The documented criteria (match_score's docstring) in exact rationals, pair by pair:
    a reference written independently of the vectorised engine."""
    tags = _norm(mentee.request_tags)
    competencies = _norm(mentor.competencies)
    if tags:
        wanted, have = tags, competencies
    else:
        wanted = set(request_words(mentee.key_request))
        have = {stem for tag in competencies for stem in request_words(tag)}
    request = Fraction(len(wanted & have), len(wanted)) if wanted else Fraction(0)
    a, b = _norm(mentor.interests), _norm(mentee.interests)
    interests = Fraction(len(a & b), min(len(a), len(b))) if a and b else Fraction(0)
    low, high = mentor.desired_age_min, mentor.desired_age_max
    if mentee.age is None or (low is None and high is None):
        age = Fraction(1, 2)
    else:
        gap = max(0, (low - mentee.age) if low is not None else 0)
        gap = max(gap, (mentee.age - high) if high is not None else 0)
        age = Fraction(max(0, 4 - gap), 4)
    clubs = [normalize_tag(c) if c else None for c in (mentor.club, mentee.club)]
    if None in clubs or "" in clubs:
        club = Fraction(1, 2)
    else:
        club = Fraction(int(clubs[0] == clubs[1]))

    def half(x: set[str], y: set[str]) -> Fraction:
        return Fraction(1, 4) if not x or not y else Fraction(1, 2) * bool(x & y)

    fmt = half(_norm(mentor.formats), _norm(mentee.formats))
    fmt += half(_norm(mentor.availability), _norm(mentee.availability))
    return [request, interests, age, club, fmt]


def _brute_total(mentor: Candidate, mentee: Candidate, weights: Weights) -> int:
    if weights.total == 0:
        return 0
    points = sum(
        w * f
        for w, f in zip(
            (weights.request, weights.interests, weights.age, weights.club, weights.format),
            _brute_fractions(mentor, mentee),
            strict=True,
        )
    )
    return math.floor(100 * points / weights.total + Fraction(1, 2))


def _scalar_matrix(
    mentees: list[Candidate],
    mentors: list[Candidate],
    form: FormRule,
    weights: Weights,
    paired: set[tuple[int, int]],
) -> np.ndarray:
    out = np.full((len(mentees), len(mentors)), INFEASIBLE, dtype=np.int16)
    for i, a in enumerate(mentees):
        for j, b in enumerate(mentors):
            if not hard_filter(b, a, form, already_paired=(a.id, b.id) in paired):
                out[i, j] = _brute_total(b, a, weights)
    return out


def _exact_total(score: MatchScore, weights: Weights) -> int:
    """Half-up rounding in exact rationals: points are w·k/n with small n, so recoverable."""
    if weights.total == 0:
        return 0
    points = sum(Fraction(c.points).limit_denominator(1000) for c in score.parts)
    return math.floor(100 * points / weights.total + Fraction(1, 2))


@FEWER_EXAMPLES
@given(instances(max_mentees=7, max_mentors=7))
def test_the_single_score_equals_a_brute_force_score(instance: Instance) -> None:
    """The vectorised score (matrix, single pair with reasons) equals the documented formula
    computed pair by pair in exact rationals."""
    mentees, mentors, form, weights, paired = instance
    matrix = build_score_matrix(mentees, mentors, form, weights, paired=paired)
    assert matrix.dtype == np.int16
    np.testing.assert_array_equal(matrix, _scalar_matrix(mentees, mentors, form, weights, paired))
    totals = score_totals(mentees, mentors, weights)
    for i, a in enumerate(mentees):
        for j, b in enumerate(mentors):
            score = match_score(b, a, weights)
            assert score.total == totals[i, j] == _brute_total(b, a, weights)
            assert score.total == _exact_total(score, weights)
            expected = _brute_fractions(b, a)
            for part, fraction in zip(score.parts, expected, strict=True):
                assert part.points == pytest.approx(float(fraction * part.max_points))
                assert 0 <= part.points <= part.max_points


def _random_people(rng: random.Random, n: int, first_id: int) -> list[Candidate]:
    words = [
        "робототехника",
        "шахматы",
        "музыка",
        "python",
        "олимпиады",
        "театр",
        "химия",
        "Ёлка",
        "елка",
        "экология",
        "3d-моделирование",
        "физика",
        "огэ",
    ]
    people = []
    for k in range(n):
        low = rng.choice([None, *range(8, 16)])
        people.append(
            Candidate(
                id=first_id + k,
                full_name=f"Человек {k}",
                category="обучающийся",
                age=rng.choice([None, *range(7, 19)]),
                level=rng.choice([None, *range(1, 12)]),
                club=rng.choice([None, "А", "Б", "б ", "В"]),
                interests=frozenset(rng.sample(words, rng.randint(0, 6))),
                competencies=frozenset(rng.sample(words, rng.randint(0, 6))),
                key_request=rng.choice(["", "подготовка к олимпиаде по химии", "театр и музыка"]),
                request_tags=frozenset(rng.sample(words, rng.choice([0, 0, 1, 2, 3, 7]))),
                desired_age_min=low,
                desired_age_max=rng.choice([None, (low or 10) + 3]),
                formats=frozenset(rng.sample(["очно", "дистанционно"], rng.randint(0, 2))),
                availability=frozenset(rng.sample(SLOT_POOL, rng.randint(0, 3))),
                consent_valid=rng.random() < 0.9,
                capacity=rng.randint(0, 3),
                active_mentees=rng.randint(0, 1),
            )
        )
    return people


def test_vectorised_matrix_equals_scalar_on_larger_blocks(monkeypatch: pytest.MonkeyPatch) -> None:
    rng = random.Random(7)
    mentees, mentors = _random_people(rng, 60, 1), _random_people(rng, 45, 1000)
    monkeypatch.setattr(score_module, "_BLOCK_CELLS", 200)  # several row blocks
    paired = {(mentees[0].id, mentors[0].id)}
    for weights in (Weights(), Weights(3, 7, 1, 0, 11), Weights(0, 0, 0, 0, 0)):
        matrix = build_score_matrix(mentees, mentors, PEER, weights, paired=paired)
        expected = _scalar_matrix(mentees, mentors, PEER, weights, paired)
        np.testing.assert_array_equal(matrix, expected)
    # Formats and time slots beyond 63 distinct values take the sparse path instead of bitmasks.
    monkeypatch.setattr(score_module._MentorPart, "_BITMASK_LIMIT", 0)
    matrix = build_score_matrix(mentees, mentors, PEER, Weights(), paired=paired)
    np.testing.assert_array_equal(matrix, _scalar_matrix(mentees, mentors, PEER, Weights(), paired))


def _brute_force(
    mentees: list[Candidate],
    mentors: list[Candidate],
    form: FormRule,
    weights: Weights,
    paired: set[tuple[int, int]],
    min_score: int,
) -> tuple[int, int]:
    """Best (total, number of pairs) by dynamic programming over remaining capacities."""
    scores = _scalar_matrix(mentees, mentors, form, weights, paired)

    @cache
    def best(i: int, caps: tuple[int, ...]) -> tuple[int, int]:
        if i == len(mentees):
            return (0, 0)
        options = [best(i + 1, caps)]
        for j, cap in enumerate(caps):
            if cap > 0 and scores[i, j] >= min_score and scores[i, j] != INFEASIBLE:
                rest = best(i + 1, caps[:j] + (cap - 1,) + caps[j + 1 :])
                options.append((rest[0] + int(scores[i, j]), rest[1] + 1))
        return max(options)

    return best(0, tuple(b.remaining_capacity for b in mentors))


@EXAMPLES
@given(instances(), st.sampled_from((0, 0, 30, 60)))
def test_assign_cohort_is_optimal_and_valid(instance: Instance, min_score: int) -> None:
    mentees, mentors, form, weights, paired = instance
    proposal = assign_cohort(mentees, mentors, form, weights, paired=paired, min_score=min_score)
    by_id = {b.id: b for b in mentors}
    mentee_by_id = {a.id: a for a in mentees}

    assert (proposal.total, len(proposal.pairs)) == _brute_force(
        mentees, mentors, form, weights, paired, min_score
    )
    assert proposal.total == sum(p.total for p in proposal.pairs)
    used: dict[int, int] = {}
    for pair in proposal.pairs:
        the_mentor, the_mentee = by_id[pair.mentor_id], mentee_by_id[pair.mentee_id]
        already = (pair.mentee_id, pair.mentor_id) in paired
        assert hard_filter(the_mentor, the_mentee, form, already_paired=already) == []
        assert pair.total == match_score(the_mentor, the_mentee, weights).total
        assert pair.total >= min_score
        used[pair.mentor_id] = used.get(pair.mentor_id, 0) + 1
    assert all(count <= by_id[j].remaining_capacity for j, count in used.items())
    matched = [p.mentee_id for p in proposal.pairs]
    assert len(matched) == len(set(matched))
    unmatched = [u.mentee_id for u in proposal.unmatched]
    assert sorted(matched + unmatched) == sorted(a.id for a in mentees)
    assert all(u.reason_ru for u in proposal.unmatched)


@FEWER_EXAMPLES
@given(instances(max_mentees=1, max_mentors=7), st.integers(0, 4))
def test_top_suggestions_match_brute_force(instance: Instance, limit: int) -> None:
    mentees, mentors, form, weights, _ = instance
    if not mentees:
        return
    mentee = mentees[0]
    paired_ids = {b.id for b in mentors[:1]}
    ranked = sorted(
        (-match_score(b, mentee, weights).total, b.full_name.lower().replace("ё", "е"), b.id)
        for b in mentors
        if not hard_filter(b, mentee, form, already_paired=b.id in paired_ids)
    )
    result = top_suggestions(mentee, mentors, form, weights, paired_ids=paired_ids, limit=limit)
    assert [s.mentor.id for s in result] == [row[2] for row in ranked[:limit]]


# ---------------------------------------------------------------------------------------------
# Solver and unmatched reasons


def test_solve_matrix_is_optimal_not_greedy() -> None:
    # Greedy would give mentee 0 its best mentor 0 (90) and leave 10 for mentee 1: 100 < 165.
    scores = np.array([[90, 80], [85, 10]], dtype=np.int16)
    assert solve_matrix(scores, [1, 1]) == [(0, 1), (1, 0)]


def test_solve_matrix_never_trades_score_for_more_pairs() -> None:
    # Mentee 0 → mentor 0 gives 10 with one pair; mentee 0 → mentor 1 (9) plus mentee 1 →
    # mentor 0 (0) gives two pairs but only 9 points: the total wins, pairs only break ties.
    # Both row orders: with weight = score + 1 the two options tie, and the solver's own
    # tie-breaking would pick the 9-point one for one of the orders.
    scores = np.array([[10, 9], [0, -1]], dtype=np.int16)
    assert solve_matrix(scores, [1, 1]) == [(0, 0)]
    assert solve_matrix(scores[::-1], [1, 1]) == [(1, 0)]


def test_solve_matrix_capacities_zero_scores_and_forbidden_cells() -> None:
    scores = np.array([[50, -1], [40, -1], [30, 0], [-1, -1]], dtype=np.int16)
    # Mentor 0 takes two; mentee 2 still gets the 0-point pair rather than nothing.
    assert solve_matrix(scores, [2, 5]) == [(0, 0), (1, 0), (2, 1)]
    assert solve_matrix(scores, [0, 0]) == []
    assert solve_matrix(np.zeros((0, 3), dtype=np.int16), [1, 1, 1]) == []
    with pytest.raises(ValueError):
        solve_matrix(scores, [1])


def test_unmatched_reasons() -> None:
    strong = person(1, interests=tags("шахматы"), request_tags=tags("python"))
    weak = person(2)
    blocked = person(3, category="родитель")
    teacher = mentor(
        200,
        full_name="Иванов Иван Иванович",
        capacity=1,
        interests=tags("шахматы"),
        competencies=tags("python"),
    )
    proposal = assign_cohort([strong, weak, blocked], [teacher], TEACHER, Weights())
    assert [(p.mentee_id, p.mentor_id) for p in proposal.pairs] == [(1, 200)]
    weak_score = match_score(teacher, weak, Weights()).total
    reasons = {u.mentee_id: u.reason_ru for u in proposal.unmatched}
    assert reasons[2] == (
        "оптимальное распределение отдало места другим наставляемым "
        f"(лучший вариант: Иванов И. И., {points_ru(weak_score)})"
    )
    assert reasons[3] == (
        "наставляемый не проходит условия формы: категория наставляемого «родитель» "
        "не подходит для формы «педагог – ученик»"
    )

    full = replace(teacher, active_mentees=1)
    assert assign_cohort([weak], [full], TEACHER, Weights()).unmatched[0].reason_ru == (
        "нет подходящих наставников: у всех наставников формы нет свободных мест"
    )
    parent = replace(teacher, category="родитель")
    assert assign_cohort([weak], [parent], TEACHER, Weights()).unmatched[0].reason_ru == (
        "ни один наставник не проходит условия формы"
    )
    assert assign_cohort([weak], [], TEACHER, Weights()).unmatched[0].reason_ru == (
        "ни один наставник не проходит условия формы"
    )
    picky = assign_cohort([weak], [teacher], TEACHER, Weights(), min_score=weak_score + 1)
    assert picky.unmatched[0].reason_ru.startswith(
        f"ни один наставник не набирает минимальный балл {weak_score + 1} (лучший вариант: "
    )
    assert picky.total == 0 and picky.pairs == []


def test_paired_are_not_proposed_again() -> None:
    teacher = mentor(200, capacity=2)
    proposal = assign_cohort(
        [person(1), person(2)], [teacher], TEACHER, Weights(), paired={(1, 200)}
    )
    assert [(p.mentee_id, p.mentor_id) for p in proposal.pairs] == [(2, 200)]
    assert proposal.unmatched[0].reason_ru == "ни один наставник не проходит условия формы"
