"""The curator's settings of matching: forms of mentorship and the criteria's weights.

Views hand over what the forms validated; uniqueness, creation, audit happen here. The caller
commits.
"""

from sqlalchemy import select

from portal import audit
from portal.domain import RuleViolation
from portal.extensions import db
from portal.matching.candidates import load_weights, weights_dict
from portal.matching.models import MatchingWeights, MentorshipForm
from portal.timeutil import utcnow

# The federal forms of mentorship a local form is reported as (Методология, Распоряжение
# Минпросвещения № Р-145): the vocabulary of «Отчётная форма».
FEDERAL_FORMS = (
    "ученик – ученик",
    "студент – ученик",
    "работодатель – ученик",
    "работодатель – студент",
    "учитель – учитель",
)

# The columns a curator edits, besides the code, the formats and the federal form.
FORM_FIELDS = (
    "name",
    "scope",
    "mentor_categories",
    "mentee_categories",
    "mentor_higher_level",
    "min_mentee_age",
    "description",
    "goal",
    "tasks",
    "documents",
    "active",
)
_AUDITED = (*FORM_FIELDS, "code", "formats", "reported_as")


def save_form(
    form_obj: MentorshipForm | None,
    *,
    code: str,
    values: dict,
    formats: list[str],
    reported_as: str | None,
) -> MentorshipForm:
    """Create (form_obj None) or update a form of mentorship; the code stays unique."""
    code = (code or "").strip()
    if not code:
        raise RuleViolation("Укажите код формы.")
    clash = db.session.scalar(select(MentorshipForm).where(MentorshipForm.code == code))
    if clash is not None and clash is not form_obj:
        raise RuleViolation("Форма с таким кодом уже есть.")
    if reported_as and reported_as not in FEDERAL_FORMS:
        raise RuleViolation("Неизвестная федеральная форма наставничества.")
    created = form_obj is None
    if created:
        form_obj = MentorshipForm(code=code)
        db.session.add(form_obj)
        before = {}
    else:
        before = {f: getattr(form_obj, f) for f in _AUDITED}
    for name in FORM_FIELDS:
        value = values.get(name)
        setattr(form_obj, name, value.strip() if isinstance(value, str) else value)
    form_obj.code = code
    form_obj.formats = formats
    form_obj.reported_as = reported_as or None
    db.session.flush()
    audit.record(
        "form_created" if created else "form_updated",
        "mentorship_form",
        form_obj.id,
        audit.diff(before, {f: getattr(form_obj, f) for f in _AUDITED}),
        f"Форма наставничества «{form_obj.name}»",
    )
    return form_obj


def save_weights(values: dict[str, int], *, actor) -> MatchingWeights:
    """Store the curator's weights (one row, id 1) and record the change."""
    before = weights_dict(load_weights())
    row = db.session.get(MatchingWeights, 1)
    if row is None:
        row = MatchingWeights(id=1)
        db.session.add(row)
    for name, value in values.items():
        setattr(row, name, value)
    row.updated_at = utcnow()
    row.updated_by = getattr(actor, "login", None)
    audit.record(
        "weights_updated",
        "matching_weights",
        1,
        audit.diff(before, values),
        "Веса критериев подбора изменены",
        actor=actor,
    )
    return row
