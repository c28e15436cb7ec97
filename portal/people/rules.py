"""Who acts for whom by age, and the consent gate, as plain functions over person records."""

from dataclasses import dataclass
from datetime import date

from sqlalchemy import select

from portal.domain import RuleViolation
from portal.extensions import db
from portal.people.models import Consent, Person, Representative
from portal.relations import children_clause, consent_state
from portal.statuses import ConsentState, PersonCategory
from portal.timeutil import age_on

ADULT_AGE = 18
SELF_SIGN_AGE = 14  # ГК ст. 26: from 14 the child acts with the representative's consent


@dataclass(frozen=True)
class SigningRule:
    """How a person's signature is given: alone, with a co-signature, or by a representative."""

    mode: str  # "self" | "self_with_representative" | "representative"
    age: int | None

    @property
    def needs_representative(self) -> bool:
        return self.mode != "self"

    @property
    def person_signs(self) -> bool:
        return self.mode != "representative"

    @property
    def description(self) -> str:
        return {
            "self": "подписывает сам(а)",
            "self_with_representative": "подписывает сам(а) с согласия законного представителя",
            "representative": "за него (неё) подписывает законный представитель",
        }[self.mode]


def signing_rule(person: Person, on: date | None = None) -> SigningRule:
    """18+ alone; 14–17 with the representative's co-signature; under 14 the representative.

    An unknown date of birth is treated as an adult only for adult categories; a student
    without a date of birth is treated as a minor under 14, the safe side.
    """
    age = age_on(person.birth_date, on)
    if age is None:
        adult = person.category != PersonCategory.STUDENT
        return SigningRule("self" if adult else "representative", None)
    if age >= ADULT_AGE:
        return SigningRule("self", age)
    if age >= SELF_SIGN_AGE:
        return SigningRule("self_with_representative", age)
    return SigningRule("representative", age)


def consent_variant(person: Person, on: date | None = None) -> str:
    """Приложение № 2: variant A — a representative for a child; B — an adult or a 14–17."""
    return "A" if signing_rule(person, on).mode == "representative" else "B"


def representatives_of(person: Person) -> list[Representative]:
    query = select(Representative).where(Representative.child_id == person.id)
    return list(db.session.scalars(query))


def children_of(person: Person) -> list[Person]:
    query = select(Person).where(Person.id.in_(children_clause(person.id)))
    return list(db.session.scalars(query))


def valid_consent(person: Person, kind: str = "processing") -> Consent | None:
    """The newest unrevoked consent of the kind, or None."""
    valid = [c for c in person.consents if c.kind == kind and c.revoked_on is None]
    return max(valid, key=lambda c: (c.signed_on, c.id), default=None)


def require_consent(person: Person, purpose: str) -> None:
    """Refuse an action on a person without a valid consent to processing (152-ФЗ ст. 9)."""
    state = consent_state(person)
    if state == ConsentState.VALID:
        return
    why = "отозвано" if state == ConsentState.REVOKED else "не оформлено"
    raise RuleViolation(
        f"Нельзя {purpose}: у {person.short_name} согласие на обработку персональных данных {why}."
    )


def require_publication_consent(person: Person) -> None:
    """A link to a published case or review needs the separate consent of ст. 10.1."""
    if consent_state(person, "publication") != ConsentState.VALID:
        raise RuleViolation(
            f"Ссылку на кейс или отзыв на сайте можно указать только при согласии "
            f"{person.short_name} на распространение персональных данных (ст. 10.1 152-ФЗ)."
        )
