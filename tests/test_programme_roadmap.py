"""The road map: a year from the template or last year, rules, timeline, exports, the queue."""

import io
import re
from datetime import date, timedelta

import pytest
from openpyxl import load_workbook
from pypdf import PdfReader
from sqlalchemy import func, select

from portal.domain import RuleViolation
from portal.extensions import db
from portal.notifications.models import Notification
from portal.notifications.queue import work_queue
from portal.programme import roadmap
from portal.programme.models import ActivityStatus, RoadMap, RoadMapActivity, Stage
from portal.timeutil import today_moscow
from tests import factories

YEAR = roadmap.school_year_of(today_moscow())


def _year(curator, source="template", year=YEAR) -> RoadMap:
    road_map = roadmap.create_year(year, source, curator)
    db.session.commit()
    return road_map


def _queue_titles(app, user) -> dict[str, int]:
    with app.test_request_context():
        return {i.title: i.count for i in work_queue(user)}


def test_curator_builds_the_year_from_the_template_in_one_step(app, curator):
    client = factories.client_for(app, curator)
    response = client.post("/programme/roadmap", data={"year": YEAR, "source": "template"})
    assert response.status_code == 302
    page = client.get(response.location).get_data(as_text=True)
    assert f"Дорожная карта на {YEAR}/{YEAR + 1} учебный год" in page
    for stage in Stage:
        assert f"{stage.number}. {stage.title}" in page
    assert "Приказ о внедрении целевой модели наставничества, назначение куратора" in page
    road_map = db.session.scalar(select(RoadMap))
    assert len(road_map.activities) == len(roadmap.TEMPLATE)
    assert all(road_map.starts_on <= a.deadline <= road_map.ends_on for a in road_map.activities)
    again = client.post("/programme/roadmap", data={"year": YEAR, "source": "template"})
    assert again.status_code == 422
    assert "уже есть" in again.get_data(as_text=True)


def test_next_year_copies_last_years_map_a_year_later(app, curator, group):
    last = _year(curator, year=YEAR - 1)
    roadmap.save_activity(
        last,
        None,
        stage=Stage.WORK,
        title="Встреча с родителями",
        responsible_id=group.id,
        deadline=date(YEAR, 3, 3),
    )
    db.session.commit()
    new = _year(curator, "previous", YEAR)
    titles = {(a.title, a.deadline, a.responsible_id) for a in new.activities}
    assert ("Встреча с родителями", date(YEAR + 1, 3, 3), group.id) in titles
    assert len(new.activities) == len(last.activities)
    assert all(a.status == ActivityStatus.PLANNED for a in new.activities)


def test_rules_refuse_a_deadline_outside_the_year_and_no_responsible(app, curator, mentor):
    road_map = _year(curator)
    with pytest.raises(RuleViolation, match="внутри учебного года"):
        roadmap.save_activity(
            road_map,
            None,
            stage=Stage.WORK,
            title="Итоги",
            responsible_id=curator.id,
            deadline=date(YEAR + 1, 9, 1),
        )
    with pytest.raises(RuleViolation, match="Укажите ответственного"):
        roadmap.save_activity(
            road_map,
            None,
            stage=Stage.WORK,
            title="Итоги",
            responsible_id=mentor.id,
            deadline=date(YEAR + 1, 5, 1),
        )
    db.session.rollback()
    client = factories.client_for(app, curator)
    response = client.post(
        f"/programme/roadmap/{YEAR}/activities/new",
        data={
            "stage": "work",
            "title": "Итоговая встреча",
            "responsible_id": curator.id,
            "deadline": f"{YEAR + 2}-01-10",
            "status": "запланировано",
        },
    )
    assert response.status_code == 422
    page = response.get_data(as_text=True)
    assert f"Срок должен быть внутри учебного года {YEAR}/{YEAR + 1}" in page
    assert "Итоговая встреча" in page  # the typed text is kept
    count = db.session.scalar(select(func.count(RoadMapActivity.id)))
    assert count == len(roadmap.TEMPLATE)


def test_done_needs_a_result_and_evidence_file_is_kept(app, curator):
    road_map = _year(curator)
    activity = road_map.activities[0]
    client = factories.client_for(app, curator)
    form = {
        "stage": activity.stage.value,
        "title": activity.title,
        "responsible_id": curator.id,
        "deadline": activity.deadline.isoformat(),
        "status": "выполнено",
    }
    response = client.post(f"/programme/activities/{activity.id}/edit", data=form)
    assert response.status_code == 422
    assert "укажите результат или подтверждение" in response.get_data(as_text=True)
    form |= {"result": "Приказ издан", "evidence": (io.BytesIO(b"%PDF-1.4 order"), "prikaz.pdf")}
    response = client.post(
        f"/programme/activities/{activity.id}/edit",
        data=form,
        content_type="multipart/form-data",
    )
    assert response.status_code == 302
    db.session.refresh(activity)
    assert (activity.status, activity.result) == (ActivityStatus.DONE, "Приказ издан")
    download = client.get(f"/programme/activities/{activity.id}/evidence")
    assert download.data == b"%PDF-1.4 order"
    assert download.mimetype == "application/pdf"


def test_timeline_marks_overdue_red_on_the_page(app, curator):
    road_map = _year(curator)
    today = today_moscow()
    late = (
        next(a for a in road_map.activities if a.deadline < today)
        if any(a.deadline < today for a in road_map.activities)
        else None
    )
    if late is None:  # early September: make one overdue through the rules
        late = road_map.activities[0]
        late.deadline = road_map.starts_on
    db.session.commit()
    page = (
        factories.client_for(app, curator).get(f"/programme/roadmap/{YEAR}").get_data(as_text=True)
    )
    stage_row = re.search(
        rf"<th scope=\"row\">{late.stage.number}\. {re.escape(late.stage.title)}</th>(.*?)</tr>",
        page,
        re.S,
    ).group(1)
    assert 'class="tl-overdue"' in stage_row
    assert "просрочено" in page


def test_exports_carry_the_approval_and_the_activities(app, curator):
    road_map = _year(curator)
    roadmap.approve(road_map, "112/3", date(YEAR, 9, 5))
    db.session.commit()
    client = factories.client_for(app, curator)
    xlsx = client.get(f"/programme/roadmap/{YEAR}.xlsx")
    sheet = load_workbook(io.BytesIO(xlsx.data)).active
    cells = [str(c.value) for row in sheet.iter_rows() for c in row if c.value is not None]
    assert "УТВЕРЖДАЮ" in cells
    assert f"приказ от 05.09.{YEAR} № 112/3" in cells
    assert "Формирование базы наставляемых" in cells
    assert any(c.startswith("3. Формирование базы наставников") for c in cells)
    pdf = client.get(f"/programme/roadmap/{YEAR}.pdf")
    assert pdf.mimetype == "application/pdf"
    text = "".join(page.extract_text() for page in PdfReader(io.BytesIO(pdf.data)).pages)
    assert "УТВЕРЖДАЮ" in text
    assert "№ 112/3" in text
    assert "Отбор и обучение наставников" in text


def test_mentor_reads_what_concerns_mentors_and_cannot_edit(app, curator, mentor):
    _year(curator)
    client = factories.client_for(app, mentor)
    page = client.get(f"/programme/roadmap/{YEAR}").get_data(as_text=True)
    assert "Обучение наставников" in page
    assert "Согласия на обработку персональных данных наставляемых" not in page
    assert "Анкетирование обучающихся" not in page
    assert "Добавить мероприятие" not in page
    activity = db.session.scalar(select(RoadMapActivity).limit(1))
    assert client.get(f"/programme/activities/{activity.id}/edit").status_code == 403


def test_queue_shows_road_map_work_until_done(app, curator, group):
    road_map = _year(curator)
    today = today_moscow()
    activity = roadmap.save_activity(
        road_map,
        None,
        stage=Stage.WORK,
        title="Встреча рабочей группы",
        responsible_id=group.id,
        deadline=max(today + timedelta(days=2), road_map.starts_on),
    )
    db.session.commit()
    mine = "Мероприятия дорожной карты в ближайшие 14 дней (вы ответственный)"
    assert _queue_titles(app, group)[mine] == 1
    assert _queue_titles(app, curator)["Мероприятия дорожной карты в ближайшие 14 дней"] >= 1
    roadmap.save_activity(
        road_map,
        activity,
        stage=Stage.WORK,
        title=activity.title,
        responsible_id=group.id,
        deadline=activity.deadline,
        status=ActivityStatus.DONE,
        result="Протокол № 2",
    )
    db.session.commit()
    assert mine not in _queue_titles(app, group)


def test_responsible_is_reminded_three_days_before(app, runner, curator, group):
    road_map = _year(curator)
    due = today_moscow() + timedelta(days=3)
    if not road_map.starts_on <= due <= road_map.ends_on:
        pytest.skip("the reminder day falls outside this school year")
    roadmap.save_activity(
        road_map,
        None,
        stage=Stage.WORK,
        title="Семинар для наставников",
        responsible_id=group.id,
        deadline=due,
    )
    db.session.commit()
    runner.invoke(args=["notify-deadlines"])
    texts = list(
        db.session.scalars(select(Notification.text).where(Notification.user_id == group.id))
    )
    assert texts == [
        f"Через 3 дня, {due:%d.%m.%Y}, срок мероприятия дорожной карты «Семинар для наставников»."
    ]
