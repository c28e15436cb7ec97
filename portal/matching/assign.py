"""Optimal assignment of a cohort of mentees to mentors within the mentors' free places."""

from collections import defaultdict
from collections.abc import Sequence
from collections.abc import Set as AbstractSet
from dataclasses import dataclass

import numpy as np
from scipy import sparse
from scipy.optimize import linear_sum_assignment

from portal.matching.score import (
    QUARTERS,
    TOTAL_ROUNDING_NUDGE,
    Candidate,
    FormRule,
    MatchScore,
    Weights,
    match_score,
    mentee_blockers,
    points_ru,
)

# Cells of the score matrix computed at once: each float64 temporary stays near 2 MB whatever
# the cohort size (cache-friendly, and reused by the allocator instead of fresh mmaps).
_BLOCK_CELLS = 1 << 18

INFEASIBLE = -1  # score-matrix marker of a pair the hard filter forbids


@dataclass(frozen=True)
class ProposedPair:
    mentee_id: int
    mentor_id: int
    score: MatchScore


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


# ---------------------------------------------------------------------------------------------
# Vectorised score matrix: element-wise replica of score.match_score(...).total


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


class _Overlap:
    """Intersections of one set-valued attribute, mentee sets × mentor sets."""

    # Up to 63 distinct tokens (formats, time slots) fit one int64 bitmask per person, and
    # "shares any" becomes a single AND instead of a sparse product.
    _BITMASK_LIMIT = 63

    def __init__(
        self,
        mentee_sets: Sequence[frozenset[str]],
        mentor_sets: Sequence[frozenset[str]],
        *,
        counts: bool,
    ) -> None:
        # The vocabulary comes from the mentors only: a token no mentor has is in no
        # intersection, and the set sizes (denominators) are taken from the profiles.
        vocabulary = _vocabulary(mentor_sets)
        self.bits: tuple[np.ndarray, np.ndarray] | None = None
        if not counts and len(vocabulary) <= self._BITMASK_LIMIT:
            self.bits = (_bitmasks(mentee_sets, vocabulary), _bitmasks(mentor_sets, vocabulary))
            return
        self.mentee_inc = _incidence(mentee_sets, vocabulary)
        self.mentor_inc_t = _incidence(mentor_sets, vocabulary).T.tocsr()

    def counts(self, rows: slice) -> np.ndarray:
        """|A ∩ B| as float64 (exact small integers) for a block of mentees."""
        return (self.mentee_inc[rows] @ self.mentor_inc_t).toarray()

    def shares_any(self, rows: slice) -> np.ndarray:
        if self.bits is not None:
            mentee_bits, mentor_bits = self.bits
            return (mentee_bits[rows, None] & mentor_bits[None, :]) != 0
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


class _Encoded:
    """Both sides plus the overlaps needed by the set-valued criteria."""

    def __init__(self, mentees: Sequence[Candidate], mentors: Sequence[Candidate]) -> None:
        self.mentees, self.mentors = _Side(mentees), _Side(mentors)
        mentee_p, mentor_p = self.mentees.profiles, self.mentors.profiles
        self.request = _Overlap(
            [p.request_tokens for p in mentee_p], [p.comp_tokens for p in mentor_p], counts=True
        )
        self.interests = _Overlap(
            [p.interests for p in mentee_p], [p.interests for p in mentor_p], counts=True
        )
        self.formats = _Overlap(
            [p.formats for p in mentee_p], [p.formats for p in mentor_p], counts=False
        )
        self.slots = _Overlap(
            [p.slots for p in mentee_p], [p.slots for p in mentor_p], counts=False
        )
        self.age_table, self.age_row = _age_quarters_table(self.mentees, self.mentors)
        clubs: dict[str, int] = {}
        self.mentor_club = np.array(
            [-1 if p.club is None else clubs.setdefault(p.club, len(clubs)) for p in mentor_p],
            dtype=np.int32,
        )
        # −2: a known club no mentor belongs to, unequal to every mentor code but not unknown.
        self.mentee_club = np.array(
            [-1 if p.club is None else clubs.get(p.club, -2) for p in mentee_p], dtype=np.int32
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


def _quarter_sum(enc: "_Encoded", rows: slice, weights: Weights) -> np.ndarray:
    """age + club + format points of a block of mentees, in integer quarters (exact)."""
    me, mn = enc.mentees, enc.mentors
    quarters = np.multiply(enc.age_table[enc.age_row[rows]], weights.age, dtype=np.int32)

    # Small int8 blocks and row/column overwrites for "unknown": several times cheaper than
    # nested np.where over int64 temporaries.
    club_q = (enc.mentee_club[rows, None] == enc.mentor_club[None, :]).view(np.int8) * QUARTERS
    club_q[:, enc.mentor_club == -1] = QUARTERS // 2
    club_q[enc.mentee_club[rows] == -1] = QUARTERS // 2
    quarters += np.multiply(club_q, weights.club, dtype=np.int32)

    format_q = _half_in_quarters(enc.formats.shares_any(rows), me.no_formats[rows], mn.no_formats)
    format_q += _half_in_quarters(enc.slots.shares_any(rows), me.no_slots[rows], mn.no_slots)
    quarters += np.multiply(format_q, weights.format, dtype=np.int32)
    return quarters


def _half_in_quarters(
    shared: np.ndarray, mentee_empty: np.ndarray, mentor_empty: np.ndarray
) -> np.ndarray:
    """score._shared_half × 4 as int8: 2 if shared, 0 if not, 1 if either side is unknown."""
    quarters = shared.view(np.int8) * 2
    quarters[:, mentor_empty] = 1
    quarters[mentee_empty] = 1
    return quarters


def _weighted_points(enc: _Encoded, rows: slice, weights: Weights) -> np.ndarray:
    """score.combine_points(...) for a block of mentees, with the same float operations."""
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
        n, m = len(mentees), len(mentors)
        self.totals = np.zeros((n, m), dtype=np.int16)
        if weights.total > 0 and n and m:
            block = max(1, _BLOCK_CELLS // m)
            for start in range(0, n, block):
                rows = slice(start, min(n, start + block))
                weighted = _weighted_points(enc, rows, weights)
                # Same expression as score.scale_total, element-wise.
                scaled = np.floor(weighted * 100.0 / weights.total + 0.5 + TOTAL_ROUNDING_NUDGE)
                self.totals[rows] = scaled.astype(np.int16)
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
    again; pairs scoring below `min_score` are not proposed. Full scores with reasons are built
    only for the chosen pairs.
    """
    matrix = _Matrix(mentees, mentors, form, weights, paired)
    scores = matrix.scores()
    eligible = np.where(scores >= min_score, scores, np.int16(INFEASIBLE))
    chosen = solve_matrix(eligible, matrix.remaining)
    pairs = [
        ProposedPair(mentees[i].id, mentors[j].id, match_score(mentors[j], mentees[i], weights))
        for i, j in chosen
    ]
    assigned = {i for i, _ in chosen}
    unmatched = [
        Unmatched(mentee.id, _unmatched_reason(i, mentee, mentors, matrix, form, scores, min_score))
        for i, mentee in enumerate(mentees)
        if i not in assigned
    ]
    return CohortProposal(pairs=pairs, total=sum(p.score.total for p in pairs), unmatched=unmatched)
