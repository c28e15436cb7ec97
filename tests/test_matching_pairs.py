"""Pairs and groups: every constraint through HTTP (Russian message, nothing stored), undo,
groups, the life cycle, the case link, and the petition that replaces a mentor."""

from datetime import date, timedelta

import pytest
from sqlalchemy import func, select

from portal.audit import AuditEvent
from portal.extensions import db
from portal.matching import pairs as service
from portal.matching.models import Pair, PairEvent, PairMember, Petition
from portal.signals import pair_replaced
from portal.timeutil import today_moscow
from tests import factories


@pytest.fixture
def forms(app):
    return factories.make_matching_forms()


@pytest.fixture
def as_curator(client, auth, curator):
    auth.login(curator)
    return client


def _counts() -> tuple[int, int]:
    db.session.expire_all()
    return (
        db.session.scalar(select(func.count(Pair.id))),
        db.session.scalar(select(func.count(PairMember.id))),
    )


def _assign(client, form, mentor, mentee):
    return client.post(
        "/matching/assign",
        headers={"HX-Request": "true"},
        data={"form_id": form.id, "mentor_id": mentor.id, "mentee_id": mentee.id},
    )


def _refused(response, *fragments):
    text = response.get_data(as_text=True)
    assert response.status_code == 422, text[:500]
    for fragment in fragments:
        assert fragment in text, text[:1500]


# --- Constraints through HTTP -----------------------------------------------------------------


def test_assign_forms_a_draft_pair_and_reports_remaining_capacity(as_curator, forms):
    mentor = factories.make_mentor_person(capacity=2)
    mentee = factories.make_mentee_person()
    response = _assign(as_curator, forms["teacher-student"], mentor, mentee)
    text = response.get_data(as_text=True)
    assert response.status_code == 200
    assert "Пара сформирована" in text
    assert 'свободно мест: <strong class="remaining">1</strong> из 2' in text
    assert f'id="mentee-{mentee.id}" hx-swap-oob="delete"' in text
    pair = db.session.scalar(select(Pair))
    assert (pair.status, pair.mentor_id, [m.mentee_id for m in pair.members]) == (
        "черновик",
        mentor.id,
        [mentee.id],
    )
    assert db.session.scalar(select(AuditEvent).where(AuditEvent.action == "pair_created"))


def test_capacity_is_enforced(as_curator, forms):
    form = forms["teacher-student"]
    mentor = factories.make_mentor_person(capacity=1)
    first = factories.make_mentee_person("Петров", "Пётр")
    second = factories.make_mentee_person("Сидоров", "Семён")
    assert _assign(as_curator, form, mentor, first).status_code == 200
    before = _counts()
    response = _assign(as_curator, form, mentor, second)
    _refused(response, "нет свободных мест", "занято 1 из 1")
    assert response.headers["HX-Retarget"] == "#assign-message"
    assert _counts() == before


def test_capacity_counts_every_form_of_the_mentor(as_curator, forms):
    mentor = factories.make_mentor_person(capacity=1)
    teacher = factories.make_person(
        "Молодой",
        "Педагог",
        category="педагог",
        is_mentee=True,
        birth_date=date(1999, 1, 1),
        consent=True,
    )
    pupil = factories.make_mentee_person()
    assert _assign(as_curator, forms["teacher-teacher"], mentor, teacher).status_code == 200
    before = _counts()
    _refused(_assign(as_curator, forms["teacher-student"], mentor, pupil), "нет свободных мест")
    assert _counts() == before


@pytest.mark.parametrize("side", ["mentor", "mentee"])
def test_missing_consent_is_refused(as_curator, forms, side):
    mentor = factories.make_mentor_person(consent=side != "mentor")
    mentee = factories.make_mentee_person(consent=side != "mentee")
    before = _counts()
    response = _assign(as_curator, forms["teacher-student"], mentor, mentee)
    who = mentor if side == "mentor" else mentee
    _refused(
        response,
        "Нельзя сформировать пару",
        who.short_name,
        "согласие на обработку персональных данных не оформлено",
    )
    assert _counts() == before


def test_revoked_consent_is_refused(as_curator, forms):
    mentor = factories.make_mentor_person()
    mentee = factories.make_mentee_person(consent=False)
    factories.make_consent(mentee, revoked_on=date(2026, 10, 1), revoke_reason="заявление")
    before = _counts()
    _refused(
        _assign(as_curator, forms["teacher-student"], mentor, mentee),
        "согласие на обработку персональных данных отозвано",
    )
    assert _counts() == before


def test_mentor_category_must_fit_the_form(as_curator, forms):
    parent_mentor = factories.make_mentor_person("Родителева", category="родитель")
    mentee = factories.make_mentee_person()
    before = _counts()
    _refused(
        _assign(as_curator, forms["teacher-student"], parent_mentor, mentee),
        "не может быть наставником в форме «педагог – ученик»",
        "категория «родитель» не подходит",
    )
    assert _counts() == before


def test_peer_mentor_must_be_on_a_higher_level(as_curator, forms):
    form = forms["student-student"]
    younger = factories.make_mentee_person("Младший", "Миша", age=13, is_mentor=True, capacity=1)
    older_mentee = factories.make_mentee_person("Старший", "Степан", age=14)
    before = _counts()
    _refused(
        _assign(as_curator, form, younger, older_mentee),
        "наставник должен учиться на более высокой ступени",
        "7 класс",
    )
    assert _counts() == before
    senior = factories.make_mentee_person("Выпускной", "Виктор", age=16, is_mentor=True, capacity=1)
    assert _assign(as_curator, form, senior, older_mentee).status_code == 200


def test_mentee_younger_than_the_form_allows_is_refused(as_curator, forms):
    mentor = factories.make_mentor_person()
    child = factories.make_mentee_person(age=9)
    _refused(
        _assign(as_curator, forms["teacher-student"], mentor, child),
        "участвуют наставляемые с 10 лет",
    )
    assert _counts() == (0, 0)


def test_second_active_mentor_in_the_same_form_is_refused(as_curator, forms):
    form = forms["teacher-student"]
    first = factories.make_mentor_person("Первая", capacity=3)
    second = factories.make_mentor_person("Вторая", capacity=3)
    mentee = factories.make_mentee_person()
    assert _assign(as_curator, form, first, mentee).status_code == 200
    before = _counts()
    _refused(
        _assign(as_curator, form, second, mentee),
        "уже есть наставник",
        "«педагог – ученик»",
        first.short_name,
    )
    assert _counts() == before


def test_constraints_hold_on_the_pair_card_route_too(as_curator, forms):
    mentor = factories.make_mentor_person(capacity=1)
    first = factories.make_mentee_person("Петров", "Пётр")
    pair = factories.make_pair(mentor, [first], forms["teacher-student"])
    second = factories.make_mentee_person("Сидоров", "Семён")
    before = _counts()
    response = as_curator.post(
        f"/matching/pairs/{pair.id}/members", data={"add-mentee_id": second.id}
    )
    _refused(response, "нет свободных мест")
    assert _counts() == before


# --- Groups and undo -----------------------------------------------------------------------------


def test_second_mentee_joins_the_mentors_group(as_curator, forms):
    form = forms["teacher-student"]
    mentor = factories.make_mentor_person(capacity=3)
    a = factories.make_mentee_person("Аникин", "Антон")
    b = factories.make_mentee_person("Борисов", "Борис")
    _assign(as_curator, form, mentor, a)
    response = _assign(as_curator, form, mentor, b)
    assert "Добавлен(а) в группу" in response.get_data(as_text=True)
    pairs = list(db.session.scalars(select(Pair)))
    assert len(pairs) == 1 and pairs[0].is_group
    assert {m.mentee_id for m in pairs[0].current_members} == {a.id, b.id}
    card = as_curator.get(f"/matching/pairs/{pairs[0].id}").get_data(as_text=True)
    assert "Наставническая группа" in card and a.full_name in card and b.full_name in card


def test_undo_takes_back_a_new_pair(as_curator, forms):
    mentor = factories.make_mentor_person()
    mentee = factories.make_mentee_person()
    _assign(as_curator, forms["teacher-student"], mentor, mentee)
    member = db.session.scalar(select(PairMember))
    response = as_curator.post(f"/matching/undo/{member.id}", headers={"HX-Request": "true"})
    text = response.get_data(as_text=True)
    assert response.status_code == 200
    assert "Назначение отменено" in text
    assert f'id="mentee-{mentee.id}"' in text and 'hx-swap-oob="afterbegin:#mentee-items"' in text
    assert _counts() == (0, 0)
    assert db.session.scalar(select(AuditEvent).where(AuditEvent.action == "pair_undone"))


def test_undo_in_a_group_removes_only_that_mentee(as_curator, forms):
    form = forms["teacher-student"]
    mentor = factories.make_mentor_person(capacity=3)
    a = factories.make_mentee_person("Аникин", "Антон")
    b = factories.make_mentee_person("Борисов", "Борис")
    _assign(as_curator, form, mentor, a)
    _assign(as_curator, form, mentor, b)
    member_b = db.session.scalar(select(PairMember).where(PairMember.mentee_id == b.id))
    as_curator.post(f"/matching/undo/{member_b.id}")
    db.session.expire_all()
    pair = db.session.scalar(select(Pair))
    assert [m.mentee_id for m in pair.members] == [a.id]


def test_undo_is_refused_for_an_active_pair(as_curator, forms):
    mentor = factories.make_mentor_person()
    mentee = factories.make_mentee_person()
    pair = factories.make_pair(mentor, [mentee], forms["teacher-student"])
    member = pair.members[0]
    response = as_curator.post(f"/matching/undo/{member.id}")
    _refused(response, "Отменить можно только только что сделанное назначение")
    assert _counts() == (1, 1)


# --- Life cycle ----------------------------------------------------------------------------------


def test_activate_complete_and_history(as_curator, forms):
    mentor = factories.make_mentor_person()
    mentee = factories.make_mentee_person()
    pair = service.assign(forms["teacher-student"], mentor, mentee).pair
    db.session.commit()
    as_curator.post(f"/matching/pairs/{pair.id}/activate")
    db.session.expire_all()
    assert pair.status == "действует" and pair.started_on == today_moscow()
    response = as_curator.post(
        f"/matching/pairs/{pair.id}/complete", data={"complete-text": "Проект защищён на конкурсе."}
    )
    assert response.status_code == 302
    db.session.expire_all()
    assert (pair.status, pair.results, pair.ended_on) == (
        "завершена",
        "Проект защищён на конкурсе.",
        today_moscow(),
    )
    card = as_curator.get(f"/matching/pairs/{pair.id}").get_data(as_text=True)
    assert "Пара запущена" in card and "Пара завершена" in card


def test_complete_without_results_is_refused(as_curator, forms):
    pair = factories.make_pair(
        factories.make_mentor_person(), [factories.make_mentee_person()], forms["teacher-student"]
    )
    response = as_curator.post(f"/matching/pairs/{pair.id}/complete", data={"complete-text": ""})
    _refused(response, "Опишите результаты")
    db.session.expire_all()
    assert pair.status == "действует"


def test_terminate_records_the_reason(as_curator, forms):
    pair = factories.make_pair(
        factories.make_mentor_person(), [factories.make_mentee_person()], forms["teacher-student"]
    )
    as_curator.post(
        f"/matching/pairs/{pair.id}/terminate", data={"terminate-text": "По соглашению сторон."}
    )
    db.session.expire_all()
    assert (pair.status, pair.end_reason) == ("расторгнута", "По соглашению сторон.")
    response = as_curator.post(
        f"/matching/pairs/{pair.id}/members",
        data={"add-mentee_id": factories.make_mentee_person("Новый").id},
    )
    _refused(response, "Пара уже расторгнута")


def test_activation_needs_valid_consents(as_curator, forms):
    mentor = factories.make_mentor_person()
    mentee = factories.make_mentee_person()
    pair = service.assign(forms["teacher-student"], mentor, mentee).pair
    db.session.commit()
    consent = mentee.consents[0]
    consent.revoked_on = today_moscow()
    db.session.commit()
    _refused(
        as_curator.post(f"/matching/pairs/{pair.id}/activate"), "Нельзя запустить пару", "отозвано"
    )
    db.session.expire_all()
    assert pair.status == "черновик"


def test_remove_member_keeps_history(as_curator, forms):
    mentor = factories.make_mentor_person(capacity=3)
    a, b = factories.make_mentee_person("Аникин"), factories.make_mentee_person("Борисов")
    pair = factories.make_pair(mentor, [a, b], forms["teacher-student"])
    member_b = pair.members[1]
    as_curator.post(
        f"/matching/pairs/{pair.id}/members/{member_b.id}/remove",
        data={"remove-reason": "перешёл в другое объединение"},
    )
    db.session.expire_all()
    assert member_b.left_on == today_moscow()
    assert member_b.leave_reason == "перешёл в другое объединение"
    response = as_curator.post(
        f"/matching/pairs/{pair.id}/members/{pair.members[0].id}/remove",
        data={"remove-reason": "ещё"},
    )
    _refused(response, "Нельзя исключить единственного наставляемого")


def test_case_url_needs_publication_consent(as_curator, forms):
    mentor = factories.make_mentor_person()
    mentee = factories.make_mentee_person()
    pair = factories.make_pair(mentor, [mentee], forms["teacher-student"])
    url = "https://edelweiss.example.ru/cases/1"
    _refused(
        as_curator.post(f"/matching/pairs/{pair.id}/case-url", data={"case-case_url": url}),
        "только при согласии",
    )
    db.session.expire_all()
    assert pair.case_url is None
    factories.make_consent(mentor, kind="publication")
    factories.make_consent(mentee, kind="publication")
    as_curator.post(f"/matching/pairs/{pair.id}/case-url", data={"case-case_url": url})
    db.session.expire_all()
    assert pair.case_url == url


def test_needs_attention_is_shown_prominently(as_curator, forms):
    mentor = factories.make_mentor_person()
    mentee = factories.make_mentee_person()
    pair = factories.make_pair(mentor, [mentee], forms["teacher-student"])
    assert service.mark_needs_attention(mentee, "согласие отозвано 01.11.2026") == 1
    db.session.commit()
    listing = as_curator.get("/matching/pairs").get_data(as_text=True)
    assert "Требуют внимания: 1 пара" in listing and "согласие отозвано 01.11.2026" in listing
    card = as_curator.get(f"/matching/pairs/{pair.id}").get_data(as_text=True)
    assert "Требует внимания:" in card
    as_curator.post(f"/matching/pairs/{pair.id}/attention")
    db.session.expire_all()
    assert pair.needs_attention is None


# --- Petition and replacement ----------------------------------------------------------------


def test_petition_replaces_the_mentor_and_keeps_history(as_curator, forms, monkeypatch):
    form = forms["teacher-student"]
    old_mentor = factories.make_mentor_person("Прежняя", capacity=1)
    new_mentor = factories.make_mentor_person("Новая", capacity=1)
    mentee = factories.make_mentee_person()
    pair = factories.make_pair(old_mentor, [mentee], form)
    calls = []

    def heard(old, *, new, **_):
        calls.append((old.id, new.id))

    pair_replaced.connect(heard)
    filed = today_moscow() - timedelta(days=2)
    response = as_curator.post(
        f"/matching/pairs/{pair.id}/petitions",
        data={
            "petition-mentee_id": mentee.id,
            "petition-filed_on": filed.isoformat(),
            "petition-reason": "Не удаётся установить личный контакт.",
        },
    )
    assert response.status_code == 302
    petition = db.session.scalar(select(Petition))
    assert (petition.status, petition.filed_on) == ("на рассмотрении", filed)
    response = as_curator.post(
        f"/matching/pairs/{pair.id}/petitions/{petition.id}/grant",
        data={"resolve-mentor_id": new_mentor.id},
    )
    assert response.status_code == 302
    db.session.expire_all()
    new = db.session.scalar(select(Pair).where(Pair.replaces_id == pair.id))
    assert new.mentor_id == new_mentor.id and [m.mentee_id for m in new.members] == [mentee.id]
    assert response.location.endswith(f"/matching/pairs/{new.id}")
    assert pair.status == "расторгнута" and "ходатайству" in pair.end_reason
    assert pair.members[0].left_on == today_moscow()
    assert petition.status == "удовлетворено" and petition.new_pair_id == new.id
    pair_replaced.disconnect(heard)
    assert calls == [(pair.id, new.id)]
    old_card = as_curator.get(f"/matching/pairs/{pair.id}").get_data(as_text=True)
    assert f"парой № {new.id}" in old_card and "Наставник заменён" in old_card
    assert "Не удаётся установить личный контакт." in old_card
    new_card = as_curator.get(f"/matching/pairs/{new.id}").get_data(as_text=True)
    assert f"пару № {pair.id}" in new_card
    kinds = set(db.session.scalars(select(PairEvent.kind).where(PairEvent.pair_id == pair.id)))
    assert {"petition", "replaced", "расторгнута"} <= kinds


def test_replacement_respects_the_new_mentors_capacity(as_curator, forms):
    form = forms["teacher-student"]
    old_mentor = factories.make_mentor_person("Прежняя", capacity=1)
    full = factories.make_mentor_person("Занятая", capacity=1)
    factories.make_pair(full, [factories.make_mentee_person("Другой")], form)
    mentee = factories.make_mentee_person()
    pair = factories.make_pair(old_mentor, [mentee], form)
    petition = service.file_petition(pair, mentee, "нет контакта", today_moscow())
    db.session.commit()
    response = as_curator.post(
        f"/matching/pairs/{pair.id}/petitions/{petition.id}/grant",
        data={"resolve-mentor_id": full.id},
    )
    _refused(response, "нет свободных мест")
    db.session.expire_all()
    assert pair.status == "действует" and pair.members[0].left_on is None
    assert petition.status == "на рассмотрении"
    assert db.session.scalar(select(func.count(Pair.id))) == 2


def test_petition_can_be_rejected(as_curator, forms):
    mentee = factories.make_mentee_person()
    pair = factories.make_pair(factories.make_mentor_person(), [mentee], forms["teacher-student"])
    petition = service.file_petition(pair, mentee, "нет контакта", today_moscow())
    db.session.commit()
    as_curator.post(
        f"/matching/pairs/{pair.id}/petitions/{petition.id}/reject",
        data={"resolve-note": "Контакт восстановлен после беседы."},
    )
    db.session.expire_all()
    assert (petition.status, petition.resolution) == (
        "отклонено",
        "Контакт восстановлен после беседы.",
    )
    assert pair.status == "действует"
