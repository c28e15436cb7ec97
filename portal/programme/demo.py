"""Demo programme: the orders, this year's road map (done, due, overdue), two trainings with
attendance and a candidate in review."""

from datetime import timedelta

from sqlalchemy import select

from portal.extensions import db
from portal.people.models import Person
from portal.programme import people, roadmap
from portal.programme.models import ActivityStatus, RoadMap
from portal.timeutil import today_moscow

RESULTS = {
    "preparation": "Приказ издан, размещён на сайте Центра",
    "mentees": "База наставляемых сформирована",
    "mentors": "База наставников сформирована",
    "training": "Проведено обучение наставников",
    "pairs": "Пары сформированы, соглашения подписаны",
    "work": "Выполнено по плану",
    "completion": "Итоги подведены",
}


def seed(ctx) -> None:
    today = today_moscow()
    curator, group = ctx.users.get("curator"), ctx.users.get("group")
    if curator is None or group is None:
        return
    year = roadmap.school_year_of(today)
    start = today.replace(year=year, month=9, day=1)
    people.appoint(
        "curator",
        curator.id,
        "98/1",
        start - timedelta(days=5),
        "Куратор внедрения целевой модели наставничества (п. 4.3 Положения)",
    )
    people.appoint(
        "group",
        group.id,
        "98/2",
        start - timedelta(days=5),
        "Дорожная карта, медиаплан, отбор и обучение наставников (п. 3.2 Положения)",
    )
    road_map = roadmap.create_year(year, "template", curator)
    roadmap.approve(road_map, "101", start + timedelta(days=2))
    _statuses(road_map, today, group)
    _training(ctx, today)
    candidate = people.apply(
        last_name="Никитина",
        first_name="Светлана",
        middle_name="Юрьевна",
        category="педагог",
        workplace="МБУ ДО Центр «Эдельвейс», педагог дополнительного образования",
        email="nikitina@example.ru",
        phone=None,
        competencies="Декоративно-прикладное творчество, победители областных конкурсов",
        motivation="Хочу помочь новичкам объединения освоиться и подготовиться к конкурсам",
        desired_mentees="обучающиеся 10–13 лет, объединение «Умелые руки»",
        applied_on=today - timedelta(days=4),
    )
    people.record_interview(candidate, today - timedelta(days=1), "Опыт есть, готова вести двоих")


def _statuses(road_map: RoadMap, today, group) -> None:
    """What is long past is done, one past activity is late, the rest lies ahead."""
    activities = sorted(road_map.activities, key=lambda a: a.deadline)
    past = [a for a in activities if a.deadline < today]
    for n, a in enumerate(past):
        if n == len(past) - 1:
            continue  # the latest past one stays open: the map shows an overdue activity
        a.status = ActivityStatus.DONE
        a.result = RESULTS[a.stage.value]
    if not past:  # the first days of September: make one late on purpose
        activities[0].deadline = road_map.starts_on
    ahead = [a for a in activities if a.deadline >= today]
    if ahead:
        soon = ahead[0]
        soon.deadline = min(max(today + timedelta(days=3), road_map.starts_on), road_map.ends_on)
        soon.responsible_id = group.id
        soon.status = ActivityStatus.IN_PROGRESS


def _training(ctx, today) -> None:
    mentors = list(
        db.session.scalars(
            select(Person).where(Person.is_mentor.is_(True)).order_by(Person.id).limit(40)
        )
    )
    if not mentors:
        return
    first = people.save_event(
        None,
        topic="Роль наставника в целевой модели наставничества",
        programme="Нормативная база. Формы наставничества. Индивидуальный план и соглашение.",
        held_on=today - timedelta(days=30),
        hours=4,
        trainer="Соколова А. В., куратор",
        place="МБУ ДО Центр «Эдельвейс», ауд. 12",
        required=True,
    )
    second = people.save_event(
        None,
        topic="Трудные ситуации в наставнической паре",
        programme="Мотивация наставляемого. Конфликты. Обратная связь.",
        held_on=today - timedelta(days=12),
        hours=3,
        trainer="Лебедев И. Н., педагог-психолог",
        place="https://vk.com/edelweiss_online",
        required=True,
    )
    main = [ctx.users[k].person_id for k in ("mentor", "mentor2") if k in ctx.users]
    ids = [m.id for m in mentors]
    people.set_attendance(first, sorted({*ids[: len(ids) * 3 // 4], *filter(None, main)}))
    # The second demo mentor missed the second event: no mark until they catch up.
    second_ids = set(ids[: len(ids) // 2])
    if main and main[0]:
        second_ids.add(main[0])
    if len(main) > 1:
        second_ids.discard(main[1])
    people.set_attendance(second, sorted(second_ids))
