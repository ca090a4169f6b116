"""The support agents group, and who sees runs: agents and both author groups."""

from django.contrib.auth.management import create_permissions
from django.db import migrations

GRANTS = {
    "support agents": ["support_customers", "view_run", "view_guide", "view_version"],
    "guide editors": ["view_run"],
    "guide publishers": ["view_run"],
}


def grant(apps, schema_editor):
    for app_config in apps.get_app_configs():
        app_config.models_module = True
        create_permissions(app_config, apps=apps, verbosity=0)
        app_config.models_module = None
    Group = apps.get_model("auth", "Group")
    Permission = apps.get_model("auth", "Permission")
    for name, codenames in GRANTS.items():
        group, _ = Group.objects.get_or_create(name=name)
        group.permissions.add(*Permission.objects.filter(content_type__app_label="troubleshoot", codename__in=codenames))


def revoke(apps, schema_editor):
    apps.get_model("auth", "Group").objects.filter(name="support agents").delete()


class Migration(migrations.Migration):
    dependencies = [("troubleshoot", "0006_runs")]

    operations = [migrations.RunPython(grant, revoke)]
