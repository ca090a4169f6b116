"""Django's floor on this machine: a one-view project that renders a small template.

`make bench` serves it under the same gunicorn settings as the wizard and compares the two.
"""

from django.conf import settings

settings.configure(
    DEBUG=False,
    SECRET_KEY="floor-benchmark-only",
    ALLOWED_HOSTS=["127.0.0.1", "localhost"],
    ROOT_URLCONF=__name__,
    MIDDLEWARE=[],
    INSTALLED_APPS=[],
    TEMPLATES=[{
        "BACKEND": "django.template.backends.django.DjangoTemplates",
        "OPTIONS": {"loaders": [("django.template.loaders.locmem.Loader", {
            "page.html": "<!doctype html><html lang=en><title>{{ title }}</title><h1>{{ title }}</h1>"
                         "<ul>{% for item in items %}<li>{{ item }}</li>{% endfor %}</ul></html>",
        })]},
    }],
)

from django.core.wsgi import get_wsgi_application  # noqa: E402
from django.shortcuts import render  # noqa: E402
from django.urls import path  # noqa: E402


def page(request):
    return render(request, "page.html", {"title": "Floor", "items": ["one", "two", "three"]})


urlpatterns = [path("", page)]
application = get_wsgi_application()
