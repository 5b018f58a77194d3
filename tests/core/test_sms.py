"""The SMS gateway's backends, against local fakes of the providers' HTTP APIs."""

import datetime
import json
import threading
import types
from urllib.parse import parse_qsl, urlsplit

import pytest
from aliyunsdkcore.auth.composer import rpc_signature_composer
from tencentcloud.common.abstract_client import AbstractClient

from lockdown.core import sms
from lockdown.core.sms import aliyun, tencent
from lockdown.core.sms.pacing import Pacer
from tests.fakes.providers import AliyunFake, TencentFake

TEMPLATE = sms.Template(
    code="SMS_100001",
    body="${name}您好：${compound}将于${deadline}起封闭管理，请尽快返回。居委会电话${phone}。",
    params=("name", "compound", "deadline", "phone"),
    sign_name="金杨居委会",
)


def outgoing(key, phone, name="张三"):
    params = {"name": name, "compound": "金杨新村", "deadline": "11月23日18时", "phone": "021-58001234"}
    return sms.Outgoing(key=str(key), phone=phone, params=params)


@pytest.fixture
def aliyun_fake():
    fake = AliyunFake().start()
    yield fake
    fake.stop()


@pytest.fixture
def tencent_fake():
    fake = TencentFake().start()
    yield fake
    fake.stop()


def test_render_puts_the_signature_first_and_fills_every_placeholder():
    text = sms.render(TEMPLATE, outgoing(1, "13800000001").params)

    assert text == "【金杨居委会】张三您好：金杨新村将于11月23日18时起封闭管理，请尽快返回。居委会电话021-58001234。"
    assert sms.placeholders(TEMPLATE.body) == ["name", "compound", "deadline", "phone"]


@pytest.mark.parametrize(("length", "parts"), [(1, 1), (70, 1), (71, 2), (134, 2), (135, 3)])
def test_segments_count_70_characters_then_parts_of_67(length, parts):
    assert sms.segments("居" * length) == parts


def test_aliyun_signature_matches_the_official_sdk():
    body = {"PhoneNumberJson": '["13800000001"]', "TemplateCode": "SMS_1", "OutId": "a b*c~"}
    url, _ = rpc_signature_composer.get_signed_url(
        {"Action": "SendBatchSms", "Version": "2017-05-25"}, "key-id", "secret", "JSON", "POST", body
    )
    signed = dict(parse_qsl(urlsplit(url).query, keep_blank_values=True))
    theirs = signed.pop("Signature")

    assert aliyun.sign(signed | body, "secret") == theirs


def test_tencent_signature_matches_the_official_sdk():
    payload = json.dumps({"PhoneNumberSet": ["+8613800000001"], "TemplateParamSet": ["张三"]}, ensure_ascii=False)
    timestamp = 1_732_240_000
    request = types.SimpleNamespace(
        uri="/",
        method="POST",
        data=payload,
        header={
            "Content-Type": tencent.CONTENT_TYPE,
            "Host": "sms.tencentcloudapi.com",
            "X-TC-Timestamp": str(timestamp),
        },
    )
    date = datetime.datetime.fromtimestamp(timestamp, datetime.UTC).strftime("%Y-%m-%d")
    theirs = AbstractClient._get_tc3_signature(None, {}, request, date, "sms", "secret-key")

    ours = tencent.authorization(
        secret_id="id",
        secret_key="secret-key",
        host="sms.tencentcloudapi.com",
        payload=payload.encode(),
        timestamp=timestamp,
    )
    assert ours.endswith(f"Signature={theirs}")
    assert f"Credential=id/{date}/sms/tc3_request" in ours


def test_aliyun_sends_each_number_its_own_values_in_one_request(aliyun_fake):
    backend = sms.AliyunBackend(**aliyun_fake.options())
    messages = [outgoing(1, "13800000001", "张三"), outgoing(2, "13800000002", "李四")]

    results = backend.send(TEMPLATE, messages, request_ref="ref-1")

    assert [r.outcome for r in results] == [sms.Outcome.ACCEPTED, sms.Outcome.ACCEPTED]
    assert aliyun_fake.requests == 1
    assert [(m.phone, m.params["name"], m.ref) for m in aliyun_fake.sent] == [
        ("13800000001", "张三", "ref-1"),
        ("13800000002", "李四", "ref-1"),
    ]
    assert results[0].provider_id == aliyun_fake.sent[0].provider_id


def test_aliyun_sends_shared_values_through_sendsms(aliyun_fake):
    backend = sms.AliyunBackend(**aliyun_fake.options())
    messages = [outgoing(1, "13800000001"), outgoing(2, "13800000002")]

    backend.send(TEMPLATE, messages, request_ref="ref-2")

    assert [m.params["name"] for m in aliyun_fake.sent] == ["张三", "张三"]


def test_aliyun_isolates_a_refused_number_and_sends_the_others(aliyun_fake):
    aliyun_fake.refused_numbers = {"13800000002"}
    backend = sms.AliyunBackend(**aliyun_fake.options())
    messages = [outgoing(1, "13800000001"), outgoing(2, "13800000002", "李四"), outgoing(3, "13800000003", "王五")]

    results = backend.send(TEMPLATE, messages, request_ref="ref-3")

    assert [r.outcome for r in results] == [sms.Outcome.ACCEPTED, sms.Outcome.REFUSED, sms.Outcome.ACCEPTED]
    assert results[1].error_code == "isv.MOBILE_NUMBER_ILLEGAL"
    assert sorted(m.phone for m in aliyun_fake.sent) == ["13800000001", "13800000003"]


def test_aliyun_wrong_secret_is_refused_and_sends_nothing(aliyun_fake):
    backend = sms.AliyunBackend(**aliyun_fake.options() | {"access_key_secret": "wrong"})

    with pytest.raises(sms.Refused) as error:
        backend.send(TEMPLATE, [outgoing(1, "13800000001")], request_ref="ref-4")

    assert error.value.code == "SignatureDoesNotMatch"
    assert aliyun_fake.sent == []


def test_a_stopped_provider_is_not_sent(aliyun_fake):
    backend = sms.AliyunBackend(**aliyun_fake.options())
    aliyun_fake.stop()

    with pytest.raises(sms.NotSent):
        backend.send(TEMPLATE, [outgoing(1, "13800000001")], request_ref="ref-5")


def test_the_provider_s_rate_limit_is_not_sent():
    fake = AliyunFake(requests_per_second=1).start()
    backend = sms.AliyunBackend(**fake.options())
    backend.send(TEMPLATE, [outgoing(1, "13800000001")], request_ref="ref-6")

    with pytest.raises(sms.NotSent) as error:
        backend.send(TEMPLATE, [outgoing(2, "13800000002")], request_ref="ref-7")

    fake.stop()
    assert error.value.code == "Throttling.User"
    assert [m.phone for m in fake.sent] == ["13800000001"]


def test_no_answer_in_time_is_unsure_because_the_provider_may_have_sent_it():
    fake = AliyunFake(latency=0.5).start()
    backend = sms.AliyunBackend(**fake.options(), timeout=0.2)

    with pytest.raises(sms.Unsure):
        backend.send(TEMPLATE, [outgoing(1, "13800000001")], request_ref="ref-8")

    threading.Event().wait(0.5)
    fake.stop()
    assert [m.phone for m in fake.sent] == ["13800000001"]


def test_aliyun_looks_up_what_it_sent_under_a_request_reference(aliyun_fake):
    backend = sms.AliyunBackend(**aliyun_fake.options())
    backend.send(TEMPLATE, [outgoing(1, "13800000001")], request_ref="ref-9")
    messages = [outgoing(1, "13800000001"), outgoing(2, "13800000002")]

    found = backend.look_up(TEMPLATE, messages, request_ref="ref-9", since=datetime.datetime.now(datetime.UTC))

    assert [(r.key, r.outcome) for r in found] == [("1", sms.Outcome.ACCEPTED)]


def test_aliyun_receipts_name_the_request_and_the_number(aliyun_fake):
    backend = sms.AliyunBackend(**aliyun_fake.options())
    backend.send(TEMPLATE, [outgoing(1, "13800000001")], request_ref="ref-10")

    [receipt] = backend.parse_receipts(json.dumps(aliyun_fake.receipts(delivered=False)).encode())

    assert (receipt.phone, receipt.request_ref, receipt.delivered) == ("13800000001", "ref-10", False)
    assert receipt.provider_id == aliyun_fake.sent[0].provider_id
    assert receipt.at == datetime.datetime(2026, 11, 22, 2, 0, 5, tzinfo=datetime.UTC)


def test_tencent_sends_numbers_sharing_values_and_answers_for_each(tencent_fake):
    tencent_fake.refused_numbers = {"13800000002"}
    backend = sms.TencentBackend(**tencent_fake.options())
    messages = [outgoing(1, "13800000001"), outgoing(2, "13800000002")]

    results = backend.send(TEMPLATE, messages, request_ref="ref-11")

    assert [r.outcome for r in results] == [sms.Outcome.ACCEPTED, sms.Outcome.REFUSED]
    assert results[1].error_code == "InvalidParameterValue.IncorrectPhoneNumber"
    [sent] = tencent_fake.sent
    assert sent.params == ["张三", "金杨新村", "11月23日18时", "021-58001234"]
    assert results[0].provider_id == sent.provider_id


def test_tencent_wrong_secret_is_refused(tencent_fake):
    backend = sms.TencentBackend(**tencent_fake.options() | {"secret_key": "wrong"})

    with pytest.raises(sms.Refused) as error:
        backend.send(TEMPLATE, [outgoing(1, "13800000001")], request_ref="ref-12")

    assert error.value.code == "AuthFailure.SignatureFailure"


def test_tencent_looks_up_by_session_context_and_reads_receipts(tencent_fake):
    backend = sms.TencentBackend(**tencent_fake.options())
    backend.send(TEMPLATE, [outgoing(1, "13800000001")], request_ref="ref-13")

    found = backend.look_up(
        TEMPLATE, [outgoing(1, "13800000001")], request_ref="ref-13", since=datetime.datetime.now(datetime.UTC)
    )
    report = [{"mobile": "13800000001", "report_status": "SUCCESS", "sid": found[0].provider_id, "errmsg": "DELIVRD"}]
    [receipt] = backend.parse_receipts(json.dumps(report).encode())

    assert [r.key for r in found] == ["1"]
    assert (receipt.phone, receipt.delivered, receipt.provider_id) == ("13800000001", True, found[0].provider_id)


def test_memory_backend_keeps_what_it_sends():
    sms.MemoryBackend.reset()
    sms.MemoryBackend.failures = {"13800000002": "blocked"}
    backend = sms.MemoryBackend()

    results = backend.send(TEMPLATE, [outgoing(1, "13800000001"), outgoing(2, "13800000002")], request_ref="r")

    assert [r.outcome for r in results] == [sms.Outcome.ACCEPTED, sms.Outcome.REFUSED]
    assert [phone for _, phone, _ in sms.MemoryBackend.sent] == ["13800000001"]
    sms.MemoryBackend.reset()


def test_console_backend_writes_what_the_resident_reads(tmp_path):
    backend = sms.ConsoleBackend(directory=tmp_path)

    backend.send(TEMPLATE, [outgoing(1, "13800000001")], request_ref="r")

    [file] = tmp_path.iterdir()
    record = json.loads(file.read_text(encoding="utf-8"))
    assert record["text"] == sms.render(TEMPLATE, outgoing(1, "13800000001").params)


def _send_concurrently(backend, count):
    def send(start):
        for i in range(start, count, 3):
            try:
                backend.send(TEMPLATE, [outgoing(i, f"138{i:08d}")], request_ref=f"p{i}")
            except sms.NotSent:
                pass

    threads = [threading.Thread(target=send, args=(start,)) for start in range(3)]
    for thread in threads:
        thread.start()
    for thread in threads:
        thread.join()


@pytest.mark.parametrize("paced", [True, False])
def test_pacing_keeps_three_senders_within_the_provider_s_rate(paced, redis_url):
    fake = AliyunFake(requests_per_second=50).start()
    fake._bucket.tokens = 1  # no burst at the start: every request must wait its turn
    pace = Pacer(f"test-{paced}-{id(fake)}", 50, redis_url) if paced else None
    backend = sms.AliyunBackend(**fake.options(), pace=pace)

    _send_concurrently(backend, 60)

    fake.stop()
    if paced:
        assert (fake.throttled, len(fake.sent)) == (0, 60)
    else:
        assert fake.throttled > 0
