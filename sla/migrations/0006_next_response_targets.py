"""Next-response targets for every agreement, so each customer message is owed an answer.

Minutes of business time per priority; agreements with a VIP table get VIP targets too.
Managers change them like the other targets. The agreements are touched so running
processes drop their cached target tables.
"""

from django.db import migrations
from django.utils import timezone

NEXT_RESPONSE = {"P1": 30, "P2": 60, "P3": 120, "P4": 240}
VIP_NEXT_RESPONSE = {"P1": 15, "P2": 30, "P3": 60, "P4": 120}


def add_targets(apps, schema_editor):
    Agreement = apps.get_model("sla", "Agreement")
    Target = apps.get_model("sla", "Target")
    alias = schema_editor.connection.alias
    rows = []
    for agreement in Agreement.objects.using(alias).all():
        targets = Target.objects.using(alias).filter(agreement=agreement)
        if targets.filter(kind="next_response").exists():
            continue
        tables = [(False, NEXT_RESPONSE)]
        if targets.filter(vip=True).exists():
            tables.append((True, VIP_NEXT_RESPONSE))
        for vip, minutes in tables:
            rows += [
                Target(
                    agreement=agreement,
                    kind="next_response",
                    tier="",
                    priority=priority,
                    vip=vip,
                    minutes=value,
                )
                for priority, value in minutes.items()
            ]
    Target.objects.using(alias).bulk_create(rows)
    Agreement.objects.using(alias).update(updated_at=timezone.now())


def remove_targets(apps, schema_editor):
    Target = apps.get_model("sla", "Target")
    Target.objects.using(schema_editor.connection.alias).filter(kind="next_response").delete()


class Migration(migrations.Migration):
    dependencies = [("sla", "0005_next_response_kind")]

    operations = [migrations.RunPython(add_targets, remove_targets)]
