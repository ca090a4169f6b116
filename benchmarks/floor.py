"""Django's floors on this machine: a one-view project that renders a small template, two ways.

- "bare": no middleware and no apps; the least Django can do for a page.
- "default": the middleware a new project gets from `startproject`, the apps that middleware needs,
  and its template context processors. No request sends a cookie, so the session and the user stay
  lazy: no database is configured, and a request that reached for one would fail.

`make bench` serves both under the same gunicorn settings as the wizard and compares every page with
them, e.g. `gunicorn 'benchmarks.floor:application("default")' --workers 2`.
"""

from django.conf import settings
from django.core.wsgi import get_wsgi_application
from django.shortcuts import render
from django.urls import path

TEMPLATE = ("<!doctype html><html lang=en><title>{{ title }}</title><h1>{{ title }}</h1>"
            "<ul>{% for item in items %}<li>{{ item }}</li>{% endfor %}</ul></html>")

FLOORS = {
    "bare": {"MIDDLEWARE": [], "INSTALLED_APPS": [], "CONTEXT_PROCESSORS": []},
    "default": {
        "MIDDLEWARE": [
            "django.middleware.security.SecurityMiddleware",
            "django.contrib.sessions.middleware.SessionMiddleware",
            "django.middleware.common.CommonMiddleware",
            "django.middleware.csrf.CsrfViewMiddleware",
            "django.contrib.auth.middleware.AuthenticationMiddleware",
            "django.contrib.messages.middleware.MessageMiddleware",
            "django.middleware.clickjacking.XFrameOptionsMiddleware",
        ],
        "INSTALLED_APPS": [
            "django.contrib.auth",
            "django.contrib.contenttypes",
            "django.contrib.sessions",
            "django.contrib.messages",
        ],
        "CONTEXT_PROCESSORS": [
            "django.template.context_processors.request",
            "django.contrib.auth.context_processors.auth",
            "django.contrib.messages.context_processors.messages",
        ],
    },
}


def page(request):
    return render(request, "page.html", {"title": "Floor", "items": ["one", "two", "three"]})


def application(floor: str = "bare"):
    """The WSGI application of one floor; this process serves no other."""
    chosen = FLOORS[floor]
    settings.configure(
        DEBUG=False,
        SECRET_KEY="floor-benchmark-only",
        ALLOWED_HOSTS=["127.0.0.1", "localhost"],
        ROOT_URLCONF=__name__,
        MIDDLEWARE=chosen["MIDDLEWARE"],
        INSTALLED_APPS=chosen["INSTALLED_APPS"],
        TEMPLATES=[{
            "BACKEND": "django.template.backends.django.DjangoTemplates",
            "OPTIONS": {"loaders": [("django.template.loaders.locmem.Loader", {"page.html": TEMPLATE})],
                        "context_processors": chosen["CONTEXT_PROCESSORS"]},
        }],
    )
    return get_wsgi_application()


urlpatterns = [path("", page)]
