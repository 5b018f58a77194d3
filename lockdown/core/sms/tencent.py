"""Tencent Cloud SMS (API version 2021-01-11), over its JSON HTTP API signed with TC3-HMAC-SHA256.

SendSms takes up to 200 numbers, all with the same template parameters (TemplateParamSet, in the
template's {1}, {2} … order), and answers for each number. Our request reference goes as
SessionContext, which PullSmsSendStatusByPhoneNumber carries back.
"""

import datetime
import hashlib
import hmac
import json
import time
from urllib.parse import urlsplit

from . import http
from .base import Backend, NotSent, Outcome, Outgoing, Receipt, Refused, Result, Template, Unsure

SERVICE = "sms"
API_VERSION = "2021-01-11"
THROTTLED_PREFIXES = ("RequestLimitExceeded",)
# Refused for a reason of the account, not of the number: nothing sent, to try again once put right.
ACCOUNT_PREFIXES = (
    "AuthFailure",
    "UnauthorizedOperation",
    "FailedOperation.InsufficientBalanceInSmsPackage",
    "FailedOperation.SignatureIncorrectOrUnapproved",
    "FailedOperation.TemplateIncorrectOrUnapproved",
)
PROVIDER_FAULT_PREFIXES = ("InternalError",)
CONTENT_TYPE = "application/json; charset=utf-8"


def _hmac(key: bytes, text: str) -> bytes:
    return hmac.new(key, text.encode(), hashlib.sha256).digest()


def authorization(*, secret_id, secret_key, host, payload: bytes, timestamp: int) -> str:
    """The Authorization header of TC3-HMAC-SHA256 for a JSON POST to `host` (signing the two headers
    that Tencent's own SDK signs)."""
    date = datetime.datetime.fromtimestamp(timestamp, datetime.UTC).strftime("%Y-%m-%d")
    signed_headers = "content-type;host"
    canonical_headers = f"content-type:{CONTENT_TYPE}\nhost:{host}\n"
    canonical_request = "\n".join(
        ["POST", "/", "", canonical_headers, signed_headers, hashlib.sha256(payload).hexdigest()]
    )
    scope = f"{date}/{SERVICE}/tc3_request"
    string_to_sign = "\n".join(
        ["TC3-HMAC-SHA256", str(timestamp), scope, hashlib.sha256(canonical_request.encode()).hexdigest()]
    )
    key = _hmac(_hmac(_hmac(f"TC3{secret_key}".encode(), date), SERVICE), "tc3_request")
    signature = hmac.new(key, string_to_sign.encode(), hashlib.sha256).hexdigest()
    return f"TC3-HMAC-SHA256 Credential={secret_id}/{scope}, SignedHeaders={signed_headers}, Signature={signature}"


class TencentBackend(Backend):
    name = "tencent"
    numbers_per_request = 1  # one TemplateParamSet per request: personal parameters go one by one
    numbers_per_request_same_params = 200
    requests_per_second = 3000
    can_look_up = True
    look_up_is_complete = False  # it pulls delivery reports: a message not yet reported is not listed

    def __init__(self, **options):
        super().__init__(**options)
        self.http = http.client(options.get("timeout", 10.0))

    def _call(self, action: str, params: dict) -> dict:
        endpoint = self.options["endpoint"]
        host = urlsplit(endpoint).netloc
        payload = json.dumps(params, ensure_ascii=False).encode()
        timestamp = int(time.time())
        headers = {
            "Authorization": authorization(
                secret_id=self.options["secret_id"],
                secret_key=self.options["secret_key"],
                host=host,
                payload=payload,
                timestamp=timestamp,
            ),
            "Content-Type": CONTENT_TYPE,
            "Host": host,
            "X-TC-Action": action,
            "X-TC-Timestamp": str(timestamp),
            "X-TC-Version": API_VERSION,
            "X-TC-Region": self.options.get("region", "ap-guangzhou"),
        }
        self._pace()
        _status, body = http.post_json(self.http, endpoint, content=payload, headers=headers)
        response = body.get("Response") or {}
        error = response.get("Error")
        if not error:
            return response
        code, message = error.get("Code", ""), error.get("Message", "")
        if code.startswith(THROTTLED_PREFIXES):
            raise NotSent(code, message)
        if code.startswith(PROVIDER_FAULT_PREFIXES) or not code:
            raise Unsure(code or "no-code", message)
        raise Refused(code, message)

    def send(self, template: Template, messages: list[Outgoing], *, request_ref: str) -> list[Result]:
        if any(m.params != messages[0].params for m in messages):
            raise ValueError("Tencent Cloud sends one set of parameters per request")
        response = self._call(
            "SendSms",
            {
                "PhoneNumberSet": [f"+86{m.phone}" for m in messages],
                "SmsSdkAppId": self.options["sdk_app_id"],
                "SignName": template.sign_name,
                "TemplateId": template.code,
                "TemplateParamSet": [str(messages[0].params.get(name, "")) for name in template.params],
                "SessionContext": request_ref,
            },
        )
        by_phone = {s.get("PhoneNumber", "")[-11:]: s for s in response.get("SendStatusSet") or []}
        results = []
        for message in messages:
            status = by_phone.get(message.phone)
            if status is None:
                results.append(Result(message.key, Outcome.UNSURE, error_code="missing-status"))
            elif status.get("Code") == "Ok":
                results.append(Result(message.key, Outcome.ACCEPTED, provider_id=status.get("SerialNo", "")))
            else:
                code = status.get("Code", "")
                passing = code.startswith(THROTTLED_PREFIXES + ACCOUNT_PREFIXES)
                outcome = Outcome.NOT_SENT if passing else Outcome.REFUSED
                results.append(Result(message.key, outcome, error_code=code, error=status.get("Message", "")))
        return results

    def look_up(self, template: Template, messages: list[Outgoing], *, request_ref: str, since) -> list[Result]:
        found = []
        begin = int(since.timestamp())
        for message in messages:
            response = self._call(
                "PullSmsSendStatusByPhoneNumber",
                {
                    "BeginTime": begin,
                    "EndTime": int(time.time()),
                    "Offset": 0,
                    "Limit": 100,
                    "PhoneNumber": f"+86{message.phone}",
                    "SmsSdkAppId": self.options["sdk_app_id"],
                },
            )
            for status in response.get("PullSmsSendStatusSet") or []:
                if status.get("SessionContext") == request_ref:
                    found.append(Result(message.key, Outcome.ACCEPTED, provider_id=status.get("SerialNo", "")))
                    break
        return found

    def parse_receipts(self, body: bytes) -> list[Receipt]:
        """The delivery status callback: a JSON list, one report per message."""
        return [
            Receipt(
                phone=str(item.get("mobile", ""))[-11:],
                delivered=item.get("report_status") == "SUCCESS",
                provider_id=str(item.get("sid", "")),
                error_code=str(item.get("errmsg", "")),
                error=str(item.get("description", "")),
            )
            for item in json.loads(body)
        ]

    receipt_reply = {"result": 0, "errmsg": "OK"}
