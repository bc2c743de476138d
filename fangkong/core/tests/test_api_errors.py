"""The API's one error shape, in the request's language; malformed and unknown input."""

from __future__ import annotations

import json

from django.core.exceptions import ValidationError
from django.http import Http404
from django.utils import translation
from django.utils.translation import gettext
from rest_framework import exceptions
from rest_framework.decorators import api_view, permission_classes
from rest_framework.permissions import AllowAny
from rest_framework.test import APIRequestFactory

from fangkong.core.api.errors import from_exception, from_validation, json_error
from fangkong.core.models import KeyConflict, Person
from fangkong.core.testing import FangkongTestCase

TOKEN_URL = "/api/v1/auth/token"


def zh(msgid: str) -> str:
    """The Simplified Chinese of a message, which must exist (DRF and Django ship it)."""
    with translation.override("zh-hans"):
        text = gettext(msgid)
    assert text != msgid, f"no Chinese translation for {msgid!r}"
    return text


class LanguageTests(FangkongTestCase):
    def test_it_resolves_zh_cn_to_simplified_chinese(self) -> None:
        response = self.client.get("/api/v1/people", HTTP_ACCEPT_LANGUAGE="zh-CN")
        self.assertEqual(response["Content-Language"], "zh-hans")
        english = self.client.get("/api/v1/people", HTTP_ACCEPT_LANGUAGE="en")
        self.assertEqual(english["Content-Language"], "en")

    def test_it_reports_validation_errors_in_chinese(self) -> None:
        response = self.client.post(TOKEN_URL, {"username": "hanbin"},
                                    content_type="application/json",
                                    HTTP_ACCEPT_LANGUAGE="zh-CN")
        self.assertEqual(response.status_code, 400)
        self.assertEqual(response.json(), {
            "error": zh("Please correct the error below."),
            "fields": {"password": [zh("This field is required.")]},
        })

    def test_it_reports_validation_errors_in_english(self) -> None:
        response = self.client.post(TOKEN_URL, {"username": "hanbin"},
                                    content_type="application/json", HTTP_ACCEPT_LANGUAGE="en")
        self.assertEqual(response.status_code, 400)
        self.assertEqual(response.json(), {
            "error": "Please correct the error below.",
            "fields": {"password": ["This field is required."]},
        })

    def test_it_reports_not_found_in_both_languages(self) -> None:
        self.login(self.county_a)
        zh_body = self.client.get("/api/v1/people/999999", HTTP_ACCEPT_LANGUAGE="zh-CN")
        self.assertEqual(zh_body.status_code, 404)
        self.assertEqual(zh_body.json(), {"error": zh("Not found."), "fields": {}})
        en = self.client.get("/api/v1/people/999999", HTTP_ACCEPT_LANGUAGE="en")
        self.assertEqual(en.json(), {"error": "Not found.", "fields": {}})

    def test_it_reports_missing_credentials_in_both_languages(self) -> None:
        zh_body = self.client.get("/api/v1/people", HTTP_ACCEPT_LANGUAGE="zh-CN")
        self.assertEqual(zh_body.status_code, 401)
        self.assertEqual(zh_body.json(), {
            "error": zh("Authentication credentials were not provided."), "fields": {},
        })
        en = self.client.get("/api/v1/people", HTTP_ACCEPT_LANGUAGE="en")
        self.assertEqual(en.status_code, 401)
        self.assertEqual(en.json(),
                         {"error": "Authentication credentials were not provided.", "fields": {}})

    def test_it_reports_a_missing_permission_in_both_languages(self) -> None:
        self.login(self.province)  # read only: may not register people
        body = {"id_number": "x", "name": "x", "org_unit": "610902"}
        zh_body = self.client.post("/api/v1/people", body, content_type="application/json",
                                   HTTP_ACCEPT_LANGUAGE="zh-CN")
        self.assertEqual(zh_body.status_code, 403)
        self.assertEqual(zh_body.json()["error"],
                         zh("You do not have permission to perform this action."))
        en = self.client.post("/api/v1/people", body, content_type="application/json",
                              HTTP_ACCEPT_LANGUAGE="en")
        self.assertEqual(en.json()["error"], "You do not have permission to perform this action.")


class MalformedInputTests(FangkongTestCase):
    def setUp(self) -> None:
        self.login(self.county_a)

    def test_it_answers_malformed_json_with_400(self) -> None:
        response = self.client.post("/api/v1/people", "{not json", content_type="application/json",
                                    HTTP_ACCEPT_LANGUAGE="en")
        self.assertEqual(response.status_code, 400)
        self.assertEqual(response.json(),
                         {"error": "The request body is not valid JSON.", "fields": {}})

    def test_it_answers_a_json_list_with_400(self) -> None:
        response = self.client.post("/api/v1/people", "[1, 2]", content_type="application/json",
                                    HTTP_ACCEPT_LANGUAGE="en")
        self.assertEqual(response.status_code, 400)
        self.assertIn("Expected a dictionary", response.json()["error"])

    def test_it_answers_an_unsupported_media_type_with_415(self) -> None:
        response = self.client.post("/api/v1/people", "a=b",
                                    content_type="application/x-www-form-urlencoded")
        self.assertEqual(response.status_code, 415)
        self.assertIn("error", response.json())

    def test_it_rejects_unknown_fields_and_saves_nothing(self) -> None:
        body = {"id_number": "610902198506150017", "name": "张三", "org_unit": "610902",
                "phone_number": "13800138000"}
        response = self.client.post("/api/v1/people", body, content_type="application/json",
                                    HTTP_ACCEPT_LANGUAGE="en")
        self.assertEqual(response.status_code, 400)
        self.assertEqual(response.json()["fields"], {"phone_number": ["Unknown field."]})
        self.assertFalse(Person.objects.exists())

    def test_it_reports_unknown_and_missing_fields_together(self) -> None:
        response = self.client.post("/api/v1/people", {"nmae": "张三"},
                                    content_type="application/json", HTTP_ACCEPT_LANGUAGE="en")
        fields = response.json()["fields"]
        self.assertEqual(set(fields), {"nmae", "id_number", "name", "org_unit"})
        self.assertEqual(response.json()["error"], "Please correct the errors below.")

    def test_it_rejects_a_bad_page_size(self) -> None:
        response = self.client.get("/api/v1/people?page_size=5000", HTTP_ACCEPT_LANGUAGE="en")
        self.assertEqual(response.status_code, 400)
        self.assertIn("page_size", response.json()["fields"])


class PlainViewErrorTests(FangkongTestCase):
    """``json_error``/``from_validation``/``from_exception`` answer what DRF views answer,
    for the plain views outside DRF (the passage hot path)."""

    def test_it_renders_field_errors_and_a_summary_like_the_handler(self) -> None:
        with translation.override("en"):
            response = from_validation(ValidationError({"name": ["Too long."],
                                                        "phone": ["Not a mobile number."]}))
        self.assertEqual(response.status_code, 400)
        self.assertEqual(json.loads(response.content), {
            "error": "Please correct the errors below.",
            "fields": {"name": ["Too long."], "phone": ["Not a mobile number."]},
        })
        with translation.override("en"):
            general = from_validation(ValidationError("Send a JSON object."))
        self.assertEqual(json.loads(general.content),
                         {"error": "Send a JSON object.", "fields": {}})

    def test_it_answers_a_reused_key_with_409(self) -> None:
        response = from_validation(KeyConflict({"client_id": ["已用于其他记录"]}))
        self.assertEqual(response.status_code, 409)
        self.assertEqual(json.loads(response.content)["fields"], {"client_id": ["已用于其他记录"]})
        self.assertIn("已用于其他记录".encode(), response.content)  # characters, not escapes

    def test_it_names_the_bearer_scheme_on_401_and_keeps_403_and_404(self) -> None:
        unauthenticated = from_exception(exceptions.NotAuthenticated())
        self.assertEqual((unauthenticated.status_code, unauthenticated["WWW-Authenticate"]),
                         (401, "Bearer"))
        self.assertEqual(from_exception(exceptions.PermissionDenied()).status_code, 403)
        self.assertEqual(from_exception(Http404()).status_code, 404)
        self.assertEqual(json.loads(json_error("x", status=409).content),
                         {"error": "x", "fields": {}})
        with self.assertRaises(ZeroDivisionError):  # not an API error: Django's 500
            from_exception(ZeroDivisionError())

    def test_the_drf_handler_answers_a_reused_key_with_409_too(self) -> None:
        @api_view(["POST"])
        @permission_classes([AllowAny])
        def view(request):
            raise KeyConflict({"client_id": ["reused"]})

        response = view(APIRequestFactory().post("/api/v1/x", {}, format="json"))
        self.assertEqual(response.status_code, 409)
        self.assertEqual(response.data["fields"], {"client_id": ["reused"]})
