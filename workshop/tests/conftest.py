import pytest
from django.db import connection


@pytest.fixture(scope="module", autouse=True)
def _money_probe_table(django_db_setup, django_db_blocker):
    from workshop.tests.moneyprobe import MoneyProbe

    with django_db_blocker.unblock():
        with connection.schema_editor() as editor:
            editor.create_model(MoneyProbe)
        yield
        with connection.schema_editor() as editor:
            editor.delete_model(MoneyProbe)
