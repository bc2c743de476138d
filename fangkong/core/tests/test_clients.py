"""The client's address: believed from proxies we run, not from what the client sends."""

from django.test import RequestFactory, SimpleTestCase, override_settings

from fangkong.core.clients import client_address


class ClientAddressTestCase(SimpleTestCase):
    def request(self, **meta):
        return RequestFactory().get("/", **{"REMOTE_ADDR": "10.1.1.1", **meta})

    def test_it_ignores_forwarded_for_without_proxies(self) -> None:
        self.assertEqual(client_address(self.request(HTTP_X_FORWARDED_FOR="1.2.3.4")),
                         "10.1.1.1")

    @override_settings(FANGKONG_PROXY_COUNT=1)
    def test_it_takes_what_our_proxy_appended(self) -> None:
        forged = self.request(HTTP_X_FORWARDED_FOR="6.6.6.6, 203.0.113.7")
        self.assertEqual(client_address(forged), "203.0.113.7")
        self.assertEqual(client_address(self.request(HTTP_X_FORWARDED_FOR="2001:db8::1")),
                         "2001:db8::1")
        self.assertEqual(client_address(self.request()), "10.1.1.1")  # header missing
        self.assertEqual(client_address(self.request(HTTP_X_FORWARDED_FOR="hello")),
                         "10.1.1.1")

    @override_settings(FANGKONG_PROXY_COUNT=2)
    def test_it_counts_proxies_from_the_right(self) -> None:
        r = self.request(HTTP_X_FORWARDED_FOR="6.6.6.6, 198.51.100.2, 10.0.0.5")
        self.assertEqual(client_address(r), "198.51.100.2")

    def test_it_answers_none_without_a_request_or_address(self) -> None:
        self.assertIsNone(client_address(None))
        self.assertIsNone(client_address(self.request(REMOTE_ADDR="")))
