"""Notifications: made by the areas' events, never leaking an object, a cheap bell, the digest."""

import email
import re
import socket
import threading
from datetime import timedelta
from email.policy import default as default_policy

import pytest
from sqlalchemy import event, func, select

from portal.agreements import signing
from portal.extensions import db
from portal.matching import pairs as pair_domain
from portal.notifications import core
from portal.notifications.models import Notification, NotificationPreference
from portal.plans import approval, editing
from portal.settings.models import save_settings
from portal.timeutil import today_moscow
from tests import factories

INFO = signing.RequestInfo(ip="10.0.0.9", user_agent="pytest")


def texts_of(user) -> list[str]:
    query = select(Notification.text).where(Notification.user_id == user.id)
    return list(db.session.scalars(query.order_by(Notification.id)))


def bell_count(app, user) -> int:
    page = factories.client_for(app, user).get("/").get_data(as_text=True)
    found = re.search(r'<span class="bell-count">(\d+)</span>', page)
    return int(found.group(1)) if found else 0


# --- made by events, addressed only to those who may see ------------------------------------


def test_issued_agreement_notifies_each_signer_only(app, curator, mentor, parent, mentee):
    _, _, _, pair = factories.make_agreement_parties(mentor, mentee, parent)
    agreement = factories.make_agreement(pair, issue=True, by=curator)
    for user in (mentor, parent):
        assert texts_of(user) == [f"{agreement.title} выпущено: его ждёт ваша подпись."]
    # A 12-year-old does not sign (the mother does); the curator issued it and needs no bell.
    assert texts_of(mentee) == []
    assert texts_of(curator) == []
    assert bell_count(app, mentor) == 1


def test_mentor_sees_the_plan_approved_and_opening_marks_it_read(app, curator, mentor, parent):
    world = factories.make_plan_world(mentor, None, parent)
    db.session.refresh(world.plan)
    approval.approve(world.plan, world.plan.version, "45-о", today_moscow(), curator)
    db.session.commit()
    expected = (
        f"Индивидуальный план утверждён (приказ от {today_moscow():%d.%m.%Y} № 45-о): "
        "Кузнецова Е.С. — Орлов Д.А."
    )
    assert texts_of(mentor) == [expected]
    assert texts_of(parent) == [expected]
    assert bell_count(app, mentor) == 1
    client = factories.client_for(app, mentor)
    page = client.get("/notifications").get_data(as_text=True)
    assert expected in page
    notification = db.session.scalar(select(Notification).where(Notification.user_id == mentor.id))
    response = client.post(f"/notifications/{notification.id}/open")
    assert response.status_code == 302
    assert response.location == f"/plans/{world.plan.id}"
    assert bell_count(app, mentor) == 0


def test_petition_decision_reaches_the_mentee_and_parent_not_the_mentor(
    app, curator, mentor, mentee, parent
):
    _, child, _, pair = factories.make_agreement_parties(mentor, mentee, parent)
    petition = pair_domain.file_petition(pair, child, "Не сложилось общение", today_moscow())
    db.session.commit()
    pair_domain.reject_petition(petition, "Конфликт урегулирован на встрече.")
    db.session.commit()
    expected = "Ходатайство о замене наставника отклонено: Конфликт урегулирован на встрече."
    assert texts_of(mentee) == [expected]
    assert texts_of(parent) == [expected]
    assert texts_of(mentor) == []


def test_granted_petition_links_to_the_new_pair(app, curator, mentee, parent):
    _, child, _, pair = factories.make_agreement_parties(None, mentee, parent)
    new_mentor = factories.make_mentor_person("Смирнов", "Олег", birth_date=None)
    petition = pair_domain.file_petition(pair, child, "Переезд наставника", today_moscow())
    new_pair = pair_domain.replace_mentor(petition, new_mentor)
    db.session.commit()
    notification = db.session.scalar(select(Notification).where(Notification.user_id == mentee.id))
    assert notification.text.startswith("Ходатайство о замене наставника удовлетворено")
    response = factories.client_for(app, mentee).get(f"/notifications/{notification.id}")
    assert response.location == f"/matching/pairs/{new_pair.id}"


def test_no_notification_is_made_for_someone_who_may_not_see_the_object(
    app, curator, mentor, stranger
):
    _, _, _, pair = factories.make_agreement_parties(mentor)
    agreement = factories.make_agreement(pair, issue=True, by=curator)
    made = core.notify(
        stranger,
        "agreement_issued",
        "Чужое соглашение",
        "agreement",
        agreement,
        "agreements.show",
        agreement_id=agreement.id,
    )
    assert made is None
    # A signer whose account lacks the role that relates them to the agreement gets nothing.
    mentor.set_roles(["mentee"])
    db.session.commit()
    made = core.notify(
        mentor,
        "agreement_issued",
        "Текст",
        "agreement",
        agreement,
        "agreements.show",
        agreement_id=agreement.id,
    )
    assert made is None
    db.session.commit()
    assert texts_of(stranger) == []


def test_a_user_cannot_open_or_mark_someone_elses_notification(app, curator, mentor, stranger):
    _, _, _, pair = factories.make_agreement_parties(mentor)
    factories.make_agreement(pair, issue=True, by=curator)
    notification = db.session.scalar(select(Notification).where(Notification.user_id == mentor.id))
    client = factories.client_for(app, stranger)
    assert client.get(f"/notifications/{notification.id}").status_code == 404
    assert client.post(f"/notifications/{notification.id}/read").status_code == 404
    assert client.post(f"/notifications/{notification.id}/open").status_code == 404
    db.session.refresh(notification)
    assert notification.read_at is None


# --- reading ---------------------------------------------------------------------------------


def test_mark_read_one_by_one_and_all(app, curator, mentor, parent):
    for _ in range(3):
        _, _, _, pair = factories.make_agreement_parties(mentor)
        factories.make_agreement(pair, issue=True, by=curator)
    assert bell_count(app, mentor) == 3
    client = factories.client_for(app, mentor)
    first = db.session.scalar(
        select(Notification).where(Notification.user_id == mentor.id).order_by(Notification.id)
    )
    response = client.post(f"/notifications/{first.id}/read", headers={"HX-Request": "true"})
    assert response.status_code == 200
    assert "notifications-changed" in response.headers["HX-Trigger"]
    assert "Прочитано" not in response.get_data(as_text=True)  # the row, now read
    assert bell_count(app, mentor) == 2
    response = client.post("/notifications/read-all", follow_redirects=True)
    assert "Все уведомления отмечены прочитанными." in response.get_data(as_text=True)
    assert bell_count(app, mentor) == 0


# --- the poll --------------------------------------------------------------------------------


def _count_queries(fn):
    statements = []

    def before(conn, cursor, statement, *args):
        statements.append(statement)

    event.listen(db.engine, "before_cursor_execute", before)
    try:
        result = fn()
    finally:
        event.remove(db.engine, "before_cursor_execute", before)
    return result, statements


def test_poll_answers_204_while_nothing_changed_in_two_queries(app, curator, mentor):
    client = factories.client_for(app, mentor)
    page = client.get("/").get_data(as_text=True)
    poll = re.search(r'hx-get="(/notifications/bell\?state=[^"]+)"', page).group(1)
    db.session.expunge_all()  # as in a fresh worker request: the user is loaded too
    response, statements = _count_queries(lambda: client.get(poll))
    assert response.status_code == 204
    assert len(statements) <= 2, statements
    mentor, curator = db.session.merge(mentor), db.session.merge(curator)
    _, _, _, pair = factories.make_agreement_parties(mentor)
    factories.make_agreement(pair, issue=True, by=curator)
    response = client.get(poll)
    assert response.status_code == 200
    assert '<span class="bell-count">1</span>' in response.get_data(as_text=True)


# --- reminders of deadlines ------------------------------------------------------------------


def test_deadline_in_three_days_reminds_once(app, runner, mentor, mentee):
    world = factories.make_plan_world(mentor, mentee)
    due = today_moscow() + timedelta(days=3)
    editing.save_field(world.items[0].id, "end_on", due.isoformat(), None, mentor)
    editing.save_field(
        world.items[1].id, "end_on", (due + timedelta(days=1)).isoformat(), None, mentor
    )
    db.session.commit()
    result = runner.invoke(args=["notify-deadlines"])
    assert "Напоминаний о сроках создано: 2." in result.output  # mentor and mentee
    expected = (
        f"Через 3 дня, {due:%d.%m.%Y}, срок мероприятия плана "
        "«Экскурсия в место обучения наставника»."
    )
    assert texts_of(mentor) == [expected]
    assert texts_of(mentee) == [expected]
    again = runner.invoke(args=["notify-deadlines"])
    assert "создано: 0." in again.output
    assert db.session.scalar(select(func.count(Notification.id))) == 2


# --- the e-mail digest -----------------------------------------------------------------------


class SmtpStub:
    """A minimal SMTP server in a thread: it accepts letters and keeps them."""

    def __init__(self):
        self.sock = socket.socket()
        self.sock.bind(("127.0.0.1", 0))
        self.sock.listen(5)
        self.port = self.sock.getsockname()[1]
        self.messages: list[bytes] = []
        self.thread = threading.Thread(target=self._serve, daemon=True)
        self.thread.start()

    def _serve(self):
        while True:
            try:
                conn, _ = self.sock.accept()
            except OSError:
                return
            with conn, conn.makefile("rwb") as f:
                self._talk(f)

    def _talk(self, f):
        def say(line: str):
            f.write(line.encode() + b"\r\n")
            f.flush()

        say("220 stub")
        while line := f.readline():
            command = line.decode().strip().upper()
            if command.startswith(("EHLO", "HELO")):
                say("250 stub")
            elif command == "DATA":
                say("354 go on")
                body = b""
                while (chunk := f.readline()) not in (b".\r\n", b""):
                    body += chunk
                self.messages.append(body)
                say("250 kept")
            elif command == "QUIT":
                say("221 bye")
                return
            else:
                say("250 ok")

    def close(self):
        self.sock.close()


@pytest.fixture
def smtp_stub():
    stub = SmtpStub()
    yield stub
    stub.close()


def test_digest_is_sent_once_to_subscribers_when_smtp_is_set(
    app, runner, curator, mentor, smtp_stub
):
    _, _, _, pair = factories.make_agreement_parties(mentor)
    agreement = factories.make_agreement(pair, issue=True, by=curator)
    db.session.add(NotificationPreference(user_id=mentor.id, email_digest=True))
    mentor.person.email = "kuznetsova@example.ru"
    save_settings(
        {
            "smtp_host": "127.0.0.1",
            "smtp_port": str(smtp_stub.port),
            "smtp_from": "portal@example.ru",
            "portal_url": "https://portal.example.ru",
        }
    )
    db.session.commit()
    result = runner.invoke(args=["send-digest"])
    assert "Писем отправлено: 1." in result.output, result.output
    assert len(smtp_stub.messages) == 1
    letter = email.message_from_bytes(smtp_stub.messages[0], policy=default_policy)
    assert letter["To"] == "kuznetsova@example.ru"
    assert letter["Subject"] == "Портал наставничества: новых уведомлений — 1"
    body = letter.get_content()
    assert f"— {agreement.title} выпущено: его ждёт ваша подпись." in body
    assert re.search(r"https://portal\.example\.ru/notifications/\d+", body)
    assert "Писем отправлено: 0." in runner.invoke(args=["send-digest"]).output
    assert len(smtp_stub.messages) == 1


def test_without_smtp_the_digest_command_says_so_and_sends_nothing(app, runner, mentor):
    db.session.add(NotificationPreference(user_id=mentor.id, email_digest=True, email="a@b.ru"))
    db.session.commit()
    result = runner.invoke(args=["send-digest"])
    assert result.exit_code == 0
    assert "Почтовый сервер не настроен" in result.output


def test_digest_preference_rejects_a_bad_address_and_keeps_the_rest(app, mentor):
    client = factories.client_for(app, mentor)
    response = client.post(
        "/notifications/preferences", data={"email_digest": "y", "email": "не адрес"}
    )
    assert response.status_code == 422
    page = response.get_data(as_text=True)
    assert "Укажите адрес электронной почты" in page
    assert 'value="не адрес"' in page
    assert db.session.get(NotificationPreference, mentor.id) is None
    response = client.post(
        "/notifications/preferences",
        data={"email_digest": "y", "email": "k@example.ru"},
        follow_redirects=True,
    )
    assert "Ежедневная сводка на почту включена." in response.get_data(as_text=True)
    assert db.session.get(NotificationPreference, mentor.id).email == "k@example.ru"
