"""What personal data the portal stores about a person: the one list the consent names.

152-ФЗ ст. 9 ч. 4 п. 5 requires the consent to list the data processed. The list is derived
from the model, not written by hand: every column of a person is either described here or
declared not personal data, and a test fails for a new column that is neither.
"""

from portal.people.models import Person

# Person column -> the line of the consent that covers it (several columns may share one).
PERSON_FIELDS: dict[str, str] = {
    "last_name": "фамилия, имя, отчество",
    "first_name": "фамилия, имя, отчество",
    "middle_name": "фамилия, имя, отчество",
    "birth_date": "дата рождения и возраст",
    "category": "категория участника (обучающийся, педагог, специалист, выпускник, родитель, "
    "внешний эксперт)",
    "club": "объединение Организации, класс или год обучения",
    "study_level": "объединение Организации, класс или год обучения",
    "workplace": "место работы или учёбы, должность",
    "position": "место работы или учёбы, должность",
    "phone": "номер мобильного телефона",
    "email": "адрес электронной почты",
    "messenger": "контакт в мессенджере и предпочтительный способ связи",
    "preferred_channel": "контакт в мессенджере и предпочтительный способ связи",
    "key_request": "ключевой запрос наставляемого",
    "achievements": "ключевые компетенции и достижения",
    "desired_age_min": "пожелания к наставничеству: желаемый возраст наставляемых, число "
    "наставляемых, время и формат общения",
    "desired_age_max": "пожелания к наставничеству: желаемый возраст наставляемых, число "
    "наставляемых, время и формат общения",
    "capacity": "пожелания к наставничеству: желаемый возраст наставляемых, число "
    "наставляемых, время и формат общения",
    "comm_time": "пожелания к наставничеству: желаемый возраст наставляемых, число "
    "наставляемых, время и формат общения",
    "comm_format": "пожелания к наставничеству: желаемый возраст наставляемых, число "
    "наставляемых, время и формат общения",
    "entered_on": "сведения об участии в программе наставничества: даты вхождения и "
    "завершения, статус участия, результаты, отметка о прохождении обучения наставников",
    "completed_on": "сведения об участии в программе наставничества: даты вхождения и "
    "завершения, статус участия, результаты, отметка о прохождении обучения наставников",
    "results": "сведения об участии в программе наставничества: даты вхождения и "
    "завершения, статус участия, результаты, отметка о прохождении обучения наставников",
    "status": "сведения об участии в программе наставничества: даты вхождения и "
    "завершения, статус участия, результаты, отметка о прохождении обучения наставников",
    "training_completed": "сведения об участии в программе наставничества: даты вхождения и "
    "завершения, статус участия, результаты, отметка о прохождении обучения наставников",
    "training_completed_on": "сведения об участии в программе наставничества: даты вхождения и "
    "завершения, статус участия, результаты, отметка о прохождении обучения наставников",
    "is_mentor": "роль в программе (наставник, наставляемый)",
    "is_mentee": "роль в программе (наставник, наставляемый)",
    "case_url": "ссылка на кейс или отзыв на сайте Организации",
    "notes": "служебные заметки куратора об участии в программе",
}

# Columns that are not data about the person: keys, indexes, timestamps of the record.
NOT_PERSONAL_DATA = frozenset({"id", "search_key", "created_at", "updated_at", "anonymised_at"})

# Data kept about the person outside their own row (tags, links, documents, plans).
RELATED_DATA: tuple[str, ...] = (
    "интересы",
    "сведения о законных представителях и документе, подтверждающем их полномочия",
    "состав наставнической пары или группы, форма наставничества, наставник и наставляемые",
    "индивидуальный план наставничества, записи о встречах и их результатах",
    "соглашение о сотрудничестве и сведения о его подписании",
    "сканы подписанных документов (согласий, соглашений)",
)


def unlisted_columns(columns=None) -> set[str]:
    """Columns of the person table (or the given names) the consent does not account for."""
    names = set(columns) if columns is not None else {c.key for c in Person.__table__.columns}
    return names - set(PERSON_FIELDS) - NOT_PERSONAL_DATA


def consent_data_lines() -> list[str]:
    """The consent's list of data: the person's columns, then what is kept around them."""
    lines: list[str] = []
    for column in Person.__table__.columns:
        line = PERSON_FIELDS.get(column.key)
        if line and line not in lines:
            lines.append(line)
    lines.extend(RELATED_DATA)
    return lines
