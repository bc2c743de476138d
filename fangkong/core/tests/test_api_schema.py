"""The OpenAPI document, the offline Swagger UI and /healthz."""

from __future__ import annotations

from unittest import mock

from django.contrib.auth import get_user_model
from django.contrib.staticfiles import finders
from django.db import OperationalError, connection
from django.test import TestCase
from drf_spectacular.validation import validate_schema

from fangkong.core.models import ApiToken


class LoggedInTestCase(TestCase):
    """The schema and the docs need a login (any account: they show no records)."""

    @classmethod
    def setUpTestData(cls) -> None:
        cls.reader = get_user_model().objects.create_user("reader", password="x" * 12)

    def setUp(self) -> None:
        self.client.force_login(self.reader)


class SchemaTests(LoggedInTestCase):
    def test_it_serves_a_valid_openapi_document_with_the_core_paths(self) -> None:
        response = self.client.get("/api/v1/schema?format=json")
        self.assertEqual(response.status_code, 200)
        document = response.json()
        validate_schema(document)  # raises on an invalid OpenAPI 3 document
        for path in ("/api/v1/auth/token", "/api/v1/people", "/api/v1/people/{id}"):
            self.assertIn(path, document["paths"])
        self.assertEqual(set(document["paths"]["/api/v1/people"]), {"get", "post"})

    def test_it_documents_the_bearer_scheme(self) -> None:
        document = self.client.get("/api/v1/schema?format=json").json()
        scheme = document["components"]["securitySchemes"]["bearerAuth"]
        self.assertEqual((scheme["type"], scheme["scheme"]), ("http", "bearer"))
        person = document["paths"]["/api/v1/people/{id}"]["get"]
        self.assertIn({"bearerAuth": []}, person["security"])
        token = document["paths"]["/api/v1/auth/token"]["post"]
        self.assertNotIn({"bearerAuth": []}, token.get("security", []))

    def test_it_documents_the_error_shape(self) -> None:
        document = self.client.get("/api/v1/schema?format=json").json()
        error = document["components"]["schemas"]["Error"]
        self.assertEqual(set(error["properties"]), {"error", "fields"})
        responses = document["paths"]["/api/v1/people"]["post"]["responses"]
        self.assertEqual(responses["400"]["content"]["application/json"]["schema"]["$ref"],
                         "#/components/schemas/Error")


    def test_every_endpoint_documents_its_error_responses_in_the_one_shape(self) -> None:
        """``core.api.schema.errors`` on every endpoint: reports once documented only its
        200/201, alerts its errors without descriptions."""
        document = self.client.get("/api/v1/schema?format=json").json()
        error_ref = "#/components/schemas/Error"
        # Keyed creates answer 409 to a key reused with other content; the people
        # registry is keyed by the ID number itself and has no such conflict (nor may it
        # answer 409 for a number known elsewhere: #9 item 3).
        creates = {("post", "/api/v1/checkpoints/{id}/passages"),
                   ("post", "/api/v1/reports/{form}/submissions"),
                   ("post", "/api/v1/supplies/movements")}
        # No login by design (#15: a pass is checked by whoever scans it): these never
        # answer 401, and the document says they need no credentials.
        public = {("get", "/api/v1/passes/verify"), ("get", "/api/v1/passes/keys")}
        for path, operations in document["paths"].items():
            for method, operation in operations.items():
                where = (method, path)
                responses = operation["responses"]
                if where in public:
                    self.assertFalse(operation.get("security"), where)
                    self.assertNotIn("401", responses, where)
                else:
                    self.assertIn("401", responses, where)
                if "{" in path:
                    self.assertIn("404", responses, where)
                if method == "post" or operation.get("parameters") or "{" in path:
                    self.assertIn("400", responses, where)
                if where in creates:
                    self.assertTrue({"200", "201", "409"} <= set(responses), where)
                if where == ("post", "/api/v1/people"):
                    self.assertEqual({"200", "201"} & set(responses), {"200", "201"})
                    self.assertNotIn("409", responses)
                for code, response in responses.items():
                    if code >= "400":
                        self.assertTrue(response["description"], where)
                        schema = response["content"]["application/json"]["schema"]
                        self.assertEqual(schema["$ref"], error_ref, (where, code))

    def test_it_documents_one_page_shape_for_every_list(self) -> None:
        document = self.client.get("/api/v1/schema?format=json").json()
        schemas = document["components"]["schemas"]
        for name in ("PersonPage", "AlertPage", "PassagePage"):
            self.assertTrue({"count", "page", "page_size", "results"}
                            <= set(schemas[name]["properties"]), name)
        for path in ("/api/v1/people", "/api/v1/alerts", "/api/v1/checkpoints/{id}/passages"):
            names = {p["name"] for p in document["paths"][path]["get"]["parameters"]}
            self.assertTrue({"page", "page_size"} <= names, path)


class SchemaLoginTests(TestCase):
    def test_it_answers_401_to_an_anonymous_schema_request(self) -> None:
        response = self.client.get("/api/v1/schema?format=json")
        self.assertEqual(response.status_code, 401)
        self.assertNotIn("paths", response.json())

    def test_it_serves_the_schema_to_a_bearer_token(self) -> None:
        _row, raw = ApiToken.issue(get_user_model().objects.create_user("integration"))
        response = self.client.get("/api/v1/schema?format=json",
                                   HTTP_AUTHORIZATION=f"Bearer {raw}")
        self.assertEqual(response.status_code, 200)
        self.assertIn("/api/v1/people", response.json()["paths"])

    def test_it_sends_an_anonymous_browser_from_the_docs_to_the_login_page(self) -> None:
        for url in ("/api/v1/docs", "/api/v1/docs?script="):
            response = self.client.get(url)
            self.assertEqual(response.status_code, 302, url)
            self.assertTrue(response["Location"].startswith("/accounts/login/?next="), url)


class SwaggerUiTests(LoggedInTestCase):
    def test_it_serves_swagger_ui_from_local_static_files(self) -> None:
        response = self.client.get("/api/v1/docs")
        self.assertEqual(response.status_code, 200)
        html = response.content.decode()
        self.assertIn("/static/drf_spectacular_sidecar/swagger-ui-dist/swagger-ui-bundle.js", html)
        self.assertNotIn("cdn.jsdelivr.net", html)
        self.assertNotIn("unpkg.com", html)
        self.assertIsNotNone(
            finders.find("drf_spectacular_sidecar/swagger-ui-dist/swagger-ui-bundle.js"))

    def test_it_loads_swagger_ui_without_inline_script(self) -> None:
        html = self.client.get("/api/v1/docs").content.decode()
        self.assertIn('<script src="/api/v1/docs?script=', html)
        self.assertNotRegex(html, r"<script>")
        script = self.client.get("/api/v1/docs?script=")
        self.assertEqual(script.status_code, 200)
        self.assertIn("SwaggerUIBundle", script.content.decode())


class HealthzTests(TestCase):
    def test_it_reports_ok(self) -> None:
        response = self.client.get("/healthz")
        self.assertEqual(response.status_code, 200)
        self.assertEqual(response.json(), {"status": "ok", "database": "ok"})
        self.assertIn("no-cache", response["Cache-Control"])

    def test_it_answers_503_when_the_database_is_down(self) -> None:
        with mock.patch.object(connection, "cursor", side_effect=OperationalError("down")):
            response = self.client.get("/healthz")
        self.assertEqual(response.status_code, 503)
        self.assertEqual(response.json(), {"status": "error", "database": "unavailable"})
