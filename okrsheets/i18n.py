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


def reading_of(day, language: str) -> str:
    """How a department shown from an earlier night's reading is marked: "số liệu ngày 28/11/2026"."""
    if language == "en":
        return f"reading of {day.isoformat()}"
    return f"số liệu ngày {day.strftime('%d/%m/%Y')}"


def show_date(day, language: str) -> str:
    """A date as people of ``language`` write it, in the order of DATE_FORMAT: 15/10/2026, 2026-10-15."""
    return day.isoformat() if language == "en" else day.strftime("%d/%m/%Y")


def grade_label(grade: str, language: str) -> str:
    return GRADE["en" if language == "en" else "vi"][grade]


# Why a workbook could not be read (WorkbookError.reason), in the team's language: the rollup says
# "Không đọc được tệp: <this>" and then UNREADABLE_FIX's sentence for the same reason.
UNREADABLE = {
    "vi": {
        "encrypted": "tệp có mật khẩu hoặc ở định dạng .xls cũ; hãy lưu lại thành tệp .xlsx không đặt mật khẩu",
        "password": "tệp được đặt mật khẩu mở, nên okrsheets không mở được",
        "xls": "tệp ở định dạng Excel 97–2003 (.xls) cũ, chỉ mang tên .xlsx",
        "ods": "tệp ở định dạng OpenDocument (.ods) của LibreOffice, chỉ mang tên .xlsx",
        "csv": "tệp là văn bản CSV, không phải bảng tính Excel; các công thức, trang ẩn và định dạng đã mất",
        "not_a_workbook": "đây không phải là tệp Excel",
        "damaged": "tệp bị cắt cụt hoặc hỏng",
        "missing": "không có tệp",
        "directory": "đây là một thư mục, không phải tệp",
        "broken_link": "đây là một liên kết (symlink) hỏng hoặc trỏ vòng lại chính nó",
        "permission": "okrsheets không có quyền đọc tệp",
    },
    "en": {
        "encrypted": "it is password-protected or in the old .xls format; save it as an unprotected .xlsx",
        "password": "it has a password to open, so okrsheets cannot open it",
        "xls": "it is an old Excel 97-2003 (.xls) file that only has an .xlsx name",
        "ods": "it is a LibreOffice OpenDocument (.ods) file that only has an .xlsx name",
        "csv": "it is CSV text, not an Excel workbook; its formulas, hidden sheet and formats are gone",
        "not_a_workbook": "it is not an Excel file",
        "damaged": "the file is truncated or damaged",
        "missing": "there is no such file",
        "directory": "it is a folder, not a file",
        "broken_link": "it is a broken symbolic link, or one that loops back on itself",
        "permission": "okrsheets has no permission to read it",
    },
}

# What to do about each UNREADABLE reason.
UNREADABLE_FIX = {
    "vi": {
        "encrypted": "Mở tệp, bỏ mật khẩu (nếu có) rồi lưu lại dạng Excel Workbook (.xlsx).",
        "password": "Mở tệp bằng mật khẩu, bỏ mật khẩu (Excel: Tệp > Thông tin > Bảo vệ sổ làm việc > Mã hóa bằng mật khẩu, xóa mật khẩu) rồi lưu lại. Không cần khôi phục bản sao lưu.",
        "xls": "Mở tệp và lưu lại dạng Excel Workbook (.xlsx) với đúng tên này.",
        "ods": "Mở tệp trong LibreOffice và chọn Lưu thành > Excel 2007-365 (.xlsx) với đúng tên này.",
        "csv": "Khôi phục tệp .xlsx từ bản sao lưu, hoặc nhờ quản trị OKR chạy `okrsheets provision --force` rồi nhập lại số liệu.",
        "not_a_workbook": "Khôi phục tệp từ bản sao lưu, hoặc chạy lại `okrsheets provision` (quản trị OKR).",
        "damaged": "Khôi phục tệp từ bản sao lưu, hoặc chạy lại `okrsheets provision` (quản trị OKR).",
        "missing": "Quản trị OKR chạy `okrsheets provision` để tạo lại tệp.",
        "directory": "Đổi tên hoặc chuyển thư mục này đi, rồi đặt tệp OKR của phòng ban vào đúng tên này (hoặc chạy `okrsheets provision`).",
        "broken_link": "Xóa liên kết hỏng và đặt lại tệp OKR thật vào đúng tên này (hoặc chạy `okrsheets provision`).",
        "permission": "Cấp quyền đọc tệp cho tài khoản chạy okrsheets (ví dụ chmod a+r), hoặc nhờ quản trị máy chủ.",
    },
    "en": {
        "encrypted": "Open the file, remove its password (if any) and save it again as an Excel Workbook (.xlsx).",
        "password": "Open the file with its password, remove the password (Excel: File > Info > Protect Workbook > Encrypt with Password, clear it) and save. There is no need to restore a backup.",
        "xls": "Open the file and save it as an Excel Workbook (.xlsx) under this name.",
        "ods": "Open the file in LibreOffice and use Save As > Excel 2007-365 (.xlsx) under this name.",
        "csv": "Restore the .xlsx file from a backup, or have the OKR admin run `okrsheets provision --force` and type the values again.",
        "not_a_workbook": "Restore the file from a backup, or have the OKR admin run `okrsheets provision`.",
        "damaged": "Restore the file from a backup, or have the OKR admin run `okrsheets provision`.",
        "missing": "The OKR admin runs `okrsheets provision` to create it again.",
        "directory": "Rename or move that folder away and put the department's OKR workbook under this name (or run `okrsheets provision`).",
        "broken_link": "Remove the broken link and put the real OKR workbook under this name (or run `okrsheets provision`).",
        "permission": "Let the account that runs okrsheets read the file (e.g. chmod a+r), or ask the server's administrator.",
    },
}


# The company summary's words. One word per concept across team sheet, summary and e-mail:
# an Objective is "Mục tiêu", a KR's Target is "Chỉ tiêu", Start is "Bắt đầu", Confidence "Độ tự tin".
SUMMARY = {
    "vi": {
        # sheet titles
        "sheet_overview": "Tổng quan", "sheet_objectives": "Mục tiêu", "sheet_key_results": "Kết quả then chốt",
        "sheet_at_risk": "Có rủi ro", "sheet_stale": "Lâu chưa cập nhật", "sheet_history": "Lịch sử",
        "sheet_issues": "Vấn đề dữ liệu", "sheet_kr_history": "Lịch sử KR", "sheet_alignment": "Mục tiêu công ty",
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
        "company_objective": "Mục tiêu công ty", "aligned": "Mục tiêu / KR của phòng ban", "kr_owner": "Người phụ trách KR",
        # charts
        "chart_departments": "Điểm theo phòng ban", "chart_history": "Điểm theo thời gian",
        "final": "Cuối quý", "final_night": "Điểm cuối quý (đã đóng)",
        "pace_note": "(nét đứt: tiến độ kỳ vọng {pace})",
        "never": "chưa có",
    },
    "en": {
        "sheet_overview": "Overview", "sheet_objectives": "Objectives", "sheet_key_results": "Key results",
        "sheet_at_risk": "At risk", "sheet_stale": "Stale", "sheet_history": "History",
        "sheet_issues": "Data issues", "sheet_kr_history": "KR history", "sheet_alignment": "Company objectives",
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
        "company_objective": "Company objective", "aligned": "Department objective / KR", "kr_owner": "KR owner",
        "chart_departments": "Score by department", "chart_history": "Score over time",
        "final": "Final", "final_night": "Final score (quarter closed)",
        "pace_note": "(dashed: expected progress {pace})",
        "never": "never",
    },
}

# How people write a date, per language (Excel/LibreOffice/Sheets number-format codes).
DATE_FORMAT = {"vi": "dd/mm/yyyy", "en": "yyyy-mm-dd"}

