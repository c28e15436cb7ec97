"""Statuses are enums: every stored value is a member, each member has a title and a tone."""

import pytest
from sqlalchemy import text

from portal.demo import seed_demo
from portal.extensions import db
from portal.statuses import STATUS_ENUMS, STORED, TONES, AgreementStatus, PairStatus, Status


def test_every_value_stored_by_the_demo_is_a_member_of_its_enum(app):
    seed_demo(people=60)
    db.session.commit()
    seen = {}
    for enum, table, column in STORED:
        # Raw SQL: the StatusType column would refuse an unknown value before we could see it.
        rows = db.session.execute(text(f"SELECT DISTINCT {column} FROM {table}")).scalars()
        stored = set(rows)
        assert stored <= set(enum.values()), (table, stored - set(enum.values()))
        seen[table] = stored
    # The demo is rich enough for the check to mean something.
    assert set(PairStatus.open()) <= seen["pairs"]
    assert {AgreementStatus.DRAFT, AgreementStatus.SIGNING, AgreementStatus.TERMINATED} <= seen[
        "agreements"
    ]


@pytest.mark.parametrize("enum", [e for e in STATUS_ENUMS if issubclass(e, Status)])
def test_every_member_has_a_russian_title_and_a_known_tone(enum):
    for member in enum:
        assert member.title and member.title[0].isalpha() and not member.title.isascii()
        assert member.tone in TONES


def test_a_loaded_status_is_the_member_and_an_unknown_one_is_refused(app):
    from tests import factories

    mentor = factories.make_person("Кузнецова", "Елена", category="педагог")
    pair = factories.make_pair(mentor, [factories.make_person()], status="черновик")
    db.session.expire_all()
    assert pair.status is PairStatus.DRAFT and pair.status.title == "черновик"
    pair.status = "почти действует"
    with pytest.raises(Exception, match="почти действует"):
        db.session.flush()
    db.session.rollback()
