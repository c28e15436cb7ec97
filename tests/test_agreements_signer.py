"""Only the signer signs (63-ФЗ ст. 9), the local act switches e-signing on, and the paper
route makes an agreement signed exactly like the electronic one."""

import io
import re
import zipfile
from datetime import date, timedelta

import pytest
from PIL import Image
from pypdf import PdfReader
from sqlalchemy import select

from portal.access import Role
from portal.accounts.models import User
from portal.agreements import lifecycle, paper, signing, trail
from portal.agreements.archive import file_name as archive_name
from portal.agreements.models import Agreement, SignerHandover
from portal.domain import RuleViolation
from portal.extensions import db
from portal.people.consents import Scan
from portal.settings.models import save_settings
from portal.timeutil import today_moscow
from tests import factories

INFO = signing.RequestInfo(ip="10.0.0.9", user_agent="pytest")
PARENT_SECRET = "Rodnik-2026-Moy"


def _reload(agreement):
    db.session.expire_all()
    return db.session.get(Agreement, agreement.id)


def _pdf_words(data: bytes) -> str:
    return " ".join(" ".join(p.extract_text() for p in PdfReader(io.BytesIO(data)).pages).split())


def _png() -> bytes:
    out = io.BytesIO()
    Image.new("RGB", (120, 160), "white").save(out, "PNG")
    return out.getvalue()


@pytest.fixture
def issued(app, curator, mentor):
    """Mentor with an account and key; the mother has no account at all."""
    _, child, mother, pair = factories.make_agreement_parties(mentor)
    agreement = factories.make_agreement(pair, issue=True, by=curator)
    return {"agreement": agreement, "mother": mother, "child": child, "pair": pair}


def _mother_slot(world):
    return next(s for s in world["agreement"].slots if s.person_id == world["mother"].id)


def _handover(client, agreement, slot, digits="4521"):
    return client.post(
        f"/agreements/{agreement.id}/handover/{slot.id}",
        data={"document_kind": "паспорт гражданина РФ", "last_digits": digits, "checked": "y"},
    )


# --- a curator holding everything the portal shows them cannot sign for another ----------


def test_the_code_and_slip_routes_are_gone(issued, client, auth, curator):
    agreement = issued["agreement"]
    auth.login(curator)
    assert client.post(f"/agreements/{agreement.id}/code", data={}).status_code == 404
    assert client.get(f"/agreements/{agreement.id}/kiosk").status_code == 404
    page = client.get(f"/agreements/{agreement.id}").get_data(as_text=True)
    assert "одноразовый код" not in page.lower()
    assert "Проверить документ и передать экран" in page


def test_a_temporary_password_from_a_slip_never_signs(issued, app, client, auth, curator):
    """The curator makes an account for the mother, reads the slip, logs in as her elsewhere,
    sets a password of their own and tries to sign: refused, nothing signed."""
    agreement = issued["agreement"]
    auth.login(curator)
    slip = client.post(
        "/users/new",
        data={"login": "orlova", "full_name": "Орлова Наталья Петровна", "roles": ["parent"]},
    ).get_data(as_text=True)
    temporary = re.search(r'class="slip-password">([^<]+)<', slip).group(1)
    account = db.session.scalar(select(User).where(User.login == "orlova"))
    account.person_id = issued["mother"].id  # linked to her record, as the users screen may
    db.session.commit()
    other = app.test_client()  # the curator's second browser
    other.post("/login", data={"login": "orlova", "password": temporary})
    other.post(
        "/account/password",
        data={"current": temporary, "new": "Curator-Knows-1", "repeat": "Curator-Knows-1"},
    )
    other.post("/agreements/rules", data={"accept": "y"})
    page = other.get(f"/agreements/{agreement.id}/sign").get_data(as_text=True)
    assert signing.NO_SIGNER_KEY in page
    refused = other.post(
        f"/agreements/{agreement.id}/sign",
        data={
            "slot": _mother_slot(issued).id,
            "password": "Curator-Knows-1",
            "document_hash": agreement.text_hash,
        },
    )
    assert refused.status_code == 422
    assert "после проверки личности у куратора" in refused.get_data(as_text=True)
    assert _reload(agreement).signatures == []


def test_the_kiosk_hand_over_shows_staff_no_secret_and_ends_their_session(
    issued, app, client, auth, curator
):
    agreement = issued["agreement"]
    slot = _mother_slot(issued)
    auth.login(curator)
    seen = []  # everything the portal shows the curator
    seen.append(client.get(f"/agreements/{agreement.id}").get_data(as_text=True))
    form = client.get(f"/agreements/{agreement.id}/handover/{slot.id}")
    seen.append(form.get_data(as_text=True))
    # Bad input changes nothing and keeps the curator signed in.
    bad = _handover(client, agreement, slot, digits="12a")
    assert bad.status_code == 422 and "Ровно 4 цифры" in bad.get_data(as_text=True)
    handed = _handover(client, agreement, slot)
    assert handed.status_code == 302 and handed.location.endswith("/agreements/signer")
    seen.append(handed.get_data(as_text=True))
    record = db.session.scalar(select(SignerHandover))
    assert (record.document_kind, record.document_last_digits) == ("паспорт гражданина РФ", "4521")
    assert record.checked_by_id == curator.id and record.used_at is None
    assert "identity_checked" in [e.kind for e in trail.events(agreement)]
    # The curator is signed out of this browser: staff pages need a new login.
    assert client.get("/agreements").status_code == 302
    # The curator in another browser cannot open the signer's screen, signed in or not.
    other = app.test_client()
    assert other.get("/agreements/signer").status_code == 410
    other.post("/login", data={"login": "curator", "password": factories.DEFAULT_PASSWORD})
    staff_kiosk = other.get("/agreements/signer")
    assert staff_kiosk.status_code == 302
    seen.append(other.get(f"/agreements/{agreement.id}").get_data(as_text=True))
    # No token, code or password appears on any staff page; only the hash is stored.
    assert all(record.token_hash not in html for html in seen)
    assert all("slip-password" not in html for html in seen)
    # The mother, on the handed-over screen, chooses her own password.
    kiosk = client.get("/agreements/signer").get_data(as_text=True)
    assert "Орлова Наталья Петровна" in kiosk and "паспорт гражданина РФ, …4521" in kiosk
    mismatch = client.post(
        "/agreements/signer",
        data={"password": PARENT_SECRET, "repeat": "other-1234", "rules": "y"},
    )
    assert mismatch.status_code == 422 and "Пароли не совпадают" in mismatch.get_data(as_text=True)
    done = client.post(
        "/agreements/signer",
        data={"password": PARENT_SECRET, "repeat": PARENT_SECRET, "rules": "y"},
    )
    assert done.location.endswith(f"/agreements/{agreement.id}/sign")
    mother_user = db.session.scalar(select(User).where(User.person_id == issued["mother"].id))
    assert mother_user.holds_signer_key and mother_user.roles == {Role.PARENT}
    assert signing.has_accepted_rules(mother_user)
    # The screen is spent: a second use (or the curator replaying it) gets nothing.
    assert client.post(
        "/agreements/signer", data={"password": "X-1234567", "repeat": "X-1234567", "rules": "y"}
    ).status_code in (302, 410)
    signed = client.post(
        f"/agreements/{agreement.id}/sign",
        data={"slot": slot.id, "password": PARENT_SECRET, "document_hash": agreement.text_hash},
    )
    assert signed.status_code == 302
    signature = _reload(agreement).signatures[0]
    assert signature.signer_user_id == mother_user.id and signature.operator_user_id is None


def test_a_staff_reset_takes_the_signing_key_away(issued, app, client, auth, curator):
    agreement = issued["agreement"]
    slot = _mother_slot(issued)
    auth.login(curator)
    _handover(client, agreement, slot)
    client.post(
        "/agreements/signer",
        data={"password": PARENT_SECRET, "repeat": PARENT_SECRET, "rules": "y"},
    )
    mother_user = db.session.scalar(select(User).where(User.person_id == issued["mother"].id))
    staff = app.test_client()
    staff.post("/login", data={"login": "curator", "password": factories.DEFAULT_PASSWORD})
    staff.get("/users")  # a page with a CSRF token is not needed: tests run without CSRF
    slip = staff.post(f"/users/{mother_user.id}/reset-password").get_data(as_text=True)
    temporary = re.search(r'class="slip-password">([^<]+)<', slip).group(1)
    db.session.expire_all()
    mother_user = db.session.get(User, mother_user.id)
    assert not mother_user.holds_signer_key
    with pytest.raises(RuleViolation, match="после проверки личности"):
        signing.sign_with_password(
            agreement.id, mother_user, temporary, agreement.text_hash, INFO, slot_id=slot.id
        )


def test_only_the_newest_hand_over_screen_works(issued, app, client, auth, curator):
    agreement = issued["agreement"]
    slot = _mother_slot(issued)
    auth.login(curator)
    _handover(client, agreement, slot)  # this browser is now the first signer screen
    second = app.test_client()
    second.post("/login", data={"login": "curator", "password": factories.DEFAULT_PASSWORD})
    _handover(second, agreement, slot, digits="9999")
    stale = client.post(
        "/agreements/signer",
        data={"password": PARENT_SECRET, "repeat": PARENT_SECRET, "rules": "y"},
    )
    assert stale.status_code == 410
    assert "Экран подписанта недоступен" in stale.get_data(as_text=True)
    assert second.get("/agreements/signer").status_code == 200
    assert db.session.scalar(select(User).where(User.person_id == issued["mother"].id)) is None


def test_a_14_year_old_accepts_the_rules_with_a_parent(app, curator, mentor, mentee, parent):
    today = today_moscow()
    _, child, mother, pair = factories.make_agreement_parties(
        mentor, mentee, parent, child_birth=date(today.year - 15, 1, 1)
    )
    agreement = factories.make_agreement(pair, issue=True, by=curator)
    signing.accept_rules(mentee, INFO)
    db.session.commit()
    with pytest.raises(RuleViolation, match="вместе с законным"):
        signing.sign_with_password(
            agreement.id, mentee, factories.DEFAULT_PASSWORD, agreement.text_hash, INFO
        )
    db.session.rollback()
    signing.accept_rules(parent, INFO)
    db.session.commit()
    signing.sign_with_password(
        agreement.id, mentee, factories.DEFAULT_PASSWORD, agreement.text_hash, INFO
    )
    db.session.commit()
    assert len(_reload(agreement).signatures) == 1


# --- the local act ------------------------------------------------------------------------


def test_without_the_order_e_signing_is_off_and_paper_is_offered(issued, client, auth, mentor):
    save_settings({"esign_order_number": "", "esign_order_date": ""})
    db.session.commit()
    agreement = issued["agreement"]
    signing.accept_rules(mentor, INFO)
    db.session.commit()
    auth.login(mentor)
    page = client.get(f"/agreements/{agreement.id}/sign", follow_redirects=True)
    assert "Электронная подпись в Центре пока не введена" in page.get_data(as_text=True)
    with pytest.raises(RuleViolation, match="пока не введена"):
        signing.sign_with_password(
            agreement.id, mentor, factories.DEFAULT_PASSWORD, agreement.text_hash, INFO
        )


@pytest.mark.parametrize(
    ("number", "on", "message"),
    [
        ("", "01.09.2026", "Укажите номер приказа"),
        ("112/3", "", "Укажите дату приказа"),
        ("112/3", "2026-09-01", "ДД.ММ.ГГГГ"),
    ],
)
def test_the_order_needs_number_and_date(app, client, auth, admin, number, on, message):
    from portal.settings.models import SETTINGS, get_settings

    auth.login(admin)
    data = {s.key: get_settings()[s.key] for s in SETTINGS}
    data.update(esign_order_number=number, esign_order_date=on)
    response = client.post("/settings", data=data)
    assert response.status_code == 422 and message in response.get_data(as_text=True)
    db.session.expire_all()
    assert not signing.esign_adopted()


# --- the paper route ------------------------------------------------------------------------


def test_the_paper_form_has_two_copies_blanks_and_no_seal(issued, client, auth, curator):
    agreement = issued["agreement"]
    auth.login(curator)
    response = client.get(f"/agreements/{agreement.id}/paper.pdf")
    assert response.mimetype == "application/pdf"
    words = _pdf_words(response.data)
    assert "Экземпляр 1 из 2" in words and "Экземпляр 2 из 2" in words
    assert words.count("СОГЛАШЕНИЕ") >= 2 and words.count("(подпись)") >= 4
    assert "простой электронной подписью" not in words.split("Подписи Сторон")[1]
    assert b"/ByteRange" not in response.data  # not sealed: a blank, not the centre's copy


def test_paper_signing_with_an_image_scan_through_the_page(issued, client, auth, curator):
    agreement = issued["agreement"]
    auth.login(curator)
    done = client.post(
        f"/agreements/{agreement.id}/paper",
        data={"signed_on": today_moscow().isoformat(), "scan": (io.BytesIO(_png()), "scan.png")},
        content_type="multipart/form-data",
        follow_redirects=True,
    )
    assert "подписано на бумаге" in done.get_data(as_text=True)
    agreement = _reload(agreement)
    assert agreement.signed_route == "paper" and agreement.paper_scan_type == "image/png"
    assert agreement.pdf.startswith(b"%PDF") and agreement.paper_signed_on == today_moscow()
    kinds = [e.kind for e in trail.events(agreement)]
    assert "signed_on_paper" in kinds and kinds[-1] == "fully_signed"
    assert trail.events(agreement)[-1].data.count("paper") == 1
    page = client.get(f"/agreements/{agreement.id}").get_data(as_text=True)
    assert "на бумаге" in page and "Скачать скан подписанного экземпляра" in page
    assert "ожидается" not in page  # every slot reads as signed on paper


@pytest.mark.parametrize(
    ("signed_on", "scan", "message"),
    [
        (lambda a: today_moscow(), b"just text", "PDF, JPEG или PNG"),
        (lambda a: today_moscow() + timedelta(days=1), b"%PDF-1.4 x", "в будущем"),
        (lambda a: a.agreement_date - timedelta(days=400), b"%PDF-1.4 x", "раньше выпуска"),
    ],
)
def test_bad_paper_input_changes_nothing(issued, client, auth, curator, signed_on, scan, message):
    agreement = issued["agreement"]
    auth.login(curator)
    response = client.post(
        f"/agreements/{agreement.id}/paper",
        data={"signed_on": signed_on(agreement).isoformat(), "scan": (io.BytesIO(scan), "s.pdf")},
        content_type="multipart/form-data",
        follow_redirects=True,
    )
    assert message in response.get_data(as_text=True)
    agreement = _reload(agreement)
    assert agreement.status == "на подписании" and agreement.pdf_hash is None


def test_a_second_paper_signature_is_refused(issued, curator):
    agreement = issued["agreement"]
    scan = Scan("s.pdf", paper.paper_pdf(agreement))
    paper.sign_on_paper(agreement.id, today_moscow(), scan, curator)
    db.session.commit()
    before = _reload(agreement).pdf_hash
    with pytest.raises(RuleViolation, match="уже подписано"):
        paper.sign_on_paper(agreement.id, today_moscow(), scan, curator)
    db.session.rollback()
    assert _reload(agreement).pdf_hash == before


def _gates(agreement_id: int, client, curator) -> dict:
    """What every later step asks of a signed agreement, read through the real pages."""
    agreement = db.session.get(Agreement, agreement_id)
    today = today_moscow()
    archive = client.get(
        f"/agreements/archive.zip?from={today - timedelta(days=1)}&to={today + timedelta(days=1)}"
    )
    names = zipfile.ZipFile(io.BytesIO(archive.data)).namelist()
    listed = client.get("/agreements?status=действует").get_data(as_text=True)
    download = client.get(f"/agreements/{agreement_id}.pdf")
    extension = lifecycle.start_extension(agreement_id, 3, curator)
    db.session.commit()
    return {
        "status": lifecycle.effective_status(agreement),
        "term": (agreement.starts_on, agreement.ends_on),
        "in_archive": archive_name(agreement.number, agreement.mentee.last_name) in names,
        "listed_as_in_force": agreement.number in listed,
        "pdf_served": download.status_code == 200 and download.data.startswith(b"%PDF"),
        "extension_drafted": extension.parent_id == agreement_id,
    }


def test_a_paper_agreement_passes_every_gate_an_electronic_one_passes(
    app, client, auth, curator, mentor, parent
):
    _, _, _, pair = factories.make_agreement_parties(mentor, None, parent)
    electronic = factories.make_agreement(pair, issue=True, by=curator)
    for user in (mentor, parent):
        signing.accept_rules(user, INFO)
        db.session.commit()
        signing.sign_with_password(
            electronic.id, user, factories.DEFAULT_PASSWORD, electronic.text_hash, INFO
        )
        db.session.commit()
    second = factories.make_pair(pair.mentor, [pair.mentees[0]])
    on_paper = factories.make_agreement(second, issue=True, by=curator)
    paper.sign_on_paper(
        on_paper.id, today_moscow(), Scan("s.pdf", paper.paper_pdf(on_paper)), curator
    )
    db.session.commit()
    auth.login(curator)
    a = _gates(electronic.id, client, curator)
    b = _gates(on_paper.id, client, curator)
    assert a == b
    assert a["status"] == "действует" and a["pdf_served"] and a["listed_as_in_force"]
    assert _reload(on_paper).signed_route == "paper"


# --- extension dates --------------------------------------------------------------------------


def test_extension_dates_in_the_signed_text_equal_the_register(issued, curator):
    agreement = issued["agreement"]
    paper.sign_on_paper(
        agreement.id, today_moscow(), Scan("s.pdf", paper.paper_pdf(agreement)), curator
    )
    db.session.commit()
    # The original ends before the extension is signed: the term still follows the text.
    original = _reload(agreement)
    original.ends_on = today_moscow() - timedelta(days=20)
    db.session.commit()
    extension = lifecycle.start_extension(agreement.id, 6, curator)
    db.session.commit()
    extension = lifecycle.issue(extension.id, curator)
    db.session.commit()
    paper.sign_on_paper(
        extension.id, today_moscow(), Scan("s.pdf", paper.paper_pdf(extension)), curator
    )
    db.session.commit()
    extension, original = _reload(extension), _reload(agreement)
    written = re.search(r"до (\d\d\.\d\d\.\d{4}) включительно", _pdf_words(extension.pdf))
    assert written, "the extension's text names its end"
    assert written.group(1) == extension.ends_on.strftime("%d.%m.%Y")
    assert original.extended_until == extension.ends_on
    assert extension.starts_on == original.ends_on + timedelta(days=1)


# --- layout ---------------------------------------------------------------------------------

LONG_UA = (
    "Mozilla/5.0 (X11; Linux x86_64) AppleWebKit/537.36 (KHTML, like Gecko) "
    "Chrome/120.0.6099.224 Safari/537.36 YaBrowser/24.1.0.0"
)


def test_the_signature_block_stays_with_the_text_and_long_values_wrap(app, curator, mentor, parent):
    _, _, _, pair = factories.make_agreement_parties(mentor, None, parent)
    agreement = factories.make_agreement(pair, issue=True, by=curator)
    info = signing.RequestInfo(ip="192.168.100.200", user_agent=LONG_UA)
    for user in (mentor, parent):
        signing.accept_rules(user, info)
        db.session.commit()
        signing.sign_with_password(
            agreement.id, user, factories.DEFAULT_PASSWORD, agreement.text_hash, info
        )
        db.session.commit()
    pages = [p.extract_text() for p in PdfReader(io.BytesIO(_reload(agreement).pdf)).pages]
    with_block = next(p for p in pages if "Подписи Сторон" in p)
    # Never alone on a page: the last clause of the text is printed with it.
    assert "3.5." in with_block
    sheet = next(p for p in pages if "Лист подписания" in p)
    # The whole browser string is there (not cut mid-word), broken inside its cell.
    assert LONG_UA.replace(" ", "") in "".join(sheet.split())
