"""Sandbox hire/v1/talents/batch_get_id against the demo tenant (see reconciler/sandbox/DEMO_TENANT.md)."""

from __future__ import annotations

import pytest
import requests

from reconciler.sandbox import ENDPOINT_AUTH, ENDPOINT_TALENTS, SANDBOX_APP_ID, SANDBOX_APP_SECRET, Sandbox

ALL_READ = {"hire:talent:readonly", "hire:talent_onboard_status:readonly"}


class Client:
    def __init__(self, sb: Sandbox):
        self.sb = sb
        self.session = requests.Session()
        r = self.session.post(f"{sb.url}/open-apis/{ENDPOINT_AUTH}",
                              json={"app_id": SANDBOX_APP_ID, "app_secret": SANDBOX_APP_SECRET}, timeout=5)
        self.session.headers["Authorization"] = f"Bearer {r.json()['tenant_access_token']}"

    def post(self, **body) -> requests.Response:
        return self.session.post(f"{self.sb.url}/open-apis/{ENDPOINT_TALENTS}", json=body, timeout=5)

    def ids(self, **body) -> list[str]:
        r = self.post(**body)
        assert r.status_code == 200, r.text
        assert r.json()["code"] == 0
        return [t["talent_id"] for t in r.json()["data"]["talent_list"]]


@pytest.fixture(scope="module")
def client():
    with Sandbox(scopes=ALL_READ) as sb:
        yield Client(sb)


def test_unique_mobile_matches_one_talent_with_only_mobile_fields_echoed(client):
    r = client.post(mobile_number_list=["13800138001"])
    assert r.headers["Content-Type"] == "application/json; charset=utf-8"
    assert r.json() == {"code": 0, "msg": "ok", "data": {"talent_list": [
        {"talent_id": "6910000000000000001", "mobile_code": "86", "mobile_number": "13800138001", "is_onboarded": True},
    ]}}


def test_each_kind_echoes_only_itself(client):
    by_email = client.post(email_list=["zhang.wei@example.com"]).json()["data"]["talent_list"]
    assert set(by_email[0]) == {"talent_id", "email", "is_onboarded"}
    by_id = client.post(identification_type=1, identification_number_list=["110101199003070011"])
    assert set(by_id.json()["data"]["talent_list"][0]) == {"talent_id", "identification_type",
                                                            "identification_number", "is_onboarded"}
    everything = client.post(mobile_number_list=["13800138001"], email_list=["zhang.wei@example.com"],
                             identification_type=1, identification_number_list=["110101199003070011"])
    assert everything.json()["data"]["talent_list"] == [{
        "talent_id": "6910000000000000001", "mobile_code": "86", "mobile_number": "13800138001",
        "email": "zhang.wei@example.com", "identification_type": 1,
        "identification_number": "110101199003070011", "is_onboarded": True}]


def test_lists_are_and_combined(client):
    # two talents share 13500135000; the email singles one out
    assert client.ids(mobile_number_list=["13500135000"]) == ["6910000000000000016", "6910000000000000017"]
    assert client.ids(mobile_number_list=["13500135000"], email_list=["huang.xiaomin@example.com"]) == \
        ["6910000000000000017"]
    # mobile of 周杰 + email of 吴婷: no talent has both
    assert client.ids(mobile_number_list=["13311112222"], email_list=["wu.ting@example.com"]) == []
    # within one list the values are alternatives
    assert client.ids(email_list=["zhou.jie@example.com", "wu.ting@example.com"]) == \
        ["6910000000000000018", "6910000000000000019"]


def test_email_and_id_match_case_insensitively_and_echo_stored_form(client):
    r = client.post(email_list=["WANG.FANG@example.com"])
    assert r.json()["data"]["talent_list"][0]["email"] == "wang.fang@example.com"
    r = client.post(identification_type=1, identification_number_list=["31010419880512006x"])
    assert r.json()["data"]["talent_list"][0]["identification_number"] == "31010419880512006X"


def test_id_number_must_match_its_type(client):
    assert client.ids(identification_type=2, identification_number_list=["E12345678"]) == ["6910000000000000020"]
    assert client.ids(identification_type=1, identification_number_list=["E12345678"]) == []


def test_shared_email_returns_both_talents(client):
    assert client.ids(email_list=["guo.jing@example.com"]) == ["6910000000000000025", "6910000000000000026"]


def test_unknown_identifiers_return_an_empty_list(client):
    assert client.ids(mobile_number_list=["13000000000"], mobile_code="86") == []


def test_hong_kong_and_us_mobiles(client):
    assert client.ids(mobile_code="852", mobile_number_list=["91234567", "51234567"]) == \
        ["6910000000000000012", "6910000000000000021"]
    r = client.post(mobile_code="1", mobile_number_list=["4155550132"])
    assert r.json()["data"]["talent_list"][0]["mobile_code"] == "1"
    # the same digits under the default code 86 are not the HK talent (and 8 digits are invalid for 86)
    assert client.post(mobile_number_list=["91234567"]).json()["code"] == 1002009


@pytest.mark.parametrize("body", [
    {"mobile_number_list": ["13800138001", "12345678901"]},          # second digit 2
    {"mobile_number_list": ["1380013800"]},                          # 10 digits
    {"mobile_number_list": ["138-0013-8001"]},                       # not digits only
    {"mobile_code": "852", "mobile_number_list": ["1234"]},         # too short for HK
    {"mobile_code": "999", "mobile_number_list": ["12345678"]},     # no such country code
    {"mobile_code": "+86", "mobile_number_list": ["13800138001"]},  # the code is digits only
])
def test_one_bad_mobile_fails_the_whole_request_with_1002009(client, body):
    r = client.post(**body)
    assert r.status_code == 400
    assert r.json()["code"] == 1002009
    assert "data" not in r.json()


@pytest.mark.parametrize("body, field", [
    ({}, "mobile_number_list"),
    ({"mobile_number_list": [], "email_list": []}, "mobile_number_list"),
    ({"email_list": [f"p{i}@example.com" for i in range(101)]}, "email_list"),
    ({"mobile_number_list": ["13800138001"] * 101}, "mobile_number_list"),
    ({"identification_type": 1, "identification_number_list": ["X"] * 101}, "identification_number_list"),
    ({"identification_number_list": ["110101199003070011"]}, "identification_type"),
    ({"identification_type": 7, "identification_number_list": ["A"]}, "identification_type"),
    ({"email_list": "zhang.wei@example.com"}, "email_list"),
])
def test_field_validation_errors_name_the_field(client, body, field):
    r = client.post(**body)
    assert r.status_code == 400
    assert r.json()["code"] == 99992402
    assert field in r.json()["msg"]


def test_exactly_100_items_is_accepted(client):
    emails = [f"p{i}@example.com" for i in range(99)] + ["lin.feng@example.com"]
    assert client.ids(email_list=emails) == ["6910000000000000024"]


def test_is_onboarded_is_absent_without_its_scope():
    with Sandbox(scopes={"hire:talent:readonly"}) as sb:
        found = Client(sb).post(mobile_number_list=["13800138001", "13500135000"]).json()["data"]["talent_list"]
        assert len(found) == 3
        assert all("is_onboarded" not in t for t in found)


def test_is_onboarded_false_is_sent_when_scope_granted(client):
    found = client.post(email_list=["zhou.jie@example.com"]).json()["data"]["talent_list"]
    assert found[0]["is_onboarded"] is False
