"""The demo seeder of plans, fed by factories the way the matching seeder feeds it."""

import random
from collections import Counter

from sqlalchemy import func, select

from portal.demo import DemoContext
from portal.extensions import db
from portal.plans import demo
from portal.plans.models import Meeting, Plan, PlanChange, PlanItem
from tests import factories


def test_every_active_pair_gets_a_plan_with_work_by_both_sides(app, curator, mentor, mentee):
    mentor2 = factories.make_user(login="mentor2", roles=["mentor"], full_name="Васильев П. О.")
    mentee2 = factories.make_user(login="mentee2", roles=["mentee"], full_name="Смирнова А. И.")
    first = factories.make_plan_world(mentor, mentee, titles=())
    second_mentor = factories.make_person(
        "Васильев", "Павел", "Олегович", user=mentor2, category="педагог"
    )
    second_mentee = factories.make_person("Смирнова", "Алина", "Игоревна", user=mentee2)
    second = factories.make_pair(second_mentor, [second_mentee])
    closed = factories.make_pair(
        second_mentor, [factories.make_person("Петров")], status="завершена"
    )
    # The pair already has an (empty) plan: the seeder reuses it.
    ctx = DemoContext(password="demo2026", people_count=10, rng=random.Random(1))
    ctx.users = {
        "curator": curator,
        "mentor": mentor,
        "mentee": mentee,
        "mentor2": mentor2,
        "mentee2": mentee2,
    }
    ctx.extras["pairs"] = {"mentor": first.pair, "mentor2": second}
    demo.seed(ctx)
    db.session.commit()

    plans = {p.pair_id: p for p in db.session.scalars(select(Plan))}
    assert set(plans) == {first.pair.id, second.id}  # not the closed pair
    assert closed.id not in plans
    assert plans[first.pair.id].status == "утверждён"
    assert plans[second.id].status == "черновик"
    for pair, mentor_user, mentee_user in (
        (first.pair, mentor, mentee),
        (second, mentor2, mentee2),
    ):
        plan = plans[pair.id]
        items = plan.live_items
        assert len(items) >= 6
        assert len(Counter(i.status for i in items)) >= 2
        authors = set(
            db.session.scalars(select(PlanChange.user_id).where(PlanChange.plan_id == plan.id))
        )
        assert {mentor_user.id, mentee_user.id} <= authors
        meetings = db.session.scalar(
            select(func.count()).select_from(Meeting).where(Meeting.pair_id == pair.id)
        )
        assert meetings >= 3
    pending = db.session.scalar(
        select(func.count())
        .select_from(PlanItem)
        .where(PlanItem.plan_id == plans[second.id].id, PlanItem.proposed_by_mentee.is_(True))
    )
    assert pending == 1  # the mentee's proposal waits for the mentor
