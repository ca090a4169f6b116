"""The groups people are put in: who edits guides, who publishes them, who supports customers."""

from django.contrib.auth.management import create_permissions
from django.db import migrations

DRAFTS = ["guide", "platform", "node", "choice", "step", "checkitem"]
EDITORS = [f"{action}_{model}" for model in DRAFTS for action in ("add", "change", "delete", "view")] + [
    "view_version", "view_run", "view_missingpaste", "delete_missingpaste"]
GROUPS = {
    "guide editors": EDITORS,
    "guide publishers": EDITORS + ["publish_guide"],
    "support agents": ["support_customers", "view_run", "view_guide", "view_version"],
}


def create_groups(apps, schema_editor):
    # Permissions are normally made after all migrations; make them now so the groups can hold them.
    for app_config in apps.get_app_configs():
        app_config.models_module = True
        create_permissions(app_config, apps=apps, verbosity=0)
        app_config.models_module = None
    Group = apps.get_model("auth", "Group")
    Permission = apps.get_model("auth", "Permission")
    for name, codenames in GROUPS.items():
        group, _ = Group.objects.get_or_create(name=name)
        group.permissions.set(Permission.objects.filter(content_type__app_label="troubleshoot", codename__in=codenames))


def remove_groups(apps, schema_editor):
    apps.get_model("auth", "Group").objects.filter(name__in=GROUPS).delete()


class Migration(migrations.Migration):
    dependencies = [
        ("troubleshoot", "0001_initial"),
        ("auth", "0012_alter_user_first_name_max_length"),
        ("contenttypes", "0002_remove_content_type_name"),
    ]

    operations = [migrations.RunPython(create_groups, remove_groups)]
