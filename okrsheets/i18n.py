"""Words people read in sheets, reports and e-mails, in Vietnamese and English."""

from __future__ import annotations

STATUS = {
    "vi": {
        "done": "Hoàn thành",
        "on_track": "Đúng tiến độ",
        "at_risk": "Có rủi ro",
        "off_track": "Chậm tiến độ",
        "no_data": "Chưa cập nhật",
        "check_cell": "Kiểm tra ô",  # a KR's status in its own sheet while the engine cannot read its value
    },
    "en": {
        "done": "Done",
        "on_track": "On track",
        "at_risk": "At risk",
        "off_track": "Off track",
        "no_data": "No check-in",
        "check_cell": "Check cell",
    },
}

GRADE = {
    "vi": {"red": "Đỏ", "yellow": "Vàng", "green": "Xanh"},
    "en": {"red": "Red", "yellow": "Yellow", "green": "Green"},
}

KIND = {
    "vi": {"increase": "Tăng", "decrease": "Giảm", "at_least": "Tối thiểu", "at_most": "Tối đa", "milestone": "Mốc (xong/chưa)"},
    "en": {"increase": "Increase", "decrease": "Decrease", "at_least": "At least", "at_most": "At most", "milestone": "Milestone"},
}

UNIT = {
    "vi": {"percent": "%", "count": "số lượng", "vnd": "VNĐ", "days": "ngày", "hours": "giờ", "minutes": "phút", "points": "điểm", "number": "số", "done": "xong/chưa"},
    "en": {"percent": "%", "count": "count", "vnd": "VND", "days": "days", "hours": "hours", "minutes": "minutes", "points": "points", "number": "number", "done": "done/not done"},
}

# ARGB fill colours for the grades, shared by team sheets and the summary.
GRADE_FILL = {"red": "FFF4C7C3", "yellow": "FFFCE8B2", "green": "FFB7E1CD"}
GRADE_FONT = {"red": "FF9C0006", "yellow": "FF7F6000", "green": "FF006100"}


def status_label(status: str, language: str) -> str:
    return STATUS["en" if language == "en" else "vi"][status]


def grade_label(grade: str, language: str) -> str:
    return GRADE["en" if language == "en" else "vi"][grade]


# Why a workbook could not be read (WorkbookError.reason), in the team's language.
UNREADABLE = {
    "vi": {
        "encrypted": "tệp có mật khẩu hoặc ở định dạng .xls cũ; hãy lưu lại thành tệp .xlsx không đặt mật khẩu",
        "not_a_workbook": "đây không phải là tệp Excel",
        "damaged": "tệp bị cắt cụt hoặc hỏng",
    },
    "en": {
        "encrypted": "it is password-protected or in the old .xls format; save it as an unprotected .xlsx",
        "not_a_workbook": "it is not an Excel file",
        "damaged": "the file is truncated or damaged",
    },
}
