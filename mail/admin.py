"""Managers configure mailboxes here (through mailbox_save) and read what came in."""

from django import forms
from django.contrib import admin
from django.core.exceptions import ValidationError
from django.http import Http404
from django.urls import path, reverse
from django.utils.html import format_html
from django.utils.translation import gettext_lazy as _

from common.admin import ReadOnlyAdminMixin
from common.errors import ApplicationError

from .models import FailingAddress, InboundMail, Mailbox
from .services.mailboxes import EDITABLE, mailbox_save
from .views import original_response


class MailboxForm(forms.ModelForm):
    password = forms.CharField(
        label=_("password"),
        required=False,
        strip=False,
        widget=forms.PasswordInput(render_value=False),
        help_text=_("Stored encrypted. Leave empty to keep the stored password."),
    )

    class Meta:
        model = Mailbox
        fields = [*EDITABLE]


@admin.register(Mailbox)
class MailboxAdmin(admin.ModelAdmin):
    form = MailboxForm
    list_display = ["name", "host", "username", "folder", "active", "last_polled_at", "last_error"]
    list_filter = ["active"]
    readonly_fields = ["last_polled_at", "last_error"]

    def save_model(self, request, obj, form, change):
        values = {name: form.cleaned_data[name] for name in EDITABLE if name in form.cleaned_data}
        try:
            saved = mailbox_save(
                actor=request.user,
                mailbox=obj if change else None,
                password=form.cleaned_data.get("password") or None,
                **values,
            )
        except ApplicationError as refused:
            raise ValidationError(refused.detail) from refused
        obj.pk = saved.pk


@admin.register(InboundMail)
class InboundMailAdmin(ReadOnlyAdminMixin, admin.ModelAdmin):
    list_display = ["received_at", "mailbox", "sender", "subject", "outcome", "ticket", "reason"]
    list_filter = ["outcome", "mailbox"]
    list_select_related = ["mailbox", "ticket"]
    search_fields = ["sender", "subject", "message_id"]
    readonly_fields = ["original_link"]
    exclude = ["original"]

    @admin.display(description=_("original"))
    def original_link(self, obj):
        if not obj.original:
            return "-"
        url = reverse("admin:mail_inboundmail_original", args=[obj.pk])
        return format_html('<a href="{}">{}</a>', url, _("Download the original mail (.eml)"))

    def get_urls(self):
        return [
            path(
                "<int:pk>/original/",
                self.admin_site.admin_view(self.original_view),
                name="mail_inboundmail_original",
            ),
            *super().get_urls(),
        ]

    def original_view(self, request, pk):
        if not self.has_view_permission(request):
            raise Http404
        return original_response(InboundMail.objects.filter(pk=pk).first())


@admin.register(FailingAddress)
class FailingAddressAdmin(admin.ModelAdmin):
    list_display = ["email", "bounces", "failed_at", "reason"]
    search_fields = ["email"]
    readonly_fields = ["bounces", "failed_at", "reason"]
