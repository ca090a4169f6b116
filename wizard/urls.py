from django.contrib import admin
from django.templatetags.static import static
from django.urls import include, path
from django.utils.functional import lazy
from django.views.generic import RedirectView

from troubleshoot.api import api

# Lazy: the hashed name is known only once collectstatic has run, and collectstatic loads this module.
favicon = lazy(static, str)("troubleshoot/favicon.svg")

urlpatterns = [
    path("", include("troubleshoot.urls")),  # first: the wizard's pages are nearly every request
    path("api/v1/", api.urls),
    path("admin/", admin.site.urls),
    # Pages that name no icon (the admin's) make browsers ask for this one.
    path("favicon.ico", RedirectView.as_view(url=favicon, permanent=True)),
]

handler404 = "troubleshoot.problems.not_found"
handler500 = "troubleshoot.problems.server_error"
