import datetime

import django.db.models.deletion
import django.utils.timezone
from django.conf import settings
from django.db import migrations, models

import accounts.models


def adopt_old_tokens(apps, schema_editor):
    """Keys issued before named tokens keep working: hashed into ApiToken, then erased."""
    import hashlib

    connection = schema_editor.connection
    if "authtoken_token" not in connection.introspection.table_names():
        return
    ApiToken = apps.get_model("accounts", "ApiToken")
    now = django.utils.timezone.now()
    with connection.cursor() as cursor:
        cursor.execute("SELECT key, user_id FROM authtoken_token")
        rows = cursor.fetchall()
        ApiToken.objects.bulk_create(
            [
                ApiToken(
                    user_id=user_id,
                    name="API token",
                    key_hash=hashlib.sha256(key.encode()).hexdigest(),
                    prefix=key[:8],
                    expires_at=now + datetime.timedelta(days=90),
                )
                for key, user_id in rows
            ]
        )
        cursor.execute("DELETE FROM authtoken_token")


class Migration(migrations.Migration):
    dependencies = [
        ("accounts", "0002_language_follows_browser"),
    ]

    operations = [
        migrations.CreateModel(
            name="ApiToken",
            fields=[
                ("id", models.BigAutoField(auto_created=True, primary_key=True, serialize=False, verbose_name="ID")),
                ("created_at", models.DateTimeField(auto_now_add=True, db_index=True)),
                ("updated_at", models.DateTimeField(auto_now=True)),
                ("name", models.CharField(max_length=100, verbose_name="name")),
                ("key_hash", models.CharField(editable=False, max_length=64, unique=True)),
                ("prefix", models.CharField(editable=False, max_length=8, verbose_name="key starts with")),
                ("expires_at", models.DateTimeField(db_index=True, default=accounts.models._token_expiry, verbose_name="expires")),
                ("last_used_at", models.DateTimeField(blank=True, null=True, verbose_name="last used")),
                ("user", models.ForeignKey(on_delete=django.db.models.deletion.CASCADE, related_name="api_tokens", to=settings.AUTH_USER_MODEL, verbose_name="user")),
            ],
            options={
                "verbose_name": "API token",
                "verbose_name_plural": "API tokens",
                "ordering": ["-created_at", "-id"],
            },
        ),
        migrations.RunPython(adopt_old_tokens, migrations.RunPython.noop),
    ]
