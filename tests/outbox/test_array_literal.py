"""Many values as ONE PostgreSQL array literal (outbox.bulk.array_literal, ids_in): what PostgreSQL reads back is
exactly what was sent, whatever the text holds."""

import json

import pytest
from django.db import connection

from outbox.bulk import array_literal, ids_in
from outbox.models import Message

AWKWARD = ["", "plain", 'a "quoted" word', "back\\slash", "\\", '"', "{braces}", "a,b", "NULL", "null", " spaced ",
           "new\nline", "tab\there", "Zoë Ğ 日本", "'single'", "}{", "trailing\\"]


def read_back(literal, kind):
    with connection.cursor() as cursor:
        cursor.execute(f"SELECT %s::{kind}[]", [literal])
        return cursor.fetchone()[0]


@pytest.mark.django_db
def test_text_comes_back_as_it_was_sent():
    assert read_back(array_literal(AWKWARD), "varchar") == AWKWARD
    assert read_back(array_literal([*AWKWARD, None]), "text") == [*AWKWARD, None]  # None is NULL, "NULL" is text


@pytest.mark.django_db
def test_numbers_booleans_nulls_and_json():
    assert read_back(array_literal([1, -2, 3_000_000_000, None]), "bigint") == [1, -2, 3_000_000_000, None]
    assert read_back(array_literal([True, False, None]), "boolean") == [True, False, None]
    values = [{"title": t, "items": [1, "x"]} for t in AWKWARD]
    with connection.cursor() as cursor:
        cursor.execute("SELECT v::text FROM unnest(%s::jsonb[]) AS v", [array_literal(json.dumps(v) for v in values)])
        assert [json.loads(row[0]) for row in cursor.fetchall()] == values
    assert read_back(array_literal([]), "integer") == []


@pytest.mark.django_db
def test_ids_in_is_pk_in_with_one_parameter():
    messages = [Message.objects.create(key=f"k{i}", handler="outbox.deliver", arguments={}) for i in range(5)]
    wanted = [messages[0].pk, messages[3].pk, 10**12]
    query = Message.objects.filter(ids_in("pk", wanted))
    assert sorted(query.values_list("pk", flat=True)) == sorted(wanted[:2])
    sql, params = query.query.sql_with_params()
    assert "= ANY(%s::bigint[])" in sql and len(params) == 1
    assert not Message.objects.filter(ids_in("pk", [])).exists()
