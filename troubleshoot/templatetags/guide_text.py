"""Text that admins write is Markdown; it is sanitised whenever it becomes HTML."""

from functools import lru_cache

import markdown as md
import nh3
from django import template
from django.utils.safestring import mark_safe

register = template.Library()

TAGS = {"p", "strong", "em", "code", "ul", "ol", "li", "a", "br", "kbd"}


@lru_cache(maxsize=8192)
def to_html(text: str) -> str:
    html = md.markdown(text, output_format="html")
    return nh3.clean(html, tags=TAGS, attributes={"a": {"href"}}, url_schemes={"https", "http", "mailto"})


@register.filter
def markdown(text: str) -> str:
    # Safe: nh3 keeps only the tags above, with no scripts, event handlers or javascript: URLs.
    return mark_safe(to_html(text or ""))
