"""Dashboard, health check, error pages and settings."""

from sqlalchemy import select

from portal import create_app
from portal.audit import AuditEvent
from portal.extensions import db
from portal.settings.models import get_settings
from tests import factories
from tests.conftest import make_test_config


def test_dashboard_tells_each_role_what_it_may_do(client, auth, parent):
    auth.login(parent)
    page = client.get("/").get_data(as_text=True)
    assert "Законный представитель" in page
    assert "подписываете согласие и соглашение за ребёнка младше 14 лет" in page
    assert "Пользователи" not in page  # not in a parent's menu


def test_dashboard_for_curator_lists_sections(client, auth, curator):
    auth.login(curator)
    page = client.get("/").get_data(as_text=True)
    assert "формируете наставнические пары и группы" in page
    assert 'href="/users"' in page


def test_healthz_ok(client):
    response = client.get("/healthz")
    assert response.status_code == 200
    assert response.json == {"status": "ok", "database": "ok"}


def test_healthz_503_when_database_is_down(tmp_path):
    app = create_app(make_test_config("sqlite:///" + str(tmp_path / "missing" / "no.db"), tmp_path))
    response = app.test_client().get("/healthz")
    assert response.status_code == 503
    assert response.json["database"] == "unavailable"


def test_404_is_russian(client, auth, curator):
    auth.login(curator)
    response = client.get("/no-such-page")
    assert response.status_code == 404
    assert "Страница не найдена" in response.get_data(as_text=True)


def test_htmx_error_is_a_fragment(client, auth, mentor):
    auth.login(mentor)
    response = client.get("/users", headers={"HX-Request": "true"})
    assert response.status_code == 403
    html = response.get_data(as_text=True)
    assert "Доступ запрещён" in html and "<html" not in html


def test_responses_vary_on_hx_request(client):
    assert "HX-Request" in client.get("/login").headers["Vary"]


def test_admin_changes_settings_and_it_is_logged(client, auth, admin):
    auth.login(admin)
    data = dict(get_settings())
    data["city"] = "Ярославль"
    response = client.post("/settings", data=data, follow_redirects=True)
    assert "Настройки сохранены." in response.get_data(as_text=True)
    db.session.expire_all()
    assert get_settings()["city"] == "Ярославль"
    event = db.session.scalar(select(AuditEvent).where(AuditEvent.action == "settings_changed"))
    assert event.changes == {"city": ["Пошехонье", "Ярославль"]}


def test_settings_refuse_empty_values(client, auth, admin):
    auth.login(admin)
    data = dict(get_settings())
    data["org_short_name"] = ""
    response = client.post("/settings", data=data)
    assert response.status_code == 422
    assert "Заполните поле." in response.get_data(as_text=True)


def test_secret_key_is_generated_into_instance(tmp_path):
    config = make_test_config("sqlite://", tmp_path / "inst")
    del config["SECRET_KEY"]
    first = create_app(config).config["SECRET_KEY"]
    second = create_app(config).config["SECRET_KEY"]
    assert first == second and len(first) == 64
    assert oct((tmp_path / "inst" / "secret_key").stat().st_mode)[-3:] == "600"


def test_environment_overrides_instance_config(tmp_path, monkeypatch):
    (tmp_path / "config.py").write_text("PAGE_SIZE = 10\nDATABASE_URL = 'sqlite:///a.db'\n")
    monkeypatch.setenv("PORTAL_PAGE_SIZE", "40")
    app = create_app({"INSTANCE_PATH": str(tmp_path), "SECRET_KEY": "x"})
    assert app.config["PAGE_SIZE"] == 40
    assert app.config["SQLALCHEMY_DATABASE_URI"] == "sqlite:///a.db"


def test_password_is_never_in_a_page(client, auth, curator):
    auth.login(curator)
    kid = factories.make_user(login="kid", roles=["mentee"])
    page = client.get("/users").get_data(as_text=True)
    assert kid.password_hash not in page
