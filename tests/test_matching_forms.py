"""Forms of mentorship as data, the weights screen with its preview, the quick screen's pieces,
and the demo seeder's contract."""

import random
import re

from sqlalchemy import func, select

from portal.audit import AuditEvent
from portal.demo import DemoContext
from portal.extensions import db
from portal.matching.candidates import load_weights, parse_formats, parse_slots
from portal.matching.forms_seed import seed_forms
from portal.matching.models import MatchingWeights, MentorshipForm, Pair, Petition
from portal.people.models import Consent, PersonTag
from tests import factories


def test_seeded_forms_follow_the_regulation(app):
    forms = seed_forms()
    local = {f.name for f in forms.values() if f.scope == "local"}
    federal = {f.name for f in forms.values() if f.scope == "federal"}
    assert local == {"педагог – ученик", "ученик – ученик", "педагог – педагог"}
    assert len(federal) == 5 and "работодатель – студент" in federal
    peer = forms["student-student"]
    assert peer.mentor_higher_level and peer.mentor_categories == ["обучающийся"]
    assert "Кейс-турниры" in peer.formats and "Волонтёрская деятельность" in peer.formats
    assert "Экскурсии в место обучения наставника" in forms["teacher-student"].formats
    assert all(f.goal for f in forms.values())
    # «педагог – ученик» is none of the five federal forms: reported as the centre's own
    # («студент – ученик» is a student mentor); every other form names its federal one.
    assert forms["teacher-student"].reported_as is None
    assert all(f.reported_as for c, f in forms.items() if c != "teacher-student")
    assert seed_forms().keys() == forms.keys()  # idempotent
    assert db.session.scalar(select(func.count(MentorshipForm.id))) == 8


def test_curator_edits_a_form_with_checkboxes_and_a_format_list(client, auth, curator):
    forms = factories.make_matching_forms()
    form = forms["teacher-teacher"]
    auth.login(curator)
    page = client.get(f"/matching/forms/{form.id}/edit").get_data(as_text=True)
    assert 'type="checkbox"' in page and "Проектная деятельность" in page
    response = client.post(
        f"/matching/forms/{form.id}/edit",
        data={
            "code": form.code,
            "name": "педагог – педагог",
            "scope": "local",
            "reported_as": "учитель – учитель",
            "mentor_categories": ["педагог", "специалист"],
            "mentee_categories": ["педагог"],
            "goal": "Закрепление молодого педагога",
            "formats": "Воркшопы\n\n  Митапы  \n",
            "active": "y",
        },
    )
    assert response.status_code == 302
    db.session.expire_all()
    assert form.mentor_categories == ["педагог", "специалист"]
    assert form.formats == ["Воркшопы", "Митапы"]
    event = db.session.scalar(select(AuditEvent).where(AuditEvent.action == "form_updated"))
    assert event.changes["formats"][1] == ["Воркшопы", "Митапы"]
    listing = client.get("/matching/forms").get_data(as_text=True)
    assert "Митапы" in listing and "специалист" in listing


def test_new_form_needs_categories_and_a_unique_code(client, auth, curator):
    factories.make_matching_forms()
    auth.login(curator)
    response = client.post(
        "/matching/forms/new",
        data={"code": "teacher-student", "name": "X", "scope": "local", "goal": "цель"},
    )
    text = response.get_data(as_text=True)
    assert response.status_code == 422
    assert "Отметьте хотя бы одну категорию наставников." in text
    response = client.post(
        "/matching/forms/new",
        data={
            "code": "teacher-student",
            "name": "X",
            "scope": "local",
            "goal": "цель",
            "mentor_categories": ["педагог"],
            "mentee_categories": ["обучающийся"],
        },
    )
    assert "Форма с таким кодом уже есть." in response.get_data(as_text=True)
    response = client.post(
        "/matching/forms/new",
        data={
            "code": "parent-pupil",
            "name": "родитель – ученик",
            "scope": "local",
            "goal": "цель",
            "mentor_categories": ["родитель"],
            "mentee_categories": ["обучающийся"],
            "min_mentee_age": "10",
            "formats": "Проектная деятельность",
            "active": "y",
        },
    )
    assert response.status_code == 302
    created = db.session.scalar(select(MentorshipForm).where(MentorshipForm.code == "parent-pupil"))
    assert created.mentor_categories == ["родитель"] and created.min_mentee_age == 10


def test_weights_are_saved_audited_and_previewed(client, auth, curator):
    forms = factories.make_matching_forms()
    form = forms["teacher-student"]
    close = factories.make_mentor_person(
        "Близкая",
        club="Робототехника",
        competencies=("программирование",),
        interests=("робототехника",),
    )
    close.comm_format = "дистанционно"  # no common format: behind the expert by default
    db.session.commit()
    expert = factories.make_mentor_person(
        "Знающая", club="Шахматы", competencies=("робототехника",), interests=("театр",)
    )
    mentee = factories.make_mentee_person()
    auth.login(curator)
    page = client.get(f"/matching/weights?form={form.id}").get_data(as_text=True)
    assert "Веса критериев подбора" in page and mentee.full_name in page
    preview = client.get(
        f"/matching/weights/preview?form={form.id}&mentee={mentee.id}"
        "&request=0&interests=50&age=0&club=50&format=0"
    ).get_data(as_text=True)
    before, after = preview.split("С новыми весами")
    assert before.index(expert.full_name) < before.index(close.full_name)
    assert after.index(close.full_name) < after.index(expert.full_name)
    assert "↑ 1" in after
    assert db.session.get(MatchingWeights, 1) is None  # the preview stores nothing

    bad = client.post(
        "/matching/weights",
        data={"request": "0", "interests": "0", "age": "0", "club": "0", "format": "0"},
    )
    assert bad.status_code == 422
    assert "Хотя бы один вес должен быть больше нуля." in bad.get_data(as_text=True)
    client.post(
        "/matching/weights",
        data={"request": "10", "interests": "50", "age": "15", "club": "10", "format": "15"},
    )
    assert load_weights().interests == 50
    event = db.session.scalar(select(AuditEvent).where(AuditEvent.action == "weights_updated"))
    assert event.changes == {"request": [35, 10], "interests": [25, 50]}


def test_suggestions_show_bars_contributions_and_reasons(client, auth, curator):
    forms = factories.make_matching_forms()
    form = forms["teacher-student"]
    mentor = factories.make_mentor_person(capacity=3)
    mentee = factories.make_mentee_person(interests=("робототехника", "шахматы"))
    auth.login(curator)
    index = client.get(f"/matching?form={form.id}").get_data(as_text=True)
    assert f'id="mentee-{mentee.id}"' in index and "1 наставляемый без пары" in index
    text = client.get(
        f"/matching/suggest?form={form.id}&mentee={mentee.id}", headers={"HX-Request": "true"}
    ).get_data(as_text=True)
    assert mentor.full_name in text
    assert 'class="score-bar"' in text and 'style="width: ' in text
    assert "общие интересы: робототехника, шахматы" in text
    assert "возраст 12 — в желаемом диапазоне 10–14" in text
    assert "Свободно мест: <strong>3</strong> из 3" in text
    other = factories.make_mentor_person("Вторая", competencies=("шахматы",))
    compare = client.get(
        f"/matching/compare?form={form.id}&mentee={mentee.id}&cmp={mentor.id}&cmp={other.id}"
    ).get_data(as_text=True)
    assert "Общее с наставляемым" in compare and other.full_name in compare
    assert "Робототехника" in compare  # the same club


def test_filters_of_the_unmatched_list(client, auth, curator):
    forms = factories.make_matching_forms()
    form = forms["teacher-student"]
    young = factories.make_mentee_person("Юный", "Юрий", age=11, club="Шахматы")
    older = factories.make_mentee_person("Взрослый", "Василий", age=15)
    auth.login(curator)
    by_age = client.get(
        f"/matching?form={form.id}&age_min=14", headers={"HX-Request": "true"}
    ).get_data(as_text=True)
    assert older.full_name in by_age and young.full_name not in by_age
    by_club = client.get(
        f"/matching?form={form.id}&club=Шахматы", headers={"HX-Request": "true"}
    ).get_data(as_text=True)
    assert young.full_name in by_club and older.full_name not in by_club
    by_name = client.get(
        f"/matching?form={form.id}&q=взрослыи", headers={"HX-Request": "true"}
    ).get_data(as_text=True)
    assert "0 наставляемых" in by_name
    by_name = client.get(
        f"/matching?form={form.id}&q=ВЗРОС", headers={"HX-Request": "true"}
    ).get_data(as_text=True)
    assert older.full_name in by_name and young.full_name not in by_name


def test_time_and_format_are_read_from_free_text():
    assert parse_slots("вторник и четверг после 15:00") == {
        "вт-день",
        "вт-вечер",
        "чт-день",
        "чт-вечер",
    }
    assert parse_slots("пн, ср вечером; сб утро") == {"пн-вечер", "ср-вечер", "сб-утро"}
    assert parse_slots("по договорённости") == frozenset()
    assert parse_formats("очно и дистанционно") == {"очно", "дистанционно"}
    assert parse_formats("дистанционно") == {"дистанционно"}


def _context(persons: dict | None = None) -> DemoContext:
    ctx = DemoContext(password="x", people_count=300, rng=random.Random(7))
    if persons is not None:
        ctx.extras["persons"] = persons
    return ctx


def test_demo_seeder_contract_with_the_people_seeder(app):
    from portal.matching import demo
    from portal.people import demo as people_demo

    ctx = _context()
    people_demo.seed(ctx)
    demo.seed(ctx)
    db.session.commit()
    persons, pairs = ctx.extras["persons"], ctx.extras["pairs"]
    first = pairs["mentor"]
    assert (first.status, first.form.name, first.mentor_id) == (
        "действует",
        "педагог – ученик",
        persons["mentor"].id,
    )
    assert [m.mentee_id for m in first.members] == [persons["mentee"].id]
    assert persons["mentee"].age == 12
    second = pairs["mentor2"]
    assert second.status == "действует" and second.mentees == [persons["mentee2"]]
    assert set(ctx.extras["forms"]) >= {"teacher-student", "student-student", "teacher-teacher"}
    statuses = set(db.session.scalars(select(Pair.status)))
    assert statuses == {"черновик", "действует", "завершена", "расторгнута"}
    assert db.session.scalar(select(func.count(Pair.id)).where(Pair.end_reason.is_not(None)))
    assert db.session.scalar(select(func.count(Pair.id)).where(Pair.results.is_not(None)))
    assert db.session.scalar(select(func.count(Pair.id)).where(Pair.replaces_id.is_not(None)))
    assert {p.status for p in db.session.scalars(select(Petition))} >= {"на рассмотрении"}
    assert any(p.is_group for p in db.session.scalars(select(Pair)))
    assert db.session.scalar(select(func.count(Pair.id)).where(Pair.needs_attention.is_not(None)))


def test_demo_seeder_alone_uses_its_own_small_population(app):
    from portal.matching import demo

    ctx = _context()
    demo.seed(ctx)
    db.session.commit()
    assert ctx.extras["persons"]["mentee"].age == 12
    assert ctx.extras["pairs"]["mentor"].status == "действует"
    assert db.session.scalar(select(func.count(Pair.id))) > 5


def _suggested(client, form, mentee) -> list[str]:
    html = client.get(
        f"/matching/suggest?form={form.id}&mentee={mentee.id}", headers={"HX-Request": "true"}
    ).get_data(as_text=True)
    return re.findall(r'<strong class="sugg-name">([^<]+)</strong>', html)


def test_the_reused_mentor_index_follows_every_change(client, auth, curator):
    """The quick screen reuses the encoded mentors between requests; a changed tag, a revoked
    consent and a filled place each show at once."""
    form = factories.make_matching_forms()["teacher-student"]
    first = factories.make_mentor_person("Первая", capacity=1)
    second = factories.make_mentor_person("Вторая", capacity=1, competencies=("шахматы",))
    mentee = factories.make_mentee_person()
    auth.login(curator)
    assert _suggested(client, form, mentee) == [first.full_name, second.full_name]
    # A competency moves from one mentor to the other (no change to the person rows).
    link = next(t for t in first.tags if t.kind == "competency")
    tag = link.tag
    db.session.delete(link)
    second.tags.append(PersonTag(tag=tag, kind="competency"))
    db.session.commit()
    assert _suggested(client, form, mentee) == [second.full_name, first.full_name]
    # The second mentor's consent is revoked: gone from the suggestions.
    consent = db.session.scalar(select(Consent).where(Consent.person_id == second.id))
    consent.revoked_on = consent.signed_on
    db.session.commit()
    assert _suggested(client, form, mentee) == [first.full_name]
    # The first mentor's only place is taken by another mentee: nobody is left to suggest.
    factories.make_pair(first, [factories.make_mentee_person("Другой")], form)
    assert _suggested(client, form, mentee) == []
