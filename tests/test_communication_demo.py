"""The demo data of communication: what the issue asks the working group to find on day one."""

from collections import Counter
from datetime import timedelta

from flask import current_app
from sqlalchemy import select

from portal.communication import plan, rules
from portal.communication.models import ConsultationRequest, ContestEntry, MediaItem, Practice
from portal.communication.statuses import MediaStatus, RequestStatus
from portal.demo import seed_demo
from portal.extensions import db
from portal.notifications.queue import work_queue
from portal.timeutil import today_moscow


def test_demo_has_a_year_of_media_plan_practices_contest_and_requests(app):
    ctx = seed_demo(password="demo2026", people=60)
    today = today_moscow()
    items = list(db.session.scalars(select(MediaItem)))
    statuses = Counter(i.status for i in items)
    assert statuses[MediaStatus.PUBLISHED] >= 10
    flags = Counter(f.code for i in items for f in rules.flags(i, today))
    assert flags["overdue"] == 1 and flags["post_release"] == 1
    silent = [s for s in plan.silent_months(today.year, today) if s.past]
    last_month = (today.replace(day=1) - timedelta(days=1)).month
    assert [(s.channel.name, s.month) for s in silent if s.month == last_month] == [
        ("Группа ВКонтакте", last_month)
    ]
    assert db.session.query(Practice).count() == 3
    assert db.session.query(ContestEntry).count() == 1
    requests = Counter(r.status for r in db.session.scalars(select(ConsultationRequest)))
    assert requests == {RequestStatus.SCHEDULED: 1, RequestStatus.WAITING: 1}
    with current_app.test_request_context():
        queue = {i.title: i.count for i in work_queue(ctx.users["group"])}
    assert queue["Медиаплан: просроченные публикации"] == 1
    assert queue["Медиаплан: публикации в ближайшие 3 дня"] == 1
