"""A node's sources in the admin: typed as ids on the node's page, shown beside it by title or path."""

import re

from django import forms
from django.utils.html import format_html, format_html_join
from django.utils.safestring import mark_safe

from .models import Node, Source


def ids(text: str) -> list[str]:
    return [i for i in re.split(r"[\s,]+", text or "") if i]


def guide_sources(guide_id: int) -> dict[str, Source]:
    return {s.key: s for s in Source.objects.filter(guide_id=guide_id).exclude(key="")}


def clean_sources(form: forms.ModelForm, guide) -> str:
    """The node's `sources` field: ids of its guide's sources, written back as "a, b"."""
    written = ids(form.cleaned_data.get("sources", ""))
    if guide is None:
        return ", ".join(written)
    known = guide_sources(guide.pk)
    unknown = [i for i in written if i not in known]
    if unknown:
        raise forms.ValidationError(
            f"Not an id of this guide's sources: {', '.join(unknown)}. Its sources are: "
            f"{', '.join(known) or 'none with an id yet (give each source an id on the guide page)'}.")
    return ", ".join(dict.fromkeys(written))


def named(node: Node, known: dict[str, Source]):
    """Each id the node names, with what it is: the page's title, the seed, the article's path (linked)."""
    rows = []
    for key in ids(node.sources):
        source = known.get(key)
        if source is None:
            rows.append((key, "not one of the guide's sources", ""))
        else:
            rows.append((key, source.title or source.seed or source.path, source.link))
    if not rows:
        return "none named" if node.kind != "escalation" else "-"
    return format_html_join(
        mark_safe("<br>"), "<b>{}</b>: {}",
        ((key, format_html('<a href="{}" target="_blank" rel="noopener">{}</a>', link, what) if link else what)
         for key, what, link in rows))


class NodeSources:
    """For NodeAdmin and the guide page's NodeInline: a read-only column naming each node's sources.

    Admin instances are made per request, so the guide's sources are read once per page, not per node.
    """

    def _known(self, node: Node) -> dict[str, Source]:
        cache = self.__dict__.setdefault("_sources_by_guide", {})
        if node.guide_id not in cache:
            cache[node.guide_id] = guide_sources(node.guide_id)
        return cache[node.guide_id]

    def rests_on(self, node: Node):
        if not node.pk:
            return "-"
        return named(node, self._known(node))

    rests_on.short_description = "Rests on (sources)"
