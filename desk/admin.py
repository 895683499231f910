"""Managers keep the shared canned replies and the list of tags here."""

from django.contrib import admin

from tickets.models import Tag

from .models import Macro, MacroTranslation


class MacroTranslationInline(admin.TabularInline):
    model = MacroTranslation
    extra = 1


@admin.register(Macro)
class MacroAdmin(admin.ModelAdmin):
    list_display = ["name", "owner", "internal", "set_status", "set_priority"]
    list_filter = ["internal", "set_status"]
    search_fields = ["name", "body"]
    inlines = [MacroTranslationInline]


@admin.register(Tag)
class TagAdmin(admin.ModelAdmin):
    search_fields = ["name"]
    exclude = ["tickets"]
