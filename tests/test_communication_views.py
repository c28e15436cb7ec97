"""The media plan as a user sees it: planning, refusals, publishing, calendar and exports."""

import io
import subprocess
from datetime import date, timedelta

from openpyxl import load_workbook
from pypdf import PdfReader

from portal.communication.models import MediaChannel, MediaItem
from portal.communication.statuses import MediaKind, MediaStatus
from portal.extensions import db
from tests import factories


def _form(channel, **overrides):
    data = {
        "kind": "press_release",
        "title": "Пресс-релиз: новогодний нетворкинг",
        "channel_id": str(channel.id),
        "event_title": "Новогодний нетворкинг наставников",
        "event_on": "2026-12-18",
        "planned_on": "2026-12-15",
        "responsible_id": "0",
        "target_group_id": "0",
    }
    data.update(overrides)
    return data


def test_group_plans_press_and_post_release_and_sees_the_late_one_flagged(client, auth, group):
    vk = factories.make_channel("Группа ВКонтакте")
    auth.login(group)
    response = client.post("/communication/media/new", data=_form(vk), follow_redirects=True)
    page = response.get_data(as_text=True)
    assert "Материал сохранён." in page and "⚠" not in page
    late = _form(
        vk, kind="post_release", title="Пост-релиз: как прошёл нетворкинг", planned_on="2026-12-21"
    )
    page = client.post("/communication/media/new", data=late, follow_redirects=True).get_data(
        as_text=True
    )
    assert "Пост-релиз — в течение 1 дня после события, а здесь через 3 дня." in page
    listing = client.get("/communication/media?year=2026&status=flagged").get_data(as_text=True)
    assert "Пост-релиз: как прошёл нетворкинг" in listing
    assert "Пресс-релиз: новогодний нетворкинг" not in listing


def test_post_release_before_event_is_refused_with_the_form_kept(client, auth, group):
    vk = factories.make_channel("Группа ВКонтакте")
    auth.login(group)
    early = _form(vk, kind="post_release", title="Ранний пост-релиз", planned_on="2026-12-17")
    response = client.post("/communication/media/new", data=early)
    page = response.get_data(as_text=True)
    assert response.status_code == 422
    assert "Пост-релиз не может выйти раньше события." in page
    assert 'value="Ранний пост-релиз"' in page
    assert db.session.query(MediaItem).count() == 0


def test_short_longread_is_refused(client, auth, group):
    site = factories.make_channel()
    auth.login(group)
    data = _form(site, kind="longread", title="Лонгрид", event_on="", text="Короткий текст")
    response = client.post("/communication/media/new", data=data)
    assert response.status_code == 422
    assert "Лонгрид — текст больше 2000 знаков, а здесь 14." in response.get_data(as_text=True)


def test_publishing_without_consent_or_link_is_refused(client, auth, group):
    child = factories.make_person("Орлов", "Дмитрий", consent=True, is_mentee=True)
    item = factories.make_media_item(kind=MediaKind.CASE, people=[child])
    auth.login(group)
    url = f"/communication/media/{item.id}/publish"
    response = client.post(url, data={"published_on": "2026-12-10", "link": ""})
    assert response.status_code == 422
    assert "Укажите ссылку на опубликованный материал." in response.get_data(as_text=True)
    response = client.post(url, data={"published_on": "2026-12-10", "link": "https://vk.com/w"})
    page = response.get_data(as_text=True)
    assert response.status_code == 422
    assert "Нет действующего согласия на публикацию (ст. 10.1 152-ФЗ): Орлов Дмитрий" in page
    db.session.expire_all()
    assert db.session.get(MediaItem, item.id).status == MediaStatus.PLANNED
    factories.make_consent(child, kind="publication")
    response = client.post(url, data={"published_on": "2026-12-10", "link": "https://vk.com/w"})
    assert response.status_code == 302
    db.session.expire_all()
    assert db.session.get(MediaItem, item.id).status == MediaStatus.PUBLISHED


def test_calendar_shows_the_month_and_the_silent_channel(client, auth, group):
    site = factories.make_channel("Сайт Центра")
    factories.make_channel("Группа ВКонтакте")
    factories.make_media_item(site, title="Дайджест декабря", planned_on=date(2026, 12, 28))
    auth.login(group)
    page = client.get("/communication/media/calendar?year=2026&month=12").get_data(as_text=True)
    assert "Медиаплан: Декабрь 2026" in page
    assert "Дайджест декабря" in page
    assert "Группа ВКонтакте: " in page and "обновлять нужно не реже раза в месяц" in page
    assert "Сайт Центра: " not in page


def test_exports_read_back(client, auth, group):
    site = factories.make_channel("Сайт Центра")
    factories.make_media_item(
        site,
        kind=MediaKind.PRESS_RELEASE,
        title="Пресс-релиз о форсайте",
        event_title="Форсайт",
        event_on=date(2026, 12, 18),
        planned_on=date(2026, 12, 16),
    )
    auth.login(group)
    response = client.get("/communication/media/export.xlsx?year=2026")
    sheet = load_workbook(io.BytesIO(response.data)).active
    values = [c for row in sheet.iter_rows(values_only=True) for c in row if c]
    assert "Медиаплан на 2026 год" in values
    assert "Пресс-релиз о форсайте" in values
    assert any("за 2 дня до события" in str(v) for v in values)
    response = client.get("/communication/media/export.pdf?year=2026")
    assert response.mimetype == "application/pdf"
    pages = PdfReader(io.BytesIO(response.data)).pages
    text = " ".join(" ".join(page.extract_text() for page in pages).split())
    assert "Медиаплан на 2026 год" in text
    assert "Пресс-релиз о форсайте" in text
    pdftotext = subprocess.run(
        ["pdftotext", "-", "-"], input=response.data, capture_output=True, check=True
    )
    assert "Форсайт" in pdftotext.stdout.decode()


def test_admin_adds_a_channel_once(client, auth, admin):
    auth.login(admin)
    response = client.post(
        "/communication/channels",
        data={"name": "Telegram-канал", "monthly": "y"},
        follow_redirects=True,
    )
    assert "Канал «Telegram-канал» добавлен." in response.get_data(as_text=True)
    again = client.post("/communication/channels", data={"name": "Telegram-канал"})
    assert again.status_code == 422 and "Такой канал уже есть." in again.get_data(as_text=True)
    assert db.session.query(MediaChannel).count() == 1


def test_events_of_the_road_map_and_trainings_are_offered_and_filled_in(client, auth, group):
    from portal.programme.models import RoadMap, RoadMapActivity, Stage, TrainingEvent
    from portal.timeutil import today_moscow

    today = today_moscow()
    road_map = RoadMap(year=today.year, source="приказ")
    activity = RoadMapActivity(
        road_map=road_map,
        stage=Stage.PAIRS,
        title="Торжественный старт пар",
        responsible_id=group.id,
        deadline=today + timedelta(days=20),
    )
    far = RoadMapActivity(
        road_map=road_map,
        stage=Stage.PAIRS,
        title="Далёкое мероприятие",
        responsible_id=group.id,
        deadline=today + timedelta(days=400),
    )
    training = TrainingEvent(
        topic="Школа наставника",
        held_on=today + timedelta(days=5),
        hours=4,
        trainer="Соколова А. В.",
        place="ауд. 12",
    )
    db.session.add_all([road_map, activity, far, training])
    db.session.commit()
    auth.login(group)
    page = client.get("/communication/media/new").get_data(as_text=True)
    assert "Дорожная карта: Торжественный старт пар" in page
    assert "Обучение наставников: Школа наставника" in page
    assert "Далёкое мероприятие" not in page
    page = client.get(
        f"/communication/media/new?kind=press_release&event=activity:{activity.id}"
    ).get_data(as_text=True)
    assert 'value="Торжественный старт пар"' in page
    assert f'value="{(today + timedelta(days=20)).isoformat()}"' in page
