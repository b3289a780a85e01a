"""Case references stay unique when many writers open cases at the same moment."""

import threading

import pytest
from django.db import connections, transaction

from ombuds.conversations.models import Case
from tests import builders

WRITERS = 8
CASES_EACH = 15


@pytest.mark.postgres_only
@pytest.mark.django_db(transaction=True)
def test_parallel_writers_get_distinct_consecutive_numbers():
    workspace = builders.workspace("busy", prefix="BUSY")
    buyers = [builders.party(workspace, f"B{i}", email=f"b{i}@example.com") for i in range(WRITERS)]
    start = threading.Barrier(WRITERS)
    failures: list[BaseException] = []

    def write(buyer):
        try:
            start.wait()
            for _ in range(CASES_EACH):
                builders.case(workspace, requester=buyer)
        except BaseException as exc:  # reported below, not swallowed
            failures.append(exc)
        finally:
            connections.close_all()

    threads = [threading.Thread(target=write, args=(b,)) for b in buyers]
    for thread in threads:
        thread.start()
    for thread in threads:
        thread.join(timeout=60)

    assert failures == []
    numbers = sorted(Case.objects.filter(workspace=workspace).values_list("number", flat=True))
    assert numbers == list(range(1, WRITERS * CASES_EACH + 1))
    references = set(Case.objects.filter(workspace=workspace).values_list("reference", flat=True))
    assert len(references) == WRITERS * CASES_EACH


@pytest.mark.django_db(transaction=True)
def test_a_rolled_back_case_gives_its_number_back():
    workspace = builders.workspace("rollback", prefix="RB")
    buyer = builders.party(workspace, "B", email="b@example.com")
    builders.case(workspace, requester=buyer)
    with pytest.raises(RuntimeError), transaction.atomic():
        builders.case(workspace, requester=buyer)
        raise RuntimeError("the request failed after the number was taken")
    assert builders.case(workspace, requester=buyer).reference == "RB-2"
