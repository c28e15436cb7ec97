"""The dissemination strategy as data, recorded events and the half-year evaluation."""

import io
import subprocess
from datetime import date

from pypdf import PdfReader

from portal.communication import evaluation as ev
from portal.communication.models import DisseminationEvent, StrategyMessage
from portal.communication.statuses import MediaStatus
from portal.extensions import db
from tests import factories


def _world():
    """A half-year with a hand-countable set of publications and events."""
    site = factories.make_channel("Сайт Центра")
    vk = factories.make_channel("Группа ВКонтакте")
    parents = factories.make_target_group("Родители")
    students = factories.make_target_group("Обучающиеся")
    published = {"status": MediaStatus.PUBLISHED, "link": "https://e.org/p"}
    # Parents on the site: 3 planned in the half, 2 of them published in it.
    factories.make_media_item(
        site,
        target_group=parents,
        planned_on=date(2026, 9, 1),
        published_on=date(2026, 9, 2),
        **published,
    )
    factories.make_media_item(
        site,
        target_group=parents,
        planned_on=date(2026, 10, 1),
        published_on=date(2026, 10, 1),
        **published,
    )
    factories.make_media_item(site, target_group=parents, planned_on=date(2026, 12, 20))
    # Parents in VK: 1 planned, cancelled — counts nowhere.
    factories.make_media_item(
        vk, target_group=parents, planned_on=date(2026, 11, 3), status=MediaStatus.CANCELLED
    )
    # Students in VK: 2 planned, 1 published; one from the first half is outside.
    factories.make_media_item(
        vk,
        target_group=students,
        planned_on=date(2026, 7, 1),
        published_on=date(2026, 7, 1),
        **published,
    )
    factories.make_media_item(vk, target_group=students, planned_on=date(2026, 8, 1))
    factories.make_media_item(
        vk,
        target_group=students,
        planned_on=date(2026, 5, 1),
        published_on=date(2026, 5, 1),
        **published,
    )
    # Events: parents reached 40 + 25 with no channel, students 120 in VK; one in June outside.
    factories.make_dissemination_event(target_group=parents, reach=40)
    factories.make_dissemination_event(target_group=parents, reach=25, held_on=date(2026, 12, 1))
    factories.make_dissemination_event(target_group=students, channel=vk, reach=120)
    factories.make_dissemination_event(target_group=students, reach=999, held_on=date(2026, 6, 30))
    return site, vk


def test_evaluation_equals_a_hand_count(app):
    _world()
    e = ev.evaluate(2026, 2)
    assert (e.start, e.end) == (date(2026, 7, 1), date(2026, 12, 31))
    site = e.cell("Родители", "Сайт Центра")
    assert (site.planned, site.published, site.events, site.reach) == (3, 2, 0, 0)
    assert e.cell("Родители", "Группа ВКонтакте").planned == 0
    no_channel = e.cell("Родители", ev.NO_CHANNEL)
    assert (no_channel.events, no_channel.reach) == (2, 65)
    vk = e.cell("Обучающиеся", "Группа ВКонтакте")
    assert (vk.planned, vk.published, vk.events, vk.reach) == (2, 1, 1, 120)
    total = e.total
    assert (total.planned, total.published, total.events, total.reach) == (5, 3, 3, 185)
    first = ev.evaluate(2026, 1).total
    assert (first.planned, first.published, first.events, first.reach) == (1, 1, 1, 999)


def test_evaluation_page_and_pdf_show_the_counts_and_charts(client, auth, group):
    _world()
    auth.login(group)
    page = client.get("/communication/evaluation?year=2026&half=2").get_data(as_text=True)
    assert "Оценка распространения: 2-е полугодие 2026 года" in page
    assert "<svg" in page and "Публикации: план и факт" in page
    assert (
        "<td>Обучающиеся</td><td>Группа ВКонтакте</td><td>2</td><td>1</td><td>1</td><td>120</td>"
        in page
    )
    response = client.get("/communication/evaluation.pdf?year=2026&half=2")
    assert response.mimetype == "application/pdf"
    text = " ".join(
        " ".join(p.extract_text() for p in PdfReader(io.BytesIO(response.data)).pages).split()
    )
    assert "2-е полугодие 2026 года" in text
    assert "Итого 5 3 3 185" in text
    # The charts are drawn into the page (svglib): their labels are text of the PDF.
    drawn = subprocess.run(
        ["pdftotext", "-", "-"], input=response.data, capture_output=True, check=True
    )
    assert "Охват мероприятий, человек" in drawn.stdout.decode()


def test_strategy_is_edited_as_data(client, auth, group):
    auth.login(group)
    client.post("/communication/strategy/groups", data={"name": "Родители"})
    again = client.post("/communication/strategy/groups", data={"name": "Родители"})
    assert again.status_code == 422 and "Такая целевая группа уже есть." in again.get_data(
        as_text=True
    )
    target = factories.make_target_group("Родители")
    response = client.post(
        "/communication/strategy/messages",
        data={
            "target_group_id": target.id,
            "stage": "understanding",
            "text": "Наставник помогает ребёнку выбрать профессию",
            "channels": "собрания",
        },
        follow_redirects=True,
    )
    page = response.get_data(as_text=True)
    assert "Наставник помогает ребёнку выбрать профессию" in page
    message = db.session.query(StrategyMessage).one()
    assert message.stage.title == "Понимание"


def test_dissemination_event_is_recorded_and_bad_reach_refused(client, auth, group):
    factories.make_target_group("Родители")
    auth.login(group)
    bad = client.post(
        "/communication/dissemination",
        data={
            "held_on": "2026-10-05",
            "kind": "event",
            "title": "Собрание",
            "reach": "-3",
            "target_group_id": "0",
            "channel_id": "0",
        },
    )
    assert bad.status_code == 422
    assert "Охват не может быть отрицательным." in bad.get_data(as_text=True)
    assert db.session.query(DisseminationEvent).count() == 0
    ok = client.post(
        "/communication/dissemination",
        data={
            "held_on": "2026-10-05",
            "kind": "event",
            "title": "Собрание",
            "reach": "35",
            "target_group_id": "0",
            "channel_id": "0",
            "audience": "родители 5-х классов",
        },
        follow_redirects=True,
    )
    assert "родители 5-х классов" in ok.get_data(as_text=True)
