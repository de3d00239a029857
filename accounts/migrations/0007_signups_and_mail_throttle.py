from django.core.management import call_command
from django.db import migrations, models

# settings.CACHES["throttle"]["LOCATION"]: where the account-mail limits count (accounts.throttle).
THROTTLE_TABLE = "accounts_throttle"


def create_throttle_table(apps, schema_editor):
    # Django's own cache table, so every web worker counts in the same place; made here so a
    # deployment's `migrate` is all it takes (createcachetable skips an existing table).
    call_command("createcachetable", THROTTLE_TABLE, database=schema_editor.connection.alias)


def drop_throttle_table(apps, schema_editor):
    schema_editor.execute(f"DROP TABLE IF EXISTS {schema_editor.quote_name(THROTTLE_TABLE)}")


class Migration(migrations.Migration):
    dependencies = [
        ("accounts", "0006_user_password_checks"),
    ]

    operations = [
        migrations.AddField(
            model_name="user",
            name="signups",
            field=models.JSONField(blank=True, default=list, editable=False),
        ),
        migrations.RunPython(create_throttle_table, drop_throttle_table),
    ]
