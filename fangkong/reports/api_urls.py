"""/api/v1/reports/…"""

from django.urls import path

from fangkong.reports import api

urlpatterns = [
    path("forms", api.forms, name="api-reports-forms"),
    path("<slug:form>/submissions", api.submissions, name="api-reports-submissions"),
    path("<slug:form>/submissions/<id:pk>", api.submission_detail,
         name="api-reports-submission"),
    path("<slug:form>/completeness", api.completeness_view, name="api-reports-completeness"),
    path("<slug:form>/aggregate", api.aggregate, name="api-reports-aggregate"),
    path("<slug:form>/province.xlsx", api.province_export, name="api-reports-province"),
]
