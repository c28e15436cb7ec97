"""Sign-in that cannot be used against people: no telling logins apart, no lasting lock-out."""

import statistics
import time
from datetime import timedelta

from portal.accounts import security
from portal.accounts.models import LoginThrottle
from portal.accounts.security import MAX_FAILED_LOGINS, MAX_FAILED_PER_ADDRESS
from portal.extensions import db
from portal.timeutil import utcnow
from tests import factories


def attempt(client, login, password="wrong-password", address="10.1.1.1"):
    return client.post(
        "/login",
        data={"login": login, "password": password},
        environ_base={"REMOTE_ADDR": address},
    )


def answer(response) -> str:
    """The alert of the login page, with the one varying detail (the time) removed."""
    text = response.get_data(as_text=True)
    start = text.index('class="alert')
    alert = text[start : text.index("</div>", start)]
    return "".join("#" if ch.isdigit() else ch for ch in alert)


def test_unknown_and_real_logins_get_the_same_answers(app, client):
    factories.make_user(login="ivanova")
    real = [attempt(client, "ivanova", address=f"10.0.0.{i}") for i in range(7)]
    ghost = [attempt(client, "petrova", address=f"10.0.1.{i}") for i in range(7)]
    assert [r.status_code for r in real] == [r.status_code for r in ghost] == [422] * 7
    assert [answer(r) for r in real] == [answer(r) for r in ghost]
    assert "Неверный логин или пароль." in answer(real[0])
    assert "Слишком много неудачных попыток входа" in answer(real[-1])
    assert "заблокирована" not in real[-1].get_data(as_text=True)


def test_unknown_and_real_logins_take_the_same_time(app, client):
    """A statistical check: medians of interleaved samples, generous bounds."""
    # A hash as slow as a real one makes the difference visible if the dummy is skipped.
    app.config["PASSWORD_HASH_METHOD"] = "pbkdf2:sha256:40000"
    logins = [f"user{i}" for i in range(12)]
    for login in logins:
        factories.make_user(login=login)
    real, ghost = [], []
    for i, login in enumerate(logins):
        for sample, name in ((real, login), (ghost, f"nobody{i}")):
            started = time.perf_counter()
            response = attempt(client, name, address=f"10.2.{i}.{len(sample)}")
            sample.append(time.perf_counter() - started)
            assert "Неверный логин или пароль." in response.get_data(as_text=True)
    hash_cost = min(real)
    ratio = statistics.median(ghost) / statistics.median(real)
    assert 0.6 < ratio < 1.6, (ratio, statistics.median(real), statistics.median(ghost))
    # The bound is meaningful: without the dummy hash an unknown login is much faster.
    started = time.perf_counter()
    security.find_user("nobody-at-all")
    assert time.perf_counter() - started < hash_cost / 2


def test_a_stranger_cannot_keep_a_person_out_of_their_own_browser(app, client):
    factories.make_user(login="director", roles=["admin"])
    own = app.test_client()
    assert attempt(own, "director", factories.DEFAULT_PASSWORD).status_code == 302
    own.post("/logout")
    # A stranger elsewhere pauses the name again and again.
    for i in range(MAX_FAILED_LOGINS + 3):
        attempt(client, "director", address=f"10.9.9.{i}")
    text = attempt(client, "director", factories.DEFAULT_PASSWORD, "10.9.9.99").get_data(
        as_text=True
    )
    assert "Слишком много неудачных попыток входа" in text
    # The director's own browser (signed in there before) passes with the right password.
    assert attempt(own, "director", factories.DEFAULT_PASSWORD).status_code == 302


def test_a_known_browser_has_its_own_limit(app):
    factories.make_user(login="teacher")
    own = app.test_client()
    attempt(own, "teacher", factories.DEFAULT_PASSWORD)
    own.post("/logout")
    for _ in range(MAX_FAILED_LOGINS):
        assert "Неверный логин" in attempt(own, "teacher").get_data(as_text=True)
    text = attempt(own, "teacher", factories.DEFAULT_PASSWORD).get_data(as_text=True)
    assert "Слишком много неудачных попыток входа" in text


def test_pauses_grow_but_always_end(app, client):
    factories.make_user(login="target")
    for _ in range(MAX_FAILED_LOGINS):
        attempt(client, "target")
    counter = db.session.get(LoginThrottle, "login:target")
    first = counter.locked_until - utcnow()
    assert timedelta(seconds=50) < first <= timedelta(minutes=1)
    # The pause ran out; five more failures give a longer one, never beyond fifteen minutes.
    counter.locked_until = utcnow() - timedelta(seconds=1)
    db.session.commit()
    for _ in range(MAX_FAILED_LOGINS):
        attempt(client, "target")
    db.session.refresh(counter)
    second = counter.locked_until - utcnow()
    assert timedelta(minutes=1, seconds=50) < second <= timedelta(minutes=2)
    counter.level = 20
    counter.locked_until = utcnow() - timedelta(seconds=1)
    db.session.commit()
    for _ in range(MAX_FAILED_LOGINS):
        attempt(client, "target")
    db.session.refresh(counter)
    assert counter.locked_until - utcnow() <= security.LONGEST_PAUSE


def test_one_address_trying_many_names_is_paused(app, client):
    factories.make_user(login="colleague")
    for i in range(MAX_FAILED_PER_ADDRESS):
        attempt(client, f"name{i}", address="10.5.5.5")
    text = attempt(client, "colleague", factories.DEFAULT_PASSWORD, "10.5.5.5").get_data(
        as_text=True
    )
    assert "Слишком много неудачных попыток входа" in text
    # Another computer in the school is not affected.
    assert attempt(client, "colleague", factories.DEFAULT_PASSWORD, "10.5.5.6").status_code == 302


def test_a_forged_known_browser_cookie_is_ignored(app, client):
    user = factories.make_user(login="victim2")
    for i in range(MAX_FAILED_LOGINS):
        attempt(client, "victim2", address=f"10.7.0.{i}")
    forged = security.known_browser_cookie(user.id, "nonce")[:-2] + "xx"
    client.set_cookie(security.KNOWN_BROWSER_COOKIE, forged)
    text = attempt(client, "victim2", factories.DEFAULT_PASSWORD).get_data(as_text=True)
    assert "Слишком много неудачных попыток входа" in text


def test_counters_idle_for_a_day_are_forgotten_at_the_next_sign_in(app, client):
    factories.make_user(login="someone")
    long_ago = utcnow() - timedelta(days=2)
    db.session.add_all(
        [
            LoginThrottle(key="login:ghost", failures=3, level=0, window_started_at=long_ago),
            LoginThrottle(key="login:fresh", failures=1, level=0, window_started_at=utcnow()),
        ]
    )
    db.session.commit()
    assert attempt(client, "someone", factories.DEFAULT_PASSWORD).status_code == 302
    db.session.expire_all()
    assert db.session.get(LoginThrottle, "login:ghost") is None
    assert db.session.get(LoginThrottle, "login:fresh").failures == 1
