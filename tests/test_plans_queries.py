"""The plans list costs the same number of SQL queries for 3 pairs as for 30 (no N+1)."""

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


def _pairs_with_plans(first: int, count: int) -> None:
    for n in range(first, first + count):
        mentor = factories.make_person(
            f"Наставникова{n}",
            "Анна",
            "Игоревна",
            birth_date=date(1980, 1, 1),
            category="педагог",
            is_mentor=True,
        )
        mentee = factories.make_person(f"Ученик{n}", "Пётр", "Ильич", is_mentee=True)
        factories.make_plan(factories.make_pair(mentor, [mentee]))


def test_the_plans_list_does_not_grow_in_queries_with_rows(app, client, auth, curator):
    auth.login(curator)
    _pairs_with_plans(0, 3)
    few, few_queries = _get_counting(client, "/plans")
    _pairs_with_plans(3, 27)
    many, many_queries = _get_counting(client, "/plans")
    assert few.get_data(as_text=True).count("Наставникова") == 3
    page = many.get_data(as_text=True)
    assert page.count("Наставникова") == 30 and "Ученик29 П.И." in page
    assert many_queries == few_queries
