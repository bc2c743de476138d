"""Django admin for system administrators (superusers): territory, organisations, grants.

People are deliberately not registered: the admin would show full ID numbers without the
audited reveal; staff work with people through the scoped UI and API.
"""

from django.contrib import admin
from treebeard.admin import TreeAdmin
from treebeard.forms import movenodeform_factory

from fangkong.core.models import ApiToken, Grant, Organisation, OrgUnit


@admin.register(OrgUnit)
class OrgUnitAdmin(TreeAdmin):
    form = movenodeform_factory(OrgUnit)
    list_display = ("name", "code", "level")
    search_fields = ("name", "code")


@admin.register(Organisation)
class OrganisationAdmin(admin.ModelAdmin):
    list_display = ("name", "code", "kind", "org_unit", "is_member_unit", "is_active")
    list_filter = ("kind", "is_member_unit", "is_active")
    search_fields = ("name", "code", "uscc")
    raw_id_fields = ("org_unit",)


@admin.register(Grant)
class GrantAdmin(admin.ModelAdmin):
    list_display = ("user", "role", "org_unit", "organisation", "created_at")
    list_filter = ("role",)
    search_fields = ("user__username", "org_unit__name", "org_unit__code")
    raw_id_fields = ("user", "org_unit", "organisation", "granted_by")


@admin.register(ApiToken)
class ApiTokenAdmin(admin.ModelAdmin):
    list_display = ("prefix", "user", "name", "created_at", "expires_at", "last_used_at",
                    "revoked_at")
    readonly_fields = ("key_hash", "prefix", "created_at", "last_used_at")
    search_fields = ("user__username", "prefix")
