"""Every route is guarded: anonymous users go to login, roles are declared, CSRF is required."""

import pytest
from sqlalchemy import func, select

from portal.access import PUBLIC_ENDPOINTS, STAFF, Role
from portal.accounts.models import User, UserSession
from portal.extensions import db
from tests import factories
from tests.routes import STATE_CHANGING, build_path, guarded_rules, methods


def test_every_guarded_view_declares_its_roles(app):
    undeclared = [
        rule.endpoint
        for rule in guarded_rules(app)
        if not getattr(app.view_functions[rule.endpoint], "allowed_roles", None)
    ]
    assert undeclared == []


def test_anonymous_requests_go_to_login(app, client):
    checked = 0
    for rule in guarded_rules(app):
        for method in methods(rule):
            response = client.open(build_path(rule), method=method)
            assert response.status_code == 302, (method, rule.rule, response.status_code)
            assert response.location.startswith("/login"), (method, rule.rule)
            checked += 1
    assert checked >= 8


def test_only_login_health_and_static_are_public(app, client):
    assert PUBLIC_ENDPOINTS == {
        "static",
        "accounts.login",
        "main.healthz",
        "agreements.signer_key",
    }
    assert client.get("/login").status_code == 200
    # Without a hand-over token the signer's screen shows nothing and changes nothing.
    for method in ("GET", "POST"):
        kiosk = client.open("/agreements/signer", method=method, data={"password": "x"})
        assert kiosk.status_code == 410 and "недоступен" in kiosk.get_data(as_text=True)
    assert client.get("/healthz").status_code == 200
    with client.get("/static/js/htmx-2.0.11.min.js") as response:
        assert response.status_code == 200


def _row_counts() -> dict[str, int]:
    return {
        t.name: db.session.scalar(select(func.count()).select_from(t))
        for t in db.metadata.sorted_tables
    }


def test_state_changes_without_csrf_token_are_refused(csrf_app):
    """Log in as someone holding every role, then POST to every route without a token."""
    client = csrf_app.test_client()
    everyone = factories.make_user(login="all", roles=[r.value for r in Role])
    factories.log_in(client, everyone)
    before = _row_counts()
    checked = 0
    for rule in guarded_rules(csrf_app):
        for method in methods(rule):
            if method not in STATE_CHANGING:
                continue
            response = client.open(build_path(rule), method=method, data={"x": "1"})
            assert response.status_code == 400, (method, rule.rule, response.status_code)
            assert "Форма устарела" in response.get_data(as_text=True)
            checked += 1
    assert checked >= 4
    db.session.expire_all()
    assert _row_counts() == before


# Reading personal data or a signed agreement is itself recorded (152-ФЗ, the agreement's
# trail), so these append-only logs may grow on GET; nothing else may.
ACCESS_LOGS = {"audit_events", "agreement_events"}


def test_get_routes_change_nothing(app, client):
    everyone = factories.make_user(login="all", roles=[r.value for r in Role])
    factories.log_in(client, everyone)
    before = _row_counts()
    visited = 0
    for rule in guarded_rules(app):
        if "GET" in rule.methods and not rule.arguments:
            client.get(build_path(rule)).close()
            visited += 1
    db.session.expire_all()
    after = _row_counts()
    assert visited >= 5
    assert {t: n for t, n in after.items() if t not in ACCESS_LOGS} == {
        t: n for t, n in before.items() if t not in ACCESS_LOGS
    }


# The role × route matrix of the foundation: (method, path, roles admitted); {target} is
# another user's id, the object of the account-management routes.
MANAGERS_ONLY = {Role.ADMIN, Role.CURATOR}
FOUNDATION_ROUTES = [
    ("GET", "/", set(Role)),
    ("GET", "/account/password", set(Role)),
    ("POST", "/account/password", set(Role)),
    ("POST", "/logout", set(Role)),
    ("GET", "/account/sessions", set(Role)),
    ("POST", "/account/sessions/{own_session}/end", set(Role)),
    ("POST", "/account/sessions/end-others", set(Role)),
    ("GET", "/users", MANAGERS_ONLY),
    ("GET", "/users/new", MANAGERS_ONLY),
    ("POST", "/users/new", MANAGERS_ONLY),
    ("GET", "/users/{target}/edit", MANAGERS_ONLY),
    ("POST", "/users/{target}/edit", MANAGERS_ONLY),
    ("POST", "/users/{target}/active", MANAGERS_ONLY),
    ("POST", "/users/{target}/reset-password", MANAGERS_ONLY),
    ("POST", "/users/{target}/sessions/end", MANAGERS_ONLY),
    ("GET", "/users/{target}/people", MANAGERS_ONLY),
    ("POST", "/users/{target}/link", MANAGERS_ONLY),
    ("POST", "/users/{target}/unlink", MANAGERS_ONLY),
    ("GET", "/users/for-person/{person}", MANAGERS_ONLY),
    ("POST", "/users/for-person/{person}", MANAGERS_ONLY),
    ("GET", "/settings", {Role.ADMIN}),
    ("POST", "/settings", {Role.ADMIN}),
    ("GET", "/participants/export.xlsx", set(STAFF)),
]


def test_matrix_covers_every_foundation_route(app):
    listed = {
        (
            m,
            p.replace("{target}", "<int:user_id>")
            .replace("{own_session}", "<int:session_id>")
            .replace("{person}", "<int:person_id>")
            .replace("export.xlsx", "export.<ext>"),
        )
        for m, p, _ in FOUNDATION_ROUTES
    }
    foundation = [
        r
        for r in app.url_map.iter_rules()
        if r.endpoint.split(".")[0] in {"main", "accounts", "settings"}
        and r.endpoint not in PUBLIC_ENDPOINTS
    ]
    for rule in foundation:
        for method in methods(rule):
            assert (method, rule.rule) in listed, (method, rule.rule)


@pytest.mark.parametrize("role", list(Role), ids=lambda r: r.value)
@pytest.mark.parametrize(("method", "path", "allowed"), FOUNDATION_ROUTES, ids=lambda v: str(v))
def test_role_matrix(client, auth, role, method, path, allowed):
    user = factories.make_user(login=f"u-{role.value}", roles=[role.value])
    target = factories.make_user(login="target", roles=["mentee"])
    person = factories.make_person()
    auth.login(user)
    own_session = db.session.scalar(select(UserSession.id).where(UserSession.user_id == user.id))
    response = client.open(
        path.format(target=target.id, own_session=own_session, person=person.id),
        method=method,
        data={},
    )
    if role in allowed:
        assert response.status_code in (200, 302, 308, 422), response.status_code
    else:
        assert response.status_code == 403
        assert "Доступ запрещён" in response.get_data(as_text=True)


def test_participants_export_address_serves_the_official_layout(client, auth, curator):
    auth.login(curator)
    response = client.get("/participants/export.xlsx?base=mentees")
    assert response.status_code == 308
    assert response.location == "/people/export.xlsx?base=mentees"
    followed = client.get(response.location)
    assert followed.mimetype.endswith("spreadsheetml.sheet")
    assert client.get("/participants/export.pdf").status_code == 404


def _seeded_ids() -> dict:
    """Real, consistent ids of a seeded database for every URL argument."""
    from portal.agreements.models import Agreement, SignatureSlot
    from portal.matching.models import CohortProposal, MentorshipForm
    from portal.people.models import Consent
    from portal.plans.models import Meeting, Plan, PlanItem

    def first(query):
        return db.session.scalar(query.limit(1))

    consent = first(select(Consent).where(Consent.scan_filename.is_not(None))) or first(
        select(Consent)
    )
    proposal = first(select(CohortProposal).where(CohortProposal.items.any()))
    plan = first(select(Plan).where(Plan.items.any()).order_by(Plan.id))
    return {
        "agreement_id": first(select(Agreement.id).order_by(Agreement.id)),
        "slot_id": first(select(SignatureSlot.id).order_by(SignatureSlot.id)),
        "proposal_id": proposal.id,
        "matching_item_id": proposal.items[0].id,
        "form_id": first(select(MentorshipForm.id)),
        "pair_id": plan.pair_id,
        "person_id": consent.person_id,
        "consent_id": consent.id,
        "plan_id": plan.id,
        "plans_item_id": first(select(PlanItem.id).where(PlanItem.plan_id == plan.id)),
        "meeting_id": first(select(Meeting.id)),
        "user_id": first(select(User.id).order_by(User.id.desc())),
        "field": "title",
        "ext": "xlsx",
        **_programme_ids(first),
    }


def _programme_ids(first) -> dict:
    """Ids for the areas above the pairs: monitoring, the programme, notifications, media."""
    from portal.communication.models import (
        ConsultationRequest,
        Contest,
        ContestEntry,
        EntryFile,
        MediaItem,
        Practice,
    )
    from portal.monitoring.models import Answer, Assignment, Campaign, Questionnaire
    from portal.notifications.models import Notification
    from portal.programme.models import (
        MentorCandidate,
        RoadMap,
        RoadMapActivity,
        TrainingAttendance,
    )

    answered = first(
        select(Assignment)
        .where(Assignment.campaign_id.is_not(None), Assignment.id.in_(select(Answer.assignment_id)))
        .order_by(Assignment.id)
    )
    campaign = db.session.get(Campaign, answered.campaign_id)
    attended = first(select(TrainingAttendance))
    entry_file = first(select(EntryFile))
    return {
        "campaign_id": campaign.id,
        "assignment_id": answered.id,
        "question_id": first(select(Answer.question_id).where(Answer.assignment_id == answered.id)),
        "qid": first(select(Questionnaire.id)),
        "kind": "calendar",
        "monitoring_year": campaign.deadline.year,
        "programme_year": first(select(RoadMap.year)),
        "activity_id": first(select(RoadMapActivity.id)),
        "candidate_id": first(select(MentorCandidate.id)),
        "event_id": attended.event_id,
        "programme_person_id": attended.person_id,
        "notification_id": first(select(Notification.id)),
        "communication_item_id": first(select(MediaItem.id)),
        "practice_id": first(select(Practice.id)),
        "contest_id": first(select(Contest.id)),
        "entry_id": entry_file.entry_id if entry_file else first(select(ContestEntry.id)),
        "file_id": entry_file.id if entry_file else None,
        "request_id": first(select(ConsultationRequest.id)),
    }


def test_get_routes_with_object_ids_change_nothing_on_a_seeded_database(app, client):
    """Every GET route, its ids filled from the demo data, by a user holding every role."""
    from portal.demo import seed_demo
    from portal.matching import cohort
    from portal.matching.models import MentorshipForm

    seed_demo(people=60)
    for form in db.session.scalars(select(MentorshipForm)):  # a stored cohort proposal too
        if cohort.compute(form).items:
            break
    db.session.commit()
    ids = _seeded_ids()
    everyone = factories.make_user(login="all", roles=[r.value for r in Role])
    # An upload of the user's own, waiting at the column-mapping step.
    from portal.people.imports import start_batch

    upload = "Ф.И.О.;Д.р.;Кружок\nНовиков Олег;01.02.2014;Шахматы\n".encode()
    ids["batch_id"] = start_batch(upload, "список.csv", "mentees", everyone).id
    db.session.commit()
    factories.log_in(client, everyone)  # a real server-side session (issue 14)
    before = _row_counts()
    visited = []
    for rule in guarded_rules(app):
        if "GET" not in rule.methods or not rule.arguments:
            continue
        area = rule.endpoint.split(".")[0]
        args = {name: ids.get(f"{area}_{name}", ids.get(name)) for name in rule.arguments}
        assert None not in args.values(), (rule.rule, args)
        response = client.get(app.url_map.bind("").build(rule.endpoint, args))
        assert response.status_code < 500, (rule.rule, response.status_code)
        visited.append((rule.endpoint, response.status_code))
        response.close()
    db.session.expire_all()
    after = _row_counts()
    assert {t: n for t, n in after.items() if t not in ACCESS_LOGS} == {
        t: n for t, n in before.items() if t not in ACCESS_LOGS
    }
    # The ids were real: most pages rendered (a few refuse by rule, e.g. an issued agreement's
    # edit page), so the check ran over real objects, not over 404s.
    assert len(visited) >= 25
    assert sum(code == 200 for _, code in visited) >= 20, visited
