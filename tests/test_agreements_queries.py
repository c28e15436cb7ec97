"""The agreements archive costs the same number of SQL queries for 3 rows as for 20 (no N+1)."""

from datetime import date

from sqlalchemy import event

from portal.extensions import db
from tests import factories


def _get_counting(client, url):
    statements = []

    def listener(conn, cursor, statement, *args):
        statements.append(statement)

    event.listen(db.engine, "before_cursor_execute", listener)
    try:
        response = client.get(url)
    finally:
        event.remove(db.engine, "before_cursor_execute", listener)
    return response, len(statements)


def _issued_agreements(first: int, count: int, curator) -> None:
    for n in range(first, first + count):
        mentor = factories.make_person(
            f"Наставникова{n}",
            "Анна",
            "Игоревна",
            birth_date=date(1980, 1, 1),
            category="педагог",
            is_mentor=True,
            consent=True,
        )
        mentee = factories.make_person(
            f"Ученик{n}",
            "Пётр",
            "Ильич",
            birth_date=date(2005, 1, 1),
            is_mentee=True,
            consent=True,
        )
        factories.make_agreement(factories.make_pair(mentor, [mentee]), issue=True, by=curator)


def test_the_archive_does_not_grow_in_queries_with_rows(app, client, auth, curator):
    auth.login(curator)
    _issued_agreements(0, 3, curator)
    few, few_queries = _get_counting(client, "/agreements")
    _issued_agreements(3, 17, curator)  # 20 rows: still one page of 25
    many, many_queries = _get_counting(client, "/agreements")
    assert few.get_data(as_text=True).count("Наставникова") == 3
    page = many.get_data(as_text=True)
    assert page.count("Наставникова") == 20 and "Ученик19 П.И." in page
    assert many_queries == few_queries
