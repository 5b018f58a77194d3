"""Alibaba Cloud SMS (dysmsapi, API version 2017-05-25), over its RPC-style HTTP API.

SendBatchSms takes up to 100 numbers with their own parameters; SendSms up to 1,000 numbers that
share the same parameters. Requests are signed with HMAC-SHA1 (signature version 1.0). Our request
reference goes as OutId: QuerySendDetails and the delivery reports carry it back.
"""

import base64
import datetime
import hashlib
import hmac
import json
import uuid
from urllib.parse import quote

from django.utils import timezone

from . import http
from .base import Backend, GatewayError, NotSent, Outcome, Outgoing, Receipt, Refused, Result, Template, Unsure

API_VERSION = "2017-05-25"
# The request was refused for a reason that passes: try again later.
THROTTLED = {"Throttling", "Throttling.User", "Throttling.Api", "isp.SYSTEM_BUSY"}
# The provider's own failure: whether it sent anything is unknown.
PROVIDER_FAULT = {"isp.SYSTEM_ERROR", "InternalError", "ServiceUnavailable"}
# The request was refused because of a number in it: sent alone, the others go through.
NUMBER_REFUSED = {
    "isv.MOBILE_NUMBER_ILLEGAL",
    "isv.BUSINESS_LIMIT_CONTROL",
    "isv.DAY_LIMIT_CONTROL",
    "isv.BLACK_KEY_CONTROL_LIMIT",
    "isv.PHONE_NUMBER_IN_BLACKLIST",
}


def percent_encode(text: str) -> str:
    return quote(str(text), safe="-_.~")


def sign(params: dict, secret: str, method: str = "POST") -> str:
    """Signature version 1.0: HMAC-SHA1 over the method, "/" and the sorted, encoded parameters."""
    canonical = "&".join(f"{percent_encode(k)}={percent_encode(params[k])}" for k in sorted(params))
    string_to_sign = f"{method}&{percent_encode('/')}&{percent_encode(canonical)}"
    digest = hmac.new(f"{secret}&".encode(), string_to_sign.encode(), hashlib.sha1).digest()
    return base64.b64encode(digest).decode()


class AliyunBackend(Backend):
    name = "aliyun"
    numbers_per_request = 100  # SendBatchSms
    numbers_per_request_same_params = 1000  # SendSms
    requests_per_second = 5000  # per account, for each of the two
    can_look_up = True

    def __init__(self, **options):
        super().__init__(**options)
        self.http = http.client(options.get("timeout", 10.0))

    def _call(self, action: str, params: dict) -> dict:
        signed = {
            "AccessKeyId": self.options["access_key_id"],
            "Action": action,
            "Format": "JSON",
            "RegionId": self.options.get("region", "cn-hangzhou"),
            "SignatureMethod": "HMAC-SHA1",
            "SignatureNonce": uuid.uuid4().hex,
            "SignatureVersion": "1.0",
            "Timestamp": datetime.datetime.now(datetime.UTC).strftime("%Y-%m-%dT%H:%M:%SZ"),
            "Version": API_VERSION,
            **params,
        }
        signed["Signature"] = sign(signed, self.options["access_key_secret"])
        self._pace()
        _status, body = http.post_json(self.http, self.options["endpoint"], data=signed)
        code = body.get("Code", "")
        if code == "OK":
            return body
        message = body.get("Message", "")
        if code in THROTTLED:
            raise NotSent(code, message)
        if code in PROVIDER_FAULT or not code:
            raise Unsure(code or "no-code", message)
        raise Refused(code, message)

    def send(self, template: Template, messages: list[Outgoing], *, request_ref: str) -> list[Result]:
        try:
            body = self._call(*self._send_request(template, messages, request_ref))
        except Refused as error:
            if error.code not in NUMBER_REFUSED:
                raise
            if len(messages) == 1:
                return [Result(messages[0].key, Outcome.REFUSED, error_code=error.code, error=error.message)]
            # Nothing of the request was sent: send each number alone to find the one refused.
            return [self._send_alone(template, message, request_ref) for message in messages]
        biz_id = body.get("BizId", "")
        return [Result(message.key, Outcome.ACCEPTED, provider_id=biz_id) for message in messages]

    def _send_alone(self, template, message, request_ref) -> Result:
        try:
            [result] = self.send(template, [message], request_ref=request_ref)
        except GatewayError as error:
            return Result(message.key, error.outcome, error_code=error.code, error=error.message)
        return result

    def _send_request(self, template, messages, request_ref):
        same_params = all(m.params == messages[0].params for m in messages)
        values = [{name: m.params.get(name, "") for name in template.params} for m in messages]
        if same_params:
            return "SendSms", {
                "PhoneNumbers": ",".join(m.phone for m in messages),
                "SignName": template.sign_name,
                "TemplateCode": template.code,
                "TemplateParam": json.dumps(values[0], ensure_ascii=False),
                "OutId": request_ref,
            }
        return "SendBatchSms", {
            "PhoneNumberJson": json.dumps([m.phone for m in messages]),
            "SignNameJson": json.dumps([template.sign_name] * len(messages), ensure_ascii=False),
            "TemplateCode": template.code,
            "TemplateParamJson": json.dumps(values, ensure_ascii=False),
            "OutId": request_ref,
        }

    def look_up(self, template: Template, messages: list[Outgoing], *, request_ref: str, since) -> list[Result]:
        found = []
        send_date = timezone.localtime(since).strftime("%Y%m%d")
        for message in messages:
            body = self._call(
                "QuerySendDetails",
                {"PhoneNumber": message.phone, "SendDate": send_date, "PageSize": "50", "CurrentPage": "1"},
            )
            details = (body.get("SmsSendDetailDTOs") or {}).get("SmsSendDetailDTO") or []
            if any(d.get("OutId") == request_ref and d.get("TemplateCode") == template.code for d in details):
                found.append(Result(message.key, Outcome.ACCEPTED))
        return found

    def parse_receipts(self, body: bytes) -> list[Receipt]:
        """The SmsReport push: a JSON list, one report per message."""
        return [
            Receipt(
                phone=str(item.get("phone_number", "")),
                delivered=bool(item.get("success")),
                provider_id=str(item.get("biz_id", "")),
                request_ref=str(item.get("out_id", "")),
                error_code=str(item.get("err_code", "")),
                error=str(item.get("err_msg", "")),
                at=_shanghai_time(item.get("report_time")),
            )
            for item in json.loads(body)
        ]

    receipt_reply = {"code": 0, "msg": "成功"}


def _shanghai_time(text):
    """The report's time: Beijing time without a zone, as the provider writes it."""
    try:
        return datetime.datetime.strptime(f"{text} +0800", "%Y-%m-%d %H:%M:%S %z")
    except ValueError:
        return None
