"""Opinions on draft regulations (gop_y): one draft, several distinct points.

Two opinions on the same draft share the draft's words but are one opinion
only when they make the same point; each point is written in three
independent phrasings.
"""

from __future__ import annotations

from dataclasses import dataclass


@dataclass(frozen=True)
class Draft:
    key: str
    role: str  # subject agency role; the agency is {role}@{province}
    category: str
    name: str
    points: tuple[tuple[str, ...], ...]


DRAFTS: tuple[Draft, ...] = (
    Draft(
        "pho_di_bo",
        "gov.ubnd",
        "trat_tu_do_thi",
        "dự thảo quy định về tuyến phố đi bộ",
        (
            (
                "Tôi đồng ý mở rộng phố đi bộ vào tối thứ Sáu vì sẽ thu hút du khách, nhưng cần thêm bãi giữ xe.",
                "Ủng hộ việc kéo dài giờ phố đi bộ cuối tuần; đề nghị bố trí điểm trông xe gần các lối vào.",
                "Mở rộng phố đi bộ là hợp lý, có điều thiếu chỗ để xe, xin tính thêm bãi xe tạm.",
            ),
            (
                "Các hộ kinh doanh trên tuyến phản đối vì cấm xe làm khách không vào được cửa hàng.",
                "Dự thảo chưa tính đến thiệt hại của hộ buôn bán mặt phố khi cấm phương tiện cả buổi tối.",
                "Buôn bán của chúng tôi giảm hẳn từ khi cấm xe; đề nghị chỉ cấm từ 20 giờ.",
            ),
            (
                "Cần quy định rõ mức âm thanh của các nhóm biểu diễn đường phố, cư dân không ngủ được.",
                "Đề nghị bổ sung điều khoản giới hạn loa đài và giờ kết thúc biểu diễn trên phố đi bộ.",
                "Tiếng nhạc ở phố đi bộ quá to đến nửa đêm, dự thảo nên có giới hạn decibel.",
            ),
        ),
    ),
    Draft(
        "phi_do_xe",
        "gov.so-xd",
        "ha_tang_giao_thong",
        "dự thảo mức thu phí sử dụng lòng đường để đỗ xe",
        (
            (
                "Mức phí đỗ xe ô tô 30 nghìn đồng một giờ là quá cao so với thu nhập người dân.",
                "Đề nghị giảm mức thu phí đỗ xe theo giờ, phí như dự thảo thì người lao động không kham nổi.",
                "Phí gửi ô tô dưới lòng đường trong dự thảo cao gấp đôi bãi tư nhân, cần xem lại.",
            ),
            (
                "Nên thu phí qua ứng dụng điện thoại thay vì người thu tiền mặt để tránh thất thoát.",
                "Dự thảo cần quy định thanh toán không tiền mặt khi đỗ xe lòng đường, minh bạch nguồn thu.",
                "Đề nghị áp dụng thu phí đỗ xe bằng app và quét mã, bỏ vé giấy.",
            ),
            (
                "Không nên cho đỗ xe ở những tuyến đường hẹp dưới 7 mét vì gây ùn tắc.",
                "Danh mục tuyến phố được phép đỗ xe có nhiều đường quá hẹp, cần loại ra.",
                "Đường nhỏ mà cho đậu ô tô thu phí thì kẹt xe cả ngày, phải bỏ các tuyến này khỏi dự thảo.",
            ),
        ),
    ),
    Draft(
        "bai_rac",
        "gov.so-tnmt",
        "moi_truong",
        "dự thảo quy hoạch khu xử lý chất thải rắn",
        (
            (
                "Vị trí khu xử lý rác trong dự thảo quá gần khu dân cư và nguồn nước sinh hoạt.",
                "Tôi không đồng ý đặt nhà máy xử lý rác cách khu dân cư chưa đầy một cây số.",
                "Khoảng cách an toàn từ bãi rác quy hoạch đến nhà dân quá ngắn, đề nghị dời vị trí.",
            ),
            (
                "Cần ưu tiên công nghệ đốt rác phát điện thay vì chôn lấp như dự thảo.",
                "Đề nghị không chôn lấp mà dùng công nghệ đốt thu hồi năng lượng.",
                "Chôn lấp sẽ gây ô nhiễm lâu dài; dự thảo nên chọn lò đốt phát điện.",
            ),
            (
                "Dự thảo phải có chính sách hỗ trợ tái định cư cho các hộ trong vùng ảnh hưởng.",
                "Người dân bị thu hồi đất làm bãi rác cần được bồi thường và tái định cư thỏa đáng.",
                "Chưa thấy phương án đền bù, hỗ trợ cho các hộ phải di dời trong dự thảo.",
            ),
        ),
    ),
)
