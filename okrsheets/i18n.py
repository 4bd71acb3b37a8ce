"""Words people read in sheets, reports and e-mails, in Vietnamese and English."""

from __future__ import annotations

STATUS = {
    "vi": {
        "done": "Hoàn thành",
        "on_track": "Đúng tiến độ",
        "at_risk": "Có rủi ro",
        "off_track": "Chậm tiến độ",
        "no_data": "Chưa cập nhật",
    },
    "en": {
        "done": "Done",
        "on_track": "On track",
        "at_risk": "At risk",
        "off_track": "Off track",
        "no_data": "No check-in",
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


# The company summary's words. One word per concept across team sheet, summary and e-mail:
# an Objective is "Mục tiêu", a KR's Target is "Chỉ tiêu", Start is "Bắt đầu", Confidence "Độ tự tin".
SUMMARY = {
    "vi": {
        # sheet titles
        "sheet_overview": "Tổng quan", "sheet_objectives": "Mục tiêu", "sheet_key_results": "Kết quả then chốt",
        "sheet_at_risk": "Có rủi ro", "sheet_stale": "Lâu chưa cập nhật", "sheet_history": "Lịch sử",
        "sheet_issues": "Vấn đề dữ liệu", "sheet_kr_history": "Lịch sử KR",
        # title block
        "title": "Báo cáo OKR", "company": "Công ty", "quarter": "Quý", "as_of": "Tính đến ngày",
        "expected": "Tiến độ kỳ vọng", "score": "Điểm công ty", "grade": "Xếp loại", "status": "Trạng thái",
        "issues": "Số vấn đề dữ liệu", "page": "Trang",
        # columns
        "department": "Phòng ban", "owners": "Người phụ trách", "id": "Mã", "objective": "Mục tiêu",
        "key_result": "Kết quả then chốt", "weight": "Trọng số", "kind": "Loại", "unit": "Đơn vị",
        "start": "Bắt đầu", "target": "Chỉ tiêu", "current": "Hiện tại", "score_column": "Điểm",
        "confidence": "Độ tự tin", "comment": "Ghi chú", "last_update": "Cập nhật lần cuối",
        "last_check_in": "Lần cập nhật gần nhất", "days_since": "Số ngày chưa cập nhật",
        "change": "Thay đổi 7 ngày", "read_on": "Số liệu của ngày", "gap": "Chênh lệch",
        "expected_column": "Kỳ vọng", "date": "Ngày", "file": "Tệp", "sheet": "Trang tính", "cell": "Ô",
        "found": "Giá trị tìm thấy", "problem": "Vấn đề", "fix": "Cách sửa",
        # charts
        "chart_departments": "Điểm theo phòng ban", "chart_history": "Điểm theo thời gian",
        "pace_note": "(nét đứt: tiến độ kỳ vọng {pace})",
        "never": "chưa có",
    },
    "en": {
        "sheet_overview": "Overview", "sheet_objectives": "Objectives", "sheet_key_results": "Key results",
        "sheet_at_risk": "At risk", "sheet_stale": "Stale", "sheet_history": "History",
        "sheet_issues": "Data issues", "sheet_kr_history": "KR history",
        "title": "OKR report", "company": "Company", "quarter": "Quarter", "as_of": "As of",
        "expected": "Expected progress", "score": "Company score", "grade": "Grade", "status": "Status",
        "issues": "Data issues", "page": "Page",
        "department": "Department", "owners": "Owners", "id": "ID", "objective": "Objective",
        "key_result": "Key result", "weight": "Weight", "kind": "Kind", "unit": "Unit",
        "start": "Start", "target": "Target", "current": "Current", "score_column": "Score",
        "confidence": "Confidence", "comment": "Comment", "last_update": "Last update",
        "last_check_in": "Last check-in", "days_since": "Days without a check-in",
        "change": "7-day change", "read_on": "Figures of", "gap": "Gap",
        "expected_column": "Expected", "date": "Date", "file": "File", "sheet": "Sheet", "cell": "Cell",
        "found": "Value found", "problem": "Problem", "fix": "How to fix",
        "chart_departments": "Score by department", "chart_history": "Score over time",
        "pace_note": "(dashed: expected progress {pace})",
        "never": "never",
    },
}

# How people write a date, per language (Excel/LibreOffice/Sheets number-format codes).
DATE_FORMAT = {"vi": "dd/mm/yyyy", "en": "yyyy-mm-dd"}


def summary_word(key: str, language: str) -> str:
    return SUMMARY["en" if language == "en" else "vi"][key]
