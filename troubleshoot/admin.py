"""Authoring: guides and their nodes are drafts; the publish action checks them and stores a version."""

from django.contrib import admin, messages

from . import document, drafts
from .models import CheckItem, Choice, Guide, Node, Platform, Step, Version


class PlatformInline(admin.TabularInline):
    model = Platform
    extra = 0


class NodeInline(admin.TabularInline):
    model = Node
    extra = 0
    fields = ("slug", "kind", "title", "is_start", "order")
    show_change_link = True
    fk_name = "guide"


@admin.register(Guide)
class GuideAdmin(admin.ModelAdmin):
    list_display = ("title", "slug", "codes", "latest_version", "updated_at")
    search_fields = ("slug", "title", "codes", "error", "messages")
    inlines = [PlatformInline, NodeInline]
    actions = ["publish"]

    @admin.display(description="Published version")
    def latest_version(self, guide):
        return Version.objects.latest_number(guide.slug) or "not yet"

    @admin.action(description="Publish the selected guides' drafts as new versions")
    def publish(self, request, queryset):
        for guide in queryset:
            try:
                version = drafts.publish(guide, user=request.user, note="Published from the admin")
            except document.DocumentError as exc:
                self.message_user(
                    request, f"Did not publish {guide.slug}: " + "; ".join(exc.problems), messages.ERROR
                )
            else:
                self.message_user(request, f"Published {guide.slug} as version {version.number}.", messages.SUCCESS)


class SameGuideMenus:
    """On a node's page, menus of nodes and platforms offer only that node's own guide's."""

    def formfield_for_foreignkey(self, db_field, request, **kwargs):
        field = super().formfield_for_foreignkey(db_field, request, **kwargs)
        node = getattr(request, "_node", None)
        if node is not None and db_field.related_model in (Node, Platform):
            field.queryset = db_field.related_model.objects.filter(guide=node.guide)
        return field


class ChoiceInline(SameGuideMenus, admin.TabularInline):
    model = Choice
    fk_name = "node"
    extra = 0


class StepInline(SameGuideMenus, admin.StackedInline):
    model = Step
    extra = 0


class CheckItemInline(admin.TabularInline):
    model = CheckItem
    extra = 0


@admin.register(Node)
class NodeAdmin(SameGuideMenus, admin.ModelAdmin):
    list_display = ("slug", "kind", "title", "guide")
    list_filter = ("guide", "kind")
    search_fields = ("slug", "title")
    inlines = [ChoiceInline, CheckItemInline, StepInline]

    def get_object(self, request, object_id, from_field=None):
        node = super().get_object(request, object_id, from_field)
        request._node = node  # read by SameGuideMenus
        return node


@admin.register(Version)
class VersionAdmin(admin.ModelAdmin):
    list_display = ("guide", "number", "published_at", "published_by", "note")
    list_filter = ("guide",)
    readonly_fields = ("guide", "number", "document", "note", "published_at", "published_by")

    def has_add_permission(self, request):
        return False

    def has_change_permission(self, request, obj=None):
        return False  # a published version never changes
