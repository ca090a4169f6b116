"""Authoring in Django admin: drafts are edited here, checked, previewed and published as versions."""

import csv
import json
from datetime import datetime, time, timedelta

from django import forms
from django.conf import settings
from django.contrib import admin, messages
from django.contrib.admin.views.main import ChangeList
from django.core.exceptions import PermissionDenied
from django.db import models
from django.db.models import Case, IntegerField, Max, OuterRef, Q, Subquery, Value, When
from django.db.models.functions import Lower
from django.http import HttpResponse
from django.shortcuts import get_object_or_404, redirect
from django.template.response import TemplateResponse
from django.urls import path, reverse
from django.utils import timezone
from django.utils.formats import date_format
from django.utils.html import format_html, format_html_join
from django.utils.http import urlencode
from django.utils.text import slugify

from . import analytics, authoring, document, drafts, parts, publishing, views
from .source_admin import NodeSources, clean_sources
from .models import CheckItem, Choice, Guide, Instruction, MissingPaste, Node, Part, PartInstruction, Platform, Source, Version
from .published import GuideVersion

PUBLISH = "troubleshoot.publish_guide"
# Shown on the 403 page (templates/403.html shows a PermissionDenied's message) to an editor who opens a publisher's page.
PUBLISHERS_ONLY = ("Publishing, importing, rolling back and retiring guides is for members of the “guide publishers” group. "
                   "Ask an administrator to add you to it, or ask a guide publisher to do this for you.")


class SameGuideMenus:
    """On a node's page, menus of nodes and platforms offer only that node's own guide's."""

    def formfield_for_foreignkey(self, db_field, request, **kwargs):
        field = super().formfield_for_foreignkey(db_field, request, **kwargs)
        node = getattr(request, "_node", None)
        if node is not None and db_field.related_model in (Node, Platform):
            field.queryset = db_field.related_model.objects.filter(guide=node.guide)
        return field


class Ordered:
    """Inline rows that authors reorder with Move up / Move down (our admin-order.js), not by typing numbers."""

    class Media:
        js = ["troubleshoot/admin-order.js"]


class PlatformInline(Ordered, admin.TabularInline):
    model = Platform
    extra = 0
    prepopulated_fields = {"slug": ("name",)}


class SourceInline(Ordered, admin.TabularInline):
    """The articles the guide was written from: check the guide against them when they change."""

    model = Source
    extra = 0
    fields = ("key", "repo", "path", "commit", "seed", "url", "title", "read", "article", "order")
    readonly_fields = ("article",)
    verbose_name_plural = "Sources (the help articles this guide was written from, at the commit read)"

    @admin.display(description="Article")
    def article(self, source):
        if not source.pk:
            return "-"
        if not source.link:
            return "-"
        words = "Open it at that commit" if not (source.seed or source.url) else "Open it"
        return format_html('<a href="{}" target="_blank" rel="noopener">{}</a>', source.link, words)


class NodeInline(NodeSources, Ordered, admin.TabularInline):
    model = Node
    extra = 0
    fields = ("title", "slug", "kind", "is_start", "rests_on", "order")
    readonly_fields = ("rests_on",)
    prepopulated_fields = {"slug": ("title",)}
    show_change_link = True
    fk_name = "guide"
    verbose_name_plural = "Nodes (open one to edit its choices, checklist items and instructions)"


class GuideForm(authoring.StaleEditForm):
    class Meta:
        model = Guide
        fields = ["slug", "title", "category", "summary", "codes", "error", "messages"]


def _number(value: str | None) -> int:
    """A version number from a form or query; anything else (or too big for the database) is 0, which no version has."""
    return int(value) if value and value.isdigit() and len(value) <= 9 else 0


class PublishForm(forms.Form):
    note = forms.CharField(max_length=300, help_text="What changed, for the version list.",
                           widget=forms.TextInput(attrs={"size": 80}))


class RetireForm(forms.Form):
    note = forms.CharField(
        max_length=300, required=False, label="Note for users", widget=forms.TextInput(attrs={"size": 80}),
        help_text="Optional. Shown on the guide's pages to people who open an old link, e.g. "
                  "“NetSuite no longer shows this error.” or “See the guide for NS0110 instead.”")


class UnretireForm(forms.Form):
    note = forms.CharField(max_length=300, required=False, label="Why", widget=forms.TextInput(attrs={"size": 80}),
                           help_text="Optional. Kept in the guide's history.")


class RetiredFilter(admin.SimpleListFilter):
    title = "retired"
    parameter_name = "retired"

    def lookups(self, request, model_admin):
        return [("no", "In use"), ("yes", "Retired")]

    def queryset(self, request, queryset):
        if self.value() in ("yes", "no"):
            return queryset.filter(retired_at__isnull=self.value() == "no")
        return queryset


class AnalyticsForm(forms.Form):
    start = forms.DateField(required=False, label="From", widget=forms.DateInput(attrs={"type": "date"}))
    end = forms.DateField(required=False, label="To (inclusive)", widget=forms.DateInput(attrs={"type": "date"}))
    version = forms.TypedChoiceField(required=False, coerce=int, empty_value=None)

    def __init__(self, *args, versions: list[int], **kwargs):
        super().__init__(*args, **kwargs)
        self.fields["version"].choices = [("", "All versions")] + [(v, f"Version {v}") for v in sorted(versions)]

    def period(self):
        """From, to (exclusive) and version; the last 30 days of every version when the form is empty or wrong."""
        today = timezone.localdate()
        data = self.cleaned_data if self.is_bound and self.is_valid() else {}
        end = data.get("end") or today
        start = data.get("start") or end - timedelta(days=29)
        if start > end:
            start, end = end, start
        return _midnight(start), _midnight(end + timedelta(days=1)), data.get("version")


def _midnight(day) -> datetime:
    return timezone.make_aware(datetime.combine(day, time.min))


def _bars(rows: list[list], column: int) -> list[int]:
    """The width (0-100) of each row's bar: its value in `column` against the largest."""
    largest = max((row[column] for row in rows), default=0) or 1
    return [round(100 * row[column] / largest) for row in rows]


class ImportForm(forms.Form):
    file = forms.FileField(required=False, help_text="A guide document (YAML or JSON), as export writes it.")
    # On the page that asks before replacing a draft: the document read the first time, and the
    # guide's revision then, so that a draft saved since is not replaced unseen.
    document = forms.CharField(required=False, widget=forms.HiddenInput)
    seen_revision = forms.IntegerField(required=False, widget=forms.HiddenInput)

    def clean(self):
        cleaned = super().clean()
        if not cleaned.get("file") and not cleaned.get("document"):
            raise forms.ValidationError("Choose a guide document to import.")
        return cleaned

    def text(self) -> bytes | str:
        upload = self.cleaned_data["file"]
        return upload.read(document.MAX_DOCUMENT_BYTES + 1) if upload else self.cleaned_data["document"]


NEXT_NODE, PREVIEW = "_next_node", "_preview"  # the extra save buttons of guide and node pages


def go_on(request, guide: Guide, response, current: str | None = None):
    """After a save with "Save and edit the next node to fix" or "Save and preview": where that leads.

    The next node is the first after `current` in the outline (then from the top) that has an error
    (warnings do not stop publishing, and going round them would never end); with none left, the
    guide's page, which says it can be published."""
    if PREVIEW in request.POST:
        return redirect("admin:troubleshoot_guide_preview", guide.pk)
    if NEXT_NODE not in request.POST:
        return response
    draft, problems = authoring.review(guide)
    troubled = {p.node for p in problems if p.node and p.level == "error"}
    order = list(dict.fromkeys(row.slug for row in authoring.outline(draft, problems)))
    if current in order:
        at = order.index(current)
        order = order[at + 1:] + order[:at]
    slug = next((s for s in order if s in troubled), None)
    pk = guide.nodes.filter(slug=slug).values_list("pk", flat=True).first() if slug else None
    if pk is None:
        messages.info(request, "No node has an error left: preview the draft, then publish it.")
        return redirect("admin:troubleshoot_guide_change", guide.pk)
    return redirect("admin:troubleshoot_node_change", pk)


class GuideChangeList(ChangeList):
    """The guide list, with each guide's draft compared with what users see, for the whole page at once."""

    def get_results(self, request):
        super().get_results(request)
        states = drafts.states(list(self.result_list))
        for guide in self.result_list:
            guide.draft_state = states[guide.pk]


@admin.register(Guide)
class GuideAdmin(admin.ModelAdmin):
    form = GuideForm
    prepopulated_fields = {"slug": ("title",)}
    list_display = ("title", "slug", "codes", "category", "published", "draft", "retired", "updated_at")
    list_filter = (RetiredFilter, "category")
    search_fields = ("slug", "title", "codes", "error", "messages")
    inlines = [PlatformInline, SourceInline, NodeInline]
    change_form_template = "admin/troubleshoot/guide/change_form.html"
    change_list_template = "admin/troubleshoot/guide/change_list.html"

    def get_queryset(self, request):
        return super().get_queryset(request).annotate(newest=Max("versions__number"))

    @admin.display(description="Published version", ordering="newest")
    def published(self, guide):
        return guide.newest or "not yet"

    @admin.display(description="Draft")
    def draft(self, guide):
        return str(guide.draft_state)

    @admin.display(description="Retired", ordering="retired_at")
    def retired(self, guide):
        if guide.retired_at is None:
            return None  # the admin's empty mark
        return "Retired " + date_format(timezone.localtime(guide.retired_at), "DATE_FORMAT")

    def get_actions(self, request, action_location=admin.ActionLocation.CHANGE_LIST):
        # Guides with versions cannot be deleted (delete_view says why); choose them one at a time.
        actions = super().get_actions(request, action_location)
        actions.pop("delete_selected", None)
        return actions

    def delete_view(self, request, object_id, extra_context=None):
        """A guide that was published or walked is retired, not deleted: say so, instead of Django's generic refusal."""
        guide = self.get_object(request, object_id)
        if guide is None or not (guide.versions.exists() or guide.runs.exists()):
            return super().delete_view(request, object_id, extra_context)
        if not self.has_delete_permission(request, guide):
            raise PermissionDenied
        response = self._page(request, guide, "cannot_delete.html", f"“{guide.title}” cannot be deleted",
                              versions=guide.versions.count(), can_publish=request.user.has_perm(PUBLISH))
        response.status_code = 409 if request.method == "POST" else 200
        return response

    def get_changelist(self, request, **kwargs):
        return GuideChangeList

    def response_add(self, request, obj, post_url_continue=None):
        return go_on(request, obj, super().response_add(request, obj, post_url_continue))

    def response_change(self, request, obj):
        return go_on(request, obj, super().response_change(request, obj))

    def save_model(self, request, obj, form, change):
        authoring.bump(obj)
        super().save_model(request, obj, form, change)

    def save_formset(self, request, form, formset, change):
        for node in formset.save(commit=False):
            if isinstance(node, Node):
                node.revision += 1  # a node edited here makes a node page opened earlier stale
            node.save()
        for gone in formset.deleted_objects:
            gone.delete()
        formset.save_m2m()

    def get_urls(self):
        view = self.admin_site.admin_view
        return [
            path("import/", view(self.import_view), name="troubleshoot_guide_import"),
            path("<int:pk>/publish/", view(self.publish_view), name="troubleshoot_guide_publish"),
            path("<int:pk>/retire/", view(self.retire_view), name="troubleshoot_guide_retire"),
            path("<int:pk>/unretire/", view(self.unretire_view), name="troubleshoot_guide_unretire"),
            path("<int:pk>/versions/", view(self.versions_view), name="troubleshoot_guide_versions"),
            path("<int:pk>/export/", view(self.export_view), name="troubleshoot_guide_export"),
            path("<int:pk>/analytics/", view(self.analytics_view), name="troubleshoot_guide_analytics"),
            path("<int:pk>/preview/", view(self.preview_view), name="troubleshoot_guide_preview"),
            path("<int:pk>/preview/<slug:platform>/", view(self.preview_view)),
            path("<int:pk>/preview/<slug:platform>/<path:answers>/", view(self.preview_view)),
        ] + super().get_urls()

    def change_view(self, request, object_id, form_url="", extra_context=None):
        guide = self.get_object(request, object_id)
        extra = {}
        if guide is not None:
            draft, problems = authoring.review(guide)
            urls = authoring.node_urls(guide)
            state = drafts.state(guide, draft)  # the rows just read, not read again
            extra = {
                "problems": authoring.shown(problems, draft, urls),
                "error_count": sum(p.level == "error" for p in problems),
                "outline": [(row, urls.get(row.slug)) for row in authoring.outline(draft, problems)],
                "graph": authoring.graph(draft, problems, urls),
                "can_publish": request.user.has_perm(PUBLISH),
                "published_number": state.newest,
                "draft_state": state,
            }
        return super().change_view(request, object_id, form_url, extra_context=extra | (extra_context or {}))

    def _guide(self, request, pk: int, permission: str | None = None) -> Guide:
        guide = get_object_or_404(Guide, pk=pk)
        if not self.has_view_permission(request, guide):
            raise PermissionDenied
        if permission and not request.user.has_perm(permission):
            raise PermissionDenied(PUBLISHERS_ONLY if permission == PUBLISH else "")
        return guide

    def _page(self, request, guide, template: str, title: str, **context):
        context = self.admin_site.each_context(request) | {
            "opts": self.opts, "guide": guide, "original": guide, "title": title,
        } | context
        return TemplateResponse(request, f"admin/troubleshoot/guide/{template}", context)

    def publish_view(self, request, pk: int):
        guide = self._guide(request, pk, PUBLISH)
        draft, problems = authoring.review(guide)
        problems = authoring.shown(problems, draft, authoring.node_urls(guide))
        errors = [p for p in problems if p.level == "error"]
        form = PublishForm(request.POST or None)
        if request.method == "POST" and form.is_valid():
            try:
                version = publishing.publish(guide, request.user, form.cleaned_data["note"])
            except document.DocumentError as exc:
                messages.error(request, "Not published: " + "; ".join(exc.problems))
            else:
                messages.success(request, f"Published “{guide.title}” as version {version.number}.")
                return redirect("admin:troubleshoot_guide_versions", guide.pk)
        return self._page(request, guide, "publish.html", f"Publish “{guide.title}”", form=form,
                          problems=problems, blocking=errors)

    def retire_view(self, request, pk: int):
        """Hide a guide from users' lists and matching, keeping its links: a page that says so, then on POST do it."""
        guide = self._guide(request, pk, PUBLISH)
        if guide.retired_at is not None:
            messages.info(request, f"“{guide.title}” is already retired; nothing changed.")
            return redirect("admin:troubleshoot_guide_change", guide.pk)
        form = RetireForm(request.POST or None)
        if request.method == "POST" and form.is_valid():
            note = form.cleaned_data["note"].strip()
            if publishing.retire(guide, request.user, note):
                self.log_change(request, guide, f"Retired. {note}".strip())
            messages.success(request, f"Retired “{guide.title}”: it is hidden from the guide list, agents' search and "
                                      "paste matching. Its links still open, with a notice that it is retired.")
            return redirect("admin:troubleshoot_guide_change", guide.pk)
        return self._page(request, guide, "retire.html", f"Retire “{guide.title}”?", form=form,
                          newest=Version.objects.newest_number(guide.slug))

    def unretire_view(self, request, pk: int):
        guide = self._guide(request, pk, PUBLISH)
        if guide.retired_at is None:
            messages.info(request, f"“{guide.title}” is not retired; nothing changed.")
            return redirect("admin:troubleshoot_guide_change", guide.pk)
        form = UnretireForm(request.POST or None)
        if request.method == "POST" and form.is_valid():
            note = form.cleaned_data["note"].strip()
            if publishing.unretire(guide):
                self.log_change(request, guide, f"Back in use. {note}".strip())
            messages.success(request, f"“{guide.title}” is in use again: it shows in the guide list, agents' search "
                                      "and paste matching.")
            return redirect("admin:troubleshoot_guide_change", guide.pk)
        return self._page(request, guide, "unretire.html", f"Un-retire “{guide.title}”?", form=form)

    def versions_view(self, request, pk: int):
        guide = self._guide(request, pk)
        if request.method == "POST":
            if not request.user.has_perm(PUBLISH):
                raise PermissionDenied(PUBLISHERS_ONLY)
            return self._roll_back(request, guide)
        versions = authoring.changes(list(guide.versions.select_related("published_by")))
        return self._page(request, guide, "versions.html", f"Versions of “{guide.title}”", versions=versions,
                          can_publish=request.user.has_perm(PUBLISH))

    def _roll_back(self, request, guide):
        """Publish an older version again: first a page that says what it does to the draft, then on 'confirm' do it."""
        old = get_object_or_404(Version, guide=guide, number=_number(request.POST.get("number")))
        back = redirect("admin:troubleshoot_guide_versions", guide.pk)
        if old.number == Version.objects.newest_number(guide.slug):
            messages.info(request, f"Version {old.number} is already what users see; nothing changed.")
            return back
        if "confirm" not in request.POST:
            return self._page(request, guide, "roll_back.html", f"Publish version {old.number} of “{guide.title}” again?",
                              old=old, state=drafts.state(guide))
        try:
            version, new, kept = publishing.roll_back(old, request.user)
        except document.DocumentError as exc:
            messages.error(request, "Not published: " + "; ".join(exc.problems))
            return back
        if not new:
            messages.info(request, f"Version {old.number} is already what users see; nothing changed.")
        elif kept:
            messages.warning(request, f"Version {old.number} is published again, as version {version.number}. "
                                      "Your draft was kept as it was, so it now differs from what users see.")
        else:
            messages.success(request, f"Version {old.number} is published again, as version {version.number}. "
                                      "The draft is now the same as what users see.")
        return back

    def export_view(self, request, pk: int):
        guide = self._guide(request, pk)
        number = request.GET.get("version")
        if number:
            exported = document.load(get_object_or_404(Version, guide=guide, number=_number(number)).document)
        else:
            exported = document.review(drafts.build(guide))[0]  # as it stands, problems and all
        name = f"{guide.slug}-v{number}.yaml" if number else f"{guide.slug}-draft.yaml"
        response = HttpResponse(document.write(exported), content_type="application/yaml; charset=utf-8")
        response["Content-Disposition"] = f'attachment; filename="{name}"'
        return response

    def import_view(self, request):
        if not request.user.has_perm(PUBLISH):
            raise PermissionDenied(PUBLISHERS_ONLY)
        form = ImportForm(request.POST or None, request.FILES or None)
        problems = []
        if request.method == "POST" and form.is_valid():
            try:
                read = document.read(form.text(), parts.library())
                imported = publishing.import_guide(read, request.user, replace_draft="replace" in request.POST,
                                               seen_revision=form.cleaned_data["seen_revision"])
            except document.DocumentError as exc:
                problems = exc.problems
            except publishing.UnpublishedDraft as exc:
                text = json.dumps(document.as_data(read), ensure_ascii=False, separators=(",", ":"))
                return self._page(request, exc.row, "import_confirm.html", f"Replace the draft of “{exc.row.title}”?",
                                  state=exc.state, text=text, revision=exc.row.revision,
                                  fits=len(text.encode()) < (settings.DATA_UPLOAD_MAX_MEMORY_SIZE or 2**62) - 10_000)
            else:
                messages.success(request, self._imported(imported))
                return redirect("admin:troubleshoot_guide_change", imported.row.pk)
        return self._page(request, None, "import.html", "Import a guide", form=form, problems=problems)

    @staticmethod
    def _imported(imported: publishing.Imported) -> str:
        guide = imported.row
        if imported.version is not None:
            return (f"Imported “{guide.title}”: version {imported.version.number}, which users see, "
                    "already holds this document; the draft is the same.")
        live = f"users still see version {imported.state.newest}" if imported.state.newest else "nothing is published yet"
        return format_html("Imported “{}” as a draft: it is not published ({}). Look it over, then "
                           '<a href="{}">publish it</a>.', guide.title, live,
                           reverse("admin:troubleshoot_guide_publish", args=[guide.pk]))

    def analytics_view(self, request, pk: int):
        guide = self._guide(request, pk, "troubleshoot.view_run")
        form = AnalyticsForm(request.GET or None, versions=list(guide.versions.values_list("number", flat=True)))
        start, end, version = form.period()
        result = analytics.report(guide.slug, start, end, version)
        tables = analytics.tables(result)
        wanted = request.GET.get("csv")
        if wanted in tables:
            response = HttpResponse(content_type="text/csv; charset=utf-8")
            response["Content-Disposition"] = f'attachment; filename="{guide.slug}-{wanted}.csv"'
            writer = csv.writer(response)
            headers, rows, _ = tables[wanted]
            writer.writerows([headers, *rows])
            return response
        query = request.GET.copy()
        query.pop("csv", None)
        return self._page(request, guide, "analytics.html", f"How “{guide.title}” does", form=form, result=result,
                          first_day=start.date(), last_day=(end - timedelta(days=1)).date(), version=version,
                          tables={name: (headers, list(zip(rows, _bars(rows, column))), headers[column])
                                  for name, (headers, rows, column) in tables.items()},
                          feedback=analytics.latest_feedback(guide.slug, start, end, version),
                          query=query.urlencode())

    @views.shows_not_found
    def preview_view(self, request, pk: int, platform: str = "", answers: str = ""):
        """The current draft, walked exactly as users will see it once it is published."""
        guide = self._guide(request, pk)
        draft, problems = authoring.review(guide)
        errors = [p for p in authoring.shown(problems, draft, authoring.node_urls(guide)) if p.level == "error"]
        if errors:
            return self._page(request, guide, "preview_blocked.html", f"Preview of “{guide.title}”", blocking=errors)
        base = reverse("admin:troubleshoot_guide_preview", args=[pk])
        links = {"edit_url": reverse("admin:troubleshoot_guide_change", args=[pk]),
                 "publish_url": reverse("admin:troubleshoot_guide_publish", args=[pk])
                 if request.user.has_perm(PUBLISH) else ""}
        if not platform:
            return views.platform_page(request, GuideVersion.draft(draft), base, links)
        return views.walk_view(request, GuideVersion.draft(draft), base, platform, answers, record=False, preview=links)


NEW_KINDS = [("", "(kind)")] + list(Node.Kind.choices)


def new_node_fields(kind_label: str = "or a new", title_label: str = "node titled") -> dict[str, forms.Field]:
    """A kind and a title that name a node to create and link on save, instead of picking one from the menu."""
    return {
        "kind": forms.ChoiceField(choices=NEW_KINDS, required=False, label=kind_label),
        "title": forms.CharField(max_length=300, required=False, label=title_label,
                                 widget=forms.TextInput(attrs={"size": 30})),
    }


def check_new_node(form: forms.Form, link: str, kind: str, title: str) -> None:
    """A new node needs both a kind and a title, and is instead of a node picked in `link`, not as well."""
    data = form.cleaned_data
    if not data.get(kind) and not data.get(title):
        return
    if not data.get(kind) or not data.get(title):
        form.add_error(title if not data.get(title) else kind, "A new node needs both a kind and a title.")
    elif data.get(link):
        form.add_error(title, "Pick a node or name a new one, not both.")


def create_node(guide: Guide, kind: str, title: str) -> Node:
    """A new node of the guide, its slug made from its title and unique in the guide, placed last."""
    base = slugify(title)[:40].strip("-") or kind
    taken = set(guide.nodes.filter(slug__startswith=base).values_list("slug", flat=True))
    slug = next(s for s in (base if n == 1 else f"{base}-{n}" for n in range(1, len(taken) + 2)) if s not in taken)
    order = (guide.nodes.aggregate(m=Max("order"))["m"] or 0) + 1
    return Node.objects.create(guide=guide, kind=kind, title=title, slug=slug, order=order)


# A node's links that may name a new node instead: the field, and its two "new node" form fields.
NEW_LINKS = {link: (f"new_{link}_kind", f"new_{link}_title") for link in ("if_not_fixed", "if_all_match", "if_any_differ")}


class NodeForm(authoring.StaleEditForm):
    new_if_not_fixed_kind, new_if_not_fixed_title = new_node_fields().values()
    new_if_all_match_kind, new_if_all_match_title = new_node_fields().values()
    new_if_any_differ_kind, new_if_any_differ_title = new_node_fields().values()

    class Meta:
        model = Node
        fields = ["guide", "slug", "kind", "is_start", "title", "help", "sources", "who",
                  "if_not_fixed", "if_all_match", "if_any_differ"]

    def clean_sources(self):
        return clean_sources(self, self.cleaned_data.get("guide") or getattr(self.instance, "guide", None))

    def clean(self):
        cleaned = super().clean()
        for link, (kind, title) in NEW_LINKS.items():
            check_new_node(self, link, kind, title)
        return cleaned


class ChoiceForm(forms.ModelForm):
    new_kind, new_title = new_node_fields().values()

    class Meta:
        model = Choice
        fields = ["label", "slug", "next", "new_kind", "new_title", "order"]
        labels = {"next": "Leads to"}

    def clean(self):
        cleaned = super().clean()
        check_new_node(self, "next", "new_kind", "new_title")
        return cleaned


class ChoiceInline(SameGuideMenus, Ordered, admin.TabularInline):
    model = Choice
    form = ChoiceForm
    fk_name = "node"
    extra = 0
    prepopulated_fields = {"slug": ("label",)}


class InstructionForm(forms.ModelForm):
    class Meta:
        model = Instruction
        fields = ["text", "part", "platform", "order"]
        labels = {"part": "Or include a part"}

    def clean(self):
        cleaned = super().clean()
        if self.cleaned_data.get("DELETE"):
            return cleaned
        text, part = (cleaned.get("text") or "").strip(), cleaned.get("part")
        if text and part:
            raise forms.ValidationError("Write the instruction, or include a part, not both: empty one of them.")
        if not text and not part:
            raise forms.ValidationError("Write the instruction, or choose a part to include (or delete the line).")
        if part and cleaned.get("platform"):
            self.add_error("platform", "A part has its own platforms: leave this empty when including one.")
        return cleaned


class InstructionInline(SameGuideMenus, Ordered, admin.TabularInline):
    """Instructions one line each: a small text box, or a shared part, and the platform, so six fit on a screen."""

    model = Instruction
    form = InstructionForm
    extra = 0

    def get_queryset(self, request):
        return super().get_queryset(request).select_related("part")  # each row's title names its part

    formfield_overrides = {models.TextField: {"widget": forms.Textarea(attrs={"rows": 2, "cols": 70})}}


class CheckItemInline(Ordered, admin.TabularInline):
    model = CheckItem
    extra = 0
    prepopulated_fields = {"slug": ("label",)}


@admin.register(Node)
class NodeAdmin(NodeSources, SameGuideMenus, admin.ModelAdmin):
    form = NodeForm
    readonly_fields = ("rests_on",)
    prepopulated_fields = {"slug": ("title",)}
    list_display = ("slug", "kind", "title", "guide")
    list_filter = ("guide", "kind")
    search_fields = ("slug", "title")
    inlines = [ChoiceInline, CheckItemInline, InstructionInline]
    change_form_template = "admin/troubleshoot/node/change_form.html"

    def get_object(self, request, object_id, from_field=None):
        node = super().get_object(request, object_id, from_field)
        request._node = node  # read by SameGuideMenus
        return node

    def get_fields(self, request, obj=None):
        # Only the fields a node of this kind uses; a new node, whose kind is not chosen yet, shows all.
        fields = ["guide", "title", "slug", "kind", "is_start", "help", ("sources", "rests_on"), "seen_revision"]
        if obj is None or obj.kind == Node.Kind.SOLUTION:
            fields += ["who", ("if_not_fixed", *NEW_LINKS["if_not_fixed"])]
        if obj is None or obj.kind == Node.Kind.CHECKLIST:
            fields += [("if_all_match", *NEW_LINKS["if_all_match"]), ("if_any_differ", *NEW_LINKS["if_any_differ"])]
        return fields


    def get_inline_instances(self, request, obj=None):
        # Only the parts a node of this kind has: choices for questions, items for checklists, instructions for solutions.
        inlines = super().get_inline_instances(request, obj)
        if obj is None:
            return inlines  # a new node's kind is not known yet
        wanted = {"question": ChoiceInline, "checklist": CheckItemInline, "solution": InstructionInline}.get(obj.kind)
        return [i for i in inlines if type(i) is wanted]

    def save_model(self, request, obj, form, change):
        for link, (kind, title) in NEW_LINKS.items():
            if form.cleaned_data.get(title):
                setattr(obj, link, create_node(obj.guide, form.cleaned_data[kind], form.cleaned_data[title]))
        authoring.bump(obj)
        super().save_model(request, obj, form, change)

    def response_add(self, request, obj, post_url_continue=None):
        return go_on(request, obj.guide, super().response_add(request, obj, post_url_continue), obj.slug)

    def response_change(self, request, obj):
        return go_on(request, obj.guide, super().response_change(request, obj), obj.slug)

    def save_formset(self, request, form, formset, change):
        if formset.model is Choice:
            for choice_form in formset.forms:
                data = getattr(choice_form, "cleaned_data", {})
                if data.get("new_title") and not data.get("DELETE"):
                    choice_form.instance.next = create_node(form.instance.guide, data["new_kind"], data["new_title"])
        super().save_formset(request, form, formset, change)

    def change_view(self, request, object_id, form_url="", extra_context=None):
        node = self.get_object(request, object_id)
        extra = {}
        if node is not None:
            _, problems = authoring.review(node.guide)
            extra = {"problems": [p for p in problems if p.node == node.slug], "guide": node.guide}
        return super().change_view(request, object_id, form_url, extra_context=extra | (extra_context or {}))


@admin.register(Version)
class VersionAdmin(admin.ModelAdmin):
    list_display = ("guide", "number", "published_at", "published_by", "note")
    list_filter = ("guide",)
    readonly_fields = ("guide", "number", "document", "note", "published_at", "published_by")

    def has_add_permission(self, request):
        return False

    def has_change_permission(self, request, obj=None):
        return False  # a published version never changes

    def has_delete_permission(self, request, obj=None):
        return False  # old links keep opening the version they were made on


class MissingStatus(admin.SimpleListFilter):
    """Open codes by default: a code that a published guide covers is closed, and shown only when asked."""

    title = "status"
    parameter_name = "status"

    def lookups(self, request, model_admin):
        return [("closed", "Closed: a published guide covers the code"), ("all", "All")]

    def choices(self, changelist):
        yield {"selected": self.value() is None, "display": "Open",
               "query_string": changelist.get_query_string(remove=[self.parameter_name])}
        for value, title in self.lookup_choices:
            yield {"selected": self.value() == value, "display": title,
                   "query_string": changelist.get_query_string({self.parameter_name: value})}

    def queryset(self, request, queryset):
        covered = list(Version.objects.covered_codes())
        if self.value() == "all":
            return queryset
        if self.value() == "closed":
            return queryset.filter(code__in=covered)
        return queryset.exclude(code__in=covered)


@admin.register(MissingPaste)
class MissingPasteAdmin(admin.ModelAdmin):
    """What people pasted that opened no guide, one row per error code, most frequent first: the guides to write next.

    A code's row counts the pastes of all its wordings; its page lists them. Pastes without a code
    are listed by wording. A code that a published guide covers is closed (the status filter).
    """

    list_display = ("total_count", "code", "wording", "last_pasted", "start_guide")
    list_display_links = ("code", "wording")
    list_filter = (MissingStatus,)
    search_fields = ("code", "text")
    readonly_fields = ("code", "total_count", "all_wordings", "first_seen", "last_pasted", "start_guide")
    fields = readonly_fields

    def get_queryset(self, request):
        rows = MissingPaste.objects.by_code()  # ordered by what it annotates, so not super()'s ordering
        covered = Version.objects.covered_codes()
        pks = dict(Guide.objects.filter(slug__in=set(covered.values())).values_list("slug", "pk"))
        existing = Guide.objects.filter(slug=Lower(OuterRef("code")))
        return rows.annotate(
            covered_slug=Case(*(When(code=c, then=Value(slug)) for c, slug in covered.items()), default=Value("")),
            covered_pk=Case(*(When(code=c, then=Value(pks[slug])) for c, slug in covered.items()),
                            default=Value(None), output_field=IntegerField()),
            guide_slug=Case(When(code="", then=Value(None)), default=Subquery(existing.values("slug")[:1])),
            guide_pk=Case(When(code="", then=Value(None)), default=Subquery(existing.values("pk")[:1]),
                          output_field=IntegerField()),
        )

    def get_ordering(self, request):
        return ("-total", "-seen")  # annotations of by_code(): the pastes of all of a code's wordings

    def get_search_results(self, request, queryset, search_term):
        """A code's row is found by any of its wordings, not only the one it shows."""
        if not search_term:
            return queryset, False
        found, _ = super().get_search_results(request, MissingPaste.objects.all(), search_term)
        codes = found.exclude(code="").values("code")
        return queryset.filter(Q(code__in=codes) | Q(code="", pk__in=found.filter(code="").values("pk"))), False

    @admin.display(description="Pastes", ordering="total")
    def total_count(self, paste):
        return paste.total

    @admin.display(description="Pasted text")
    def wording(self, paste):
        text = paste.text[:120] + ("…" if len(paste.text) > 120 else "")
        more = paste.wordings - 1
        if more:
            return format_html("{}<br><small>and {} other wording{} of this code</small>", text, more, "s"[:more > 1])
        return text

    @admin.display(description="Last pasted", ordering="seen")
    def last_pasted(self, paste):
        return date_format(timezone.localtime(paste.seen), "DATETIME_FORMAT")

    @admin.display(description="Wordings, most pasted first")
    def all_wordings(self, paste):
        return format_html("<ol>{}</ol>", format_html_join(
            "", "<li>{} <small>({} paste{})</small></li>",
            ((w.text, w.count, "s"[:w.count > 1]) for w in MissingPaste.objects.wordings_of(paste))))

    @admin.display(description="")
    def start_guide(self, paste):
        if paste.covered_pk:
            return format_html('Closed: covered by <a href="{}">{}</a>',
                               reverse("admin:troubleshoot_guide_change", args=[paste.covered_pk]), paste.covered_slug)
        if paste.guide_pk:  # a guide with this code's slug is being written: open it, never start a second
            return format_html('<a href="{}">Open the guide {}</a>',
                               reverse("admin:troubleshoot_guide_change", args=[paste.guide_pk]), paste.guide_slug)
        initial = {"codes": paste.code, "error": paste.text[:1000], "title": paste.code or paste.text[:80]}
        # A slug the form can save: the code's, or one made from the words (the admin's script fills
        # a slug only while the title is typed, not from a title given in the link).
        initial["slug"] = paste.code.lower() if paste.code else slugify(paste.text)[:50].strip("-")
        url = reverse("admin:troubleshoot_guide_add") + "?" + urlencode(initial)
        return format_html('<a href="{}">Start a guide</a>', url)

    def delete_model(self, request, obj):
        MissingPaste.objects.wordings_of(obj).delete()  # a code's row stands for all its wordings

    def delete_queryset(self, request, queryset):
        rows = list(queryset)
        MissingPaste.objects.filter(Q(code__in=[r.code for r in rows if r.code]) |
                                    Q(pk__in=[r.pk for r in rows if not r.code])).delete()

    def has_add_permission(self, request):
        return False

    def has_change_permission(self, request, obj=None):
        return False


class PartInstructionInline(Ordered, admin.TabularInline):
    model = PartInstruction
    extra = 0
    fields = ("text", "platform", "order")
    formfield_overrides = {models.TextField: {"widget": forms.Textarea(attrs={"rows": 2, "cols": 70})}}


@admin.register(Part)
class PartAdmin(admin.ModelAdmin):
    """Instructions many guides share. A change reaches users when the guides that use it are republished."""

    list_display = ("slug", "title", "used_by", "updated_at")
    search_fields = ("slug", "title", "instructions__text")
    prepopulated_fields = {"slug": ("title",)}
    inlines = [PartInstructionInline]
    change_form_template = "admin/troubleshoot/part/change_form.html"

    @admin.display(description="Guides that include it")
    def used_by(self, part):
        return len(parts.used_by(part))

    def get_urls(self):
        view = self.admin_site.admin_view
        return [path("<int:pk>/republish/", view(self.republish_view), name="troubleshoot_part_republish")
                ] + super().get_urls()

    def change_view(self, request, object_id, form_url="", extra_context=None):
        part = self.get_object(request, object_id)
        extra = {}
        if part is not None:
            extra = {"uses": parts.uses(part), "can_publish": request.user.has_perm(PUBLISH)}
        return super().change_view(request, object_id, form_url, extra_context=extra | (extra_context or {}))

    def response_change(self, request, obj):
        stale = [u for u in parts.uses(obj) if u.stale]
        if stale:
            messages.warning(request, f"Users still see the old text in {len(stale)} guide{'s' if len(stale) != 1 else ''}: "
                                      "republish them from this part's page to show the new text.")
        return super().response_change(request, obj)

    def republish_view(self, request, pk: int):
        """Publish every guide whose newest version shows older text of this part: a page that lists them, then on POST do it."""
        part = get_object_or_404(Part, pk=pk)
        if not request.user.has_perm(PUBLISH):
            raise PermissionDenied(PUBLISHERS_ONLY)
        if request.method == "POST":
            try:
                done = publishing.republish(part, request.user)
            except document.DocumentError as exc:
                messages.error(request, "Nothing was republished; with this text, " + "; ".join(exc.problems)
                               + ". Change the part so that every guide still checks, then republish.")
                return redirect("admin:troubleshoot_part_change", part.pk)
            if done:
                messages.success(request, "Republished: " + ", ".join(f"{d.guide} as version {d.number}" for d in done) + ".")
            else:
                messages.info(request, "Every guide that includes it already shows its current text: nothing was published.")
            return redirect("admin:troubleshoot_part_change", part.pk)
        context = self.admin_site.each_context(request) | {
            "opts": self.opts, "original": part, "title": f"Republish the guides that include “{part.title}”",
            "stale": [u for u in parts.uses(part) if u.stale],
        }
        return TemplateResponse(request, "admin/troubleshoot/part/republish.html", context)

from . import delivery_admin  # noqa: E402,F401  registers the deliveries' pages
