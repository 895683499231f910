"""The "Standard" calendar and default agreement, so every ticket has an SLA out of the box."""

from django.db import migrations

WEEKDAY_HOURS = {str(day): [["08:00", "18:00"]] for day in range(5)}

# Minutes of business time (the calendar has 10 working hours a day).
RESPONSE = {
    "L1": {"P1": 15, "P2": 30, "P3": 60, "P4": 240},
    "L2": {"P1": 30, "P2": 60, "P3": 120, "P4": 480},
    "L3": {"P1": 60, "P2": 120, "P3": 240, "P4": 960},
}
RESOLUTION = {"P1": 240, "P2": 600, "P3": 1800, "P4": 3000}
VIP_RESPONSE = {
    "L1": {"P1": 10, "P2": 15, "P3": 30, "P4": 60},
    "L2": {"P1": 15, "P2": 30, "P3": 60, "P4": 120},
    "L3": {"P1": 30, "P2": 60, "P3": 120, "P4": 240},
}
VIP_RESOLUTION = {"P1": 120, "P2": 300, "P3": 900, "P4": 1800}


def create_standard(apps, schema_editor):
    Calendar = apps.get_model("sla", "Calendar")
    Agreement = apps.get_model("sla", "Agreement")
    Target = apps.get_model("sla", "Target")
    if Agreement.objects.filter(is_default=True).exists():
        return
    calendar, _ = Calendar.objects.get_or_create(
        name="Standard",
        defaults={
            "time_zone": "Europe/Berlin",
            "hours": WEEKDAY_HOURS,
            "holiday_country": "DE",
        },
    )
    agreement = Agreement.objects.create(
        name="Standard", is_default=True, calendar=calendar, warning_percent=80
    )
    rows = []
    for vip, response, resolution in (
        (False, RESPONSE, RESOLUTION),
        (True, VIP_RESPONSE, VIP_RESOLUTION),
    ):
        for tier, per_priority in response.items():
            for priority, minutes in per_priority.items():
                rows.append(
                    Target(
                        agreement=agreement,
                        kind="response",
                        tier=tier,
                        priority=priority,
                        vip=vip,
                        minutes=minutes,
                    )
                )
        for priority, minutes in resolution.items():
            rows.append(
                Target(
                    agreement=agreement,
                    kind="resolution",
                    tier="",
                    priority=priority,
                    vip=vip,
                    minutes=minutes,
                )
            )
    Target.objects.bulk_create(rows)


def remove_standard(apps, schema_editor):
    Agreement = apps.get_model("sla", "Agreement")
    Calendar = apps.get_model("sla", "Calendar")
    Agreement.objects.filter(name="Standard", is_default=True).delete()
    Calendar.objects.filter(name="Standard", agreements__isnull=True).delete()


class Migration(migrations.Migration):
    dependencies = [("sla", "0001_initial")]

    operations = [migrations.RunPython(create_standard, remove_standard)]
