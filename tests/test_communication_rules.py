"""The media plan's rules on their edges, the consent gate, take-down, queue and reminders."""

from datetime import date, timedelta

import pytest
from flask import current_app

from portal.communication import plan, rules
from portal.communication.models import MediaItem
from portal.communication.statuses import MediaKind, MediaStatus
from portal.extensions import db
from portal.notifications.models import Notification
from portal.notifications.queue import work_queue as _work_queue
from portal.people.consents import revoke_consent
from tests import factories

EVENT = date(2026, 12, 18)


def work_queue(user):
    """The queue builds links, so it needs a request."""
    with current_app.test_request_context():
        return _work_queue(user)


@pytest.mark.parametrize(
    ("days_before", "ok"), [(2, False), (3, True), (4, True), (5, True), (6, False), (-1, False)]
)
def test_press_release_window_is_three_to_five_days_before(days_before, ok):
    assert rules.press_release_ok(EVENT, EVENT - timedelta(days=days_before)) is ok


@pytest.mark.parametrize(("days_after", "ok"), [(-1, False), (0, True), (1, True), (2, False)])
def test_post_release_within_one_day_after(days_after, ok):
    assert rules.post_release_ok(EVENT, EVENT + timedelta(days=days_after)) is ok


def test_longread_needs_two_thousand_characters():
    assert not rules.longread_ok("я" * 1999)
    assert rules.longread_ok("я" * 2000)
    errors = rules.input_errors(MediaKind.LONGREAD, None, EVENT, "я" * 1999)
    assert "больше 2000 знаков" in errors["text"] and "1999" in errors["text"]
    assert rules.input_errors(MediaKind.LONGREAD, None, EVENT, "я" * 2000) == {}


def test_post_release_before_the_event_and_event_kinds_without_event_are_refused():
    errors = rules.input_errors(MediaKind.POST_RELEASE, EVENT, EVENT - timedelta(days=1), None)
    assert errors == {"planned_on": "Пост-релиз не может выйти раньше события."}
    errors = rules.input_errors(MediaKind.PRESS_RELEASE, None, EVENT, None)
    assert "укажите дату события" in errors["event_on"]


def _values(**overrides):
    values = {
        "kind": MediaKind.PRESS_RELEASE,
        "title": "Пресс-релиз: новогодний нетворкинг наставников",
        "channel_id": factories.make_channel().id,
        "event_title": "Нетворкинг",
        "event_on": EVENT,
        "planned_on": EVENT - timedelta(days=3),
    }
    values.update(overrides)
    return values


def test_save_refuses_and_leaves_nothing(app):
    with pytest.raises(plan.PlanErrors) as caught:
        plan.save_item(
            None, _values(kind=MediaKind.POST_RELEASE, planned_on=EVENT - timedelta(1)), []
        )
    db.session.rollback()
    assert "раньше события" in caught.value.errors["planned_on"]
    assert db.session.query(MediaItem).count() == 0


def test_flags_of_press_and_post_release_at_the_edges(app):
    today = date(2026, 12, 1)
    at_five = plan.save_item(None, _values(planned_on=EVENT - timedelta(days=5)), [])
    at_two = plan.save_item(None, _values(planned_on=EVENT - timedelta(days=2)), [])
    post_next_day = plan.save_item(
        None, _values(kind=MediaKind.POST_RELEASE, planned_on=EVENT + timedelta(days=1)), []
    )
    post_late = plan.save_item(
        None, _values(kind=MediaKind.POST_RELEASE, planned_on=EVENT + timedelta(days=2)), []
    )
    assert rules.flags(at_five, today) == []
    assert [f.text for f in rules.flags(at_two, today)] == [
        "Пресс-релиз — за 3–5 дней до события, а здесь за 2 дня до события."
    ]
    assert rules.flags(post_next_day, today) == []
    assert [f.code for f in rules.flags(post_late, today)] == ["post_release"]
    # Overdue once its day has passed without publication.
    assert "overdue" in [f.code for f in rules.flags(at_five, EVENT)]


def test_a_month_with_no_item_is_flagged_per_channel(app):
    site = factories.make_channel("Сайт Центра")
    vk = factories.make_channel("Группа ВКонтакте")
    today = date(2026, 12, 1)
    factories.make_media_item(
        site,
        planned_on=date(2026, 11, 30),
        published_on=date(2026, 11, 30),
        status=MediaStatus.PUBLISHED,
        link="https://example.org/1",
    )
    # Planned for November but never published: November is over, so it does not count.
    factories.make_media_item(vk, planned_on=date(2026, 11, 10))
    factories.make_media_item(vk, planned_on=date(2026, 12, 31))
    silent = {(s.channel.name, s.month): s.past for s in plan.silent_months(2026, today)}
    assert ("Сайт Центра", 11) not in silent
    assert silent[("Группа ВКонтакте", 11)] is True  # went silent
    assert ("Группа ВКонтакте", 12) not in silent  # the last day of the month still counts
    assert silent[("Сайт Центра", 12)] is False  # nothing planned yet for this month
    assert len([k for k in silent if k[0] == "Сайт Центра"]) == 11


def test_publishing_needs_link_and_consent(app):
    child = factories.make_person("Орлов", "Дмитрий", consent=True)
    item = factories.make_media_item(kind=MediaKind.CASE, people=[child])
    with pytest.raises(plan.PlanErrors) as caught:
        plan.publish(item, date(2026, 12, 10), "")
    assert set(caught.value.errors) == {"link", "people"}
    assert "Орлов Дмитрий Иванович" in caught.value.errors["people"]
    db.session.rollback()
    assert db.session.get(MediaItem, item.id).status == MediaStatus.PLANNED
    factories.make_consent(child, kind="publication")
    plan.publish(item, date(2026, 12, 10), "https://vk.com/wall-1_2")
    db.session.commit()
    assert db.session.get(MediaItem, item.id).status == MediaStatus.PUBLISHED


def test_a_published_longread_needs_its_text(app):
    item = factories.make_media_item(kind=MediaKind.LONGREAD, text="коротко")
    with pytest.raises(plan.PlanErrors) as caught:
        plan.publish(item, date(2026, 12, 10), "https://example.org/long")
    assert "больше 2000 знаков" in caught.value.errors["link"]


def test_revoked_publication_consent_puts_published_items_in_the_queue(app):
    group = factories.make_user(login="group", roles=["group"])
    child = factories.make_person("Орлов", "Дмитрий", consent=True)
    consent = factories.make_consent(child, kind="publication")
    shown = factories.make_media_item(
        kind=MediaKind.REVIEW,
        people=[child],
        responsible_id=group.id,
        status=MediaStatus.PUBLISHED,
        published_on=date(2026, 11, 2),
        link="https://e.org/r",
    )
    other = factories.make_media_item(
        title="Другой материал",
        status=MediaStatus.PUBLISHED,
        published_on=date(2026, 11, 3),
        link="https://e.org/x",
    )
    revoke_consent(consent, revoked_on=date(2026, 11, 20), reason="не хочу", actor=group)
    db.session.commit()
    assert db.session.get(MediaItem, shown.id).takedown_since == date(2026, 11, 20)
    assert db.session.get(MediaItem, other.id).takedown_since is None
    titles = {i.title: i for i in work_queue(group)}
    takedown = titles["Снимите с публикации: участник отозвал согласие на публикацию"]
    assert takedown.count == 1 and takedown.url == f"/communication/media/{shown.id}/edit"
    note = db.session.query(Notification).filter_by(user_id=group.id, kind="takedown").one()
    assert "снимите «Новость о программе наставничества»" in note.text
    plan.take_down(db.session.get(MediaItem, shown.id))
    db.session.commit()
    assert "Снимите с публикации: участник отозвал согласие на публикацию" not in {
        i.title for i in work_queue(group)
    }


def test_due_and_overdue_items_reach_the_responsible(app, monkeypatch):
    today = date(2026, 12, 14)
    monkeypatch.setattr("portal.communication.work.today_moscow", lambda: today)
    group = factories.make_user(login="group", roles=["group"])
    other = factories.make_user(login="group2", roles=["group"])
    factories.make_media_item(responsible_id=group.id, planned_on=today + timedelta(days=3))
    factories.make_media_item(responsible_id=group.id, planned_on=today - timedelta(days=1))
    factories.make_media_item(responsible_id=group.id, planned_on=today + timedelta(days=4))
    factories.make_media_item(responsible_id=other.id, planned_on=today - timedelta(days=1))
    counts = {i.title: i.count for i in work_queue(group)}
    assert counts["Медиаплан: просроченные публикации"] == 1
    assert counts["Медиаплан: публикации в ближайшие 3 дня"] == 1
    assert work_queue(factories.make_user(login="m", roles=["mentor"])) == []


def test_reminder_the_day_before_and_the_day_after_once(app):
    from portal.notifications.core import make_reminders

    group = factories.make_user(login="group", roles=["group"])
    on = date(2026, 12, 14)
    factories.make_media_item(
        title="Завтрашний", responsible_id=group.id, planned_on=on + timedelta(1)
    )
    factories.make_media_item(
        title="Вчерашний", responsible_id=group.id, planned_on=on - timedelta(1)
    )
    factories.make_media_item(
        title="Через два дня", responsible_id=group.id, planned_on=on + timedelta(2)
    )
    assert make_reminders(on) == 2
    assert make_reminders(on) == 0
    db.session.commit()
    texts = sorted(n.text for n in db.session.query(Notification).filter_by(user_id=group.id))
    assert texts == [
        "Завтра, 15.12.2026, выходит «Завтрашний» (Новость).",
        "Просрочена публикация «Вчерашний», запланированная на 13.12.2026.",
    ]
