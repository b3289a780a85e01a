"""Numbers handed out one at a time, safely under concurrent writers."""

from django.db import IntegrityError, connection, transaction

from .models import Counter


def next_number(scope: str) -> int:
    """Take the next number of `scope`. Call inside the transaction that uses it.

    The UPDATE takes the row lock, so parallel writers queue on it instead of
    reading the same value; a rolled-back transaction returns its number.
    """
    table = connection.ops.quote_name(Counter._meta.db_table)
    with connection.cursor() as cursor:
        cursor.execute(
            f"UPDATE {table} SET value = value + 1 WHERE scope = %s RETURNING value", [scope]
        )
        row = cursor.fetchone()
    if row is not None:
        return row[0]
    try:
        with transaction.atomic():
            Counter.objects.create(scope=scope, value=1)
        return 1
    except IntegrityError:
        # Another writer created the row first; take the next value after theirs.
        return next_number(scope)
