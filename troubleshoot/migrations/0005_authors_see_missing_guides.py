"""Both author groups see the missing-guides list, and may delete noise from it."""

from django.contrib.auth.management import create_permissions
from django.db import migrations

CODENAMES = ["view_missingpaste", "delete_missingpaste"]


def grant(apps, schema_editor):
    for app_config in apps.get_app_configs():
        app_config.models_module = True
        create_permissions(app_config, apps=apps, verbosity=0)
        app_config.models_module = None
    Permission = apps.get_model("auth", "Permission")
    wanted = Permission.objects.filter(content_type__app_label="troubleshoot", codename__in=CODENAMES)
    for group in apps.get_model("auth", "Group").objects.filter(name__in=["guide editors", "guide publishers"]):
        group.permissions.add(*wanted)


def revoke(apps, schema_editor):
    Permission = apps.get_model("auth", "Permission")
    wanted = Permission.objects.filter(content_type__app_label="troubleshoot", codename__in=CODENAMES)
    for group in apps.get_model("auth", "Group").objects.filter(name__in=["guide editors", "guide publishers"]):
        group.permissions.remove(*wanted)


class Migration(migrations.Migration):
    dependencies = [("troubleshoot", "0004_missing_pastes")]

    operations = [migrations.RunPython(grant, revoke)]
