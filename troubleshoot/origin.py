"""Cross-site protection for the forms anyone may send (paste, suggestions, notes), without a token.

These forms carry no one's login: the paste box and suggestions read no cookie at all, and a note
is attached through the `run` cookie, which is SameSite=Lax and so never sent with another site's
POST. What is left to refuse is a browser posting on another site's behalf, and browsers say so
themselves: `Sec-Fetch-Site` (every current browser), else `Origin`. This is the check Go's
standard library makes (`http.CrossOriginProtection`, after https://words.filippo.io/csrf/). A
request with neither header is not from a browser page, so no one's browser is being used.

Leaving Django's token off these public pages lets them be cached whole for everyone. Signed-in
pages (the admin, agents, log-in) keep Django's CSRF middleware and tokens as they are.
"""

from urllib.parse import urlsplit

from django.conf import settings


def from_this_site(request) -> bool:
    """False when the browser says the request comes from another site's page."""
    site = request.META.get("HTTP_SEC_FETCH_SITE")
    if site is not None:
        return site in ("same-origin", "none")  # "none": typed into the address bar, a bookmark
    origin = request.META.get("HTTP_ORIGIN")
    if origin is None:
        return True
    return origin in settings.CSRF_TRUSTED_ORIGINS or urlsplit(origin).netloc == request.get_host()
