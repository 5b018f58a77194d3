"""A recall from end to end: staff create and preview it, send it through a (fake) Alibaba Cloud,
watch it go out building by building, and a building leader records outcomes on a 360 px phone.

With Redis (CI), a real Celery worker process sends the batches; on a laptop, tasks run in-process."""

import datetime
from urllib.parse import urlsplit

import pytest
from django.utils import timezone
from playwright.sync_api import expect

from households.models import Campaign, Change, Message, Presence, Recipient
from tests.conftest import start_worker, tasks_on_queue, worker_queue
from tests.fakes.providers import AliyunFake
from tests.households.factories import SmsTemplateFactory

from .conftest import log_in

pytestmark = pytest.mark.browser


@pytest.fixture
def provider(settings, tmp_path):
    """A fake Alibaba Cloud on 127.0.0.1, used by this process (the live server) and by the worker."""
    fake = AliyunFake().start()
    settings.SMS_BACKEND = "aliyun"
    settings.SMS_OPTIONS = {"aliyun": fake.options()}
    settings.SMS_SIGN_NAME = "金杨居委会"
    settings.SMS_RECEIPT_TOKEN = "receipt-token"
    worker = None
    queue = worker_queue(tmp_path)
    if settings.REDIS_URL:
        env = {
            "SMS_BACKEND": "aliyun",
            "SMS_SIGN_NAME": "金杨居委会",
            "ALIYUN_SMS_ENDPOINT": fake.url,
            "ALIYUN_SMS_ACCESS_KEY_ID": fake.access_key_id,
            "ALIYUN_SMS_ACCESS_KEY_SECRET": fake.access_key_secret,
        }
        worker = start_worker(queue, env)
    with tasks_on_queue(queue):
        yield fake
    if worker:
        worker.terminate()
        worker.wait(timeout=30)
    fake.stop()


def test_a_recall_from_preview_to_the_leader_s_call_list(world, open_page, screenshot, provider):
    SmsTemplateFactory(name="返回通知")
    zhang, li = world.resident, world.other_resident
    zhao = world.building.residents.get(name="赵桂英")
    qian = world.building.residents.get(name="钱立民")
    qian.phone = ""
    for resident in (zhang, li, zhao, qian):
        resident.presence = Presence.AWAY
        resident.save()
    deadline = timezone.localtime() + datetime.timedelta(days=1)

    # Staff choose who to reach and see what they will read before anything is sent
    page = open_page("desktop")
    page.goto("/campaigns/new/")
    log_in(page, "staff")
    # The only template is chosen already; compounds, buildings and key populations are boxes under
    # their label, ticked with a click
    expect(page.locator("select[name=template] option:checked")).to_have_text("返回通知")
    for name in ("compounds", "buildings", "tags"):
        legend = page.locator(f"fieldset:has(#id_{name}) > legend").bounding_box()
        first_box = page.locator(f"input[type=checkbox][name={name}]").first.bounding_box()
        assert legend["y"] + legend["height"] <= first_box["y"], f"{name}: its label is not above its boxes"
    page.get_by_label("金杨新村", exact=True).check()
    page.locator("input[name=deadline]").fill(f"{deadline:%Y-%m-%dT18:00}")
    page.locator("input[name=contact_phone]").fill("021-58001234")
    with page.expect_navigation():
        page.get_by_role("button", name="预览").click()
    preview = page.locator("section.preview")
    expect(preview.locator(".stat").first).to_contain_text("4")
    expect(preview.locator(".stat.warn")).to_contain_text("没有有效手机号")
    expect(preview.locator("td.sms-text").first).to_contain_text("【金杨居委会】")
    assert provider.sent == []
    screenshot(page, "recall-preview.png")

    # They send: the worker sends each number once, and the page follows it live
    with page.expect_navigation():
        page.locator("button.send").click()
    expect(page.locator('[data-count="total.sent"]')).to_have_text("3", timeout=30_000)
    assert sorted(m.phone for m in provider.sent) == sorted([zhang.phone, li.phone, zhao.phone])

    # The provider reports delivery; the numbers move without a reload
    response = page.request.post("/sms/receipts/aliyun/receipt-token/", data=provider.receipts())
    assert response.json() == {"code": 0, "msg": "成功"}
    expect(page.locator('[data-count="total.delivered"]')).to_have_text("3", timeout=10_000)
    expect(page.locator('[data-count="total.to_call"]')).to_have_text("1")
    expect(page.locator("tr.recipient", has_text="张三").locator("[data-sms]")).to_have_text("已送达")
    screenshot(page, "recall-progress.png")

    # The building leader works the call list on a phone: the one without a mobile comes first
    phone = open_page("phone")
    phone.goto(f"/campaigns/{Campaign.objects.get().pk}/calls/")
    log_in(phone, "leader")
    cards = phone.locator("li.call")
    expect(cards).to_have_count(3)  # building 12 only
    expect(cards.first).to_contain_text("钱立民")
    expect(cards.first.locator(".reason")).to_contain_text("没有有效手机号")
    assert phone.evaluate("document.documentElement.scrollWidth") <= 360
    screenshot(phone, "recall-call-list.png")

    zhang_card = phone.locator("li.call", has_text="张三")
    with phone.expect_navigation():
        zhang_card.get_by_role("button", name="已返回").click()
    expect(phone.locator(".message").first).to_contain_text("张三：已返回")
    expect(phone.locator("li.call", has_text="张三")).to_have_count(0)
    assert urlsplit(phone.url).fragment == f"recipient-{Recipient.objects.get(resident=zhao).pk}"  # where he was

    zhao_card = phone.locator("li.call", has_text="赵桂英")
    zhao_card.locator("input[name=expected_at]").fill(f"{deadline:%Y-%m-%dT15:30}")
    with phone.expect_navigation():
        zhao_card.get_by_role("button", name="确认返回").click()
    expect(phone.locator("li.call", has_text="赵桂英")).to_contain_text("确认返回")
    assert urlsplit(phone.url).fragment == f"recipient-{Recipient.objects.get(resident=zhao).pk}"

    zhang.refresh_from_db()
    assert zhang.presence == Presence.HOME
    assert Change.objects.filter(resident=zhang, action=Change.Action.PRESENCE).count() == 1
    confirmed = Recipient.objects.get(resident=zhao)
    assert timezone.localtime(confirmed.expected_at).strftime("%H:%M") == "15:30"
    assert Message.objects.filter(state=Message.State.DELIVERED).count() == 3
