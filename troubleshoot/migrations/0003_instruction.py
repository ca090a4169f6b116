"""A numbered line of a solution is an instruction: "step" is a page of the wizard."""

import django.db.models.deletion
from django.db import migrations, models


def rename_permissions(apps, schema_editor, old="step", new="instruction"):
    # The content type follows the model's new name on its own; the permissions' codenames do not,
    # and the groups made in 0002 hold them.
    Permission = apps.get_model("auth", "Permission")
    for permission in Permission.objects.filter(content_type__app_label="troubleshoot", codename__endswith=f"_{old}"):
        action = permission.codename.rsplit("_", 1)[0]
        permission.codename = f"{action}_{new}"
        permission.name = f"Can {action} {new}"
        permission.save(update_fields=["codename", "name"])


def rename_back(apps, schema_editor):
    rename_permissions(apps, schema_editor, old="instruction", new="step")


class Migration(migrations.Migration):
    dependencies = [("troubleshoot", "0002_groups")]

    operations = [
        migrations.RenameModel("Step", "Instruction"),
        migrations.AlterField(
            model_name="instruction", name="node",
            field=models.ForeignKey(on_delete=django.db.models.deletion.CASCADE, related_name="instructions",
                                    to="troubleshoot.node"),
        ),
        migrations.AlterField(
            model_name="instruction", name="platform",
            field=models.ForeignKey(blank=True, help_text="Empty: the instruction is for every platform.", null=True,
                                    on_delete=django.db.models.deletion.CASCADE, to="troubleshoot.platform"),
        ),
        migrations.RunPython(rename_permissions, rename_back),
    ]
