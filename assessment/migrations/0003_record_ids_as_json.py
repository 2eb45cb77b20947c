from django.db import migrations, models


class Migration(migrations.Migration):
    """Record ids as JSON lists instead of PostgreSQL arrays, so the embedded SQLite default works as well.

    Removed and re-added rather than altered: there is no cast from bigint[] to jsonb, and no result has been
    computed on any installation before this migration.
    """

    dependencies = [("assessment", "0002_supervision_check_worker")]

    operations = [
        migrations.RemoveField(model_name="score", name="record_ids"),
        migrations.RemoveField(model_name="score", name="numerator_ids"),
        migrations.AddField(
            model_name="score",
            name="record_ids",
            field=models.JSONField(blank=True, default=list, verbose_name="records"),
        ),
        migrations.AddField(
            model_name="score",
            name="numerator_ids",
            field=models.JSONField(blank=True, default=list, verbose_name="records counted"),
        ),
    ]
