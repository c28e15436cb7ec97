"""Cohort proposals: a stored draft, accept some, change one with a reason, re-checks on accept."""

from sqlalchemy import func, select

from portal import create_app
from portal.audit import AuditEvent
from portal.extensions import db
from portal.matching.models import CohortProposal, Pair, ProposalItem
from portal.timeutil import today_moscow
from tests import factories


def _world():
    forms = factories.make_matching_forms()
    mentors = [
        factories.make_mentor_person("Робототехникова", capacity=2),
        factories.make_mentor_person(
            "Шахматова",
            capacity=1,
            competencies=("шахматы",),
            interests=("шахматы",),
            club="Шахматы",
        ),
        factories.make_mentor_person(
            "Запасная", capacity=1, competencies=("театр",), interests=("театр",), club="Театр"
        ),
    ]
    mentees = [
        factories.make_mentee_person("Аникин", "Антон"),
        factories.make_mentee_person(
            "Борисов", "Борис", request_tags=("шахматы",), interests=("шахматы",), club="Шахматы"
        ),
        factories.make_mentee_person("Васильев", "Вадим"),
        factories.make_mentee_person("Григорьев", "Глеб", consent=False),
    ]
    return forms["teacher-student"], mentors, mentees


def _compute(client, form) -> CohortProposal:
    response = client.post("/matching/cohort", data={"form": form.id})
    assert response.status_code == 302
    proposal_id = int(response.location.rsplit("/", 1)[1])
    return db.session.get(CohortProposal, proposal_id)


def test_proposal_is_a_stored_draft_with_scores_reasons_and_the_unmatched(
    client, auth, curator, database_url, instance_path
):
    form, mentors, mentees = _world()
    auth.login(curator)
    proposal = _compute(client, form)
    assert proposal.status == "черновик"
    assert len(proposal.items) == 3  # four mentees, one without consent
    by_mentee = {i.mentee_id: i for i in proposal.items}
    assert by_mentee[mentees[1].id].mentor_id == mentors[1].id  # the chess pair
    assert proposal.total == sum(i.score for i in proposal.items)
    assert [u["mentee_id"] for u in proposal.unmatched] == [mentees[3].id]
    assert "согласия" in proposal.unmatched[0]["reason"]
    assert db.session.scalar(select(func.count(Pair.id))) == 0  # nothing formed yet

    # Another worker process sees the same draft: it lives in the database, not in memory.
    other = create_app(
        {
            "DATABASE_URL": database_url,
            "SECRET_KEY": "test-secret",
            "INSTANCE_PATH": str(instance_path),
            "TESTING": True,
            "WTF_CSRF_ENABLED": False,
        }
    )
    other_client = other.test_client()
    factories.log_in(other_client, curator)
    page = other_client.get(f"/matching/cohort/{proposal.id}").get_data(as_text=True)
    with other.app_context():
        db.engine.dispose()  # close the second "worker's" connections now, not at GC time
    assert mentees[1].full_name in page and mentors[1].full_name in page
    assert f"{proposal.total}" in page and "Остаются без пары (1)" in page
    assert "ключевой запрос" in page  # the reasons travel with the draft


def test_accept_some_and_change_one_with_a_reason(client, auth, curator):
    form, mentors, mentees = _world()
    auth.login(curator)
    proposal = _compute(client, form)
    items = {i.mentee_id: i for i in proposal.items}
    changed = items[mentees[0].id]
    old_mentor = changed.mentor_id
    new_mentor = mentors[2]  # the theatre mentor, left without mentees by the optimum
    assert old_mentor == mentors[0].id

    # A change without a reason is refused and nothing moves.
    url = f"/matching/cohort/{proposal.id}/items/{changed.id}/change"
    assert client.get(url).status_code == 200
    response = client.post(url, data={"mentor_id": new_mentor.id, "reason": ""})
    assert response.status_code == 422
    assert "Укажите причину" in response.get_data(as_text=True)
    db.session.expire_all()
    assert changed.mentor_id == old_mentor

    response = client.post(
        url, data={"mentor_id": new_mentor.id, "reason": "Знакомы по театральной студии"}
    )
    assert response.status_code == 302
    db.session.expire_all()
    assert (changed.mentor_id, changed.original_mentor_id, changed.change_reason) == (
        new_mentor.id,
        old_mentor,
        "Знакомы по театральной студии",
    )
    event = db.session.scalar(
        select(AuditEvent).where(AuditEvent.action == "proposal_item_changed")
    )
    assert "Знакомы по театральной студии" in event.summary
    assert event.changes["mentor_id"] == [old_mentor, new_mentor.id]
    page = client.get(f"/matching/cohort/{proposal.id}").get_data(as_text=True)
    assert "причина: Знакомы по театральной студии" in page

    # Accept two of three: the changed one and the chess pair.
    chosen = [changed.id, items[mentees[1].id].id]
    response = client.post(
        f"/matching/cohort/{proposal.id}/accept", data={"item": [str(i) for i in chosen]}
    )
    assert response.status_code == 302
    db.session.expire_all()
    pairs = {p.mentor_id: p for p in db.session.scalars(select(Pair))}
    assert set(pairs) == {new_mentor.id, mentors[1].id}
    assert all(p.status == "черновик" for p in pairs.values())
    assert {i.status for i in proposal.items if i.id in chosen} == {"принято"}
    assert items[mentees[2].id].status == "предложено"
    assert proposal.status == "черновик"

    # Discarding closes the draft; the accepted pairs stay.
    client.post(f"/matching/cohort/{proposal.id}/discard")
    db.session.expire_all()
    assert proposal.status == "принят частично"
    assert items[mentees[2].id].status == "отклонено"
    assert db.session.scalar(select(func.count(Pair.id))) == 2


def test_accept_rechecks_each_item_and_accepts_the_rest(client, auth, curator):
    form, mentors, mentees = _world()
    auth.login(curator)
    proposal = _compute(client, form)
    items = {i.mentee_id: i for i in proposal.items}
    # Since the computation the chess mentee's consent was revoked.
    consent = mentees[1].consents[0]
    consent.revoked_on = today_moscow()
    db.session.commit()
    response = client.post(
        f"/matching/cohort/{proposal.id}/accept", data={"all": "1"}, follow_redirects=True
    )
    text = response.get_data(as_text=True)
    assert "Не приняты (1)" in text
    assert "согласие на обработку персональных данных отозвано" in text
    db.session.expire_all()
    failed = items[mentees[1].id]
    assert failed.status == "предложено" and "отозвано" in failed.error
    # The other two share the robotics mentor: one group of two.
    group = db.session.scalar(select(Pair))
    assert db.session.scalar(select(func.count(Pair.id))) == 1
    assert {m.mentee_id for m in group.members} == {mentees[0].id, mentees[2].id}
    assert proposal.status == "черновик"  # the failed item is still pending


def test_accept_nothing_chosen_is_refused(client, auth, curator):
    form, _, _ = _world()
    auth.login(curator)
    proposal = _compute(client, form)
    response = client.post(f"/matching/cohort/{proposal.id}/accept", data={})
    assert response.status_code == 422
    assert "Отметьте хотя бы одну пару" in response.get_data(as_text=True)
    assert db.session.scalar(select(func.count(Pair.id))) == 0


def test_change_to_a_full_mentor_is_refused(client, auth, curator):
    form, mentors, mentees = _world()
    auth.login(curator)
    proposal = _compute(client, form)
    item = next(i for i in proposal.items if i.mentor_id != mentors[1].id)
    response = client.post(
        f"/matching/cohort/{proposal.id}/items/{item.id}/change",
        data={"mentor_id": mentors[1].id, "reason": "хочу"},
    )
    # The chess mentor's only place is taken by another item of the same proposal.
    assert response.status_code == 422
    assert "не останется мест" in response.get_data(as_text=True)
    db.session.expire_all()
    assert db.session.get(ProposalItem, item.id).original_mentor_id is None
