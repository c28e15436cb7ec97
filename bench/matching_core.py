"""Timing of mentor suggestions and cohort assignment on seeded, realistic random people."""

import json
import random
import resource
import statistics
import sys
import time
import tracemalloc
from collections.abc import Callable
from pathlib import Path
from typing import TypeVar

if __package__ in (None, ""):
    # Run as a script (python bench/matching_core.py): make the project root importable.
    sys.path.insert(0, str(Path(__file__).resolve().parents[1]))

from portal.matching.assign import assign_cohort, build_score_matrix, solve_matrix
from portal.matching.score import Candidate, FormRule, Weights, top_suggestions

INTERESTS = (
    "робототехника",
    "шахматы",
    "программирование",
    "рисование",
    "музыка",
    "театр",
    "футбол",
    "волейбол",
    "плавание",
    "танцы",
    "вокал",
    "фотография",
    "видеомонтаж",
    "3d-моделирование",
    "журналистика",
    "экология",
    "биология",
    "химия",
    "физика",
    "математика",
    "история",
    "краеведение",
    "английский язык",
    "литература",
    "дизайн",
    "туризм",
    "лего",
    "астрономия",
    "настольные игры",
    "кулинария",
)
COMPETENCIES = (
    "робототехника",
    "программирование",
    "python",
    "олимпиады",
    "математика",
    "физика",
    "химия",
    "биология",
    "проектная деятельность",
    "публичные выступления",
    "тайм-менеджмент",
    "профориентация",
    "подготовка к огэ",
    "подготовка к егэ",
    "3d-моделирование",
    "дизайн",
    "журналистика",
    "экология",
    "английский язык",
    "театр",
    "вокал",
    "рисование",
    "шахматы",
    "спорт",
    "волонтерство",
    "лидерство",
    "исследовательская работа",
    "конкурсы",
    "адаптация",
)
REQUEST_TEMPLATES = (
    ("подготовка к олимпиаде по {0}", ("олимпиады",)),
    ("хочу сделать исследовательский проект по теме «{0}»", ("проектная деятельность",)),
    ("не могу выбрать профессию, интересуюсь: {0}", ("профориентация",)),
    ("стесняюсь выступать, хочу подготовить доклад про {0}", ("публичные выступления",)),
    ("подтянуть {0} перед экзаменом", ("подготовка к огэ",)),
    ("хочу участвовать в конкурсах: {0}", ("конкурсы",)),
)
CLUBS = (
    "Юный техник",
    "Робостарт",
    "Шахматная школа",
    "Театральная студия «Маска»",
    "Вокал",
    "Экологический отряд",
    "Фотостудия",
    "Юный журналист",
    "IT-куб",
    "Лаборатория химии",
    "Краеведы",
    "Английский клуб",
    "Художественная студия",
    "Туристический клуб",
    "Астрономия",
)
SLOTS = tuple(
    f"{day}-{part}"
    for day in ("пн", "вт", "ср", "чт", "пт", "сб", "вс")
    for part in ("утро", "день", "вечер")
)
SURNAMES = (
    "Иванов",
    "Петров",
    "Смирнов",
    "Кузнецов",
    "Попов",
    "Соколов",
    "Лебедев",
    "Козлов",
    "Новиков",
    "Морозов",
    "Волков",
    "Алексеев",
    "Фёдоров",
    "Егоров",
    "Орлов",
    "Яковлев",
)
NAMES = (
    "Иван",
    "Пётр",
    "Алексей",
    "Дмитрий",
    "Сергей",
    "Мария",
    "Анна",
    "Елена",
    "Ольга",
    "Наталья",
    "Артём",
    "Егор",
    "Софья",
    "Дарья",
    "Михаил",
    "Ксения",
)
PATRONYMICS = (
    "Иванович",
    "Петрович",
    "Сергеевич",
    "Алексеевич",
    "Андреевна",
    "Игоревна",
    "Олеговна",
    "Викторович",
    "Николаевна",
    "Павлович",
)

T = TypeVar("T")

MENTOR_CATEGORIES = ("педагог", "специалист", "выпускник", "внешний эксперт")
TEACHER_STUDENT = FormRule(
    code="teacher_student",
    mentor_categories=frozenset(MENTOR_CATEGORIES),
    mentee_categories=frozenset({"обучающийся"}),
    mentor_higher_level=False,
    title="педагог – ученик",
)


def _sample(rng: random.Random, pool: tuple[str, ...], low: int, high: int) -> frozenset[str]:
    return frozenset(rng.sample(pool, rng.randint(low, high)))


def _formats(rng: random.Random) -> frozenset[str]:
    roll = rng.random()
    if roll < 0.05:
        return frozenset()
    if roll < 0.55:
        return frozenset({"очно"})
    if roll < 0.75:
        return frozenset({"дистанционно"})
    return frozenset({"очно", "дистанционно"})


def _slots(rng: random.Random) -> frozenset[str]:
    return frozenset() if rng.random() < 0.15 else _sample(rng, SLOTS, 2, 5)


def _name(rng: random.Random) -> str:
    return f"{rng.choice(SURNAMES)} {rng.choice(NAMES)} {rng.choice(PATRONYMICS)}"


def make_mentors(n: int, seed: int = 1, *, first_id: int = 100_000) -> list[Candidate]:
    """Seeded mentors: adults with 2–6 competencies, a desired age range and 1–3 places."""
    rng = random.Random(seed)
    mentors = []
    for k in range(n):
        low = rng.randint(10, 15)
        mentors.append(
            Candidate(
                id=first_id + k,
                full_name=_name(rng),
                category=rng.choice(MENTOR_CATEGORIES),
                age=rng.randint(20, 65),
                level=None,
                club=rng.choice(CLUBS) if rng.random() < 0.85 else None,
                interests=_sample(rng, INTERESTS, 1, 5),
                competencies=_sample(rng, COMPETENCIES, 2, 6),
                key_request="",
                request_tags=frozenset(),
                desired_age_min=low if rng.random() < 0.9 else None,
                desired_age_max=low + rng.randint(2, 5) if rng.random() < 0.9 else None,
                formats=_formats(rng),
                availability=_slots(rng),
                consent_valid=rng.random() < 0.97,
                capacity=rng.randint(1, 3),
                active_mentees=0,
            )
        )
    return mentors


def make_mentees(n: int, seed: int = 2, *, first_id: int = 1) -> list[Candidate]:
    """Seeded pupils 10–17 with interests and a key request (tagged in 70 % of cases)."""
    rng = random.Random(seed)
    mentees = []
    for k in range(n):
        age = rng.randint(10, 17)
        subject = rng.choice(INTERESTS)
        template, extra_tags = rng.choice(REQUEST_TEMPLATES)
        tags = frozenset({subject, *extra_tags}) if rng.random() < 0.7 else frozenset()
        mentees.append(
            Candidate(
                id=first_id + k,
                full_name=_name(rng),
                category="обучающийся",
                age=age if rng.random() < 0.95 else None,
                level=age - 6,
                club=rng.choice(CLUBS) if rng.random() < 0.8 else None,
                interests=_sample(rng, INTERESTS, 1, 5),
                competencies=frozenset(),
                key_request=template.format(subject),
                request_tags=tags,
                desired_age_min=None,
                desired_age_max=None,
                formats=_formats(rng),
                availability=_slots(rng),
                consent_valid=rng.random() < 0.97,
                capacity=0,
                active_mentees=0,
            )
        )
    return mentees


def _peak_rss_mb() -> float:
    # ru_maxrss is in kilobytes on Linux (bytes on macOS; this bench targets Linux).
    return resource.getrusage(resource.RUSAGE_SELF).ru_maxrss / 1024


class _Clock:
    """Wall and CPU time of repeated calls; CPU time (this process only) is what one core
    spends, so it stays meaningful when other processes compete for the machine."""

    def __init__(self) -> None:
        self.wall: list[float] = []
        self.cpu: list[float] = []

    def run(self, function: Callable[..., T], *args: object) -> T:
        wall, cpu = time.perf_counter(), time.process_time()
        result = function(*args)
        self.cpu.append(time.process_time() - cpu)
        self.wall.append(time.perf_counter() - wall)
        return result

    def median(self, *, cpu: bool = False, scale: float = 1.0, digits: int = 3) -> float:
        return round(statistics.median(self.cpu if cpu else self.wall) * scale, digits)


def bench_top10(n_mentors: int = 2000, repeats: int = 50) -> dict[str, float | int]:
    """Median time of top_suggestions(limit=10) for one mentee among n_mentors mentors.

    "Cold" calls get freshly built Candidate objects, as a web request that loads them from
    the database would, so normalising every mentor is included; "warm" calls reuse them.
    """
    mentees = make_mentees(max(repeats, 1), seed=12)
    weights = Weights()
    cold, warm = _Clock(), _Clock()
    for mentee in mentees[: max(1, repeats // 5)]:
        mentors = make_mentors(n_mentors, seed=11)
        cold.run(top_suggestions, mentee, mentors, TEACHER_STUDENT, weights)
    for mentee in mentees[:repeats]:
        result = warm.run(top_suggestions, mentee, mentors, TEACHER_STUDENT, weights)
        assert len(result) <= 10
    ms = {"scale": 1000.0, "digits": 2}
    return {
        "n_mentors": n_mentors,
        "repeats": repeats,
        "median_ms": warm.median(**ms),
        "median_cpu_ms": warm.median(cpu=True, **ms),
        "cold_median_ms": cold.median(**ms),
        "cold_median_cpu_ms": cold.median(cpu=True, **ms),
    }


def bench_cohort(
    n_mentees: int = 3000, n_mentors: int = 1000, repeats: int = 5
) -> dict[str, float | int]:
    """Whole assign_cohort versus the bare solve_matrix on the same score matrix (medians)."""
    weights = Weights()
    whole, build, solve = _Clock(), _Clock(), _Clock()
    for _ in range(max(repeats, 1)):
        # Fresh objects each time, so normalising every person is part of the proposal time.
        mentees, mentors = make_mentees(n_mentees, seed=21), make_mentors(n_mentors, seed=22)
        proposal = whole.run(assign_cohort, mentees, mentors, TEACHER_STUDENT, weights)
        mentees, mentors = make_mentees(n_mentees, seed=21), make_mentors(n_mentors, seed=22)
        matrix = build.run(build_score_matrix, mentees, mentors, TEACHER_STUDENT, weights)
        capacities = [m.remaining_capacity for m in mentors]
        chosen = solve.run(solve_matrix, matrix, capacities)
        assert len(chosen) == len(proposal.pairs)
        assert sum(int(matrix[i, j]) for i, j in chosen) == proposal.total

    # Python/numpy allocations only (tracemalloc does not see scipy's C++ buffers); the process
    # high-water mark covers those.
    mentees, mentors = make_mentees(n_mentees, seed=21), make_mentors(n_mentors, seed=22)
    tracemalloc.start()
    assign_cohort(mentees, mentors, TEACHER_STUDENT, weights)
    _, traced_peak = tracemalloc.get_traced_memory()
    tracemalloc.stop()

    return {
        "n_mentees": n_mentees,
        "n_mentors": n_mentors,
        "slots": sum(capacities),
        "pairs": len(proposal.pairs),
        "unmatched": len(proposal.unmatched),
        "total_score": proposal.total,
        "repeats": len(whole.wall),
        "matrix_build_s": build.median(),
        "solver_s": solve.median(),
        "whole_proposal_s": whole.median(),
        "whole_to_solver_ratio": round(whole.median() / solve.median(), 2),
        "solver_cpu_s": solve.median(cpu=True),
        "whole_proposal_cpu_s": whole.median(cpu=True),
        "whole_to_solver_cpu_ratio": round(whole.median(cpu=True) / solve.median(cpu=True), 2),
        "traced_peak_mb": round(traced_peak / 2**20, 1),
        "peak_rss_mb": round(_peak_rss_mb(), 1),
    }


if __name__ == "__main__":
    print(
        json.dumps({"top10": bench_top10(), "cohort": bench_cohort()}, ensure_ascii=False, indent=2)
    )
