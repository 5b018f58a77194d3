"""Local fakes of the Alibaba Cloud and Tencent Cloud SMS HTTP APIs, for tests and benchmarks.

Each runs a real HTTP server on 127.0.0.1 in a thread, checks every request's signature as the real
provider does, keeps to a rate (a token bucket of one second's requests), takes `latency` seconds
per request, and records what it accepted: `sent` is the provider's own count of messages, the
measure of "sent exactly once". `stop()` closes the port (connections are refused) and `start()`
opens it again.
"""

import hmac
import itertools
import json
import threading
import time
from dataclasses import dataclass
from http.server import BaseHTTPRequestHandler, ThreadingHTTPServer
from urllib.parse import parse_qsl

from lockdown.core.sms import aliyun, tencent


@dataclass(frozen=True)
class SentMessage:
    phone: str
    ref: str  # OutId / SessionContext
    template: str
    params: dict
    provider_id: str


class _Bucket:
    def __init__(self, rate):
        self.rate, self.tokens, self.at, self.lock = rate, float(rate or 0), time.monotonic(), threading.Lock()

    def take(self):
        if not self.rate:
            return True
        with self.lock:
            now = time.monotonic()
            self.tokens = min(self.rate, self.tokens + (now - self.at) * self.rate)
            self.at = now
            if self.tokens < 1:
                return False
            self.tokens -= 1
            return True


class FakeProvider:
    numbers_per_request = 100

    def __init__(self, *, requests_per_second=0, latency=0.0, port=0):
        self.requests_per_second, self.latency = requests_per_second, latency
        self.sent: list[SentMessage] = []
        self.requests = self.throttled = self.in_flight = 0
        self.request_started = 0.0
        self.request_times: list[float] = []  # when each request that passed the rate limit began
        self.refused_numbers: set[str] = set()
        self._lock = threading.Lock()
        self._ids = itertools.count(1)
        self._bucket = _Bucket(requests_per_second)
        self.port = port
        self.server = None

    @property
    def url(self):
        return f"http://127.0.0.1:{self.port}/"

    def start(self):
        fake = self

        class Handler(BaseHTTPRequestHandler):
            def do_POST(self):
                body = self.rfile.read(int(self.headers.get("Content-Length", 0)))
                status, answer = fake._answer(self.headers, body)
                data = json.dumps(answer, ensure_ascii=False).encode()
                self.send_response(status)
                self.send_header("Content-Type", "application/json")
                self.send_header("Content-Length", str(len(data)))
                self.end_headers()
                self.wfile.write(data)

            def log_message(self, *args):
                pass

        self.server = ThreadingHTTPServer(("127.0.0.1", self.port), Handler)
        self.server.daemon_threads = True
        self.port = self.server.server_address[1]
        threading.Thread(target=self.server.serve_forever, daemon=True).start()
        return self

    def stop(self):
        if self.server:
            self.server.shutdown()
            self.server.server_close()
            self.server = None

    def _answer(self, headers, body):
        with self._lock:
            self.requests += 1
        if not self._bucket.take():
            with self._lock:
                self.throttled += 1
            return self.throttle_answer()
        with self._lock:
            self.in_flight += 1
            self.request_started = time.monotonic()
            self.request_times.append(self.request_started)
        try:
            # The provider takes the message whether or not the caller is still there to hear back.
            time.sleep(self.latency)
            return self.handle(headers, body)
        finally:
            with self._lock:
                self.in_flight -= 1

    def _record(self, phones, ref, template, params_list, *, one_id=False):
        """Count the accepted messages; their ids: one per request (Alibaba's BizId) or one each."""
        with self._lock:
            request_id = f"{next(self._ids)}^0"
            provider_ids = []
            for phone, params in zip(phones, params_list, strict=True):
                provider_id = request_id if one_id else str(next(self._ids))
                self.sent.append(SentMessage(phone, ref, template, params, provider_id))
                provider_ids.append(provider_id)
            return provider_ids

    def busy_for_another(self, seconds):
        """A request is in hand, and the provider will hold it at least `seconds` more."""
        return self.in_flight == 1 and time.monotonic() - self.request_started < self.latency - seconds

    def sent_to(self, phone):
        return [m for m in self.sent if m.phone == phone]


class AliyunFake(FakeProvider):
    access_key_id, access_key_secret = "test-key", "test-secret"

    def options(self):
        return {"access_key_id": self.access_key_id, "access_key_secret": self.access_key_secret, "endpoint": self.url}

    def throttle_answer(self):
        return 400, {"Code": "Throttling.User", "Message": "Request was denied due to user flow control."}

    def handle(self, headers, body):
        params = dict(parse_qsl(body.decode()))
        signature = params.pop("Signature", "")
        if params.get("AccessKeyId") != self.access_key_id:
            return 404, {"Code": "InvalidAccessKeyId.NotFound", "Message": "Specified access key is not found."}
        if not hmac.compare_digest(signature, aliyun.sign(params, self.access_key_secret)):
            return 400, {"Code": "SignatureDoesNotMatch", "Message": "Specified signature is not matched."}
        action = params.get("Action")
        if action == "SendBatchSms":
            phones = json.loads(params["PhoneNumberJson"])
            values = json.loads(params.get("TemplateParamJson", "[]"))
        elif action == "SendSms":
            phones = params["PhoneNumbers"].split(",")
            values = [json.loads(params.get("TemplateParam", "{}"))] * len(phones)
        elif action == "QuerySendDetails":
            return 200, self._details(params)
        else:
            return 400, {"Code": "InvalidAction", "Message": action}
        if len(phones) > self.numbers_per_request:
            return 400, {"Code": "isv.MOBILE_COUNT_OVER_LIMIT", "Message": "too many numbers"}
        if self.refused_numbers & set(phones):
            return 200, {"Code": "isv.MOBILE_NUMBER_ILLEGAL", "Message": "invalid number"}
        ids = self._record(phones, params.get("OutId", ""), params["TemplateCode"], values, one_id=True)
        return 200, {"Code": "OK", "Message": "OK", "BizId": ids[0], "RequestId": ids[0]}

    def _details(self, params):
        found = [
            {"PhoneNum": m.phone, "SendStatus": 3, "ErrCode": "DELIVERED", "TemplateCode": m.template, "OutId": m.ref}
            for m in self.sent_to(params["PhoneNumber"])
        ]
        return {"Code": "OK", "TotalCount": len(found), "SmsSendDetailDTOs": {"SmsSendDetailDTO": found}}

    def receipts(self, delivered=True):
        """The SmsReport push the provider would make for every message it accepted."""
        return [
            {
                "phone_number": m.phone,
                "send_time": "2026-11-22 10:00:00",
                "report_time": "2026-11-22 10:00:05",
                "success": delivered,
                "err_code": "DELIVERED" if delivered else "MK:0001",
                "err_msg": "用户接收成功" if delivered else "",
                "sms_size": "1",
                "biz_id": m.provider_id,
                "out_id": m.ref,
            }
            for m in self.sent
        ]


class TencentFake(FakeProvider):
    numbers_per_request = 200
    secret_id, secret_key, sdk_app_id = "test-id", "test-key", "1400000001"

    def options(self):
        return {
            "secret_id": self.secret_id,
            "secret_key": self.secret_key,
            "sdk_app_id": self.sdk_app_id,
            "endpoint": self.url,
        }

    def throttle_answer(self):
        return 200, {"Response": {"Error": {"Code": "RequestLimitExceeded", "Message": "too fast"}, "RequestId": "x"}}

    def _error(self, code, message):
        return 200, {"Response": {"Error": {"Code": code, "Message": message}, "RequestId": "x"}}

    def handle(self, headers, body):
        action = headers.get("X-TC-Action", "")
        expected = tencent.authorization(
            secret_id=self.secret_id,
            secret_key=self.secret_key,
            host=headers.get("Host", ""),
            payload=body,
            timestamp=int(headers.get("X-TC-Timestamp", "0")),
        )
        if not hmac.compare_digest(headers.get("Authorization", ""), expected):
            return self._error("AuthFailure.SignatureFailure", "The provided credentials could not be validated.")
        params = json.loads(body)
        if action == "PullSmsSendStatusByPhoneNumber":
            phone = params["PhoneNumber"][-11:]
            statuses = [
                {"PhoneNumber": params["PhoneNumber"], "SerialNo": m.provider_id, "SessionContext": m.ref}
                for m in self.sent_to(phone)
            ]
            return 200, {"Response": {"PullSmsSendStatusSet": statuses, "RequestId": "x"}}
        if action != "SendSms":
            return self._error("InvalidAction", action)
        numbers = params["PhoneNumberSet"]
        if len(numbers) > self.numbers_per_request:
            return self._error("LimitExceeded.PhoneNumberCountLimit", "too many numbers")
        statuses = []
        for number in numbers:
            phone = number[-11:]
            if phone in self.refused_numbers:
                statuses.append({"PhoneNumber": number, "Code": "InvalidParameterValue.IncorrectPhoneNumber"})
                continue
            ref, params_set = params.get("SessionContext", ""), params.get("TemplateParamSet", [])
            [serial] = self._record([phone], ref, params["TemplateId"], [params_set])
            statuses.append({"PhoneNumber": number, "SerialNo": serial, "Code": "Ok", "Message": "send success"})
        return 200, {"Response": {"SendStatusSet": statuses, "RequestId": "x"}}
