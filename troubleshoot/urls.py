from django.urls import path, re_path, register_converter

from django.contrib.auth import views as auth_views

from . import embed, handoff, health, support, views


class VersionConverter:
    """Version numbers as the database can hold them: a huge number is a 404, not an overflow."""

    regex = "[0-9]{1,9}"

    def to_python(self, value: str) -> int:
        return int(value)

    def to_url(self, value: int) -> str:
        return str(value)


register_converter(VersionConverter, "version")


class ContextConverter:
    """A frame's own token (context.Frame), or the plain reference an embedding app passed, or '-' for none."""

    regex = embed.SEGMENT

    def to_python(self, value: str) -> str:
        return value

    def to_url(self, value: str) -> str:
        return value


register_converter(ContextConverter, "context")

app_name = "troubleshoot"
# Steps first: they are nearly every request, and Django tries the patterns in this order.
urlpatterns = [
    path("guides/<slug:guide>/v<version:version>/<slug:platform>/<path:answers>/", views.step, name="step"),
    path("guides/<slug:guide>/v<version:version>/<slug:platform>/", views.step, name="start"),
    path("guides/<slug:guide>/v<version:version>/", views.choose_platform, name="version"),
    path("guides/<slug:guide>/", views.guide, name="guide"),
    path("embed/<context:context>/guides/<slug:guide>/v<version:version>/<slug:platform>/<path:answers>/", embed.step,
         name="embed_step"),
    path("embed/<context:context>/guides/<slug:guide>/v<version:version>/<slug:platform>/", embed.step,
         name="embed_start"),
    path("embed/<context:context>/guides/<slug:guide>/v<version:version>/", embed.choose_platform, name="embed_version"),
    path("embed/<context:context>/guides/<slug:guide>/", embed.guide, name="embed_guide"),
    path("embed/<context:context>/handoff/", embed.hand_off, name="embed_hand_off"),
    path("embed/<context:context>/feedback/", embed.feedback, name="embed_feedback"),
    path("embed/", embed.open_embed, name="embed"),
    path("", views.home, name="home"),
    path("healthz/", health.healthz, name="healthz"),
    path("healthz/deliveries/", health.deliveries_health, name="healthz_deliveries"),
    path("find/", views.find, name="find"),
    path("suggest/", views.suggest, name="suggest"),
    path("feedback/", views.feedback, name="feedback"),
    path("handoff/", handoff.hand_off, name="hand_off"),
    path("accounts/login/", support.SignIn.as_view(), name="login"),
    path("accounts/logout/", auth_views.LogoutView.as_view(next_page="troubleshoot:home"), name="logout"),
    path("agent/", support.search, name="agent"),
    path("agent/guides/<slug:guide>/", support.guide_links, name="agent_guide"),
    path("agent/runs/<str:reference>/", support.run_view, name="agent_run"),
    re_path(r"^error/(?P<code>[A-Za-z0-9_]{2,60})/$", views.error_link, name="error"),  # NS0109, InvalidTimestamp
]
