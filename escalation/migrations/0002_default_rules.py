"""The default escalation rules from issue 4, shipped as data (managers edit them later)."""

from django.db import migrations

DEFAULT_RULES = [
    {
        "order": 10,
        "name": "L1 response breach: move to L2, tell L2 and the manager",
        "trigger": "response_breach",
        "tier": "L1",
        "move_to_next_tier": True,
        "notify_tier_group": True,
        "notify_manager": True,
    },
    {
        "order": 20,
        "name": "L2 response breach: move to L3, tell the manager",
        "trigger": "response_breach",
        "tier": "L2",
        "move_to_next_tier": True,
        "notify_manager": True,
    },
    {
        "order": 30,
        "name": "L3 response breach: raise priority, tell the manager",
        "trigger": "response_breach",
        "tier": "L3",
        "raise_priority": True,
        "notify_manager": True,
    },
    {
        "order": 40,
        "name": "Resolution breach: tell the manager",
        "trigger": "resolution_breach",
        "notify_manager": True,
    },
    {
        "order": 50,
        "name": "Response warning: tell the assignee (or the tier group)",
        "trigger": "response_warning",
        "notify_assignee": True,
    },
    {
        "order": 60,
        "name": "Resolution warning: tell the assignee (or the tier group)",
        "trigger": "resolution_warning",
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
    dependencies = [("escalation", "0001_initial")]

    operations = [migrations.RunPython(create_rules, remove_rules)]
