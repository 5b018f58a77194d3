"""The admin holds what a deployment's administrator keeps in step with the SMS provider's console."""

from django.contrib import admin

from .models import SmsTemplate


@admin.register(SmsTemplate)
class SmsTemplateAdmin(admin.ModelAdmin):
    list_display = ["name", "code", "params", "active"]
    list_filter = ["active"]
    search_fields = ["name", "code"]
