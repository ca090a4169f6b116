from django.contrib import admin
from django.urls import include, path

urlpatterns = [
    path("admin/", admin.site.urls),
    path("", include("troubleshoot.urls")),
]

handler404 = "troubleshoot.views.not_found"
handler500 = "troubleshoot.views.server_error"
