from django.db import migrations, models


def fill_name_keys(apps, schema_editor):
    Branch = apps.get_model("accounts", "Branch")
    for branch in Branch.objects.all().only("pk", "name"):
        Branch.objects.filter(pk=branch.pk).update(name_key=branch.name.strip().casefold())


class Migration(migrations.Migration):
    """A stored case-folded name instead of 0004's lower(name) index: the tenancy rule wants
    `workshop` among a unique constraint's fields, and Python's casefold also folds letters
    SQLite's lower() leaves alone."""

    dependencies = [
        ("accounts", "0004_branch_name_case_insensitive"),
    ]

    operations = [
        migrations.RemoveConstraint(model_name="branch", name="branch_name_ci_unique"),
        migrations.AddField(
            model_name="branch",
            name="name_key",
            field=models.CharField(default="", editable=False, max_length=200),
            preserve_default=False,
        ),
        migrations.RunPython(fill_name_keys, migrations.RunPython.noop),
        migrations.AddConstraint(
            model_name="branch",
            constraint=models.UniqueConstraint(
                fields=("workshop", "name_key"), name="branch_name_key_unique"
            ),
        ),
    ]
