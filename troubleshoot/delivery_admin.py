"""The admin's view of deliveries: pending, delivered and failed, with the receiver's answer; nothing
sent can be edited, and a failed one can be sent again."""

import json

from django.contrib import admin, messages
from django.utils.html import format_html

from . import deliveries
from .models import Delivery


@admin.register(Delivery)
class DeliveryAdmin(admin.ModelAdmin):
    list_display = ("reference", "destination", "status", "attempts", "answer", "ticket", "created_at", "when")
    list_filter = ("status", "destination")
    search_fields = ("reference", "ticket")
    date_hierarchy = "created_at"
    actions = ["send_again"]
    fields = ("reference", "destination", "status", "attempts", "created_at", "last_attempt_at", "when",
              "delivered_at", "ticket", "response_status", "response_text", "key", "packet_text")
    readonly_fields = fields

    def has_add_permission(self, request):
        return False  # deliveries come from escalations

    def has_delete_permission(self, request, obj=None):
        return False  # the record of what was promised to the helpdesk

    def change_view(self, request, object_id, form_url="", extra_context=None):
        # Change permission is for sending again (the list's action); a delivery's page only shows it.
        extra_context = (extra_context or {}) | {"title": "Delivery", "show_save": False,
                                                 "show_save_and_continue": False}
        return super().change_view(request, object_id, form_url, extra_context)

    @admin.display(description="Receiver's answer")
    def answer(self, delivery):
        if delivery.response_status:
            return f"HTTP {delivery.response_status}"
        return delivery.response[:80] or "—"

    @admin.display(description="Next attempt", ordering="next_attempt_at")
    def when(self, delivery):
        return delivery.next_attempt_at if delivery.status == Delivery.Status.PENDING else "—"

    @admin.display(description="Receiver's answer")
    def response_text(self, delivery):
        return format_html("<pre>{}</pre>", delivery.response) if delivery.response else "—"

    @admin.display(description="What is sent")
    def packet_text(self, delivery):
        return format_html("<pre>{}</pre>", json.dumps(delivery.packet, indent=2, ensure_ascii=False))

    @admin.action(description="Send the selected failed deliveries again", permissions=["change"])
    def send_again(self, request, queryset):
        count = deliveries.send_again(queryset)
        skipped = queryset.count() - count
        said = f"Queued {count} {'delivery' if count == 1 else 'deliveries'} to be sent again, attempts counted afresh."
        if skipped:
            said += f" {skipped} that had not failed {'was' if skipped == 1 else 'were'} left alone."
        self.message_user(request, said, messages.SUCCESS)
