"""The Open311 GeoReport v2 gateway, spoken to by a third-party client (civicbot's Open311Client):
services, a request filed into a ward of 79 and routed like any report, its token, the handler's
changes over gRPC showing in requests/{id} and servicerequestupdates, Open311 errors (issue 12.5)."""

from __future__ import annotations

import json
import urllib.error
import urllib.request
from xml.etree import ElementTree as ET

import pytest
from civicbot.http import HttpError, HttpTransport, RateLimiter
from civicbot.open311 import Open311Client
from civicbot.registry import Endpoint

from gbus.open311.app import Open311App
from gbus.open311.keys import ApiKeys
from gbus.v1 import case_pb2, intake_pb2
from support.node_harness import as_agency, wait_until

pytestmark = pytest.mark.e2e
S = case_pb2
KEY = "test-key-79"
HANOI_KEY = "test-key-01"  # Hà Nội's People's Committee: involved in nothing filed in 79
APP_AGENCY = "gov.ubnd@79"  # the city's People's Committee runs the citizen app
WARD = "26743"  # Phường Bến Thành


class KeyedTransport(HttpTransport):
    """civicbot sends api_key only with a POST; this gateway also wants it on reads (authorisation)."""

    def __init__(self, api_key: str | None) -> None:
        super().__init__(rate_limiter=RateLimiter(min_interval=0.0))
        self.api_key = api_key

    def get_bytes(self, url, params=None, headers=None):
        keyed = {**(params or {}), **({"api_key": self.api_key} if self.api_key else {})}
        return super().get_bytes(url, keyed, headers)


def _client(base_url: str, api_key: str | None = KEY) -> Open311Client:
    endpoint = Endpoint(id="gbus", name="grievance-bus", base_url=base_url, write=True)
    return Open311Client(endpoint, transport=KeyedTransport(api_key), jurisdiction_id="79")


def _open311_errors(exc: HttpError) -> list[dict]:
    return json.loads(exc.body)


@pytest.fixture
def gateway(start_node, processor, router, tmp_path):
    node = start_node("79")
    app = Open311App(node=node.app.grpc_address, keys=ApiKeys({KEY: APP_AGENCY, HANOI_KEY: "gov.ubnd@01"}), data_dir=tmp_path / "open311",
                     directory=router.directory).start()  # fmt: skip
    yield node, app
    app.stop()


def test_a_civic_app_files_a_request_and_follows_the_handlers_work(gateway):
    node, app = gateway
    client = _client(app.base_url)

    services = {s["service_code"]: s for s in client.list_services()}
    assert {"ha_tang_giao_thong", "dien_nuoc", "khac"} <= set(services)
    definition = client.get_service_definition("ha_tang_giao_thong")
    assert [a["code"] for a in definition["attributes"]] == ["kind"]
    assert client.get_service_definition("khac")["service_code"] == "khac"

    filed = client.create_request(
        "ha_tang_giao_thong", dry_run=False, confirm="SEND", api_key=KEY,
        address_string="Hẻm 42 Lê Thánh Tôn, Phường Bến Thành", lat=10.7725, lng=106.6980,
        description="Hẻm 42 Lê Thánh Tôn ngập sâu 40cm sau mỗi trận mưa, cống thoát nước bị tắc.",
        first_name="Lan", last_name="Nguyễn Thị", phone="0901234567", email="lan@example.vn",
        media_url="https://anh.example.vn/hem42.jpg",
    ).response  # fmt: skip
    [answer] = filed
    request_id, token = answer["service_request_id"], answer["token"]
    assert client.get_token(token) == [{"service_request_id": request_id, "token": token}]

    # The report is a normal one: routed, placed, visible over gRPC to its origin.
    placement = node.intake.GetReport(intake_pb2.GetReportRequest(report_id=request_id), metadata=as_agency(APP_AGENCY),
                                      timeout=10).placement  # fmt: skip
    assert placement.placed and placement.case_id.startswith("79-")
    handler = placement.handler

    request = client.get_request(request_id)
    assert (request["status"], request["service_code"], request["address_id"]) == ("open", "ha_tang_giao_thong", WARD)
    assert request["agency_responsible"] == app_directory_name(app, handler)
    assert (request["lat"], request["long"], request["media_url"]) == (
        10.7725,
        106.698,
        "https://anh.example.vn/hem42.jpg",
    )
    assert request["expected_datetime"] is None  # feedback (phan_anh) has no statutory time limit
    # Another agency's key sees nothing of it: 404, as for a request that does not exist.
    stranger = _client(app.base_url, api_key=HANOI_KEY)
    with pytest.raises(HttpError) as hidden:
        stranger.get_request(request_id)
    assert hidden.value.status == 404 and stranger.list_requests() == []
    with pytest.raises(HttpError) as foreign_token:
        stranger.get_token(token)
    assert foreign_token.value.status == 404
    raw = json.dumps(client.list_requests())
    assert request_id in raw and "0901234567" not in raw and "lan@example.vn" not in raw and "Lan" not in raw

    # A near-duplicate from another citizen, without diacritics, joins the same case.
    [again] = client.create_request(
        "ha_tang_giao_thong", dry_run=False, confirm="SEND", api_key=KEY, address_id=WARD,
        description="Hem 42 Le Thanh Ton ngap sau 40cm moi khi mua, cong thoat nuoc bi tac.", phone="0912345678",
    ).response  # fmt: skip
    assert placement.case_id in again["service_notice"]

    # The handler works the case over gRPC; the app sees it. The placement answer comes on the
    # verdict topic and the case's copy on the node's own topic: the copy may arrive a moment later.
    def handlers_copy():
        request = S.GetCaseRequest(case_id=placement.case_id)
        return node.cases.GetCase(request, metadata=as_agency(handler), timeout=10).case

    case = wait_until(
        lambda: (c := handlers_copy()).version and len(c.reports) == 2 and c, 30, "the copy with both reports"
    )
    version = case.version
    for status, reason in (
        (S.CASE_STATUS_ACCEPTED, "Đã tiếp nhận"),
        (S.CASE_STATUS_RESOLVED, "Đã nạo vét cống hẻm 42"),
    ):
        version = node.cases.UpdateStatus(
            S.UpdateStatusRequest(case_id=case.case_id, status=status, reason=reason, expected_version=version),
            metadata=as_agency(handler), timeout=20,
        ).case.version  # fmt: skip
    closed = wait_until(
        lambda: (r := client.get_request(request_id))["status"] == "closed" and r, 10, "the closed request"
    )
    assert closed["status_notes"] == "Đã nạo vét cống hẻm 42" and closed["expected_datetime"] is None

    updates = client.http.get_json(app.base_url + "servicerequestupdates.json", {"api_key": KEY})
    mine = [(u["service_request_id"], u["status"], u["description"]) for u in updates]
    for rid in (request_id, again["service_request_id"]):
        assert (rid, "open", "Đã tiếp nhận") in mine and (rid, "closed", "Đã nạo vét cống hẻm 42") in mine
    assert len({u["update_id"] for u in updates}) == len(updates)

    # Another jurisdiction, and a date window in the past, hold none of today's requests.
    hanoi = Open311Client(client.endpoint, transport=KeyedTransport(KEY), jurisdiction_id="01")
    assert hanoi.list_requests() == [] and request_id in {r["service_request_id"] for r in client.list_requests()}
    assert client.list_requests(start_date="2020-01-01T00:00:00Z", end_date="2020-02-01T00:00:00Z") == []
    xml = _get(app.base_url + f"requests/{request_id}.xml?api_key={KEY}")
    assert xml.startswith(b'<?xml version="1.0" encoding="UTF-8"?>')
    assert ET.fromstring(xml).find("request/status").text == "closed"


def test_bad_service_code_and_missing_or_wrong_api_key_are_open311_errors(gateway):
    _, app = gateway
    with pytest.raises(HttpError) as bad_code:
        _client(app.base_url).create_request(
            "khong_co", dry_run=False, confirm="SEND", api_key=KEY, address_id=WARD, description="Mất điện"
        )
    assert bad_code.value.status == 400 and "service_code" in _open311_errors(bad_code.value)[0]["description"]
    with pytest.raises(HttpError) as unknown:
        _client(app.base_url).get_service_definition("khong_co")
    assert unknown.value.status == 404 and _open311_errors(unknown.value)[0]["code"] == 404

    with pytest.raises(HttpError) as no_key:
        _client(app.base_url, api_key=None).list_requests()
    assert no_key.value.status == 401 and _open311_errors(no_key.value) == [
        {"code": 401, "description": "api_key is required"}
    ]
    with pytest.raises(HttpError) as wrong_key:
        _client(app.base_url, api_key="not-ours").get_request("R79-x")
    assert wrong_key.value.status == 403

    not_utf8 = urllib.request.Request(app.base_url + "requests.json", data=b"api_key=" + KEY.encode() + b"&description=\xff\xfe",
                                      headers={"Content-Type": "application/x-www-form-urlencoded"})  # fmt: skip
    with pytest.raises(urllib.error.HTTPError) as bad_bytes:
        urllib.request.urlopen(not_utf8, timeout=20)
    assert bad_bytes.value.code == 400 and "UTF-8" in json.loads(bad_bytes.value.read())[0]["description"]

    with pytest.raises(urllib.error.HTTPError) as xml_error:
        _get(app.base_url + "requests/R79-nothing.xml?api_key=" + KEY)
    body = xml_error.value.read()
    assert xml_error.value.code == 404 and body.startswith(b'<?xml version="1.0" encoding="UTF-8"?>')
    assert ET.fromstring(body).find("error/code").text == "404"


def _get(url: str) -> bytes:
    with urllib.request.urlopen(url, timeout=20) as answer:
        return answer.read()


def app_directory_name(app, agency_id: str) -> str:
    from gbus.directory.directory import Directory

    return Directory.default().get(agency_id).name
