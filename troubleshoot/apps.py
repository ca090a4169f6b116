from django.apps import AppConfig


class TroubleshootConfig(AppConfig):
    name = "troubleshoot"
    verbose_name = "Troubleshooting guides"
