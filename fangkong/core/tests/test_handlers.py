from django.test import RequestFactory, override_settings
from django.urls import reverse

from fangkong.core.api.errors import server_error
from fangkong.core.testing import FangkongTestCase


class HandlerTestCase(FangkongTestCase):
    def test_it_answers_json_404_under_the_api(self) -> None:
        r = self.client.get("/api/v1/no-such-endpoint", HTTP_ACCEPT_LANGUAGE="zh-CN")
        self.assertEqual(r.status_code, 404)
        self.assertEqual(r["Content-Type"], "application/json")
        self.assertEqual(r.json(), {"error": "未找到。", "fields": {}})

    def test_it_answers_html_404_elsewhere(self) -> None:
        self.login(self.community_a)
        r = self.client.get("/no-such-page/")
        self.assertEqual(r.status_code, 404)
        self.assertIn("text/html", r["Content-Type"])

    @override_settings(DEBUG=False)
    def test_it_answers_json_500_under_the_api(self) -> None:
        request = RequestFactory().get("/api/v1/people")
        r = server_error(request)
        self.assertEqual(r.status_code, 500)
        self.assertIn(b'"error"', r.content)

    def test_it_redirects_an_expired_htmx_call_to_the_login_page(self) -> None:
        r = self.client.get(reverse("core:people"), HTTP_HX_REQUEST="true")
        self.assertEqual(r.status_code, 204)
        self.assertTrue(r["HX-Redirect"].startswith(reverse("login")))
