from datetime import timedelta

from django.utils import timezone

from ombuds.core.models import IdempotencyRecord
from ombuds.core.tasks import forget_old_idempotency_records


def test_idempotency_records_are_kept_a_day(workspace):
    def record(key, age):
        row = IdempotencyRecord.objects.create(
            workspace=workspace,
            key=key,
            method="POST",
            path="/api/v1/cases",
            request_hash="x",
            status_code=201,
            response_body=b"{}",
        )
        IdempotencyRecord.objects.filter(pk=row.pk).update(created_at=timezone.now() - age)

    record("fresh", timedelta(hours=23))
    record("stale", timedelta(hours=25))
    assert forget_old_idempotency_records() == 1
    assert list(IdempotencyRecord.objects.values_list("key", flat=True)) == ["fresh"]
