from django.contrib import admin

from .models import AccessEntry, ChecklistItem, ChecklistTemplate, Document, Fault, ResponseTarget


class ChecklistItemInline(admin.TabularInline):
    model = ChecklistItem
    extra = 1


@admin.register(ChecklistTemplate)
class ChecklistTemplateAdmin(admin.ModelAdmin):
    list_display = ["name", "room", "frequency", "active"]
    inlines = [ChecklistItemInline]


@admin.register(ResponseTarget)
class ResponseTargetAdmin(admin.ModelAdmin):
    list_display = ["severity", "respond_minutes", "restore_minutes"]


@admin.register(Fault)
class FaultAdmin(admin.ModelAdmin):
    list_display = ["number", "item_kind", "item", "severity", "status", "reported_at"]
    list_filter = ["status", "severity", "cause"]
    search_fields = ["number", "item", "symptom"]
    readonly_fields = [f.name for f in Fault._meta.fields]

    def has_add_permission(self, request):
        return False


@admin.register(AccessEntry)
class AccessEntryAdmin(admin.ModelAdmin):
    list_display = ["person_name", "organisation", "purpose", "escort", "entered_at", "left_at"]
    readonly_fields = [f.name for f in AccessEntry._meta.fields]

    def has_add_permission(self, request):
        return False


@admin.register(Document)
class DocumentAdmin(admin.ModelAdmin):
    list_display = ["title", "category", "current_version"]
