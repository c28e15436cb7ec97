"""Two worker processes hammer the same field of one plan on PostgreSQL: nothing is lost."""

import json
import os
import subprocess
import sys
import textwrap
from pathlib import Path

import pytest
from sqlalchemy import func, select

from portal.extensions import db
from portal.plans.models import Plan, PlanChange, PlanItem
from tests import factories

pytestmark = pytest.mark.postgres
ROOT = Path(__file__).resolve().parents[1]

WORKER = textwrap.dedent(
    """
    import json, re, sys
    from portal import create_app

    url, instance, user_id, item_id, who, rounds = sys.argv[1:7]
    app = create_app({"TESTING": True, "DATABASE_URL": url, "SECRET_KEY": "test-secret",
                      "INSTANCE_PATH": instance, "WTF_CSRF_ENABLED": False})
    client = app.test_client()
    with app.app_context():
        from portal.accounts import sessions
        from portal.accounts.models import User
        from portal.extensions import db
        user = db.session.get(User, int(user_id))
        _record, key, _token = sessions.start(user, remember=False, ip=None, user_agent="worker")
        db.session.commit()
    with client.session_transaction() as session:
        session["_user_id"] = key
        session["_fresh"] = True
    applied, conflicts, other = [], 0, []
    base = None
    for n in range(int(rounds)):
        if base is None or n % 3 == 0:  # now and then the screen catches up; often it is stale
            html = client.get(f"/plans/items/{item_id}/result").get_data(as_text=True)
            base = int(re.search(r'data-version="(\\d+)"', html).group(1))
        value = f"{who}-{n}"
        response = client.post(f"/plans/items/{item_id}/result",
                               data={"value": value, "base": str(base)})
        html = response.get_data(as_text=True)
        if response.status_code == 200:
            applied.append(value)
            base = int(re.search(r'data-version="(\\d+)"', html).group(1))
        elif response.status_code == 409 and value in html:
            conflicts += 1
        else:
            other.append(response.status_code)
    print(json.dumps({"applied": applied, "conflicts": conflicts, "other": other}))
    """
)


@pytest.fixture
def postgres_url(database_url):
    if not database_url.startswith("postgresql"):
        pytest.skip("нужен PostgreSQL: задайте TEST_DATABASE_URL=postgresql+psycopg://…")
    return database_url


def test_two_processes_saving_the_same_field_lose_nothing(
    app, postgres_url, instance_path, mentor, mentee
):
    world = factories.make_plan_world(mentor, mentee)
    item = world.items[0]
    rounds = 60
    env = {**os.environ, "PYTHONPATH": str(ROOT)}
    workers = [
        subprocess.Popen(
            [
                sys.executable,
                "-c",
                WORKER,
                postgres_url,
                str(instance_path),
                str(user.id),
                str(item.id),
                who,
                str(rounds),
            ],
            stdout=subprocess.PIPE,
            stderr=subprocess.PIPE,
            text=True,
            cwd=ROOT,
            env=env,
        )
        for user, who in ((mentor, "mentor"), (mentee, "mentee"))
    ]
    results = []
    for worker in workers:
        out, err = worker.communicate(timeout=240)
        assert worker.returncode == 0, err
        results.append(json.loads(out.strip().splitlines()[-1]))
    applied = [v for r in results for v in r["applied"]]
    conflicts = sum(r["conflicts"] for r in results)
    assert all(r["other"] == [] for r in results), results
    assert len(applied) + conflicts == 2 * rounds
    assert conflicts > 0 and all(r["applied"] for r in results)  # both sides got through

    db.session.expire_all()
    history = list(
        db.session.scalars(
            select(PlanChange)
            .where(PlanChange.item_id == item.id, PlanChange.field == "result")
            .order_by(PlanChange.item_version)
        )
    )
    assert len(history) == len(applied)
    assert sorted(c.new for c in history) == sorted(applied)
    for before, after in zip(history, history[1:], strict=False):
        assert after.old == before.new  # each applied save saw the one before it
        assert after.item_version > before.item_version
    stored = db.session.get(PlanItem, item.id)
    assert stored.result == history[-1].new
    plan = db.session.get(Plan, world.plan.id)
    versions = db.session.scalar(
        select(func.count(func.distinct(PlanChange.plan_version))).where(
            PlanChange.plan_id == plan.id
        )
    )
    total = db.session.scalar(
        select(func.count()).select_from(PlanChange).where(PlanChange.plan_id == plan.id)
    )
    assert versions == total  # every accepted change got its own plan version
    assert plan.version == max(c.plan_version for c in history)
