"""The matching screen, its suggestions and the pairs list cost the same number of queries
whether there are a few people or many (no N+1)."""

from contextlib import contextmanager

from sqlalchemy import event

from portal.extensions import db
from tests import factories


@contextmanager
def counting():
    statements = []

    def before(conn, cursor, statement, parameters, context, executemany):
        statements.append(statement)

    event.listen(db.engine, "before_cursor_execute", before)
    try:
        yield statements
    finally:
        event.remove(db.engine, "before_cursor_execute", before)


def _grow(form, n: int, start: int) -> None:
    for k in range(start, start + n):
        mentor = factories.make_mentor_person(
            f"Наставник{k}",
            capacity=2,
            interests=("робототехника", f"тема{k}"),
            competencies=("робототехника", f"умение{k}"),
        )
        mentee = factories.make_mentee_person(f"Ученик{k}", interests=(f"тема{k}",))
        paired = factories.make_mentee_person(f"Впаре{k}")
        factories.make_pair(mentor, [paired], form)
        factories.make_mentee_person(f"Свободный{k}", request_tags=(f"умение{k}",))
        del mentee


def _measure(client, urls) -> list[int]:
    counts = []
    for url in urls:
        with counting() as statements:
            response = client.get(url, headers={"HX-Request": "true"})
        assert response.status_code == 200, url
        counts.append(len(statements))
    return counts


def test_query_counts_do_not_grow_with_data(client, auth, curator):
    forms = factories.make_matching_forms()
    form = forms["teacher-student"]
    auth.login(curator)
    _grow(form, 3, 0)
    probe = factories.make_mentee_person("Проба", "Пётр")
    urls = [
        f"/matching?form={form.id}",
        f"/matching/suggest?form={form.id}&mentee={probe.id}",
        "/matching/pairs",
    ]
    small = _measure(client, urls)
    _grow(form, 15, 100)
    large = _measure(client, urls)
    assert small == large
    # Today 7, 11 and 6 (login, roles and the page's own batch queries); some slack for later.
    assert large[0] <= 10 and large[1] <= 14 and large[2] <= 9, large
    page = client.get(
        f"/matching/suggest?form={form.id}&mentee={probe.id}", headers={"HX-Request": "true"}
    ).get_data(as_text=True)
    assert page.count('class="card suggestion"') == 10  # the data did grow
