"""Optimal assignment of a cohort of mentees to mentors within the mentors' free places."""

from collections.abc import Sequence
from collections.abc import Set as AbstractSet
from dataclasses import dataclass

import numpy as np
from scipy.optimize import linear_sum_assignment

from portal.matching.score import (
    Candidate,
    FormRule,
    Weights,
    _Encoded,
    _feasible_ignoring_capacity,
    _totals,
    mentee_blockers,
    points_ru,
)

INFEASIBLE = -1  # score-matrix marker of a pair the hard filter forbids


@dataclass(frozen=True)
class ProposedPair:
    """A proposed pair and its total; the criteria and reasons are built when shown
    (score.score_pairs), not for every pair of a cohort."""

    mentee_id: int
    mentor_id: int
    total: int


@dataclass(frozen=True)
class Unmatched:
    mentee_id: int
    reason_ru: str


@dataclass(frozen=True)
class CohortProposal:
    """Pairs in the order of the mentees given, their summed score, and who stays unmatched."""

    pairs: list[ProposedPair]
    total: int
    unmatched: list[Unmatched]


# ---------------------------------------------------------------------------------------------
# Solver


def solve_matrix(
    score_matrix: np.ndarray, capacities: Sequence[int] | np.ndarray
) -> list[tuple[int, int]]:
    """Maximum-total assignment on a mentee × mentor score matrix; pairs as (row, column).

    Entries ≥ 0 are allowed scores, negative entries forbidden pairs; each mentor column j takes
    at most capacities[j] mentees and each mentee at most one mentor. Among the optimal
    assignments the one with the most pairs is returned, so a 0-point pair is still proposed.
    """
    scores = np.asarray(score_matrix)
    caps = np.clip(np.asarray(capacities, dtype=np.int64), 0, None)
    if scores.ndim != 2 or scores.shape[1] != caps.shape[0]:
        raise ValueError("score_matrix must be mentees × mentors with one capacity per mentor")
    allowed = (scores >= 0) & (caps > 0)[None, :]
    rows = np.flatnonzero(allowed.any(axis=1))
    cols = np.flatnonzero(allowed.any(axis=0))
    if rows.size == 0:
        return []
    allowed = allowed[np.ix_(rows, cols)]
    # A mentor never needs more slots than mentees it may take: bounds the matrix width.
    slots = np.minimum(caps[cols], allowed.sum(axis=0))
    owner = np.repeat(np.arange(cols.size), slots)
    # Lexicographic objective in one number: weight = score·K + 1 with K above the largest
    # possible number of pairs, so Σweight = K·Σscore + #pairs — the solver maximises the
    # total first and only then the number of pairs (ties between equal totals).
    # Built in int32 (K·100 + 1 stays far below 2³¹ for score matrices) and widened to the
    # float64 the solver needs only once, after the columns are repeated: one big float array.
    k = min(rows.size, owner.size) + 1
    small = int(scores.max()) * k + 1 < 2**31
    packed = scores[np.ix_(rows, cols)].astype(np.int32 if small else np.int64)
    packed *= k
    packed += 1
    packed[~allowed] = 0
    weight = packed[:, owner].astype(np.float64)
    del packed
    # Why forbidden = 0 and no dummy "unmatched" columns are needed: all weights are ≥ 0, so any
    # partial matching of allowed pairs extends to a complete matching of the rectangular
    # matrix (what linear_sum_assignment returns) without losing weight, and dropping the
    # 0-weight cells of a complete matching leaves a partial matching of allowed pairs (allowed
    # cells weigh ≥ 1) with the same weight. Hence the optimum over complete matchings, minus
    # its 0 cells, is an optimal capacity-respecting partial assignment.
    row_ind, col_ind = linear_sum_assignment(weight, maximize=True)
    keep = weight[row_ind, col_ind] > 0.0
    chosen = zip(rows[row_ind[keep]].tolist(), cols[owner[col_ind[keep]]].tolist(), strict=True)
    return sorted(chosen)


class _Matrix:
    """Totals for every pair plus the feasibility facts used to explain who is left out."""

    def __init__(
        self,
        mentees: Sequence[Candidate],
        mentors: Sequence[Candidate],
        form: FormRule,
        weights: Weights,
        paired: AbstractSet[tuple[int, int]],
    ) -> None:
        enc = _Encoded(mentees, mentors)
        self.totals = _totals(enc, len(mentees), len(mentors), weights)
        self.feasible = _feasible_ignoring_capacity(enc, form, paired)
        self.remaining = enc.mentors.remaining
        self.has_room = self.remaining > 0

    def scores(self) -> np.ndarray:
        """Totals with INFEASIBLE wherever the full hard filter (capacity included) forbids."""
        allowed = self.feasible & self.has_room[None, :]
        return np.where(allowed, self.totals, np.int16(INFEASIBLE)).astype(np.int16)


def build_score_matrix(
    mentees: Sequence[Candidate],
    mentors: Sequence[Candidate],
    form: FormRule,
    weights: Weights,
    *,
    paired: AbstractSet[tuple[int, int]] = frozenset(),
) -> np.ndarray:
    """int16 mentee × mentor matrix of match_score totals, INFEASIBLE (−1) where hard_filter
    objects; `paired` holds (mentee_id, mentor_id) pairs that already exist in this form."""
    return _Matrix(mentees, mentors, form, weights, paired).scores()


# ---------------------------------------------------------------------------------------------
# Proposal


def short_name(full_name: str) -> str:
    """«Иванов Иван Иванович» → «Иванов И. И.»."""
    words = full_name.split()
    if not words:
        return ""
    return " ".join([words[0], *(f"{word[0]}." for word in words[1:])])


def _unmatched_reason(
    i: int,
    mentee: Candidate,
    mentors: Sequence[Candidate],
    matrix: _Matrix,
    form: FormRule,
    scores: np.ndarray,
    min_score: int,
) -> str:
    blockers = mentee_blockers(mentee, form)
    if blockers:
        return "наставляемый не проходит условия формы: " + "; ".join(blockers)
    if not matrix.feasible[i].any():
        return "ни один наставник не проходит условия формы"
    if not (matrix.feasible[i] & matrix.has_room).any():
        return "нет подходящих наставников: у всех наставников формы нет свободных мест"
    row = scores[i]
    best = int(np.argmax(row))
    best_name = short_name(mentors[best].full_name)
    best_text = f"лучший вариант: {best_name}, {points_ru(int(row[best]))}"
    if row[best] < min_score:
        return f"ни один наставник не набирает минимальный балл {min_score} ({best_text})"
    return f"оптимальное распределение отдало места другим наставляемым ({best_text})"


def assign_cohort(
    mentees: Sequence[Candidate],
    mentors: Sequence[Candidate],
    form: FormRule,
    weights: Weights,
    *,
    paired: AbstractSet[tuple[int, int]] = frozenset(),
    min_score: int = 0,
) -> CohortProposal:
    """Optimal (maximum total score) assignment under every mentor's remaining capacity.

    `paired` holds existing (mentee_id, mentor_id) pairs of this form, which are not proposed
    again; pairs scoring below `min_score` are not proposed. Only totals are computed here:
    the reasons of a pair are built when it is shown (score.score_pairs).
    """
    matrix = _Matrix(mentees, mentors, form, weights, paired)
    scores = matrix.scores()
    eligible = np.where(scores >= min_score, scores, np.int16(INFEASIBLE))
    chosen = solve_matrix(eligible, matrix.remaining)
    pairs = [ProposedPair(mentees[i].id, mentors[j].id, int(scores[i, j])) for i, j in chosen]
    assigned = {i for i, _ in chosen}
    unmatched = [
        Unmatched(mentee.id, _unmatched_reason(i, mentee, mentors, matrix, form, scores, min_score))
        for i, mentee in enumerate(mentees)
        if i not in assigned
    ]
    return CohortProposal(pairs=pairs, total=sum(p.total for p in pairs), unmatched=unmatched)
