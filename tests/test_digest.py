"""The e-mail digest: content in Vietnamese and English, and delivery to a real SMTP server on loopback."""

from __future__ import annotations

import email
import logging
import re
import socket
from dataclasses import replace
from datetime import timedelta
from email.message import EmailMessage
from email.policy import default as default_policy

import pytest
from aiosmtpd.controller import Controller
from aiosmtpd.smtp import AuthResult, LoginPassword

from okrsheets.jobs.digest import build_messages, department_digest, is_stale, send_digest
from okrsheets.jobs.nightly import run_nightly
from okrsheets.jobs.runlog import read_last_run

from .helpers.nightly import AS_OF, FakeRollup, kr, make_config, sample_result

EMAIL_ON = """
[email]
enabled = true
smtp_host = "127.0.0.1"
smtp_port = {port}
tls = "none"
sender = "okr-bot@senvang.vn"
stale_after_days = 14
"""


# ---------------------------------------------------------------- a real SMTP server


class Inbox:
    """aiosmtpd handler keeping every delivered message; refuses addresses in ``refuse``."""

    def __init__(self, refuse: tuple[str, ...] = ()):
        self.messages: list[tuple[str, list[str], EmailMessage]] = []
        self.raw: list[bytes] = []
        self.refuse = refuse

    async def handle_RCPT(self, server, session, envelope, address, rcpt_options):  # noqa: N802 (aiosmtpd API)
        if address in self.refuse:
            return "550 5.1.1 mailbox unavailable"
        envelope.rcpt_tos.append(address)
        return "250 OK"

    async def handle_DATA(self, server, session, envelope):  # noqa: N802 (aiosmtpd API)
        message = email.message_from_bytes(envelope.original_content, policy=default_policy)
        self.messages.append((envelope.mail_from, list(envelope.rcpt_tos), message))
        self.raw.append(envelope.original_content)
        return "250 Message accepted for delivery"

    def to(self, address: str) -> list[EmailMessage]:
        return [m for _, rcpts, m in self.messages if address in rcpts]


def free_port() -> int:
    with socket.socket() as s:
        s.bind(("127.0.0.1", 0))
        return s.getsockname()[1]


@pytest.fixture
def smtp_server():
    servers = []

    def start(inbox: Inbox | None = None, **smtp_options) -> tuple[Inbox, Controller]:
        inbox = inbox or Inbox()
        controller = Controller(inbox, hostname="127.0.0.1", port=free_port(), **smtp_options)
        controller.start()
        servers.append(controller)
        return inbox, controller

    yield start
    for controller in servers:
        try:
            controller.stop()
        except AssertionError:  # already stopped by the test
            pass


def email_config(tmp_path, port: int, language: str = "vi", extra: str = ""):
    return make_config(tmp_path, top=f'language = "{language}"', email=EMAIL_ON.format(port=port) + extra)


def parts(message: EmailMessage) -> tuple[str, str]:
    return message.get_body(("plain",)).get_content(), message.get_body(("html",)).get_content()


# ---------------------------------------------------------------- what goes in the digest


def test_stale_means_no_check_in_for_longer_than_the_limit():
    assert is_stale(kr("hr", "O1.KR1", "x", "on_track", last_check_in=None), AS_OF, 14)
    assert is_stale(kr("hr", "O1.KR1", "x", "on_track", last_check_in=AS_OF - timedelta(days=15)), AS_OF, 14)
    assert not is_stale(kr("hr", "O1.KR1", "x", "on_track", last_check_in=AS_OF - timedelta(days=14)), AS_OF, 14)
    assert not is_stale(kr("hr", "O1.KR1", "x", "done", last_check_in=None), AS_OF, 14)  # a done KR needs none


def test_department_digest_sections():
    result = sample_result()
    hr = department_digest(result, result.departments[0], 14)
    assert [k.id for k in hr.at_risk] == ["O1.KR1"]
    assert [k.id for k in hr.stale] == ["O1.KR2", "O2.KR1"]  # 20 days and never; done O2.KR2 is not listed
    assert hr.issues == ()
    finance = department_digest(result, result.departments[2], 14)
    assert finance.empty


def test_owner_messages_in_vietnamese(tmp_path):
    config = email_config(tmp_path, 25)
    messages = build_messages(config, sample_result())
    recipients = [m["To"] for m in messages]
    # finance has nothing to report: hoa.dang gets nothing; the admins get the overview
    assert recipients == ["thu.pham@senvang.vn", "hung.le@senvang.vn", "lan.nguyen@senvang.vn", "okr-admin@senvang.vn"]

    hr = messages[0]
    assert hr["Subject"] == "[OKR 2026-Q4] Phòng Nhân sự: 1 KR có rủi ro/chậm tiến độ, 2 KR lâu chưa cập nhật"
    assert str(hr["From"]) == "OKR Công ty Sen Vàng <okr-bot@senvang.vn>"
    assert hr["Auto-Submitted"] == "auto-generated"
    text, html_part = parts(hr)
    assert "Chào anh/chị," in text
    assert "KR có rủi ro hoặc chậm tiến độ:" in text
    assert ("O1.KR1 Tuyển đủ 10 nhân sự <kỹ thuật> & vận hành: Có rủi ro, điểm 30% (kỳ vọng 55%);"
            " cập nhật lần cuối 20/11/2026 (hôm nay)") in text
    assert "KR chưa cập nhật quá 14 ngày:" in text
    assert "cập nhật lần cuối 31/10/2026 (20 ngày trước)" in text
    assert "O2.KR1 Tổ chức 8 khoá đào tạo: Chưa cập nhật" in text and "chưa cập nhật lần nào" in text
    assert "Hoàn thành khung năng lực" not in text
    # team text is escaped in the HTML part
    assert "Tuyển đủ 10 nhân sự &lt;kỹ thuật&gt; &amp; vận hành" in html_part
    assert "<kỹ thuật>" not in html_part
    assert '<html lang="vi">' in html_part

    sales_text, sales_html = parts(messages[1])
    assert "Lỗi dữ liệu cần sửa:" in sales_text
    assert "Tệp /okr/sales.xlsx, trang tính “OKR”, ô G12 (đang ghi: “hai mươi”): Giá trị hiện tại không phải là số." in sales_text
    assert "Cách sửa: Nhập một số, ví dụ 20." in sales_text
    assert "ô G12" in sales_html


def test_admin_overview(tmp_path):
    config = email_config(tmp_path, 25)
    result = replace(sample_result(), summary_path="/okr/2026-Q4/company-summary.xlsx")
    admin = build_messages(config, result)[-1]
    assert admin["Subject"] == "[OKR 2026-Q4] Tổng quan Công ty Sen Vàng ngày 20/11/2026: 50% (Có rủi ro)"
    text, html_part = parts(admin)
    assert "Điểm toàn công ty: 50% (Vàng, Có rủi ro); tiến độ kỳ vọng: 55%." in text
    assert "- Phòng Nhân sự: 42% (Có rủi ro); Hoàn thành 1; Đúng tiến độ 1; Có rủi ro 1; Chậm tiến độ 0; Chưa cập nhật 1; Lỗi dữ liệu 0" in text
    assert "- Phòng Kế toán: 80% (Đúng tiến độ)" in text
    assert "Tổng cộng: 7 KR;" in text and "1 lỗi dữ liệu" in text
    assert "Bảng tổng hợp: /okr/2026-Q4/company-summary.xlsx" in text
    assert "<th" in html_part and "Phòng Kinh doanh" in html_part


def test_messages_in_english(tmp_path):
    config = email_config(tmp_path, 25, language="en")
    messages = build_messages(config, sample_result())
    assert messages[0]["Subject"] == "[OKR 2026-Q4] Phòng Nhân sự: 1 KRs at risk or off track, 2 stale KRs"
    text, _ = parts(messages[0])
    assert "Key results at risk or off track:" in text and "score 30% (expected 55%)" in text
    assert "last check-in 2026-10-31 (20 days ago)" in text and "never checked in" in text
    assert "Company score: 50% (Yellow, At risk); expected progress: 55%." in parts(messages[-1])[0]


def test_one_message_per_owner_across_departments(tmp_path):
    config = email_config(tmp_path, 25)
    result = sample_result()
    sales = replace(result.departments[1], owners=("thu.pham@senvang.vn",))
    messages = build_messages(config, replace(result, departments=(result.departments[0], sales, result.departments[2])))
    owner_messages = [m for m in messages if m["To"] == "thu.pham@senvang.vn"]
    assert len(owner_messages) == 1
    text, _ = parts(owner_messages[0])
    assert "Phòng Nhân sự: điểm 42%" in text and "Phòng Kinh doanh: điểm 35%" in text
    assert "Tuyển đủ 10 nhân sự" in text and "Doanh thu 12 tỷ đồng" in text


# ---------------------------------------------------------------- delivery over SMTP


def test_run_nightly_delivers_the_digest(tmp_path, smtp_server):
    inbox, controller = smtp_server()
    config = email_config(tmp_path, controller.port)
    run_nightly(config, rollup=FakeRollup())

    assert sorted(r for _, rcpts, _ in inbox.messages for r in rcpts) == sorted([
        "thu.pham@senvang.vn", "hung.le@senvang.vn", "lan.nguyen@senvang.vn", "okr-admin@senvang.vn",
    ])
    assert all(sender == "okr-bot@senvang.vn" for sender, _, _ in inbox.messages)
    # each owner with an at-risk or off-track KR gets exactly one message naming it
    for owner, kr_text in (("thu.pham@senvang.vn", "Tuyển đủ 10 nhân sự"), ("hung.le@senvang.vn", "Doanh thu 12 tỷ đồng"),
                           ("lan.nguyen@senvang.vn", "Doanh thu 12 tỷ đồng")):
        received = inbox.to(owner)
        assert len(received) == 1, owner
        text, html_part = parts(received[0])
        assert kr_text in text and kr_text in html_part
    assert inbox.to("hoa.dang@senvang.vn") == []
    hr = inbox.to("thu.pham@senvang.vn")[0]
    assert hr["Subject"] == "[OKR 2026-Q4] Phòng Nhân sự: 1 KR có rủi ro/chậm tiến độ, 2 KR lâu chưa cập nhật"
    # on the wire: ASCII only, UTF-8 in RFC 2047 encoded words and quoted-printable parts
    for raw in inbox.raw:
        assert raw.isascii() and b'charset="utf-8"' in raw and b"Content-Language: vi" in raw
        subject = re.search(rb"^Subject: (.*?)\r?\n(?=\S)", raw, re.M | re.S).group(1)
        assert b"=?utf-8?" in subject
    assert all(b"Content-Transfer-Encoding: quoted-printable" in raw for raw in inbox.raw)
    admin = inbox.to("okr-admin@senvang.vn")[0]
    assert admin["Subject"].startswith("[OKR 2026-Q4] Tổng quan Công ty Sen Vàng")
    assert "Điểm toàn công ty: 50%" in parts(admin)[0]
    report = read_last_run(config.quarter_folder).last_run
    assert report.emails_sent == 4 and report.email_problems == ()


def test_a_stopped_server_is_logged_and_does_not_fail_the_run(tmp_path, smtp_server, caplog):
    _, controller = smtp_server()
    config = email_config(tmp_path, controller.port)
    controller.stop()
    result = run_nightly(config, rollup=FakeRollup())  # does not raise

    assert result.summary_path
    assert f"e-mail digest: cannot send via 127.0.0.1:{controller.port} (none)" in caplog.text
    report = read_last_run(config.quarter_folder).last_run
    assert report.succeeded and report.emails_sent == 0
    assert "4 message(s) not sent" in report.email_problems[0]


def test_a_refused_recipient_is_logged_and_the_others_still_get_theirs(tmp_path, smtp_server, caplog):
    inbox, controller = smtp_server(Inbox(refuse=("thu.pham@senvang.vn",)))
    config = email_config(tmp_path, controller.port)
    run_nightly(config, rollup=FakeRollup())

    assert inbox.to("thu.pham@senvang.vn") == []
    assert len(inbox.to("hung.le@senvang.vn")) == 1 and len(inbox.to("okr-admin@senvang.vn")) == 1
    assert "e-mail digest: not sent to thu.pham@senvang.vn: thu.pham@senvang.vn: 550 5.1.1 mailbox unavailable" in caplog.text
    report = read_last_run(config.quarter_folder).last_run
    assert report.succeeded and report.emails_sent == 3 and len(report.email_problems) == 1


def test_login_uses_the_password_from_the_environment_and_never_logs_it(tmp_path, smtp_server, caplog, monkeypatch):
    logins = []

    def authenticator(server, session, envelope, mechanism, auth_data):
        assert isinstance(auth_data, LoginPassword)
        logins.append((auth_data.login.decode(), auth_data.password.decode()))
        ok = auth_data.password == b"s3cret-pass"
        return AuthResult(success=ok, handled=False)  # handled=False: aiosmtpd answers 535 itself

    inbox, controller = smtp_server(authenticator=authenticator, auth_require_tls=False)
    extra = 'username = "okr-bot@senvang.vn"\npassword_env = "OKRSHEETS_TEST_SMTP_PASSWORD"\n'
    config = email_config(tmp_path, controller.port, extra=extra)

    monkeypatch.delenv("OKRSHEETS_TEST_SMTP_PASSWORD", raising=False)
    outcome = send_digest(config, sample_result())
    assert outcome.sent == 0 and "OKRSHEETS_TEST_SMTP_PASSWORD is empty" in outcome.problems[0]
    assert inbox.messages == []

    monkeypatch.setenv("OKRSHEETS_TEST_SMTP_PASSWORD", "wrong-password")
    outcome = send_digest(config, sample_result())
    assert outcome.sent == 0 and "535" in outcome.problems[0]
    assert "wrong-password" not in caplog.text and all("wrong-password" not in p for p in outcome.problems)

    good = "s3cret-pass"
    monkeypatch.setenv("OKRSHEETS_TEST_SMTP_PASSWORD", good)
    outcome = send_digest(config, sample_result())
    assert outcome.sent == 4 and outcome.problems == ()
    assert logins[-1] == ("okr-bot@senvang.vn", good)
    assert good not in caplog.text


def test_digest_off_sends_nothing(tmp_path, smtp_server):
    inbox, controller = smtp_server()
    config = make_config(tmp_path, email=EMAIL_ON.format(port=controller.port).replace("enabled = true", "enabled = false"))
    run_nightly(config, rollup=FakeRollup())
    assert inbox.messages == []
    assert read_last_run(config.quarter_folder).last_run.emails_sent is None


def test_nothing_to_report_and_no_admins_sends_nothing(tmp_path, smtp_server):
    inbox, controller = smtp_server()
    config = replace(email_config(tmp_path, controller.port), admin_emails=())
    result = sample_result()
    quiet = replace(result, departments=(result.departments[2],), issues=())
    assert send_digest(config, quiet).sent == 0
    assert inbox.messages == []


def test_logging_of_the_digest_is_at_info(tmp_path, smtp_server, caplog):
    caplog.set_level(logging.INFO, logger="okrsheets")
    _, controller = smtp_server()
    config = email_config(tmp_path, controller.port)
    send_digest(config, sample_result())
    assert f"e-mail digest: 4 of 4 message(s) sent via 127.0.0.1:{controller.port}" in caplog.text
