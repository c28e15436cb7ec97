"""Settings stored in the database, with defaults in code, read once per request."""

from dataclasses import dataclass

from flask import g, has_app_context
from sqlalchemy import String, Text, select
from sqlalchemy.orm import Mapped, mapped_column

from portal.extensions import db


@dataclass(frozen=True)
class SettingDef:
    key: str
    label: str
    default: str
    multiline: bool = False
    required: bool = True


SETTINGS = (
    SettingDef(
        "org_full_name",
        "Полное наименование организации",
        "Муниципальное бюджетное учреждение дополнительного образования Центр «Эдельвейс»",
    ),
    SettingDef("org_short_name", "Краткое наименование", "МБУ ДО Центр «Эдельвейс»"),
    SettingDef("org_address", "Адрес", "г. Пошехонье, ул. Советская, д. 1"),
    SettingDef("city", "Город (для документов)", "Пошехонье"),
    SettingDef("director_name", "ФИО директора", "Марина Татьяна Витальевна"),
    SettingDef("director_short", "Директор (кратко, для подписи)", "Марина Т. В."),
    SettingDef(
        "regulation_order", "Приказ о Положении о наставничестве", "приказ от 21.11.2022 № 109/1"
    ),
    SettingDef(
        "pd_responsible",
        "Ответственный за обработку персональных данных",
        "Куратор программы наставничества",
    ),
    SettingDef("org_inn", "ИНН организации", "7624001234"),
    SettingDef("org_ogrn", "ОГРН организации", "1027601234567"),
    SettingDef("site_url", "Сайт Центра", "https://edelweiss.example.ru"),
    SettingDef("vk_group_url", "Группа Центра ВКонтакте", "https://vk.com/edelweiss_center"),
    # 63-ФЗ ст. 9 ч. 2: inside the centre a ПЭП equals a handwritten signature only under a
    # local act. Until its order is recorded, electronic signing stays off (paper route only).
    SettingDef(
        "esign_order_number",
        "Приказ об утверждении правил ПЭП: номер (пусто — электронная подпись выключена)",
        "",
        required=False,
    ),
    SettingDef(
        "esign_order_date",
        "Приказ об утверждении правил ПЭП: дата (ДД.ММ.ГГГГ)",
        "",
        required=False,
    ),
    SettingDef(
        "signature_rules",
        "Правила использования простой электронной подписи",
        "1. Простой электронной подписью (ст. 5, 9 Федерального закона от 06.04.2011 № 63-ФЗ) "
        "на портале наставничества признаётся подтверждение действия вводом пароля учётной "
        "записи или одноразового кода, выданного куратором.\n"
        "2. Документ, подписанный простой электронной подписью, признаётся равнозначным "
        "документу на бумажном носителе, подписанному собственноручной подписью.\n"
        "3. Подписант определяется по учётной записи или по одноразовому коду, выданному "
        "лично ему для конкретного документа.\n"
        "4. Пользователь обязан хранить пароль и одноразовые коды в тайне и не передавать "
        "их третьим лицам; при подозрении на компрометацию — сообщить администратору.\n"
        "5. В подписанном документе указываются подписант, дата и время подписи.",
        multiline=True,
    ),
    SettingDef("portal_url", "Адрес портала для ссылок в письмах", "", required=False),
    SettingDef(
        "smtp_host",
        "Почтовый сервер (SMTP) для ежедневной сводки уведомлений; пусто — письма не отправляются",
        "",
        required=False,
    ),
    SettingDef("smtp_port", "Порт SMTP", "25", required=False),
    SettingDef("smtp_starttls", "Шифрование STARTTLS (да / нет)", "нет", required=False),
    SettingDef(
        "smtp_login",
        "Логин SMTP (пароль задаётся в конфигурации сервера: PORTAL_SMTP_PASSWORD)",
        "",
        required=False,
    ),
    SettingDef("smtp_from", "Адрес отправителя писем", "", required=False),
)
SETTINGS_BY_KEY = {s.key: s for s in SETTINGS}


class Setting(db.Model):
    __tablename__ = "settings"

    key: Mapped[str] = mapped_column(String(60), primary_key=True)
    value: Mapped[str] = mapped_column(Text)


def get_settings() -> dict[str, str]:
    """All settings with defaults filled in; read from the database once per request."""
    if has_app_context() and "portal_settings" in g:
        return g.portal_settings
    values = {s.key: s.default for s in SETTINGS}
    values.update({row.key: row.value for row in db.session.scalars(select(Setting))})
    if has_app_context():
        g.portal_settings = values
    return values


def esign_order(values: dict[str, str] | None = None) -> tuple[str, str] | None:
    """The (number, date) of the order adopting the ПЭП rules, or None while not adopted."""
    values = values or get_settings()
    number = (values.get("esign_order_number") or "").strip()
    on = (values.get("esign_order_date") or "").strip()
    return (number, on) if number and on else None


def esign_order_problem(values: dict[str, str]) -> str | None:
    """Why the pair (number, date) cannot be saved: both or neither, a real past date."""
    from datetime import datetime

    number = (values.get("esign_order_number") or "").strip()
    on = (values.get("esign_order_date") or "").strip()
    if not number and not on:
        return None
    if not number:
        return "Укажите номер приказа об утверждении правил ПЭП — без него подпись не включается."
    if not on:
        return "Укажите дату приказа об утверждении правил ПЭП (ДД.ММ.ГГГГ)."
    try:
        datetime.strptime(on, "%d.%m.%Y")
    except ValueError:
        return "Дата приказа — в виде ДД.ММ.ГГГГ, например 01.09.2026."
    return None


def save_settings(values: dict[str, str]) -> dict[str, list[str]]:
    """Store changed settings and return {key: [old, new]} of what changed."""
    current = get_settings()
    changes = {}
    for key, value in values.items():
        if key not in SETTINGS_BY_KEY or current.get(key) == value:
            continue
        changes[key] = [current.get(key), value]
        row = db.session.get(Setting, key)
        if row is None:
            db.session.add(Setting(key=key, value=value))
        else:
            row.value = value
    g.pop("portal_settings", None)
    return changes
