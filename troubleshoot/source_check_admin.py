"""The guide admin's view of `check_sources`: a "source changed" column and filter on the list, and on
the guide's page each changed article's diff with "Checked against the new article" for publishers."""

from django.contrib import admin, messages
from django.core.exceptions import PermissionDenied
from django.db import transaction
from django.shortcuts import get_object_or_404, redirect
from django.views.decorators.http import require_POST

from . import authoring
from .models import Guide
from .source_checks import SourceCheck, accept, needs_look, pending


class SourceChangedFilter(admin.SimpleListFilter):
    title = "source changed"
    parameter_name = "source_changed"

    def lookups(self, request, model_admin):
        return [("yes", "Needs a look"), ("no", "No change found")]

    def queryset(self, request, queryset):
        if self.value() in ("yes", "no"):
            return queryset.filter(source_changed=self.value() == "yes")
        return queryset


def annotate(queryset):
    return queryset.annotate(source_changed=needs_look())


@admin.display(description="Source changed", boolean=True, ordering="source_changed")
def source_changed(guide) -> bool | None:
    return True if guide.source_changed else None  # the admin's empty mark, not a red cross, when nothing changed


def context(guide: Guide) -> dict:
    return {"source_checks": pending(guide)}


def checked_view(model_admin, permission: str):
    """POST only: the draft's source now pins the article's new commit (and path, if it moved)."""

    @require_POST
    def view(request, pk: int, check: int):
        guide = get_object_or_404(Guide, pk=pk)
        if not request.user.has_perm(permission):
            raise PermissionDenied("Recording that a guide was checked against a changed article is for members of "
                                   "the “guide publishers” group.")
        found = get_object_or_404(SourceCheck, pk=check, guide=guide)
        if found.state not in (SourceCheck.State.CHANGED, SourceCheck.State.MOVED):
            messages.error(request, f"{found.path} has no new article to check against: nothing was changed.")
            return redirect("admin:troubleshoot_guide_change", guide.pk)
        with transaction.atomic():
            old = found.path
            if accept(found):
                guide = Guide.objects.select_for_update().get(pk=guide.pk)
                authoring.bump(guide)
                guide.save()
        messages.success(request, f"The draft's source {old} now pins {found.commit[:12]}"
                                  + (f" at {found.path}" if found.path != old else "")
                                  + ": publish the draft, and write the facts record for that commit.")
        return redirect("admin:troubleshoot_guide_change", guide.pk)

    return view
