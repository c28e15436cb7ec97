"""Consents as 152-ФЗ wants them: every element of ст. 9 ч. 4 and ст. 10.1 read back from
the PDF, the data list derived from the model, and the 30-day deadline after a revocation."""

import io
from datetime import date, timedelta

import pytest
from pypdf import PdfReader

from portal.extensions import db
from portal.people import inventory
from portal.people.anonymise import anonymise
from portal.people.consents import destruction_due, destruction_queue, revoke_consent, work_items
from portal.people.models import Person, Representative
from portal.settings.models import save_settings
from portal.statuses import PersonStatus
from portal.timeutil import today_moscow
from tests import factories

OPERATOR = {
    "org_full_name": (
        "Муниципальное бюджетное учреждение дополнительного образования Центр «Эдельвейс»"
    ),
    "org_address": "152850, Ярославская обл., г. Пошехонье, ул. Свободы, д. 8",
    "org_inn": "7624009876",
    "org_ogrn": "1037601600123",
    "site_url": "https://edelweiss-posh.example.ru",
    "vk_group_url": "https://vk.com/edelweiss_posh",
}


def aged(years: int) -> date:
    today = today_moscow()
    return date(today.year - years, 1, 15)


def _flat(data: bytes) -> str:
    return " ".join(" ".join(p.extract_text() for p in PdfReader(io.BytesIO(data)).pages).split())


@pytest.fixture
def operator(app):
    save_settings(OPERATOR)
    db.session.commit()


def _consent(client, person, kind="processing") -> str:
    response = client.get(f"/people/{person.id}/consent.pdf?kind={kind}")
    assert response.status_code == 200 and response.mimetype == "application/pdf"
    return _flat(response.data)


def _child(years: int):
    child, mother = factories.make_child_with_parent("Королёв", "Дмитрий", birth_date=aged(years))
    link = db.session.query(Representative).filter_by(child_id=child.id).one()
    link.authority_document = "свидетельство о рождении II-ГР № 654321"
    db.session.commit()
    return child, mother


def _common_elements(text: str) -> None:
    # п. 3: the operator's name and address (from the settings).
    assert OPERATOR["org_full_name"] in text and OPERATOR["org_address"] in text
    # п. 4: purposes; п. 7: actions; п. 8: term and how to revoke; п. 9: signature.
    assert "в целях организации тематических мероприятий" in text
    assert "сбор, систематизацию, накопление, хранение" in text
    assert "действует бессрочно" in text
    assert "может быть мной отозвано в любой момент письменным заявлением" in text
    assert "в срок, не превышающий тридцати дней" in text
    assert "подпись" in text
    # п. 6: nobody processes on the operator's behalf, and the form says so.
    assert "по поручению Организации другим лицам не поручается" in text
    # п. 5: every line of the data list the portal derives from what it stores.
    for line in inventory.consent_data_lines():
        assert line in text, line
    assert "Электронное подписание появится" not in text


def test_variant_a_has_every_element_for_parent_and_child(client, auth, curator, operator):
    child, mother = _child(12)
    auth.login(curator)
    text = _consent(client, child)
    _common_elements(text)
    assert "Вариант A" in text
    # п. 1: the subject (the child): name, address, identity document.
    assert "Сведения о ребёнке (субъекте персональных данных): Королёв Дмитрий Андреевич" in text
    assert "адрес места жительства ребёнка" in text
    assert "документ, удостоверяющий личность ребёнка" in text
    # п. 2: the representative: name (declined after «от»), address, document, authority.
    assert "от Королёвой Натальи Петровны" in text
    assert "проживающего(-ей) по адресу" in text and "документ, удостоверяющий личность" in text
    assert (
        "Документ, подтверждающий полномочия законного представителя: свидетельство о "
        "рождении II-ГР № 654321" in text
    )
    assert "Директору" in text and "Мариной Татьяне Витальевне" in text


def test_variant_b_adult_and_the_14_to_17_representative(client, auth, curator, operator):
    adult = factories.make_person(
        "Кузнецова", "Елена", "Сергеевна", birth_date=aged(40), category="педагог"
    )
    teen, mother = _child(15)
    auth.login(curator)
    text = _consent(client, adult)
    _common_elements(text)
    assert "Вариант B" in text and "от Кузнецовой Елены Сергеевны" in text
    assert "проживающего(-ей) по адресу" in text and "выдан" in text
    text = _consent(client, teen)
    _common_elements(text)
    assert "Законный представитель, дающий согласие на совершение несовершеннолетним" in text
    assert "Королёва Наталья Петровна (мать)" in text
    assert "полномочия: свидетельство о рождении II-ГР № 654321" in text


def test_publication_consent_names_operator_resources_and_representative(
    client, auth, curator, operator
):
    teen, mother = _child(15)
    small, _ = factories.make_child_with_parent("Смирнов", "Иван", birth_date=aged(9))
    auth.login(curator)
    text = _consent(client, teen, "publication")
    assert "разрешённых субъектом персональных данных для распространения" in text
    for key in ("org_full_name", "org_address", "org_inn", "org_ogrn"):
        assert OPERATOR[key] in text, key
    assert OPERATOR["site_url"] in text and OPERATOR["vk_group_url"] in text
    assert "Перечень персональных данных, разрешённых для распространения" in text
    assert "Условия и запреты" in text and "действует бессрочно" in text
    # The 14–17-year-old signs with the parent's line (ГК ст. 26).
    assert "Согласие законного представителя несовершеннолетнего" in text
    assert "Королёва Наталья Петровна" in text
    text = _consent(client, small, "publication")
    assert "являясь законным представителем Смирнова Ивана Андреевича" in text


def test_the_card_links_both_consent_forms(client, auth, curator):
    person = factories.make_person("Кузнецова", "Елена", "Сергеевна", birth_date=aged(40))
    auth.login(curator)
    page = client.get(f"/people/{person.id}").get_data(as_text=True)
    assert f"/people/{person.id}/consent.pdf?kind=publication" in page
    assert "Согласие на публикацию (PDF)" in page


def test_every_person_column_has_a_line_in_the_consent(app):
    assert inventory.unlisted_columns() == set()
    # A new field on the person (e.g. «snils») would be caught: nothing describes it.
    columns = [c.key for c in Person.__table__.columns] + ["snils"]
    assert inventory.unlisted_columns(columns) == {"snils"}


def test_a_revocation_starts_the_30_day_deadline_until_anonymised(app, client, auth, curator):
    person = factories.make_person(
        "Лебедев", "Игорь", "Николаевич", birth_date=aged(30), category="педагог", consent=True
    )
    revoked_on = today_moscow() - timedelta(days=5)
    revoke_consent(person.consents[0], revoked_on=revoked_on, reason="заявление", actor=curator)
    db.session.commit()
    due = destruction_due(person)
    assert due.due == revoked_on + timedelta(days=30) and due.days_left == 25
    assert [i.person.id for i in destruction_queue()] == [person.id]
    with app.test_request_context():
        item = work_items(curator)[0]
    assert item["count"] == 1 and item["due"] == due.due
    auth.login(curator)
    page = client.get(f"/people/{person.id}").get_data(as_text=True)
    assert "уничтожить или обезличить до" in page and "осталось 25 дней" in page
    person.status = PersonStatus.DROPPED
    anonymise(person, actor=curator)
    db.session.commit()
    assert destruction_due(person) is None and destruction_queue() == []
    page = client.get(f"/people/{person.id}").get_data(as_text=True)
    assert "уничтожить или обезличить до" not in page
