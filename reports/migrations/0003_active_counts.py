# The active tickets counted per tier and creation hour, and per assignee and breach, kept by
# triggers on the ticket table (reports.counts); filled here from the tickets, in the
# migration's transaction (creating the triggers holds off ticket writes until it commits).

from django.db import migrations, models

ACTIVE = ["new", "open", "pending_customer", "on_hold"]  # Status.active() at this migration


def install(apps, schema_editor):
    from reports import counts

    vendor = schema_editor.connection.vendor
    for statement in counts.install_sql(vendor, ACTIVE) + counts.count_sql(vendor, ACTIVE):
        schema_editor.execute(statement, params=None)


def uninstall(apps, schema_editor):
    from reports import counts

    for statement in counts.uninstall_sql(schema_editor.connection.vendor):
        schema_editor.execute(statement, params=None)


class Migration(migrations.Migration):
    dependencies = [
        ("reports", "0002_rollups_per_zone_day"),
        ("tickets", "0011_foreign_keys_covered_by_composite_indexes"),
    ]

    operations = [
        migrations.CreateModel(
            name="ActiveCount",
            fields=[
                ("id", models.BigAutoField(auto_created=True, primary_key=True, serialize=False, verbose_name="ID")),
                ("kind", models.CharField(choices=[("backlog", "Backlog"), ("workload", "Workload")], max_length=8)),
                ("organisation_id", models.IntegerField(null=True)),
                ("tier", models.CharField(blank=True, default="", max_length=2)),
                ("created_hour", models.DateTimeField(null=True)),
                ("assignee_id", models.IntegerField(null=True)),
                ("breached", models.BooleanField(default=False)),
                ("n", models.BigIntegerField()),
            ],
            options={
                "indexes": [models.Index(fields=["organisation_id", "kind"], name="activecount_org_kind")],
            },
        ),
        migrations.RunPython(install, uninstall),
    ]
