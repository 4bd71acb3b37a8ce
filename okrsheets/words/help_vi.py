"""Hướng dẫn (--help) của dòng lệnh bằng tiếng Việt (cùng khóa với :mod:`okrsheets.words.help_en`).

``CLICK`` dịch các chữ của chính click (dòng cách dùng, tên mục, thông báo lỗi
khi gõ sai lệnh), khóa là câu tiếng Anh đúng như click viết.
"""

COMMANDS = {
    "": """\
Chạy chu kỳ OKR của công ty trên bảng tính Excel hoặc Google Sheets.

Mỗi quý `provision` tạo một bảng tính cho mỗi phòng ban; mỗi đêm `rollup`
đọc tất cả các bảng tính đó và ghi bảng tổng hợp của công ty.
""",
    "check-config": """\
Kiểm tra tệp cấu hình và in kế hoạch quý đã điền đủ.

Liệt kê mục tiêu và kết quả then chốt của từng phòng ban với các chỗ trống
đã điền, và một cảnh báo cho mỗi chỗ trống chưa điền. Khi cấu hình sai, lệnh
thoát với mã 2 và nêu đường dẫn khóa của từng lỗi.
""",
    "provision": """\
Tạo hoặc cập nhật bảng tính của từng phòng ban cho quý.

Chạy lại nhiều lần vẫn an toàn: bảng tính không đổi thì không bị đụng tới, và
mọi giá trị các nhóm đã nhập đều được giữ (theo mã KR). KR bị bỏ khỏi cấu hình
được chuyển xuống phần lưu trữ. Bảng tính đang mở trong Excel/LibreOffice hoặc
bị nhóm làm hỏng thì được bỏ qua kèm thông báo (mã thoát 1).
""",
    "rollup": """\
Đọc bảng tính của mọi nhóm, chấm điểm và ghi bảng tổng hợp của công ty.

Lỗi trong bảng tính của các nhóm thành các dòng trên trang vấn đề dữ liệu của
bảng tổng hợp; chúng không bao giờ làm dừng việc tổng hợp. Bảng tổng hợp đang
mở trong Excel hoặc LibreOffice được giữ nguyên: bản của đêm nay được ghi bên
cạnh, và một thông báo cho biết ở đâu.

Mã thoát: 0 đã đọc mọi bảng tính và ghi bảng tổng hợp; 1 có bảng tính không
đọc được (bảng tổng hợp vẫn được ghi, với số liệu đọc được gần nhất), hoặc
không đọc được bảng tính nào (không ghi gì: hãy chạy `provision` trước), hoặc
không ghi được gì; 2 cấu hình sai; 75 một lần tổng hợp khác đang chạy.

Bảng tính không đổi từ lần đọc trước (cùng kích thước tệp, cùng thời điểm sửa,
cùng cấu hình) thì không được mở lại: số liệu đã lưu được chấm lại theo tiến độ
hôm nay. --full mở mọi bảng tính.

Trên Linux, từ 100 phòng ban trở lên, các bảng tính được đọc bởi một tiến
trình cho mỗi CPU; OKRSHEETS_WORKERS=1 giữ việc tổng hợp trong một tiến trình.
""",
    "demo": """\
Chạy trọn chu kỳ trên một công ty mẫu trong DIRECTORY (mặc định ./okr-demo).

Tạo một phòng ban cho mỗi bộ mẫu có sẵn, mô phỏng vài tuần cập nhật của các
nhóm (kể cả những lỗi hay gặp), chạy tổng hợp hằng đêm rồi in điểm và nơi lưu
bảng tổng hợp. Chạy lại vẫn an toàn.
""",
    "google": """\
Thiết lập và kiểm tra nơi lưu Google Sheets (xem docs/google.md).

Các yêu cầu được gửi tới Google, hoặc tới $OKRSHEETS_GOOGLE_API_URL khi biến
này được đặt (bản giả lập ngoại tuyến; một cảnh báo trên stderr cho biết điều đó).
""",
    "google login": """\
Đăng nhập một lần bằng tài khoản Google của một người (auth = "user").

In ra một địa chỉ (và mở nó trong trình duyệt, trừ khi có --no-browser); hãy
đăng nhập ở đó bằng tài khoản Google mà lệnh chạy hằng đêm sẽ dùng và cho phép
truy cập. Mã làm mới của lần đăng nhập được lưu vào backend.token_file, chỉ bạn
đọc được (quyền 0600); từ đó lệnh chạy hằng đêm dùng nó. Hãy chạy lại khi
Google thu hồi lần đăng nhập.
""",
    "google doctor": """\
Kiểm tra thiết lập Google, mỗi bước một dòng, bước nào lỗi thì kèm cách sửa.

Kiểm tra thông tin đăng nhập, in địa chỉ mà lệnh chạy hằng đêm dùng (hãy chia
sẻ thư mục cho địa chỉ này với quyền Người chỉnh sửa), kiểm tra thư mục (tìm
thấy, đúng là thư mục, tạo được tệp mới: một bảng tính thử được tạo rồi xóa),
bảng tổng hợp, và bảng tính của từng phòng ban trong quý (phòng ban chưa được
tạo bảng tính chỉ được ghi chú, không tính là lỗi). Thoát với mã 0 khi mọi bước
đều đạt, 1 nếu không.
""",
    "templates": """\
Liệt kê, xem và kiểm tra các bộ mẫu OKR.
""",
    "templates list": """\
Liệt kê các bộ mẫu với số mục tiêu và số kết quả then chốt.
""",
    "templates show": """\
Xem mục tiêu và kết quả then chốt của một bộ mẫu, với chỗ trống, loại và đơn vị.
""",
    "templates validate": """\
Kiểm tra tệp hoặc thư mục bộ mẫu theo lược đồ (mặc định: bộ có sẵn).

Mỗi lỗi nêu tên tệp, mã mục tiêu hoặc mã KR và trường bị sai. Thoát với mã 1
khi có lỗi.
""",
    "init": """\
Ghi một tệp okrsheets.toml khởi đầu vào DIRECTORY (mặc định: thư mục hiện tại).

Trong cửa sổ dòng lệnh, lệnh hỏi tên công ty, ngôn ngữ của bảng tính và các
phòng ban (mỗi phòng ban một bộ mẫu, xem `okrsheets templates list`). Với
--example, hoặc khi không có cửa sổ dòng lệnh (chạy từ một tập lệnh, qua ống dẫn),
lệnh ghi công ty ví dụ: một công ty Việt Nam với mọi thiết lập đều được giải
thích. Tệp okrsheets.toml đã có thì không bao giờ bị ghi đè (mã thoát 1).
""",
    "lint": """\
Kiểm tra OKR của quý theo lời khuyên SMARTER và các phép tính làm sai điểm.

Mỗi phát hiện một dòng: mức độ, đường dẫn khóa trong cấu hình, một mã cố định,
vì sao quan trọng và cách sửa; sau cùng là tổng số. Thoát với mã 1 khi có lỗi,
0 khi chỉ có cảnh báo, 2 khi không đọc được cấu hình.
""",
    "schedule": """\
Chạy tổng hợp hằng đêm mỗi ngày vào giờ [schedule] run_at, ở tiền cảnh.

Một cách chạy lâu dài thay cho systemd timer hoặc cron (xem docs/nightly.md):
mỗi ngày vào giờ run_at, theo múi giờ của cấu hình (Asia/Ho_Chi_Minh nếu không
đặt) dù múi giờ của máy là gì, lệnh đọc lại cấu hình, chạy tổng hợp, ghi báo
cáo lần chạy và gửi e-mail tổng hợp khi được bật.

Lệnh cũng chạy một lần ngay khi bắt đầu nếu có --now, hoặc khi lần tổng hợp
thành công gần nhất đã hơn một ngày (máy đã tắt). Một lần chạy thất bại được ghi
vào nhật ký và lịch chạy vẫn tiếp tục; lần chạy gặp một lần tổng hợp khác đang
chạy thì được bỏ qua.

SIGTERM hoặc Ctrl+C dừng lệnh: ngay lập tức nếu đang chờ, sau lần chạy hiện tại
nếu đang chạy (tín hiệu thứ hai dừng ngay). Thoát với mã 0. Nhật ký được ghi ra
stderr và vào okrsheets.log trong thư mục của quý.
""",
    "status": """\
Xem báo cáo của lần chạy hằng đêm gần nhất và khi nào đến lần chạy tiếp theo.

Báo cáo lấy từ last-run.json trong thư mục của quý: giờ bắt đầu và kết thúc,
thành công hay lý do thất bại, số phòng ban đã đọc, số KR đã chấm, vấn đề dữ
liệu, lỗi, số yêu cầu API và đường dẫn bảng tổng hợp. Lần chạy tiếp theo là
giờ [schedule] run_at kế tiếp theo múi giờ của cấu hình.

Mã thoát: 0 lần chạy gần nhất thành công, 1 lần đó thất bại hoặc có phòng ban
không đọc được, 3 chưa chạy lần nào (2 khi cấu hình có lỗi, như mọi lệnh khác).
""",
    "close-quarter": """\
Chốt điểm cuối quý và khóa bảng tính của các nhóm chỉ cho xem.

Chạy một lần tổng hợp cuối (tính đến ngày cuối quý, hoặc hôm nay nếu đóng quý
sớm), giữ điểm của lần đó làm bản ghi cuối quý (.okrsheets-closed.json trong
thư mục của quý; với Excel còn có company-summary-final.xlsx), rồi dựng lại
bảng tính của mọi nhóm với mọi ô đều khóa và một dòng báo "đã đóng quý", giữ
nguyên mọi giá trị đã nhập. Sau đó `rollup` vẫn chạy được; `provision` từ chối
quý đã đóng, trừ khi có --force. Mã thoát 1 khi có bảng tính không đóng được
(đang mở hoặc bị hỏng).
""",
    "next-quarter": """\
Ghi cấu hình quý sau từ quý đã đóng, rồi kiểm tra nó.

Giữ nguyên phòng ban, thiết lập, ghi chú và bố cục; mỗi KR chưa xong khi đóng
quý được mang sang với start = giá trị cuối quý, giữ chỉ tiêu, và carried_from
= quý đã đóng; các KR đã xong bị bỏ. Sau đó chạy check-config trên tệp mới (mã
thoát 2 nếu tệp có lỗi).
""",
}

OPTIONS = {
    "--help": "Hiện hướng dẫn này rồi thoát.",
    "--version": "Hiện phiên bản rồi thoát.",
    "--config": "Tệp cấu hình (mặc định: $OKRSHEETS_CONFIG, sau đó ./okrsheets.toml).",
    "provision --dry-run": "In những gì sẽ được tạo hoặc thay đổi; không ghi gì.",
    "provision --department": "Chỉ phòng ban này (dùng được nhiều lần).",
    "provision --force": "Dựng lại bảng tính bị hỏng cấu trúc (trước đó lưu một bản sao có dấu thời gian).",
    "provision --create": "Tạo thư mục [backend] cả khi thư mục cha của nó chưa có (không có tùy chọn này thì"
                          " lệnh từ chối: có thể ổ mạng chưa được gắn).",
    "rollup --json": "In toàn bộ kết quả dạng JSON ra stdout (stdout không có gì khác).",
    "rollup --as-of": "Tính tiến độ và trạng thái cho ngày này (YYYY-MM-DD) thay cho hôm nay.",
    "rollup --wait": "Nếu một lần tổng hợp khác đang chạy, chờ nó xong thay vì thoát.",
    "rollup --dry-run": "Đọc và chấm điểm, in những gì sẽ được ghi (bảng tổng hợp, dòng lịch sử, trạng thái);"
                        " không ghi gì.",
    "rollup --force": "Cho phép ngày --as-of nằm ngoài quý (bảng tổng hợp bị ghi đè và thêm một dòng lịch sử).",
    "rollup --full": "Mở mọi bảng tính, cả những bảng không đổi từ lần đọc trước.",
    "demo --as-of": "Chạy bản demo như thể hôm nay là ngày này.",
    "demo --lang": "Ngôn ngữ của công ty mẫu, bảng tính của nó và mọi dòng được in ra.",
    "demo --google": "Chạy chu kỳ trên Google Sheets, với một bản giả lập Google ngoại tuyến chạy ngay trong"
                     " tiến trình này; in số yêu cầu của từng giai đoạn.",
    "google login --no-browser": "Chỉ in địa chỉ cần mở (cho máy không có trình duyệt).",
    "google login --port": "Cổng của máy chủ cục bộ mà Google chuyển hướng về trên localhost (0: cổng trống bất kỳ).",
    "templates list --config": "Liệt kê thêm các bộ mẫu riêng của công ty trong templates_dir của cấu hình.",
    "templates list --lang": "Ngôn ngữ của tên (mặc định: ngôn ngữ của cấu hình, nếu không thì $OKRSHEETS_LANG"
                             " hoặc ngôn ngữ của hệ thống).",
    "templates show --config": "Tìm cả trong các bộ mẫu riêng của công ty ở templates_dir của cấu hình.",
    "templates show --lang": "Ngôn ngữ của nội dung (mặc định: ngôn ngữ của cấu hình, nếu không thì"
                             " $OKRSHEETS_LANG hoặc ngôn ngữ của hệ thống).",
    "init --example": "Ghi công ty ví dụ mà không hỏi gì.",
    "lint --json": "In các phát hiện dạng danh sách JSON (mức độ, mã, đường dẫn, thông báo, cách sửa).",
    "schedule --now": "Chạy tổng hợp thêm một lần ngay bây giờ, rồi tiếp tục theo lịch.",
    "status --json": "In bản ghi lần chạy gần nhất và lần chạy tiếp theo dạng JSON.",
    "close-quarter --force": "Đóng lại một quý đã đóng, với một lần tổng hợp cuối mới.",
    "next-quarter --to": "Quý mới (mặc định: quý sau quý đã đóng, ví dụ 2026-Q4 -> 2027-Q1).",
    "next-quarter --out": "Nơi ghi cấu hình mới (mặc định: okrsheets-<quarter>.toml bên cạnh cấu hình);"
                          " không bao giờ ghi đè.",
}

# Chỗ giữ trong dòng cách dùng.
METAVARS = {"options": "[TÙY_CHỌN]", "command": "LỆNH [ĐỐI_SỐ]..."}

# Các chữ của click, khóa là câu gốc tiếng Anh (msgid của gettext). Một câu có {name} mà bản dịch bỏ đi là chữ
# click ghép sẵn bằng tiếng Anh ("file", "path"), nên bản dịch không dùng nó.
CLICK = {
    # trang hướng dẫn
    "Usage:": "Cách dùng:",
    "Options": "Tùy chọn",
    "Commands": "Lệnh",
    "Positional arguments": "Đối số",
    "default: {default}": "mặc định: {default}",
    "required": "bắt buộc",
    "env var: {var}": "biến môi trường: {var}",
    "(dynamic)": "(tính khi chạy)",
    "deprecated": "không còn dùng",
    "Show this message and exit.": "Hiện hướng dẫn này rồi thoát.",
    "Show the version and exit.": "Hiện phiên bản rồi thoát.",
    "Confirm the action without prompting.": "Xác nhận mà không hỏi lại.",
    "Do you want to continue?": "Bạn có muốn tiếp tục không?",
    "%(prog)s, version %(version)s": "%(prog)s, phiên bản %(version)s",
    "Choose from:\n\t{choices}": "Chọn một trong:\n\t{choices}",
    "Choice({choices})": "Chọn({choices})",
    # lỗi khi gõ lệnh
    "Error: {message}": "Lỗi: {message}",
    "Try '{command} {option}' for help.": "Gõ '{command} {option}' để xem hướng dẫn.",
    "Missing command.": "Thiếu lệnh.",
    "No such command {name!r}.": "Không có lệnh {name!r}.",
    "No such option {name!r}.": "Không có tùy chọn {name!r}.",
    "Did you mean {possibility}?": "Có phải ý bạn là {possibility}?",
    "(Did you mean one of: {possibilities}?)": "(Có phải ý bạn là một trong: {possibilities}?)",
    "Missing argument": "Thiếu đối số",
    "Missing option": "Thiếu tùy chọn",
    "Missing parameter": "Thiếu tham số",
    "Missing {param_type}": "Thiếu {param_type}",
    "Missing parameter: {param_name}": "Thiếu tham số: {param_name}",
    "Invalid value: {message}": "Giá trị không hợp lệ: {message}",
    "Invalid value for {param_hint}: {message}": "Giá trị không hợp lệ cho {param_hint}: {message}",
    "Option {name!r} requires an argument.": "Tùy chọn {name!r} cần một giá trị.",
    "Option {name!r} requires {nargs} arguments.": "Tùy chọn {name!r} cần {nargs} giá trị.",
    "Option {name!r} does not take a value.": "Tùy chọn {name!r} không nhận giá trị.",
    "Argument {name!r} takes {nargs} values.": "Đối số {name!r} nhận {nargs} giá trị.",
    "Got unexpected extra argument ({args})": "Thừa đối số không mong đợi ({args})",
    "Got unexpected extra arguments ({args})": "Thừa các đối số không mong đợi ({args})",
    "Takes {nargs} values but 1 was given.": "Cần {nargs} giá trị nhưng chỉ có 1.",
    "Takes {nargs} values but {len} were given.": "Cần {nargs} giá trị nhưng có {len}.",
    "Value must be an iterable.": "Giá trị phải là một danh sách.",
    "Invalid start character for option ({option})": "Ký tự đầu của tùy chọn không hợp lệ ({option})",
    "Could not open file {filename!r}: {message}": "Không mở được tệp {filename!r}: {message}",
    "unknown error": "lỗi không rõ",
    # giá trị sai kiểu
    "{value!r} is not {choice}.": "{value!r} không phải là {choice}.",
    "{value!r} is not one of {choices}.": "{value!r} không phải là một trong {choices}.",
    "{value!r} does not match the format {format}.": "{value!r} không đúng định dạng {format}.",
    "{value!r} does not match the formats {formats}.": "{value!r} không đúng các định dạng {formats}.",
    "{value!r} is not a valid {number_type}.": "{value!r} không phải là một số hợp lệ.",
    "{value} is not in the range {range}.": "{value} không nằm trong khoảng {range}.",
    "{value!r} is not a valid boolean. Recognized values: {states}":
        "{value!r} không phải là giá trị đúng/sai. Các giá trị được nhận: {states}",
    "{value!r} is not a valid UUID.": "{value!r} không phải là UUID hợp lệ.",
    "{len_type} values are required, but {len_value} was given.": "Cần {len_type} giá trị nhưng có {len_value}.",
    "{len_type} values are required, but {len_value} were given.": "Cần {len_type} giá trị nhưng có {len_value}.",
    "{name} {filename!r} does not exist.": "Không có {filename!r}.",
    "{name} {filename!r} is a file.": "{filename!r} là một tệp, không phải thư mục.",
    "{name} {filename!r} is a directory.": "{filename!r} là một thư mục, không phải tệp.",
    "{name} {filename!r} is not readable.": "Không đọc được {filename!r}.",
    "{name} {filename!r} is not writable.": "Không ghi được {filename!r}.",
    "{name} {filename!r} is not executable.": "Không chạy được {filename!r}.",
    "file": "tệp",
    "directory": "thư mục",
    "path": "đường dẫn",
    # hỏi trong cửa sổ dòng lệnh (okrsheets init)
    "Error: invalid input": "Lỗi: giá trị nhập không hợp lệ",
    "Repeat for confirmation": "Nhập lại để xác nhận",
    "Error: The two entered values do not match.": "Lỗi: hai giá trị đã nhập không khớp nhau.",
    "Press any key to continue...": "Nhấn phím bất kỳ để tiếp tục...",
    "Aborted!": "Đã hủy!",
}
