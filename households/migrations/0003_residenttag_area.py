"""Tags carry their resident's community and building, so that area reads find them by index."""

import django.db.models.deletion
from django.db import migrations, models
from django.db.models import OuterRef, Subquery


def copy_areas_from_residents(apps, schema_editor):
    Resident = apps.get_model("households", "Resident")
    ResidentTag = apps.get_model("households", "ResidentTag")
    resident = Resident.objects.filter(pk=OuterRef("resident_id"))
    ResidentTag.objects.update(
        community_id=Subquery(resident.values("community_id")),
        building_id=Subquery(resident.values("building_id")),
    )


class Migration(migrations.Migration):
    dependencies = [("households", "0002_initial")]

    operations = [
        migrations.AddField(
            model_name="residenttag",
            name="community",
            field=models.ForeignKey(
                db_index=False,
                editable=False,
                null=True,
                on_delete=django.db.models.deletion.PROTECT,
                related_name="+",
                to="households.community",
            ),
        ),
        migrations.AddField(
            model_name="residenttag",
            name="building",
            field=models.ForeignKey(
                db_index=False,
                editable=False,
                null=True,
                on_delete=django.db.models.deletion.PROTECT,
                related_name="+",
                to="households.building",
            ),
        ),
        migrations.RunPython(copy_areas_from_residents, migrations.RunPython.noop),
        migrations.AlterField(
            model_name="residenttag",
            name="community",
            field=models.ForeignKey(
                db_index=False,
                editable=False,
                on_delete=django.db.models.deletion.PROTECT,
                related_name="+",
                to="households.community",
            ),
        ),
        migrations.AlterField(
            model_name="residenttag",
            name="building",
            field=models.ForeignKey(
                db_index=False,
                editable=False,
                on_delete=django.db.models.deletion.PROTECT,
                related_name="+",
                to="households.building",
            ),
        ),
        migrations.AddIndex(
            model_name="residenttag",
            index=models.Index(fields=["community", "tag"], name="resident_tag_community"),
        ),
        migrations.AddIndex(
            model_name="residenttag",
            index=models.Index(fields=["building", "tag"], name="resident_tag_building"),
        ),
    ]
