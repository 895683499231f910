"""Default rules for the next-response clock: its warning and its breach tell the assignee,
or the ticket's tier group while nobody has it (managers edit them later)."""

from django.db import migrations

DEFAULT_RULES = [
    {
        "order": 70,
        "name": "Next response warning: tell the assignee (or the tier group)",
        "trigger": "next_response_warning",
        "notify_assignee": True,
    },
    {
        "order": 80,
        "name": "Next response breach: tell the assignee (or the tier group)",
        "trigger": "next_response_breach",
        "notify_assignee": True,
    },
]


def create_rules(apps, schema_editor):
    Rule = apps.get_model("escalation", "EscalationRule")
    for rule in DEFAULT_RULES:
        Rule.objects.using(schema_editor.connection.alias).get_or_create(
            name=rule["name"], defaults=rule
        )


def remove_rules(apps, schema_editor):
    Rule = apps.get_model("escalation", "EscalationRule")
    Rule.objects.using(schema_editor.connection.alias).filter(
        name__in=[r["name"] for r in DEFAULT_RULES]
    ).delete()


class Migration(migrations.Migration):
    dependencies = [("escalation", "0005_next_response_trigger")]

    operations = [migrations.RunPython(create_rules, remove_rules)]
