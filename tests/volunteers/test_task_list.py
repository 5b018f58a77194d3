"""The one task list: offered once whatever the retries, taken by exactly one volunteer of the
building, done or cancelled by the app that offered it, every step kept."""

import pytest

from households.models import Role
from households.scoping import AreaScope
from lockdown.core.errors import NotPermitted, ServiceError
from lockdown.core.transitions import TransitionLost
from tests.concurrency import at_once
from tests.households.factories import user_with_role
from volunteers.models import Task, TaskEvent
from volunteers.task_list import (
    Offer,
    task_cancel,
    task_claim,
    task_done,
    task_finish,
    task_give_back,
    task_offer,
    tasks_offer,
)

State = Task.State


def offer(world, key="parcel-7", building=None):
    return task_offer(
        kind="parcel", source_key=key, title="送快递到12-3-501", place="12-3-501", building=building or world.building
    )


def steps(task):
    return list(TaskEvent.objects.filter(task=task).values_list("from_state", "to_state", "actor__username"))


@pytest.fixture
def volunteers(world):
    """Two volunteers of the world's building."""
    return [world.users[Role.VOLUNTEER], user_with_role(Role.VOLUNTEER, world.building, username="volunteer2")]


def test_offering_the_same_thing_twice_gives_one_task(world):
    first, again = offer(world), offer(world)

    assert first.pk == again.pk
    assert steps(first) == [("", State.OPEN, None)]


def test_a_volunteer_of_the_building_takes_a_task_and_the_app_marks_it_done(world, volunteers):
    task = offer(world)

    taken = task_claim(actor=volunteers[0], task=task)
    done = task_done(task=taken)

    assert (taken.state, taken.claimed_by) == (State.CLAIMED, volunteers[0])
    assert done.state == State.DONE
    assert steps(task) == [("", "open", None), ("open", "claimed", "volunteer"), ("claimed", "done", None)]


def test_the_second_volunteer_is_told_who_has_the_task_and_nothing_changes(world, volunteers):
    task = task_claim(actor=volunteers[0], task=offer(world))

    with pytest.raises(TransitionLost) as lost:
        task_claim(actor=volunteers[1], task=task)

    assert lost.value.message.startswith("volunteer recorded “Taken” at ")
    assert Task.objects.get(pk=task.pk).claimed_by == volunteers[0]
    assert len(steps(task)) == 2


def test_a_task_outside_the_volunteer_s_buildings_can_be_neither_taken_nor_seen(world):
    task = offer(world, building=world.far_building)
    volunteer = world.users[Role.VOLUNTEER]

    with pytest.raises(NotPermitted):
        task_claim(actor=volunteer, task=task)

    assert Task.objects.get(pk=task.pk).state == State.OPEN
    assert list(AreaScope.for_user(volunteer).filter(Task.objects.all())) == []
    assert list(AreaScope.for_user(world.users[Role.COMMITTEE_STAFF]).filter(Task.objects.all())) == []
    assert list(AreaScope.for_user(world.users[Role.STREET_ADMIN]).filter(Task.objects.all())) == [task]


def test_only_the_volunteer_who_took_a_task_gives_it_back(world, volunteers):
    task = task_claim(actor=volunteers[0], task=offer(world))

    with pytest.raises(NotPermitted, match="Only volunteer, who took this task, can give it back"):
        task_give_back(actor=volunteers[1], task=task)
    given_back = task_give_back(actor=volunteers[0], task=task, why="腿扭了")

    assert (given_back.state, given_back.claimed_by) == (State.OPEN, None)
    assert TaskEvent.objects.filter(task=task).last().why == "腿扭了"
    assert task_claim(actor=volunteers[1], task=task).claimed_by == volunteers[1]


def test_a_task_done_or_cancelled_is_not_done_or_taken_again(world, volunteers):
    done = task_done(task=offer(world, key="a"))
    cancelled = task_cancel(task=offer(world, key="b"), why="居民已在门口取走")

    for task in (done, cancelled):
        with pytest.raises(TransitionLost):
            task_done(task=task)
        with pytest.raises(TransitionLost):
            task_claim(actor=volunteers[0], task=task)
    assert [Task.objects.get(pk=t.pk).state for t in (done, cancelled)] == [State.DONE, State.CANCELLED]


@pytest.mark.django_db(transaction=True)
def test_of_volunteers_taking_one_task_at_once_on_postgresql_exactly_one_has_it(on_postgres, world):
    task = offer(world)
    volunteers = [user_with_role(Role.VOLUNTEER, world.building, username=f"v{n}") for n in range(6)]

    writers = at_once(*(lambda v=v: task_claim(actor=v, task=task) for v in volunteers))

    winners = [w for w in writers if w.error is None]
    assert len(winners) == 1
    assert all(isinstance(w.error, TransitionLost) for w in writers if w.error), [repr(w.error) for w in writers]
    assert Task.objects.get(pk=task.pk).claimed_by == winners[0].result.claimed_by
    assert TaskEvent.objects.filter(task=task, to_state=State.CLAIMED).count() == 1


@pytest.mark.django_db(transaction=True)
def test_two_workers_offering_one_thing_at_once_on_postgresql_give_one_task(on_postgres, world):
    writers = at_once(*(lambda: offer(world) for _ in range(4)))

    assert [w.error for w in writers] == [None] * 4
    assert len({w.result.pk for w in writers}) == 1
    assert Task.objects.count() == 1
    assert TaskEvent.objects.count() == 1


def test_only_the_volunteer_who_took_a_task_marks_it_done_and_only_once(world, volunteers):
    task = task_claim(actor=volunteers[0], task=offer(world))

    with pytest.raises(NotPermitted, match="Only volunteer, who took this task, can mark it done"):
        task_finish(actor=volunteers[1], task=task)
    assert Task.objects.get(pk=task.pk).state == State.CLAIMED
    finished = task_finish(actor=volunteers[0], task=task, why="已送到门口")

    assert finished.state == State.DONE
    with pytest.raises(TransitionLost):
        task_finish(actor=volunteers[0], task=task)
    with pytest.raises(NotPermitted, match="Take this task first"):
        task_finish(actor=volunteers[0], task=offer(world, key="not-taken"))


def offers(world, keys):
    return [
        Offer(source_key=key, title=f"送快递 {key}", building_id=world.building.pk, place="12-3-501") for key in keys
    ]


def test_offering_many_at_once_gives_each_one_task_with_its_one_step_and_again_nothing_more(world):
    single = offer(world, key="k1")

    first = tasks_offer(kind="parcel", offers=offers(world, ["k1", "k2", "k3", "k2"]))
    again = tasks_offer(kind="parcel", offers=offers(world, ["k1", "k2", "k3", "k4"]))

    assert sorted(first) == ["k1", "k2", "k3"]
    assert first["k1"].pk == single.pk
    assert first["k1"].title == "送快递到12-3-501"
    assert {key: task.pk for key, task in again.items() if key != "k4"} == {k: t.pk for k, t in first.items()}
    assert Task.objects.count() == 4
    assert sorted(TaskEvent.objects.values_list("task__source_key", "to_state")) == [
        (f"k{n}", "open") for n in range(1, 5)
    ]


def test_a_task_offered_at_once_needs_a_key_and_a_title_and_nothing_is_offered_without(world):
    with pytest.raises(ServiceError, match="needs its own key"):
        tasks_offer(kind="parcel", offers=[*offers(world, ["k1"]), Offer(source_key="", title="x", building_id=1)])
    with pytest.raises(ServiceError, match="needs a kind and a title"):
        tasks_offer(kind="parcel", offers=[*offers(world, ["k1"]), Offer(source_key="k2", title=" ", building_id=1)])

    assert not Task.objects.exists()


@pytest.mark.django_db(transaction=True)
def test_four_workers_offering_many_at_once_on_postgresql_give_one_task_and_one_step_each(on_postgres, world):
    keys = [f"k{n}" for n in range(50)]

    writers = at_once(*(lambda: tasks_offer(kind="parcel", offers=offers(world, keys)) for _ in range(4)))

    assert [w.error for w in writers] == [None] * 4
    assert all(sorted(w.result) == sorted(keys) for w in writers)
    assert Task.objects.count() == 50
    assert TaskEvent.objects.count() == 50
