from django.contrib import admin, messages
from django.shortcuts import redirect, render
from django.urls import path

from .importer import CatalogImportError, catalog_import
from .models import Field, Procedure, RequiredDocument


@admin.register(Field)
class FieldAdmin(admin.ModelAdmin):
    list_display = ["name", "slug", "order"]


class RequiredDocumentInline(admin.TabularInline):
    model = RequiredDocument
    extra = 0


@admin.register(Procedure)
class ProcedureAdmin(admin.ModelAdmin):
    list_display = ["code", "name", "field", "version", "valid_from", "valid_to", "online_level"]
    list_filter = ["field", "online_level", "time_kind"]
    search_fields = ["code", "name", "citizen_name"]
    readonly_fields = ["content_hash"]
    inlines = [RequiredDocumentInline]
    change_list_template = "admin/catalog/procedure/change_list.html"

    def get_urls(self):
        return [
            path("nap-danh-muc/", self.admin_site.admin_view(self.import_view), name="catalog_import"),
            *super().get_urls(),
        ]

    def import_view(self, request):
        """Upload a catalogue file; all-or-nothing, every problem listed."""
        problems = []
        if request.method == "POST":
            upload = request.FILES.get("file")
            if upload is None:
                problems = ["Chọn tệp JSON danh mục để nạp"]
            elif upload.size > 5 * 1024 * 1024:
                problems = ["Tệp lớn hơn 5 MB; hãy chia nhỏ danh mục"]
            else:
                try:
                    report = catalog_import(upload.read().decode("utf-8"))
                except UnicodeDecodeError:
                    problems = ["Tệp phải là văn bản UTF-8"]
                except CatalogImportError as exc:
                    problems = [str(p) for p in exc.problems]
                else:
                    messages.success(
                        request,
                        f"Đã nạp: {report.created} thủ tục mới, {report.new_versions} phiên bản mới, "
                        f"{report.unchanged} không đổi.",
                    )
                    return redirect("admin:catalog_procedure_changelist")
        context = {**self.admin_site.each_context(request), "title": "Nạp danh mục thủ tục", "problems": problems}
        return render(request, "admin/catalog/import.html", context, status=400 if problems else 200)
