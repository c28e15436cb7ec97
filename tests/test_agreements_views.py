"""Agreement pages: the role × route matrix with object-level refusals, and the flows by HTTP."""

import io
import zipfile
from datetime import date

import pytest
from flask import g
from sqlalchemy import func, select, text

from portal.accounts.models import User
from portal.agreements import lifecycle, signing, trail
from portal.agreements.models import Agreement, AgreementTemplate, Signature
from portal.extensions import db
from portal.timeutil import today_moscow
from tests import factories

INFO = signing.RequestInfo(ip="127.0.0.1", user_agent="pytest")


@pytest.fixture
def world(app, admin, curator, group, mentor, mentee, parent, stranger):
    mentor_person, child, mother, pair = factories.make_agreement_parties(mentor, mentee, parent)
    issued = factories.make_agreement(pair, issue=True, by=curator)
    second_pair = factories.make_pair(mentor_person, [child])
    signed = factories.make_agreement(second_pair, issue=True, by=curator)
    for user in (mentor, parent):
        signing.accept_rules(user, INFO)
    db.session.commit()
    for user in (mentor, parent):
        signing.sign_with_password(
            signed.id, user, factories.DEFAULT_PASSWORD, signed.text_hash, INFO
        )
        db.session.commit()
    # Someone else's pair: the stranger is its mentor; another mother for another child.
    stranger_person = factories.make_person(
        "Чужой",
        "Иван",
        None,
        birth_date=date(1980, 1, 1),
        category="педагог",
        consent=True,
        user=stranger,
    )
    other_child = factories.make_person(
        "Другой", "Ребёнок", None, birth_date=date(2015, 1, 1), consent=True
    )
    other_parent = factories.make_user(login="other_parent", roles=["parent"])
    other_mother = factories.make_person(
        "Другая",
        "Мама",
        None,
        birth_date=date(1985, 1, 1),
        category="родитель",
        consent=True,
        user=other_parent,
    )
    factories.make_representative(other_child, other_mother)
    other_pair = factories.make_pair(stranger_person, [other_child])
    draft = factories.make_agreement(other_pair, by=curator)
    # A mentee who has left the pair's group, and her mother: outsiders to its agreements.
    leaver = factories.make_user(login="leaver", roles=["mentee"])
    leaver_parent = factories.make_user(login="leaver_parent", roles=["parent"])
    factories.make_leaver(pair, leaver, leaver_parent)
    return {
        "issued": issued,
        "signed": db.session.get(Agreement, signed.id),
        "draft": draft,
        "mother": mother,
        "child": child,
        "mentor": mentor_person,
        "users": {
            "admin": admin,
            "curator": curator,
            "group": group,
            "mentor": mentor,
            "mentee": mentee,
            "parent": parent,
            "stranger": stranger,
            "other_parent": other_parent,
            "leaver": leaver,
            "leaver_parent": leaver_parent,
        },
    }


def _switch(auth, user) -> None:
    """Log in as someone else; the test's app context keeps Flask-Login's cached user in g."""
    g.pop("_login_user", None)
    auth.login(user)


MANAGERS = {"admin", "curator"}
PARTY = {"mentor", "mentee", "parent"}
OUTSIDERS = {"stranger", "other_parent", "leaver", "leaver_parent"}  # any party, not of these
EVERYONE = MANAGERS | PARTY | {"group"} | OUTSIDERS
SIGNERS_ROLES = PARTY  # the sign pages are for parties only, by role and by object

# (method, path template, who is admitted); {i} issued, {s} signed, {d} a draft of another pair.
ROUTES = [
    ("GET", "/agreements", MANAGERS | PARTY | OUTSIDERS),
    ("GET", "/agreements/new", MANAGERS),
    ("POST", "/agreements/new", MANAGERS),
    ("GET", "/agreements/{i}", MANAGERS | PARTY),
    ("GET", "/agreements/{d}", MANAGERS),
    ("GET", "/agreements/{d}/edit", MANAGERS),
    ("POST", "/agreements/{d}/edit", MANAGERS),
    ("GET", "/agreements/{i}/sign", PARTY),
    ("POST", "/agreements/{i}/sign", PARTY),
    ("POST", "/agreements/{i}/decline", PARTY),
    ("POST", "/agreements/{i}/code", MANAGERS),
    ("GET", "/agreements/{i}/kiosk", MANAGERS),
    ("POST", "/agreements/{i}/kiosk", MANAGERS),
    ("GET", "/agreements/{s}.pdf", MANAGERS | PARTY),
    ("POST", "/agreements/{s}/extend", MANAGERS),
    ("GET", "/agreements/verify", EVERYONE),
    ("POST", "/agreements/verify", EVERYONE),
    ("GET", "/agreements/rules", MANAGERS | PARTY | OUTSIDERS),
    ("POST", "/agreements/rules", MANAGERS | PARTY | OUTSIDERS),
    ("GET", "/agreements/archive.zip?from=2026-01-01&to=2030-01-01", MANAGERS),
    ("GET", "/agreements/template", {"admin"}),
    ("POST", "/agreements/template", {"admin"}),
    ("GET", "/agreements/seal", {"admin"}),
    ("POST", "/agreements/seal", {"admin"}),
    ("POST", "/agreements/{s}/terminate", MANAGERS),
    ("POST", "/agreements/{d}/issue", MANAGERS),
    ("POST", "/agreements/{d}/delete", MANAGERS),
]


def test_the_matrix_covers_every_agreements_route(app):
    declared = {
        (method, rule.rule)
        for rule in app.url_map.iter_rules()
        if rule.endpoint.startswith("agreements.")
        for method in rule.methods - {"HEAD", "OPTIONS"}
    }
    covered = set()
    for method, template, _ in ROUTES:
        path = template.split("?")[0]
        for name in ("i", "s", "d"):
            path = path.replace("{" + name + "}", "<int:agreement_id>")
        covered.add((method, path))
    assert declared == covered


@pytest.mark.parametrize("persona", sorted(EVERYONE))
def test_role_and_object_matrix(world, client, auth, persona):
    auth.login(world["users"][persona])
    ids = {"i": world["issued"].id, "s": world["signed"].id, "d": world["draft"].id}
    outcomes = []
    for method, template, admitted in ROUTES:
        path = template.format(**ids)
        response = client.open(path, method=method, data={})
        refused = response.status_code == 403
        outcomes.append((method, path, response.status_code))
        assert refused == (persona not in admitted), (persona, method, path, response.status_code)
        if refused:
            assert "Доступ запрещён" in response.get_data(as_text=True)
    assert len(outcomes) == len(ROUTES)


def test_the_list_shows_each_user_only_their_agreements(world, client, auth):
    users = world["users"]
    _switch(auth, users["curator"])
    page = client.get("/agreements").get_data(as_text=True)
    assert all(world[k].number in page for k in ("issued", "signed", "draft"))
    _switch(auth, users["parent"])
    page = client.get("/agreements").get_data(as_text=True)
    assert world["issued"].number in page and world["signed"].number in page
    assert world["draft"].number not in page
    for who in ("stranger", "other_parent"):
        _switch(auth, users[who])
        page = client.get("/agreements").get_data(as_text=True)
        assert "Соглашений не найдено" in page and world["issued"].number not in page


def test_filters_status_and_expiring(world, client, auth):
    auth.login(world["users"]["curator"])
    page = client.get("/agreements?status=на подписании").get_data(as_text=True)
    assert world["issued"].number in page and world["signed"].number not in page
    page = client.get("/agreements?expiring=1").get_data(as_text=True)
    assert "Соглашений не найдено" in page
    signed = world["signed"]
    signed.ends_on = today_moscow()
    db.session.commit()
    page = client.get("/agreements?expiring=1", headers={"HX-Request": "true"})
    body = page.get_data(as_text=True)
    assert signed.number in body and "<html" not in body


def test_the_list_and_card_show_an_expired_term_without_writing_on_get(world, client, auth):
    signed = world["signed"]
    signed.starts_on = date(2024, 9, 1)
    signed.ends_on = date(2025, 5, 31)
    db.session.commit()
    auth.login(world["users"]["curator"])
    page = client.get("/agreements?status=истекло").get_data(as_text=True)
    assert signed.number in page and world["issued"].number not in page
    assert '<span class="badge badge-muted">истекло</span>' in page
    page = client.get("/agreements?status=действует").get_data(as_text=True)
    assert signed.number not in page
    card = client.get(f"/agreements/{signed.id}").get_data(as_text=True)
    assert '<span class="badge badge-muted">истекло</span>' in card
    db.session.expire_all()
    # A GET only reads: the stored status is still the one the last write left.
    assert db.session.get(Agreement, signed.id).status == "действует"


# --- signing through the pages ---------------------------------------------------------


def test_mentor_signs_through_the_page_and_a_forged_signer_is_ignored(world, client, auth, mentor):
    agreement = world["issued"]
    auth.login(mentor)
    page = client.get(f"/agreements/{agreement.id}/sign").get_data(as_text=True)
    assert "Данное соглашение устанавливает отношения" in page and agreement.text_hash in page
    wrong = client.post(
        f"/agreements/{agreement.id}/sign",
        data={
            "slot": agreement.slots[0].id,
            "password": "nope",
            "document_hash": agreement.text_hash,
        },
    )
    assert wrong.status_code == 422 and "Неверный пароль" in wrong.get_data(as_text=True)
    assert db.session.get(User, mentor.id).failed_logins == 1
    parents_slot = agreement.slots[1]
    forged = client.post(
        f"/agreements/{agreement.id}/sign",
        data={
            "slot": parents_slot.id,
            "password": factories.DEFAULT_PASSWORD,
            "document_hash": agreement.text_hash,
        },
    )
    assert forged.status_code == 422
    assert "только от своего имени" in forged.get_data(as_text=True)
    assert (
        db.session.scalar(
            select(func.count())
            .select_from(Signature)
            .where(Signature.agreement_id == agreement.id)
        )
        == 0
    )
    ok = client.post(
        f"/agreements/{agreement.id}/sign",
        data={
            "slot": agreement.slots[0].id,
            "password": factories.DEFAULT_PASSWORD,
            "document_hash": agreement.text_hash,
            # Fields a forger might add: the signer comes only from the session.
            "signer_person_id": world["mother"].id,
            "signer_user_id": world["users"]["parent"].id,
            "on_behalf_of_id": world["child"].id,
        },
        follow_redirects=True,
    )
    assert "Соглашение подписано простой электронной подписью" in ok.get_data(as_text=True)
    signature = db.session.scalar(select(Signature).where(Signature.agreement_id == agreement.id))
    assert signature.signer_person_id == world["mentor"].id
    assert signature.signer_user_id == mentor.id and signature.capacity == "self"


def test_a_user_without_accepted_rules_is_sent_to_the_rules(app, client, auth, curator, mentor):
    *_, pair = factories.make_agreement_parties(mentor_user=mentor)
    agreement = factories.make_agreement(pair, issue=True, by=curator)
    auth.login(mentor)
    response = client.get(f"/agreements/{agreement.id}/sign")
    assert response.status_code == 302 and "/agreements/rules" in response.location
    page = client.get(response.location).get_data(as_text=True)
    assert "Простой электронной подписью" in page
    refused = client.post("/agreements/rules", data={})
    assert refused.status_code == 422 and "Подтвердите" in refused.get_data(as_text=True)
    accepted = client.post(
        "/agreements/rules", data={"accept": "y", "next": f"/agreements/{agreement.id}/sign"}
    )
    assert accepted.location.endswith(f"/agreements/{agreement.id}/sign")
    assert signing.has_accepted_rules(mentor)


def test_the_kiosk_flow_with_a_typed_code_and_the_pdf_download(
    world, client, auth, curator, mentor
):
    agreement = world["issued"]
    signing.sign_with_password(
        agreement.id, mentor, factories.DEFAULT_PASSWORD, agreement.text_hash, INFO
    )
    db.session.commit()
    auth.login(curator)
    slip = client.post(f"/agreements/{agreement.id}/code", data={"person": world["mother"].id})
    html = slip.get_data(as_text=True)
    assert slip.status_code == 200 and "Одноразовый код" in html
    code = html.split('class="slip-password">')[1].split("<")[0]
    assert code not in str(
        db.session.execute(text("select code_hash from agreement_signing_codes")).all()
    )
    slot = next(s for s in agreement.slots if s.person_id == world["mother"].id)
    page = client.get(f"/agreements/{agreement.id}/kiosk").get_data(as_text=True)
    assert "Орлова Наталья Петровна" in page and "Правила простой электронной подписи" in page
    wrong = client.post(
        f"/agreements/{agreement.id}/kiosk",
        data={
            "slot": slot.id,
            "code": "zzzzz-zzzzz",
            "rules": "y",
            "document_hash": agreement.text_hash,
        },
    )
    assert wrong.status_code == 422
    assert "Неверный код. Осталось попыток: 4." in wrong.get_data(as_text=True)
    done = client.post(
        f"/agreements/{agreement.id}/kiosk",
        data={
            "slot": slot.id,
            "code": code,
            "rules": "y",
            "document_hash": agreement.text_hash,
        },
        follow_redirects=True,
    )
    assert "Подпись Орлова Наталья Петровна принята" in done.get_data(as_text=True)
    again = client.post(
        f"/agreements/{agreement.id}/kiosk",
        data={
            "slot": slot.id,
            "code": code,
            "rules": "y",
            "document_hash": agreement.text_hash,
        },
        follow_redirects=True,
    )
    assert "Подписание по коду возможно, пока соглашение на подписании" in again.get_data(
        as_text=True
    )
    db.session.expire_all()
    agreement = db.session.get(Agreement, agreement.id)
    assert agreement.status == "действует"
    pdf = client.get(f"/agreements/{agreement.id}.pdf")
    assert pdf.mimetype == "application/pdf" and pdf.data == agreement.pdf
    assert "attachment" in pdf.headers["Content-Disposition"]
    assert trail.events(agreement)[-1].kind == "pdf_downloaded"
    assert trail.verify_chain(agreement).ok


def test_a_draft_pdf_is_not_served(world, client, auth, curator):
    auth.login(curator)
    response = client.get(f"/agreements/{world['issued'].id}.pdf", follow_redirects=True)
    assert "формируется, когда соглашение подписано всеми сторонами" in response.get_data(
        as_text=True
    )


def test_curator_prepares_edits_and_issues_through_the_pages(app, client, auth, curator):
    *_, pair = factories.make_agreement_parties()
    auth.login(curator)
    page = client.get("/agreements/new").get_data(as_text=True)
    assert "Кузнецова Елена Сергеевна — Орлов Д. А." in page or "Кузнецова" in page
    created = client.post("/agreements/new", data={"pair": pair.id})
    assert created.status_code == 302
    agreement = db.session.scalar(select(Agreement))
    bad = client.post(
        f"/agreements/{agreement.id}/edit",
        data={"city": "Пошехонье", "agreement_date": "2026-11-21", "months": "0", "tasks": "x"},
    )
    assert bad.status_code == 422 and "от 1 до 60 месяцев" in bad.get_data(as_text=True)
    client.post(
        f"/agreements/{agreement.id}/edit",
        data={
            "city": "Пошехонье",
            "agreement_date": "2026-11-21",
            "months": "6",
            "tasks": "подготовить проект\nвыступить на конференции",
        },
    )
    issued = client.post(f"/agreements/{agreement.id}/issue", follow_redirects=True)
    assert "выпущено на подписание. Текст зафиксирован" in issued.get_data(as_text=True)
    db.session.expire_all()
    agreement = db.session.get(Agreement, agreement.id)
    assert "— выступить на конференции." in agreement.text
    late = client.post(
        f"/agreements/{agreement.id}/edit",
        data={"city": "Москва", "agreement_date": "2026-11-21", "months": "6", "tasks": "x"},
        follow_redirects=True,
    )
    assert "изменить нельзя" in late.get_data(as_text=True)
    db.session.expire_all()
    assert db.session.get(Agreement, agreement.id).city == "Пошехонье"


def test_issuing_without_consent_shows_the_reason(app, client, auth, curator):
    *_, pair = factories.make_agreement_parties()
    for consent in pair.mentor.consents:
        consent.revoked_on = date(2026, 10, 1)
    db.session.commit()
    draft = factories.make_agreement(pair, by=curator)
    auth.login(curator)
    page = client.post(f"/agreements/{draft.id}/issue", follow_redirects=True)
    assert "согласие на обработку персональных данных отозвано" in page.get_data(as_text=True)
    db.session.expire_all()
    assert db.session.get(Agreement, draft.id).status == "черновик"


# --- verification, archive, administration ---------------------------------------------


def test_the_verify_page_accepts_the_copy_and_rejects_a_changed_one(world, client, auth, group):
    signed = world["signed"]
    auth.login(group)
    good = client.post(
        "/agreements/verify",
        data={"file": (io.BytesIO(signed.pdf), "agreement.pdf")},
        content_type="multipart/form-data",
    )
    html = good.get_data(as_text=True)
    assert "Документ подлинный и не изменялся" in html and "Орлова Наталья Петровна" in html
    changed = bytearray(signed.pdf)
    changed[len(changed) // 2] ^= 0x20
    bad = client.post(
        "/agreements/verify",
        data={"file": (io.BytesIO(bytes(changed)), "agreement.pdf")},
        content_type="multipart/form-data",
    )
    assert "Документ повреждён" in bad.get_data(as_text=True)
    by_code = client.get(f"/agreements/verify?code={signed.signatures[0].verify_code}")
    assert "Запись о документе цела" in by_code.get_data(as_text=True)
    db.session.execute(
        text("update agreements set text = text || ' ' || 'x' where id = :i"), {"i": signed.id}
    )
    db.session.commit()
    forged = client.get(f"/agreements/verify?code={signed.verify_code}").get_data(as_text=True)
    assert "Запись в базе подделана" in forged
    empty = client.post("/agreements/verify", data={})
    assert empty.status_code == 422 and "Загрузите PDF-файл или введите код" in empty.get_data(
        as_text=True
    )


def test_the_verify_page_refuses_oversized_and_garbage_uploads(world, client, auth, group):
    auth.login(group)
    # The body is built by hand: the test client would spool it to an unclosed temp file.
    body = (
        b'--b\r\nContent-Disposition: form-data; name="file"; filename="big.pdf"\r\n'
        b"Content-Type: application/pdf\r\n\r\n%PDF-1.7\n"
        + b"0" * (5 * 1024 * 1024)
        + b"\r\n--b--\r\n"
    )
    big = client.post(
        "/agreements/verify", data=body, content_type="multipart/form-data; boundary=b"
    )
    assert big.status_code == 422
    assert "Файл слишком большой: проверяются PDF-файлы до 5 МБ." in big.get_data(as_text=True)
    junk = client.post(
        "/agreements/verify",
        data={"file": (io.BytesIO(b"%PDF-1.7\n\x00garbage"), "junk.pdf")},
        content_type="multipart/form-data",
    )
    page = junk.get_data(as_text=True)
    assert junk.status_code == 200 and "alert-error" in page
    assert "Такого документа нет среди соглашений" in page


def test_the_archive_zip_holds_the_signed_copies(world, client, auth, curator):
    auth.login(curator)
    response = client.get("/agreements/archive.zip?from=2026-01-01&to=2030-12-31")
    assert response.mimetype == "application/zip" and response.is_streamed
    with zipfile.ZipFile(io.BytesIO(response.get_data())) as archive:
        assert archive.namelist() == [f"{world['signed'].number.replace('/', '-')} Орлов.pdf"]
    assert trail.events(world["signed"])[-1].kind == "pdf_downloaded"
    bad = client.get("/agreements/archive.zip?from=x", follow_redirects=True)
    assert "Укажите период архива" in bad.get_data(as_text=True)


def test_the_administrator_saves_a_new_template_version(app, client, auth, admin):
    auth.login(admin)
    page = client.get("/agreements/template").get_data(as_text=True)
    assert "СОГЛАШЕНИЕ № {{ number }}" in page
    assert db.session.scalar(select(func.count()).select_from(AgreementTemplate)) == 0
    from portal.agreements.templates import DEFAULT_BODY

    broken = client.post("/agreements/template", data={"body": "{{ nope }}"})
    assert broken.status_code == 422 and "неизвестное поле" in broken.get_data(as_text=True)
    saved = client.post(
        "/agreements/template",
        data={
            "body": DEFAULT_BODY.replace("Подписи Сторон", "Подписи сторон"),
            "comment": "регистр",
        },
        follow_redirects=True,
    )
    assert "Сохранена версия 1" in saved.get_data(as_text=True)


def test_the_seal_page_refuses_a_key_of_another_certificate(world, client, auth, admin):
    from portal.agreements import render
    from portal.documents.seal import KEY_FILE

    auth.login(admin)
    page = client.get("/agreements/seal").get_data(as_text=True)
    assert "Электронная печать Центра" in page and "МБУ ДО Центр" in page
    identity = render.seal_identity()
    other_key = (render.seal_directory() / KEY_FILE).read_bytes().replace(b"A", b"B", 1)
    response = client.post(
        "/agreements/seal",
        data={
            "key": (io.BytesIO(other_key), "key.pem"),
            "certificate": (io.BytesIO(identity.certificate_pem), "cert.pem"),
        },
        content_type="multipart/form-data",
    )
    assert response.status_code == 422
    body = response.get_data(as_text=True)
    assert "Файл ключа не читается" in body or "не соответствует" in body
    huge = client.post(
        "/agreements/seal",
        data={
            "key": (io.BytesIO(b"-----BEGIN PRIVATE KEY-----\n" + b"A" * 70000), "key.pem"),
            "certificate": (io.BytesIO(identity.certificate_pem), "cert.pem"),
        },
        content_type="multipart/form-data",
    )
    assert huge.status_code == 422 and "не больше 64 КБ" in huge.get_data(as_text=True)
    missing = client.post("/agreements/seal", data={}, content_type="multipart/form-data")
    assert "Загрузите и ключ, и сертификат" in missing.get_data(as_text=True)
    assert render.seal_identity().certificate_pem == identity.certificate_pem


def test_terminate_and_extend_from_the_card(world, client, auth, curator):
    signed = world["signed"]
    auth.login(curator)
    extended = client.post(
        f"/agreements/{signed.id}/extend", data={"months": "6"}, follow_redirects=True
    )
    assert "Дополнительное соглашение № ДС-2026/001" in extended.get_data(as_text=True)
    refused = client.post(
        f"/agreements/{signed.id}/terminate",
        data={"kind": "breach", "reason": ""},
        follow_redirects=True,
    )
    assert "опишите нарушение п. 2" in refused.get_data(as_text=True)
    done = client.post(
        f"/agreements/{signed.id}/terminate",
        data={"kind": "mutual", "reason": "Переезд семьи"},
        follow_redirects=True,
    )
    assert "расторгнуто" in done.get_data(as_text=True)
    db.session.expire_all()
    assert db.session.get(Agreement, signed.id).termination_reason == "Переезд семьи"
    assert lifecycle.effective_status(db.session.get(Agreement, signed.id)) == "расторгнуто"
