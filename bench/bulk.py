"""What the benchmarks that build large databases share: Django set up on a fresh
database, and rows written by `INSERT … SELECT` over a numbered series, which is what
makes a million rows take minutes instead of hours. Imported by the benchmark scripts
(run as `python bench/NAME.py`, so this directory is on the path)."""

from __future__ import annotations

import os
from pathlib import Path

PG_ADMIN = os.environ.get(
    "OMBUDS_BENCH_POSTGRES_ADMIN", "postgresql://postgres@127.0.0.1:5432/postgres"
)


def setup_django(database_url: str, data_dir: Path) -> None:
    os.environ["DATABASE_URL"] = database_url
    os.environ["OMBUDS_DATA_DIR"] = str(data_dir)
    os.environ["DJANGO_SETTINGS_MODULE"] = "ombuds.config.settings"
    os.environ["OMBUDS_EMAIL_BACKEND"] = "django.core.mail.backends.locmem.EmailBackend"
    import django

    django.setup()
    from django.core.management import call_command

    call_command("migrate", verbosity=0)


def series(vendor: str, first: int, last: int) -> str:
    """Rows numbered i = first..last, as the FROM clause of an INSERT … SELECT."""
    if vendor == "postgresql":
        return f"generate_series({first}::bigint, {last}::bigint) AS s(i)"
    return (
        f"(WITH RECURSIVE s(i) AS (SELECT {first} UNION ALL SELECT i + 1 FROM s "
        f"WHERE i < {last}) SELECT i FROM s) AS s"
    )


def columns(model, values: dict[str, str]) -> tuple[str, str]:
    """Every concrete column of `model` but its id: the given SQL, else NULL or the
    field's default (so columns added later by other apps still get a value)."""
    from django.db import connection

    names, exprs = [], []
    for f in model._meta.concrete_fields:
        if f.primary_key:
            continue
        names.append(connection.ops.quote_name(f.column))
        if f.column in values:
            exprs.append(values[f.column])
        elif f.null:
            exprs.append("NULL")
        elif f.has_default():
            value = f.get_db_prep_save(f.get_default(), connection)
            exprs.append(
                "'" + str(value).replace("'", "''") + "'" if isinstance(value, str) else str(value)
            )
        else:
            raise RuntimeError(f"no value for {model.__name__}.{f.column}")
    return ", ".join(names), ", ".join(exprs)


def pg_admin(statement: str) -> None:
    import psycopg

    with psycopg.connect(PG_ADMIN, autocommit=True) as conn:
        conn.execute(statement)
