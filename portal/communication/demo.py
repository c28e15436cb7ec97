"""Demo data of communication: a media plan of the year with done, due and overdue items and a
late post-release, a VK group silent last month, the strategy, three practices (one in the
contest of 003_…), a teacher's channels and consultation requests answered and waiting."""

from datetime import date, timedelta

from sqlalchemy import select

from portal.communication import help as help_domain
from portal.communication import practices as practice_domain
from portal.communication.models import (
    DisseminationEvent,
    MediaChannel,
    MediaItem,
    MethodMaterial,
    StrategyMessage,
    TargetGroup,
    TeacherProfile,
)
from portal.communication.statuses import (
    ConsultationKind,
    ContactKind,
    DisseminationKind,
    MediaKind,
    MediaStatus,
    MessageStage,
)
from portal.extensions import db
from portal.matching.models import Pair
from portal.statuses import PairStatus
from portal.timeutil import today_moscow

NOMINATIONS = (
    "Здоровьесбережение с детства",
    "Благополучие семей с детьми",
    "Всестороннее развитие, обучение, воспитание детей",
    "Качество жизни детей с ограниченными возможностями здоровья, детей с инвалидностью",
    "Инфраструктура детства",
    "Защита детей, оставшихся без попечения родителей",
    "Безопасность детей",
)
LONG_TEXT = (
    "Как наставник и наставляемый вместе собрали робота для городских соревнований. " * 30
).strip()


def _channel(name: str, position: int) -> MediaChannel:
    found = db.session.scalar(select(MediaChannel).where(MediaChannel.name == name))
    if found is None:
        found = MediaChannel(name=name, monthly=True, active=True, position=position)
        db.session.add(found)
        db.session.flush()
    return found


def _month_back(day: date, months: int) -> date:
    year, month = day.year, day.month - months
    while month < 1:
        year, month = year - 1, month + 12
    return date(year, month, min(day.day, 28))


def seed(ctx) -> None:
    today = today_moscow()
    site, vk = _channel("Сайт Центра", 0), _channel("Группа ВКонтакте", 1)
    group = ctx.users.get("group")
    persons = ctx.extras.get("persons", {})

    parents = TargetGroup(name="Родители", description="Родители обучающихся 10+ лет", position=0)
    students = TargetGroup(
        name="Обучающиеся", description="Обучающиеся объединений Центра", position=1
    )
    teachers = TargetGroup(
        name="Педагоги", description="Педагоги и молодые специалисты", position=2
    )
    db.session.add_all([parents, students, teachers])
    db.session.flush()
    for target, stage, text, channels in (
        (
            parents,
            MessageStage.AWARENESS,
            "В Центре работает программа наставничества",
            "сайт, группа ВК",
        ),
        (
            parents,
            MessageStage.UNDERSTANDING,
            "Наставник помогает ребёнку выбрать профессию",
            "собрания",
        ),
        (
            parents,
            MessageStage.ACTION,
            "Подпишите согласие и приходите на встречу пары",
            "личные встречи",
        ),
        (students, MessageStage.AWARENESS, "Наставник — старший товарищ в проекте", "группа ВК"),
        (teachers, MessageStage.ACTION, "Станьте наставником молодого педагога", "педсовет"),
    ):
        db.session.add(
            StrategyMessage(target_group=target, stage=stage, text=text, channels=channels)
        )

    def item(kind, title, channel, planned_on, target=None, published=False, **extra):
        values = {
            "kind": kind,
            "title": title,
            "channel": channel,
            "planned_on": planned_on,
            "target_group": target,
            "responsible_id": group.id if group else None,
        }
        if published:
            values.update(
                status=MediaStatus.PUBLISHED,
                published_on=planned_on,
                link=f"https://example.ru/news/{planned_on:%Y%m%d}-{channel.id}",
            )
        values.update(extra)
        db.session.add(MediaItem(**values))

    # Done: a monthly digest on the site for the past year; the VK group spoke every month but
    # the last one (the rule flags that month as silent).
    for back in range(1, 12):
        day = _month_back(today, back)
        item(
            MediaKind.DIGEST,
            f"Дайджест программы наставничества, {day:%m.%Y}",
            site,
            day,
            parents,
            True,
        )
        if back != 1:
            item(
                MediaKind.NEWS, f"Новости пар наставничества, {day:%m.%Y}", vk, day, students, True
            )
    item(
        MediaKind.LONGREAD,
        "Робот на двоих: история одной пары",
        site,
        _month_back(today, 2),
        students,
        True,
        text=LONG_TEXT,
    )
    # The coming event: its press release is on time, its post-release late (a rule violated).
    event_on = today + timedelta(days=12)
    event = {"event_title": "Новогодний нетворкинг наставников", "event_on": event_on}
    item(
        MediaKind.PRESS_RELEASE,
        "Пресс-релиз: новогодний нетворкинг наставников",
        site,
        event_on - timedelta(days=4),
        parents,
        **event,
    )
    item(
        MediaKind.POST_RELEASE,
        "Пост-релиз: как прошёл нетворкинг",
        vk,
        event_on + timedelta(days=3),
        students,
        **event,
    )
    # Due within three days and overdue since two days ago.
    item(
        MediaKind.NEWS,
        "Набор наставляемых на второе полугодие",
        vk,
        today + timedelta(days=2),
        parents,
    )
    item(
        MediaKind.ALBUM,
        "Фотоальбом: встреча пар в технопарке",
        site,
        today - timedelta(days=2),
        students,
    )
    item(MediaKind.DIGEST, "Дайджест месяца", site, today + timedelta(days=20), parents)

    for back, kind, title, target, reach in (
        (40, DisseminationKind.EVENT, "Родительское собрание о наставничестве", parents, 45),
        (25, DisseminationKind.PROMOTION, "День открытых дверей Центра", students, 120),
        (10, DisseminationKind.MEDIA, "Прямой эфир в группе ВК", students, 300),
    ):
        db.session.add(
            DisseminationEvent(
                held_on=today - timedelta(days=back),
                kind=kind,
                title=title,
                target_group=target,
                channel=vk if kind == DisseminationKind.MEDIA else None,
                reach=reach,
                audience=target.description,
            )
        )

    # Practices: one built from a finished pair where the demo has one, two entered directly.
    finished = db.session.scalars(
        select(Pair).where(Pair.status == PairStatus.COMPLETED).order_by(Pair.id).limit(1)
    ).first()
    built = []
    if finished is not None:
        values, people = practice_domain.draft_from_pair(finished)
        formats = values.pop("formats")
        built.append(practice_domain.save_practice(None, values, formats, people))
    direct = (
        (
            "Кейс-турнир «Инженеры будущего»",
            today.year,
            ["Кейс-турниры", "Проектная деятельность"],
            "Обучающимся не хватало опыта командной работы над инженерной задачей",
        ),
        (
            "Клуб молодого педагога",
            today.year - 1,
            ["Нетворкинги", "Воркшопы"],
            "Молодые педагоги уходили из профессии в первые два года",
        ),
        (
            "Волонтёры-наставники младших",
            today.year - 1,
            ["Волонтёрская деятельность"],
            "Младшие обучающиеся не оставались в объединениях после первого года",
        ),
    )
    # Three practices whatever the demo's pairs: the directly entered ones fill up.
    for title, year, formats, problem in direct[: 3 - len(built)]:
        built.append(
            practice_domain.save_practice(
                None,
                {
                    "title": title,
                    "year": year,
                    "problem": problem,
                    "public": True,
                    "actions": "Серия встреч наставников и наставляемых по плану на полугодие.",
                    "results": "По мониторингу: рост вовлечённости с 6,1 до 8,4 балла из 10.",
                    "authors": "Рабочая группа программы наставничества",
                },
                formats,
                [],
            )
        )
    contest = practice_domain.create_contest(
        {
            "title": "Детство без границ: конкурс лучших практик",
            "organiser": "Агентство стратегических инициатив",
            "applications_until": date(today.year + (today.month > 1), 1, 31),
            "results_by": date(today.year + (today.month > 1), 3, 22),
        },
        list(NOMINATIONS),
    )
    practice_domain.enter(
        contest,
        built[-2],
        contest.nominations[2].id,
        [("Заявка.pdf", b"%PDF-1.4\n% demo application package\n")],
        today,
    )

    # Remote help: the robotics teacher's channels, a student's request scheduled for tomorrow,
    # the parent's waiting; two materials of the club.
    teacher, mentee = persons.get("mentor"), persons.get("mentee")
    teacher_user, mentee_user, parent_user = (
        ctx.users.get(k) for k in ("mentor", "mentee", "parent")
    )
    if teacher is None or mentee is None or teacher_user is None:
        return
    db.session.add(
        TeacherProfile(
            person_id=teacher.id,
            phone="+7 (915) 100-20-30",
            messenger="VK: @kuznetsova_robot",
            email="kuznetsova@example.ru",
            hours="вторник и четверг, 16:00–17:00",
        )
    )
    for title, link in (
        ("Сборка шасси: пошаговая инструкция", "https://example.ru/robot/chassis"),
        ("Задания для самостоятельной работы, декабрь", "https://example.ru/robot/tasks"),
    ):
        db.session.add(
            MethodMaterial(club=teacher.club, title=title, link=link, added_by_id=teacher.id)
        )
    db.session.flush()
    if mentee_user is not None:
        asked = help_domain.ask(
            mentee_user,
            mentee,
            teacher,
            "Не получается запрограммировать датчик линии",
            ContactKind.MESSENGER,
            "после занятий во вторник",
        )
        help_domain.answer(teacher_user, asked, "Разберём вместе: посмотрите пример в библиотеке.")
        help_domain.schedule(
            teacher_user,
            asked,
            kind=ConsultationKind.INDIVIDUAL,
            held_on=today + timedelta(days=1),
            at="16:30",
            channel=ContactKind.MESSENGER,
            where="VK-звонок",
            today=today,
        )
    if parent_user is not None:
        help_domain.ask(
            parent_user,
            mentee,
            teacher,
            "Как помочь сыну готовиться к соревнованиям дома?",
            ContactKind.PHONE,
            "будни после 18:00",
        )
