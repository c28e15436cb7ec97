"""The road map of a school year: building it, its activities, its timeline."""

from dataclasses import dataclass
from datetime import date

from sqlalchemy import func, select

from portal import audit
from portal.access import Role
from portal.accounts.models import User, UserRole
from portal.domain import RuleViolation
from portal.extensions import db
from portal.programme.models import ActivityStatus, RoadMap, RoadMapActivity, Stage
from portal.timeutil import today_moscow

EDITORS = (Role.ADMIN, Role.CURATOR, Role.GROUP)
MONTHS = (9, 10, 11, 12, 1, 2, 3, 4, 5, 6, 7, 8)
MONTH_NAMES = {
    1: "январь", 2: "февраль", 3: "март", 4: "апрель", 5: "май", 6: "июнь",
    7: "июль", 8: "август", 9: "сентябрь", 10: "октябрь", 11: "ноябрь", 12: "декабрь",
}  # fmt: skip

# The shipped template (the stages of the Целевая модель, the regulation п. 3.2, 3.4, 4.3):
# stage, activity, month and day of the deadline within the school year.
TEMPLATE: tuple[tuple[Stage, str, int, int], ...] = (
    (
        Stage.PREPARATION,
        "Приказ о внедрении целевой модели наставничества, назначение куратора",
        9,
        10,
    ),
    (Stage.PREPARATION, "Состав рабочей группы и распределение обязанностей", 9, 15),
    (Stage.PREPARATION, "Информирование педагогов, обучающихся и родителей о программе", 9, 25),
    (Stage.MENTEES, "Анкетирование обучающихся, сбор запросов наставляемых", 10, 5),
    (Stage.MENTEES, "Согласия на обработку персональных данных наставляемых", 10, 10),
    (Stage.MENTEES, "Формирование базы наставляемых", 10, 15),
    (Stage.MENTORS, "Информирование и привлечение потенциальных наставников", 10, 10),
    (Stage.MENTORS, "Формирование базы наставников", 10, 20),
    (Stage.TRAINING, "Отбор наставников: заявления и собеседования", 10, 25),
    (Stage.TRAINING, "Обучение наставников", 11, 10),
    (Stage.PAIRS, "Формирование наставнических пар и групп", 11, 15),
    (Stage.PAIRS, "Соглашения между наставниками и наставляемыми", 11, 25),
    (Stage.WORK, "Индивидуальные планы наставнических пар и групп", 11, 30),
    (Stage.WORK, "Мониторинг, I этап: качество программы", 12, 20),
    (Stage.WORK, "Сведения о числе участников в региональный наставнический центр", 12, 30),
    (Stage.WORK, "Промежуточная встреча наставников с куратором", 2, 15),
    (Stage.COMPLETION, "Мониторинг, II этап: рост участников", 5, 20),
    (Stage.COMPLETION, "Итоговое мероприятие, конкурс лучших практик наставничества", 5, 25),
    (Stage.COMPLETION, "Отчёт о реализации программы, пополнение базы лучших практик", 6, 15),
)


def school_year_of(day: date) -> int:
    """The year a school year starts in: 1 September opens the next one."""
    return day.year if day.month >= 9 else day.year - 1


def in_year(year: int, month: int, day: int) -> date:
    return date(year if month >= 9 else year + 1, month, day)


def can_edit(user) -> bool:
    return user.has_any_role(EDITORS)


def possible_responsibles() -> list[User]:
    """The curator, the working group and the administrator: who answers for an activity."""
    query = (
        select(User)
        .join(UserRole, UserRole.user_id == User.id)
        .where(UserRole.role.in_([r.value for r in EDITORS]), User.active.is_(True))
        .order_by(User.full_name)
        .distinct()
    )
    return list(db.session.scalars(query))


def _require_responsible(user_id: int | None) -> User:
    user = db.session.get(User, user_id) if user_id else None
    if user is None or not user.active or not user.has_any_role(EDITORS):
        raise RuleViolation(
            "Укажите ответственного: куратора, члена рабочей группы или администратора."
        )
    return user


def _require_in_year(road_map: RoadMap, deadline: date | None) -> None:
    if deadline is None:
        raise RuleViolation("Укажите срок мероприятия.")
    if not road_map.starts_on <= deadline <= road_map.ends_on:
        raise RuleViolation(
            f"Срок должен быть внутри учебного года {road_map.year}/{road_map.year + 1}: "
            f"с {road_map.starts_on:%d.%m.%Y} по {road_map.ends_on:%d.%m.%Y}."
        )


def create_year(year: int, source: str, user) -> RoadMap:
    """Start a school year's map from the previous year's (dates moved a year on) or from the
    shipped template; the activities start planned, with the creator responsible where the
    previous one is no longer in the programme."""
    if db.session.scalar(select(RoadMap.id).where(RoadMap.year == year)):
        raise RuleViolation(f"Дорожная карта на {year}/{year + 1} учебный год уже есть.")
    road_map = RoadMap(year=year, created_by_id=user.id)
    if source == "previous":
        previous = db.session.scalar(
            select(RoadMap).where(RoadMap.year < year).order_by(RoadMap.year.desc()).limit(1)
        )
        if previous is None:
            raise RuleViolation("Прошлогодней дорожной карты нет: начните с шаблона.")
        editors = {u.id for u in possible_responsibles()}
        shift = year - previous.year
        for a in previous.activities:
            road_map.activities.append(
                RoadMapActivity(
                    stage=a.stage,
                    position=a.position,
                    title=a.title,
                    responsible_id=a.responsible_id if a.responsible_id in editors else user.id,
                    deadline=_shifted(a.deadline, shift),
                )
            )
        road_map.source = f"по дорожной карте {previous.year}/{previous.year + 1}"
    else:
        for position, (stage, title, month, day) in enumerate(TEMPLATE):
            road_map.activities.append(
                RoadMapActivity(
                    stage=stage,
                    position=position,
                    title=title,
                    responsible_id=user.id,
                    deadline=in_year(year, month, day),
                )
            )
        road_map.source = "по шаблону Целевой модели"
    db.session.add(road_map)
    db.session.flush()
    audit.record(
        "road_map_created", "road_map", road_map.id, summary=f"Дорожная карта {road_map.title}"
    )
    return road_map


def _shifted(day: date, years: int) -> date:
    try:
        return day.replace(year=day.year + years)
    except ValueError:  # 29 February
        return day.replace(year=day.year + years, day=28)


def save_activity(
    road_map: RoadMap,
    activity: RoadMapActivity | None,
    *,
    stage: str,
    title: str,
    responsible_id: int | None,
    deadline: date | None,
    status: str = ActivityStatus.PLANNED,
    result: str | None = None,
    evidence_url: str | None = None,
    evidence: tuple[str, str, bytes] | None = None,
) -> RoadMapActivity:
    """Add or change an activity after checking every rule; nothing is saved if one fails."""
    title = (title or "").strip()
    if not title:
        raise RuleViolation("Опишите мероприятие.")
    try:
        stage_member = Stage(stage)
        status_member = ActivityStatus(status)
    except ValueError:
        raise RuleViolation("Выберите этап и статус из списка.") from None
    responsible = _require_responsible(responsible_id)
    _require_in_year(road_map, deadline)
    url = (evidence_url or "").strip() or None
    if url and not (url.startswith(("https://", "http://")) or url.startswith("/")):
        raise RuleViolation(
            "Подтверждение — ссылка на страницу портала (начинается с /) или адрес в интернете."
        )
    if status_member == ActivityStatus.DONE and not ((result or "").strip() or url or evidence):
        if activity is None or not (activity.result or activity.evidence_url):
            raise RuleViolation("Для выполненного мероприятия укажите результат или подтверждение.")
    before = _snapshot(activity) if activity else {}
    if activity is None:
        position = db.session.scalar(
            select(func.count(RoadMapActivity.id)).where(RoadMapActivity.road_map_id == road_map.id)
        )
        activity = RoadMapActivity(road_map=road_map, position=position)
        db.session.add(activity)
    activity.stage = stage_member
    activity.title = title[:400]
    activity.responsible_id = responsible.id
    activity.deadline = deadline
    activity.status = status_member
    activity.result = (result or "").strip() or None
    activity.evidence_url = url
    if evidence is not None:
        activity.evidence_filename, activity.evidence_mimetype, activity.evidence_file = evidence
    db.session.flush()
    audit.record(
        "road_map_activity_saved",
        "road_map_activity",
        activity.id,
        audit.diff(before, _snapshot(activity)),
        f"Дорожная карта {road_map.title}: {activity.title}",
    )
    return activity


def _snapshot(activity: RoadMapActivity) -> dict:
    return {
        "stage": activity.stage,
        "title": activity.title,
        "responsible_id": activity.responsible_id,
        "deadline": activity.deadline,
        "status": activity.status,
        "result": activity.result,
        "evidence_url": activity.evidence_url,
        "evidence_filename": activity.evidence_filename,
    }


def approve(road_map: RoadMap, order_number: str, order_date: date | None) -> None:
    if not (order_number or "").strip() or order_date is None:
        raise RuleViolation("Укажите номер и дату приказа, которым утверждена дорожная карта.")
    road_map.order_number = order_number.strip()
    road_map.order_date = order_date
    audit.record(
        "road_map_approved",
        "road_map",
        road_map.id,
        summary=f"Дорожная карта утверждена приказом от {order_date:%d.%m.%Y} № {order_number}",
    )


def visible_activities(road_map: RoadMap, user) -> list[RoadMapActivity]:
    """Editors see the whole map; a mentor what concerns mentors and what they answer for."""
    if can_edit(user):
        return list(road_map.activities)
    concerns = (Stage.TRAINING, Stage.WORK, Stage.COMPLETION)
    return [a for a in road_map.activities if a.stage in concerns or a.responsible_id == user.id]


@dataclass(frozen=True)
class Cell:
    count: int
    done: int
    overdue: int
    titles: tuple[str, ...]

    @property
    def tone(self) -> str:
        if self.overdue:
            return "overdue"
        if self.count and self.done == self.count:
            return "done"
        return "planned" if self.count else ""


def timeline(activities: list[RoadMapActivity], today: date | None = None):
    """Stages as rows, the school year's months as columns; each cell counts its activities."""
    today = today or today_moscow()
    rows = []
    for stage in Stage:
        cells = []
        for month in MONTHS:
            here = [a for a in activities if a.stage == stage and a.deadline.month == month]
            cells.append(
                Cell(
                    len(here),
                    sum(a.status in ActivityStatus.closed() for a in here),
                    sum(a.is_overdue(today) for a in here),
                    tuple(a.title for a in here),
                )
            )
        rows.append((stage, cells))
    return rows
