"""The base of best practices (consent-gated publicity, search) and the contests."""

import io
from datetime import date, timedelta

import pytest
from pypdf import PdfReader

from portal.communication import practices as domain
from portal.communication.models import ContestEntry, Practice
from portal.communication.plan import PlanErrors
from portal.communication.statuses import EntryStatus
from portal.domain import RuleViolation
from portal.extensions import db
from portal.people.consents import revoke_consent
from portal.statuses import PairStatus
from tests import factories

PDF = b"%PDF-1.4 application package"


def _finished_pair():
    world = factories.make_plan_world(titles=("Воркшоп по робототехнике", "Защита проекта"))
    world.items[0].completed = True
    world.items[0].format = "Воркшопы"
    world.items[0].result = "собран робот"
    world.pair.status = PairStatus.COMPLETED
    world.pair.ended_on = date(2026, 5, 25)
    world.pair.results = "Наставляемый защитил проект на городской конференции"
    db.session.commit()
    return world


def _practice(title="Робототехника вдвоём", people=(), public=False, **values):
    base = {"title": title, "year": 2026, "problem": "Низкая мотивация к технике", "public": public}
    base.update(values)
    return domain.save_practice(None, base, values.pop("formats", ["Воркшопы"]), list(people))


def test_a_finished_pair_becomes_a_practice_draft(app):
    world = _finished_pair()
    values, people = domain.draft_from_pair(world.pair)
    assert values["year"] == 2026
    assert values["actions"] == "— Воркшоп по робототехнике: собран робот"
    assert values["results"] == "Наставляемый защитил проект на городской конференции"
    assert values["formats"] == ["Воркшопы"]
    assert {p.id for p in people} == {world.mentor.id, world.mentee.id}
    world.pair.status = PairStatus.ACTIVE
    with pytest.raises(RuleViolation, match="только из завершённой"):
        domain.draft_from_pair(world.pair)


def test_public_only_with_every_named_persons_consent(app):
    child = factories.make_person("Орлов", "Дмитрий", consent=True)
    with pytest.raises(PlanErrors) as caught:
        _practice(people=[child], public=True)
    assert "Нет согласия: Орлов Дмитрий Иванович." in caught.value.errors["public"]
    db.session.rollback()
    consent = factories.make_consent(child, kind="publication")
    practice = _practice(people=[child], public=True)
    db.session.commit()
    assert domain.is_public(practice)
    everyone = db.session.scalars(domain.search_query(staff=False)).all()
    assert [p.id for p in everyone] == [practice.id]
    revoke_consent(consent, revoked_on=date(2026, 11, 1), reason="против")
    db.session.commit()
    db.session.expire_all()
    assert not domain.is_public(db.session.get(Practice, practice.id))
    assert db.session.scalars(domain.search_query(staff=False)).all() == []
    assert len(db.session.scalars(domain.search_query(staff=True)).all()) == 1


def test_search_and_filters_by_form_format_year(app, client, auth, group):
    form = factories.make_form()
    _practice("Робототехника вдвоём", form_id=form.id, formats=["Воркшопы"])
    _practice("Ёлочный хакатон", year=2025, formats=["Кейс-турниры"])
    db.session.commit()
    auth.login(group)

    def titles(query):
        page = client.get("/communication/practices?" + query).get_data(as_text=True)
        return [t for t in ("Робототехника вдвоём", "Ёлочный хакатон") if t in page]

    assert titles("q=ЕЛОЧНЫЙ") == ["Ёлочный хакатон"]
    assert titles("format=Воркшопы") == ["Робототехника вдвоём"]
    assert titles(f"form={form.id}") == ["Робототехника вдвоём"]
    assert titles("year=2025") == ["Ёлочный хакатон"]
    assert titles("") == ["Робототехника вдвоём", "Ёлочный хакатон"]


def test_a_mentee_sees_only_public_practices_and_prints_the_card(app, client, auth, mentee):
    hidden = _practice("Закрытая практика")
    shown = _practice("Открытая практика", public=True)
    db.session.commit()
    auth.login(mentee)
    page = client.get("/communication/practices").get_data(as_text=True)
    assert "Открытая практика" in page and "Закрытая практика" not in page
    assert client.get(f"/communication/practices/{hidden.id}").status_code == 404
    response = client.get(f"/communication/practices/{shown.id}/card.pdf")
    text = " ".join(PdfReader(io.BytesIO(response.data)).pages[0].extract_text().split())
    assert "Открытая практика" in text and "Низкая мотивация к технике" in text


def test_group_builds_a_practice_from_the_pair_in_the_browser_form(app, client, auth, group):
    world = _finished_pair()
    auth.login(group)
    page = client.get(f"/communication/practices/new?pair_id={world.pair.id}").get_data(
        as_text=True
    )
    assert "Воркшоп по робототехнике: собран робот" in page
    assert "Наставляемый защитил проект" in page


def _contest(until=date(2027, 1, 31)):
    return domain.create_contest(
        {
            "title": "Детство без границ",
            "organiser": "АСИ",
            "applications_until": until,
            "results_by": date(2027, 3, 22),
        },
        [f"Номинация {i}" for i in range(1, 8)],
    )


def test_contest_entry_refused_after_the_deadline(app):
    contest = _contest()
    practice = _practice()
    assert len(contest.nominations) == 7
    nomination = contest.nominations[2].id
    entry = domain.enter(contest, practice, nomination, [("заявка.pdf", PDF)], date(2027, 1, 31))
    with pytest.raises(RuleViolation, match="уже заявлена"):
        domain.enter(contest, practice, nomination, [], date(2027, 1, 31))
    with pytest.raises(RuleViolation, match="Приём заявок на конкурс закрыт 31.01.2027"):
        domain.enter(contest, practice, contest.nominations[0].id, [], date(2027, 2, 1))
    with pytest.raises(RuleViolation, match="закрыт"):
        domain.submit(entry, date(2027, 2, 1))
    domain.submit(entry, date(2027, 1, 31))
    assert entry.status == EntryStatus.SUBMITTED
    with pytest.raises(RuleViolation, match="нужен PDF"):
        domain.file_type("вирус.exe", b"MZ\x90\x00")


def test_contest_pages_enter_and_submit(client, auth, group):
    contest = _contest(until=date.today() + timedelta(days=10))
    practice = _practice()
    db.session.commit()
    auth.login(group)
    response = client.post(
        f"/communication/contests/{contest.id}/entries",
        data={
            "practice_id": practice.id,
            "nomination_id": contest.nominations[0].id,
            "files": [(io.BytesIO(PDF), "заявка.pdf")],
        },
        content_type="multipart/form-data",
        follow_redirects=True,
    )
    page = response.get_data(as_text=True)
    assert "Практика заявлена на конкурс." in page and "заявка.pdf" in page
    entry = db.session.query(ContestEntry).one()
    download = client.get(f"/communication/contest-entries/{entry.id}/files/{entry.files[0].id}")
    assert download.data == PDF
    client.post(f"/communication/contest-entries/{entry.id}/submit")
    db.session.expire_all()
    assert db.session.get(ContestEntry, entry.id).status == EntryStatus.SUBMITTED


def test_contest_deadline_in_the_work_queue(app, group):
    from flask import current_app

    from portal.notifications.queue import work_queue

    contest = _contest(until=date.today() + timedelta(days=5))
    domain.enter(contest, _practice(), contest.nominations[0].id, [], date.today())
    db.session.commit()
    with current_app.test_request_context():
        items = {i.title: i for i in work_queue(group)}
    item = items["Конкурсы: подайте заявки до окончания приёма"]
    assert (item.count, item.tone, item.due) == (1, "danger", contest.applications_until)
