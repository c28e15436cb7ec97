"""The start page's work queue: each item appears when its condition arises and goes when done.

Conditions are made and resolved through the areas' own domain functions, never by writing the
rows the queue counts; the queue is read from the start page the user opens.
"""

import html
import re
from datetime import timedelta

import pytest

from portal.agreements import signing
from portal.extensions import db
from portal.matching import pairs as pair_domain
from portal.people import anonymise as anonymising
from portal.people import consents
from portal.plans import approval, editing, meetings
from portal.statuses import PersonStatus
from portal.timeutil import today_moscow
from tests import factories

INFO = signing.RequestInfo(ip="10.0.0.9", user_agent="pytest")
ITEM = re.compile(
    r'<li class="queue-item queue-(?P<tone>\w+)">\s*<a href="(?P<url>[^"]*)">'
    r'<span class="queue-count[^"]*">(?P<count>\d+)</span>'
    r'<span class="queue-title">(?P<title>[^<]+)</span></a>'
    r'(?:\s*<span class="queue-due[^"]*">(?P<due>[^<]+)</span>)?'
)


def queue(app, user) -> dict[str, dict]:
    """The work queue as the user sees it on the start page: title → count, url, tone, due."""
    page = factories.client_for(app, user).get("/").get_data(as_text=True)
    assert "Что сделать" in page
    return {
        html.unescape(m["title"]): {
            "count": int(m["count"]),
            "url": html.unescape(m["url"]),
            "tone": m["tone"],
            "due": m["due"],
        }
        for m in ITEM.finditer(page)
    }


def _today():
    return today_moscow()


# --- the curator -----------------------------------------------------------------------------


MENTEES_NO_CONSENT = "Наставляемые без согласия на обработку персональных данных"
MENTORS_NO_CONSENT = "Наставники без согласия на обработку персональных данных"
MENTEES_REVOKED = "Наставляемые, отозвавшие согласие: обезличьте данные в течение 30 дней"
NO_AGREEMENT = "Пары и группы без выпущенного соглашения"
SIGNING = "Соглашения ждут подписей"
TO_APPROVE = "Индивидуальные планы ждут утверждения"
QUIET = "Пары без встреч больше 30 дней"
PETITIONS = "Ходатайства о замене наставника ждут решения"


def test_mentee_without_consent_appears_until_the_consent_is_recorded(app, curator):
    child, mother = factories.make_child_with_parent(consent=False)
    other, _ = factories.make_child_with_parent("Петров", "Пётр", consent=False)
    item = queue(app, curator)[MENTEES_NO_CONSENT]
    assert item["count"] == 2
    assert item["url"] == "/people/mentees?consent=missing"
    consents.record_consent(
        other,
        kind="processing",
        signed_by=db.session.get(type(other), _.id),
        co_signed_by=None,
        signed_on=_today(),
        method="paper",
    )
    db.session.commit()
    item = queue(app, curator)[MENTEES_NO_CONSENT]
    assert item["count"] == 1
    assert item["url"] == f"/people/{child.id}"  # one person: straight to the card
    consents.record_consent(
        child,
        kind="processing",
        signed_by=mother,
        co_signed_by=None,
        signed_on=_today(),
        method="paper",
    )
    db.session.commit()
    assert MENTEES_NO_CONSENT not in queue(app, curator)


def test_mentor_without_consent_appears_until_the_consent_is_recorded(app, curator):
    mentor = factories.make_mentor_person(consent=False)
    item = queue(app, curator)[MENTORS_NO_CONSENT]
    assert (item["count"], item["url"]) == (1, f"/people/{mentor.id}")
    consents.record_consent(
        mentor,
        kind="processing",
        signed_by=mentor,
        co_signed_by=None,
        signed_on=_today(),
        method="paper",
    )
    db.session.commit()
    assert MENTORS_NO_CONSENT not in queue(app, curator)


def test_revoked_consent_shows_the_destruction_deadline_until_anonymised(app, curator):
    mentee = factories.make_mentee_person()
    revoked_on = _today() - timedelta(days=3)
    consents.revoke_consent(mentee.consents[0], revoked_on=revoked_on, reason="Отказ от участия")
    db.session.commit()
    item = queue(app, curator)[MENTEES_REVOKED]
    assert item["count"] == 1
    assert item["url"] == f"/people/{mentee.id}"
    assert item["due"].startswith(f"срок {revoked_on + timedelta(days=30):%d.%m.%Y}, осталось ")
    assert MENTEES_NO_CONSENT not in queue(app, curator)  # revoked is not "missing"
    mentee.status = PersonStatus.DROPPED
    anonymising.anonymise(mentee)
    db.session.commit()
    assert MENTEES_REVOKED not in queue(app, curator)


def test_overdue_destruction_is_red(app, curator):
    mentee = factories.make_mentee_person()
    consents.revoke_consent(
        mentee.consents[0], revoked_on=_today() - timedelta(days=40), reason="Отказ"
    )
    db.session.commit()
    item = queue(app, curator)[MENTEES_REVOKED]
    assert item["tone"] == "danger"
    assert item["due"].startswith("просрочено с")


def test_pair_without_agreement_appears_until_the_agreement_is_issued(app, curator):
    _, _, _, pair = factories.make_agreement_parties()
    item = queue(app, curator)[NO_AGREEMENT]
    assert (item["count"], item["url"]) == (1, f"/matching/pairs/{pair.id}")
    draft = factories.make_agreement(pair, by=curator)
    assert NO_AGREEMENT in queue(app, curator)  # a draft is not yet issued
    factories.make_agreement(pair, issue=True, by=curator)
    assert NO_AGREEMENT not in queue(app, curator)
    assert queue(app, curator)[SIGNING]["url"] == f"/agreements/{draft.id}"


def test_agreement_waiting_for_signatures_goes_when_everyone_signed(app, curator, mentor, parent):
    _, _, _, pair = factories.make_agreement_parties(mentor, None, parent)
    agreement = factories.make_agreement(pair, issue=True, by=curator)
    assert queue(app, curator)[SIGNING]["count"] == 1
    for user in (mentor, parent):
        signing.accept_rules(user, INFO)
        signing.sign_with_password(
            agreement.id, user, factories.DEFAULT_PASSWORD, agreement.text_hash, INFO
        )
        db.session.commit()
    assert SIGNING not in queue(app, curator)


def test_plan_waiting_for_approval_goes_when_approved(app, curator, mentor):
    world = factories.make_plan_world(mentor)
    item = queue(app, curator)[TO_APPROVE]
    assert (item["count"], item["url"]) == (1, f"/plans/{world.plan.id}")
    db.session.refresh(world.plan)
    approval.approve(world.plan, world.plan.version, "45-о", _today(), curator)
    db.session.commit()
    assert TO_APPROVE not in queue(app, curator)


def test_plan_with_a_mentee_proposal_is_not_ready_for_approval(app, curator, mentor, mentee):
    world = factories.make_plan_world(mentor, mentee)
    for item in world.items:
        editing.delete_item(item.id, mentor)
    factories.make_plan_item(world.plan, "Предложение наставляемого", user=mentee, proposed=True)
    assert TO_APPROVE not in queue(app, curator)


def test_quiet_pair_appears_after_30_days_without_a_meeting(app, curator, mentor):
    world = factories.make_plan_world(mentor)
    world.pair.started_on = _today() - timedelta(days=45)
    db.session.commit()
    item = queue(app, curator)[QUIET]
    assert (item["count"], item["url"]) == (1, f"/matching/pairs/{world.pair.id}")
    meetings.save_meeting(
        None,
        world.pair,
        world.plan,
        held_on=_today() - timedelta(days=2),
        format="очно",
        topic="Знакомство",
        summary=None,
        attendee_ids=[world.mentee.id],
        item_ids=[],
        user=mentor,
    )
    db.session.commit()
    assert QUIET not in queue(app, curator)


def test_petition_waits_for_the_decision(app, curator):
    _, child, _, pair = factories.make_agreement_parties()
    petition = pair_domain.file_petition(pair, child, "Не сложилось общение", _today())
    db.session.commit()
    item = queue(app, curator)[PETITIONS]
    assert (item["count"], item["url"], item["tone"]) == (1, f"/matching/pairs/{pair.id}", "danger")
    assert item["due"] is None  # the regulation sets no term: a filing date is not a deadline
    pair_domain.reject_petition(petition, "Конфликт урегулирован на встрече")
    db.session.commit()
    assert PETITIONS not in queue(app, curator)


def test_other_roles_do_not_see_the_curators_work(app, group, mentor):
    factories.make_child_with_parent(consent=False)
    assert queue(app, group) == {}
    assert MENTEES_NO_CONSENT not in queue(app, mentor)


# --- mentor, mentee, parent ------------------------------------------------------------------

TO_SIGN = "Соглашение ждёт вашей подписи"
THIS_WEEK = "Мероприятия плана на этой неделе"
TO_RECORD = "Прошедшие мероприятия: отметьте встречу в журнале или перенесите"
NEXT = "Ближайшие мероприятия плана"


def _set(item, name, value, user):
    outcome = editing.save_field(item.id, name, value, None, user)
    db.session.commit()
    return outcome


def test_documents_to_sign_for_mentor_and_parent_go_when_signed(app, curator, mentor, parent):
    _, _, _, pair = factories.make_agreement_parties(mentor, None, parent)
    agreement = factories.make_agreement(pair, issue=True, by=curator)
    for user in (mentor, parent):
        item = queue(app, user)[TO_SIGN]
        assert (item["count"], item["url"]) == (1, f"/agreements/{agreement.id}/sign")
    signing.accept_rules(mentor, INFO)
    signing.sign_with_password(
        agreement.id, mentor, factories.DEFAULT_PASSWORD, agreement.text_hash, INFO
    )
    db.session.commit()
    assert TO_SIGN not in queue(app, mentor)
    assert TO_SIGN in queue(app, parent)  # the mother has not signed yet


def test_activity_due_this_week_goes_when_done(app, mentor):
    world = factories.make_plan_world(mentor)
    soon = _today() + timedelta(days=3)
    _set(world.items[0], "end_on", soon.isoformat(), mentor)
    item = queue(app, mentor)[THIS_WEEK]
    assert item["count"] == 1
    assert item["url"] == f"/plans/{world.plan.id}"
    assert item["due"].startswith(f"срок {soon:%d.%m.%Y}, осталось ")
    _set(world.items[0], "status", "выполнено", mentor)
    assert THIS_WEEK not in queue(app, mentor)


def test_past_activity_asks_for_a_meeting_record_until_recorded(app, mentor):
    world = factories.make_plan_world(mentor)
    world.pair.started_on = _today() - timedelta(days=20)
    db.session.commit()
    past = _today() - timedelta(days=2)
    _set(world.items[1], "end_on", past.isoformat(), mentor)
    item = queue(app, mentor)[TO_RECORD]
    assert (item["count"], item["url"]) == (1, f"/plans/{world.plan.id}/meetings/new")
    assert item["due"] == f"просрочено с {past:%d.%m.%Y}"
    meetings.save_meeting(
        None,
        world.pair,
        world.plan,
        held_on=past,
        format="очно",
        topic="Подготовка к конкурсу",
        summary="Собрали макет",
        attendee_ids=[world.mentee.id],
        item_ids=[world.items[1].id],
        user=mentor,
    )
    db.session.commit()
    assert TO_RECORD not in queue(app, mentor)


@pytest.mark.parametrize("who", ["mentee", "parent"])
def test_mentee_and_parent_see_the_next_activities(app, mentor, mentee, parent, who):
    world = factories.make_plan_world(mentor, mentee, parent)
    _set(world.items[0], "start_on", (_today() + timedelta(days=5)).isoformat(), mentor)
    user = {"mentee": mentee, "parent": parent}[who]
    item = queue(app, user)[NEXT]
    assert (item["count"], item["url"]) == (1, f"/plans/{world.plan.id}")
    _set(world.items[0], "status", "отменено", mentor)
    assert NEXT not in queue(app, user)


def test_a_stranger_sees_nothing_of_other_pairs(app, mentor, stranger):
    world = factories.make_plan_world(mentor)
    _set(world.items[0], "end_on", (_today() + timedelta(days=2)).isoformat(), mentor)
    factories.make_person("Чужой", "Иван", user=stranger, category="педагог", is_mentor=True)
    assert queue(app, stranger) == {}


def test_dashboard_speaks_to_the_user_as_vy(app, client, auth, mentor):
    auth.login(mentor)
    page = client.get("/").get_data(as_text=True)
    assert "В этой роли вы:" in page
    assert "видите свои пары" in page
    assert "видит свои пары" not in page


def _queries_of(fn) -> int:
    from sqlalchemy import event

    count = 0

    def before(*args, **kwargs):
        nonlocal count
        count += 1

    event.listen(db.engine, "before_cursor_execute", before)
    try:
        fn()
    finally:
        event.remove(db.engine, "before_cursor_execute", before)
    return count


def test_the_queue_asks_one_query_per_provider_whatever_the_data(app, curator):
    from portal.notifications.queue import work_queue

    def measure():
        assert curator.roles  # load the user first: only the queue's own queries count
        with app.test_request_context():
            return _queries_of(lambda: work_queue(curator))

    empty = measure()
    for n in range(4):
        factories.make_child_with_parent(f"Семенов{n}", consent=False)
        _, child, _, pair = factories.make_agreement_parties()
        pair_domain.file_petition(pair, child, "Причина", _today())
        db.session.commit()
    # One query for the curator's measures, two for the programme's, one for the media plan,
    # four for monitoring (the curator's own questionnaires, two campaigns, the annual report).
    assert measure() == empty == 8


def test_pair_history_names_the_person_not_the_login(app, curator, mentor):
    from portal.matching.models import PairEvent

    world = factories.make_plan_world(mentor)
    db.session.add(
        PairEvent(pair_id=world.pair.id, kind="note", text="Запись", user_login="curator")
    )
    db.session.commit()
    page = factories.client_for(app, curator).get(f"/matching/pairs/{world.pair.id}")
    text = page.get_data(as_text=True)
    assert "· Соколова Анна Викторовна</span> — Запись" in text
    assert "· curator<" not in text
