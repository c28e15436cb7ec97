"""Role × route matrix of the programme area: editors edit, mentors read, others are refused."""

import pytest
from sqlalchemy import select

from portal.access import Role
from portal.extensions import db
from portal.programme import people, roadmap
from portal.programme.models import RoadMapActivity, Stage
from portal.timeutil import today_moscow
from tests import factories
from tests.routes import methods

YEAR = roadmap.school_year_of(today_moscow())
EDIT = {Role.ADMIN, Role.CURATOR, Role.GROUP}
STAFF = EDIT
MANAGE = {Role.ADMIN, Role.CURATOR}
READ = EDIT | {Role.MENTOR}
ROUTES = [
    ("GET", "/programme/roadmap", READ),
    ("POST", "/programme/roadmap", EDIT),
    ("GET", "/programme/roadmap/{year}", READ),
    ("GET", "/programme/roadmap/{year}.xlsx", READ),
    ("GET", "/programme/roadmap/{year}.pdf", READ),
    ("POST", "/programme/roadmap/{year}/approval", EDIT),
    ("GET", "/programme/roadmap/{year}/activities/new", EDIT),
    ("POST", "/programme/roadmap/{year}/activities/new", EDIT),
    ("GET", "/programme/activities/{activity}/edit", EDIT),
    ("POST", "/programme/activities/{activity}/edit", EDIT),
    ("GET", "/programme/activities/{activity}/evidence", READ),
    ("GET", "/programme/appointments", STAFF),
    ("POST", "/programme/appointments", MANAGE),
    ("POST", "/programme/appointments/{appointment}/end", MANAGE),
    ("GET", "/programme/candidates", STAFF),
    ("GET", "/programme/candidates/new", EDIT),
    ("POST", "/programme/candidates/new", EDIT),
    ("GET", "/programme/candidates/{candidate}", STAFF),
    ("POST", "/programme/candidates/{candidate}/interview", EDIT),
    ("POST", "/programme/candidates/{candidate}/decision", EDIT),
    ("GET", "/programme/training", READ),
    ("GET", "/programme/training/new", EDIT),
    ("POST", "/programme/training/new", EDIT),
    ("GET", "/programme/training/{event}", READ),
    ("GET", "/programme/training/{event}/edit", EDIT),
    ("POST", "/programme/training/{event}/edit", EDIT),
    ("POST", "/programme/training/{event}/attendance", EDIT),
    ("GET", "/programme/training/{event}/certificate/{person}.pdf", EDIT),
]


def test_matrix_covers_every_programme_route(app):
    names = {
        "{year}": "<int:year>",
        "{activity}": "<int:activity_id>",
        "{appointment}": "<int:appointment_id>",
        "{candidate}": "<int:candidate_id>",
        "{event}": "<int:event_id>",
        "{person}": "<int:person_id>",
    }
    listed = set()
    for m, p, _ in ROUTES:
        for placeholder, converter in names.items():
            p = p.replace(placeholder, converter)
        listed.add((m, p))
    for rule in app.url_map.iter_rules():
        if rule.endpoint.startswith("programme."):
            for method in methods(rule):
                assert (method, rule.rule) in listed, (method, rule.rule)


@pytest.mark.parametrize("role", list(Role), ids=lambda r: r.value)
@pytest.mark.parametrize(("method", "path", "allowed"), ROUTES, ids=lambda v: str(v))
def test_role_matrix(client, auth, role, method, path, allowed):
    owner = factories.make_user(login="owner", roles=["curator"])
    roadmap.create_year(YEAR, "template", owner)
    db.session.commit()
    # An activity that concerns mentors (training), so a mentor may open its evidence.
    activity = db.session.scalar(
        select(RoadMapActivity).where(RoadMapActivity.stage == Stage.TRAINING).limit(1)
    )
    activity.evidence_file, activity.evidence_filename = b"%PDF-1.4", "a.pdf"
    db.session.commit()
    appointment = people.appoint("group", owner.id, "1", today_moscow(), None)
    candidate = people.apply(
        last_name="Волкова",
        first_name="Ирина",
        middle_name=None,
        category="педагог",
        workplace=None,
        email=None,
        phone=None,
        competencies="Робототехника",
        motivation="Опыт",
        desired_mentees=None,
    )
    event = people.save_event(
        None,
        topic="Роль наставника",
        held_on=today_moscow(),
        hours=2,
        trainer="Куратор",
        place="ауд. 1",
        required=True,
    )
    people.set_attendance(event, [candidate.person_id])
    db.session.commit()
    user = factories.make_user(login=f"u-{role.value}", roles=[role.value])
    auth.login(user)
    url = path.format(
        year=YEAR,
        activity=activity.id,
        appointment=appointment.id,
        candidate=candidate.id,
        event=event.id,
        person=candidate.person_id,
    )
    response = client.open(url, method=method, data={})
    if role in allowed:
        assert response.status_code in (200, 302, 422), response.status_code
    else:
        assert response.status_code == 403
        assert "Доступ запрещён" in response.get_data(as_text=True)


def test_mentor_cannot_open_evidence_of_what_does_not_concern_mentors(
    client, auth, curator, mentor
):
    roadmap.create_year(YEAR, "template", curator)
    db.session.commit()
    activity = db.session.scalar(
        select(RoadMapActivity).where(RoadMapActivity.stage == Stage.MENTEES).limit(1)
    )
    auth.login(mentor)
    assert client.get(f"/programme/activities/{activity.id}/evidence").status_code == 403
