"""Problem types of the corpus, each written in several independent phrasings.

Slots: {p} where (a place phrase in the report's own style), {d} the
grievance's own detail (depth, months owed, amount...), {o} the organisation
concerned (a company, school, hospital, farm). Phrasings are written by hand
for each problem, not derived from one another, so a scorer cannot learn one
sentence shape. The split reserves every third phrasing for the test split
(generate.py), so test reports also use wordings never seen in training.

`chat` phrasings are typed the way people write on Zalo/SMS: no diacritics,
ko/dc/j/r, dropped words.
"""

from __future__ import annotations

from dataclasses import dataclass


@dataclass(frozen=True)
class Problem:
    key: str
    categories: tuple[str, ...]  # the usual category first, then those other senders pick
    kinds: tuple[str, ...]
    org: str | None  # which organisation pool {o} comes from
    details: tuple[str, ...]  # "{n}" takes a number drawn per grievance
    numbers: tuple[int, int]
    titles: tuple[str, ...]
    formal: tuple[str, ...]
    chat: tuple[str, ...]
    asks: tuple[str, ...]


PROBLEMS: tuple[Problem, ...] = (
    Problem(
        "ngap",
        ("ha_tang_giao_thong", "dien_nuoc", "moi_truong"),
        ("phan_anh", "kien_nghi"),
        None,
        ("ngập sâu khoảng {n}cm", "nước ngập tới {n} phân", "ngập hơn {n} cm"),
        (25, 70),
        ("Ngập nước {p}", "Đường ngập sau mưa", "Mưa là ngập, đề nghị xử lý", "Phản ánh tình trạng úng ngập"),
        (
            "Mỗi khi trời mưa lớn, {p} lại {d}, nước rút rất chậm do cống thoát nước bị rác làm nghẹt.",
            "Chỉ cần mưa chừng nửa tiếng là {p} thành sông, {d}, xe máy chết máy dắt bộ hàng dãy.",
            "Tình trạng úng ngập tại {p} kéo dài nhiều năm nay; hôm qua {d}, nước tràn cả vào nhà dân.",
            "Hệ thống thoát nước ở {p} xuống cấp, miệng cống bị lấp, sau mỗi trận mưa {d} và bốc mùi hôi.",
            "Người dân sống ở {p} phải kê đồ đạc lên cao vì mưa xuống là {d}, trẻ con lội nước đi học.",
            "Đoạn {p} là điểm trũng, nước từ các tuyến xung quanh dồn về, {d}, mấy ngày sau vẫn còn đọng.",
        ),
        (
            "mua xiu la {p} ngap roi, {d}, xe chet may qua troi ma ko ai xu ly",
            "{p} lai ngap nua nha, {d}, cong nghet rac het, phuong co biet j ko",
            "ngap hoai o {p} chiu ko noi, nuoc vo nha {d}",
        ),
        ("nạo vét cống", "khơi thông hệ thống thoát nước", "nâng cốt đường", "sớm có phương án chống ngập"),
    ),
    Problem(
        "rac",
        ("moi_truong", "trat_tu_do_thi"),
        ("phan_anh", "kien_nghi"),
        None,
        ("rác để {n} ngày không ai thu", "đã {n} hôm chưa có xe rác", "đống rác cao gần {n} mét"),
        (2, 9),
        ("Rác thải tồn đọng {p}", "Bãi rác tự phát gây ô nhiễm", "Không thu gom rác", "Rác bốc mùi hôi thối"),
        (
            "Tại {p} hình thành một điểm tập kết rác tự phát, {d}, ruồi nhặng bu kín, mùi hôi bay vào nhà dân.",
            "Đơn vị thu gom không đến lấy rác ở {p}, {d}, chó mèo bới tung ra lòng đường.",
            "Người dân ở {p} bức xúc vì rác sinh hoạt ùn ứ, {d}, trời nắng lên là không thở nổi.",
            "Một số người đi xe ba gác đến {p} đổ trộm xà bần và rác thải vào ban đêm, nay {d}.",
            "Khu vực {p} không có thùng rác công cộng nên ai cũng vứt bừa ra đó, {d}, nước rỉ đen chảy xuống cống.",
        ),
        (
            "rac o {p} hoi thoi qua, {d}, ko ai don luon",
            "xe rac dau r, {p} dong rac to dung, {d}",
            "ai do do rac tum lum o {p}, {d} , ruoi bu kin",
        ),
        ("bố trí thu gom", "xử phạt người đổ trộm", "đặt thùng rác và biển cấm", "dọn dẹp vệ sinh khu vực"),
    ),
    Problem(
        "karaoke",
        ("an_ninh_trat_tu", "moi_truong", "trat_tu_do_thi"),
        ("phan_anh", "kien_nghi"),
        None,
        ("hát đến {n} giờ khuya", "mở loa kẹo kéo tới {n}h đêm", "ồn ào đến gần {n} giờ sáng"),
        (11, 12),
        ("Karaoke gây ồn ào {p}", "Hát karaoke quá giờ", "Tiếng ồn loa kẹo kéo", "Phản ánh tiếng ồn ban đêm"),
        (
            "Một hộ dân ở {p} thường xuyên tổ chức hát karaoke công suất lớn, {d}, người già và trẻ nhỏ không ngủ được.",
            "Quán karaoke ở {p} mở nhạc hết cỡ, {d}, tôi đã nhắc nhiều lần nhưng chủ quán không chấp hành.",
            "Tối nào cũng vậy, nhà bên cạnh ở {p} bê loa kẹo kéo ra sân hát, {d}, ảnh hưởng nghiêm trọng việc nghỉ ngơi.",
            "Tình trạng gây ồn ở {p} đã kéo dài mấy tháng, {d}, công an khu vực xuống nhắc xong đâu lại vào đấy.",
        ),
        (
            "nha do o {p} hat karaoke {d}, ko ngu dc, bao nhieu lan r",
            "loa keo keo o {p} on qua troi, {d}, con nho khoc suot",
        ),
        (
            "kiểm tra, xử phạt hành vi gây ồn",
            "yêu cầu chấm dứt hát karaoke sau 22 giờ",
            "thu giữ loa",
            "giải quyết dứt điểm",
        ),
    ),
    Problem(
        "no_luong",
        ("lao_dong_viec_lam", "an_sinh_xa_hoi"),
        ("phan_anh", "khieu_nai", "kien_nghi"),
        "company",
        ("nợ lương {n} tháng", "chưa trả lương {n} tháng liền", "chậm lương đã {n} tháng"),
        (2, 5),
        (
            "Công ty nợ lương công nhân",
            "Đề nghị can thiệp việc chậm trả lương",
            "{o} không trả lương",
            "Công nhân bị nợ lương",
        ),
        (
            "{o} ở {p} {d} cho khoảng vài trăm công nhân, ban giám đốc hẹn lần hẹn lữa, nhiều người phải vay mượn để sống.",
            "Chúng tôi là công nhân của {o}; công ty {d}, hỏi thì được trả lời là đang khó khăn, chờ đơn hàng.",
            "Người lao động tại {o} ({p}) đã ngừng việc tập thể vì công ty {d} mà không có lịch trả cụ thể.",
            "Gia đình tôi có hai người làm ở {o}, cả hai đều bị {d}, tiền nhà trọ và tiền học của con chưa đóng được.",
            "Chủ doanh nghiệp {o} {d} nhưng vẫn bắt tăng ca, ai nghỉ thì bị trừ chuyên cần.",
        ),
        (
            "cty {o} {d} r ma ko ai giai quyet, cong nhan doi lam",
            "lam o {o} ma {d}, hoi thi bao cho, cho toi bao h",
        ),
        (
            "buộc công ty trả đủ lương",
            "thanh tra việc trả lương",
            "bảo vệ quyền lợi người lao động",
            "làm việc với chủ doanh nghiệp",
        ),
    ),
    Problem(
        "bhxh",
        ("an_sinh_xa_hoi", "lao_dong_viec_lam"),
        ("khieu_nai", "phan_anh", "kien_nghi"),
        "company",
        ("nợ bảo hiểm {n} tháng", "không đóng BHXH {n} tháng", "trốn đóng bảo hiểm xã hội {n} tháng"),
        (6, 24),
        (
            "Công ty không đóng bảo hiểm xã hội",
            "Nợ BHXH của người lao động",
            "{o} nợ bảo hiểm",
            "Không chốt được sổ bảo hiểm",
        ),
        (
            "{o} vẫn trừ tiền bảo hiểm vào lương hằng tháng nhưng {d}, đến khi nghỉ việc chúng tôi không chốt được sổ.",
            "Tôi nghỉ sinh con nhưng không được hưởng chế độ thai sản vì {o} {d} cho toàn bộ công nhân.",
            "Kiểm tra trên ứng dụng VssID thì thấy {o} {d}, trong khi phiếu lương ghi đã khấu trừ đầy đủ.",
            "Người lao động của {o} tại {p} phản ánh doanh nghiệp {d}, thẻ bảo hiểm y tế bị khóa, đi khám phải tự trả tiền.",
        ),
        (
            "cty {o} tru tien bhxh ma ko dong, {d}, gio nghi viec ko chot so dc",
            "vao vssid thay {o} {d}, vay la sao",
        ),
        (
            "buộc doanh nghiệp đóng đủ BHXH",
            "xử lý hành vi trốn đóng",
            "giúp chốt sổ cho người lao động",
            "thanh tra doanh nghiệp",
        ),
    ),
    Problem(
        "khoi_bui",
        ("moi_truong", "y_te"),
        ("phan_anh", "kien_nghi"),
        "company",
        ("khói bụi mù mịt suốt {n} tháng nay", "xả khói đen {n} lần mỗi ngày", "bụi bám dày sau {n} giờ"),
        (2, 8),
        (
            "Nhà máy xả khói bụi gây ô nhiễm",
            "Ô nhiễm không khí từ {o}",
            "Khói đen và mùi khét",
            "Bụi từ xưởng sản xuất",
        ),
        (
            "Ống khói của {o} ở {p} thải khói đen đặc quánh, {d}, bụi than bám đầy bàn ghế, quần áo phơi không được.",
            "Từ khi {o} mở rộng xưởng, khu dân cư {p} phải chịu {d}, nhiều cháu nhỏ bị viêm họng, ho kéo dài.",
            "Mùi khét và bụi mịn từ lò sấy của {o} bay sang {p}, {d}, nhất là về đêm khi công ty chạy hết công suất.",
            "Bà con gần {o} phản ánh {d}; lá rau trong vườn phủ lớp bụi xám, nước mưa hứng về có màu đen.",
        ),
        (
            "{o} xa khoi den kinh khung, {d}, ho suot ngay",
            "bui tu {o} bay qua {p} {d}, ko phoi do dc",
        ),
        (
            "kiểm tra, quan trắc môi trường",
            "đình chỉ hoạt động gây ô nhiễm",
            "yêu cầu lắp hệ thống xử lý khí thải",
            "xử phạt doanh nghiệp",
        ),
    ),
    Problem(
        "nuoc_thai",
        ("moi_truong", "dien_nuoc", "y_te"),
        ("phan_anh", "to_cao"),
        "company",
        ("cá chết trắng khoảng {n} mét kênh", "nước đen kịt suốt {n} ngày", "xả thải ra kênh {n} đêm liền"),
        (3, 300),
        ("Xả nước thải chưa qua xử lý ra kênh", "Kênh rạch bị ô nhiễm", "{o} xả thải", "Nước thải đen ngòm, bốc mùi"),
        (
            "{o} lén xả nước thải chưa xử lý ra {p} vào ban đêm, {d}, mùi hôi nồng nặc cả khu.",
            "Dòng kênh chảy qua {p} đổi màu đen, sủi bọt, {d}; người dân nghi là do cơ sở {o} xả thải.",
            "Chúng tôi chứng kiến đường ống ngầm từ {o} đổ thẳng ra {p}, {d}, ruộng lúa hai bên bị ảnh hưởng.",
            "Nước tưới ở {p} nay không dùng được vì nhiễm bẩn, {d}, đàn vịt của các hộ chăn nuôi chết rải rác.",
        ),
        (
            "nuoc kenh o {p} den thui, {d}, chac chan la {o} xa",
            "{o} xa thai ban dem ra {p}, {d}, hoi ko chiu dc",
        ),
        (
            "lấy mẫu nước kiểm tra",
            "xử lý nghiêm cơ sở xả thải",
            "buộc khắc phục ô nhiễm",
            "niêm phong đường ống xả trộm",
        ),
    ),
    Problem(
        "mat_dien",
        ("dien_nuoc", "ha_tang_giao_thong", "khac"),
        ("phan_anh", "kien_nghi"),
        None,
        ("mất điện {n} lần trong tuần", "cúp điện liên tục {n} ngày", "điện chập chờn {n} hôm"),
        (3, 9),
        (
            "Mất điện kéo dài",
            "Cúp điện không báo trước",
            "Điện chập chờn, hư hỏng thiết bị",
            "Đề nghị ổn định nguồn điện",
        ),
        (
            "Khu vực {p} {d}, không có thông báo lịch cắt điện, tủ lạnh, máy bơm của các hộ bị hỏng.",
            "Trạm biến áp phục vụ {p} quá tải nên {d}, buổi tối điện yếu đến mức bóng đèn không sáng.",
            "Từ đầu tháng đến nay, {p} {d}, có hôm mất từ trưa đến nửa đêm, người già nóng bức không chịu nổi.",
            "Gọi tổng đài điện lực thì được hẹn nhưng không ai đến; {p} {d}, việc buôn bán của bà con đình trệ.",
        ),
        (
            "{p} cup dien hoai, {d}, ko thong bao j het",
            "dien o {p} chap chon qua, {d}, hu ca tu lanh",
        ),
        ("nâng cấp trạm biến áp", "thông báo lịch cắt điện", "sớm khắc phục sự cố", "bồi thường thiết bị hư hỏng"),
    ),
    Problem(
        "nuoc_sach",
        ("dien_nuoc", "y_te"),
        ("phan_anh", "kien_nghi"),
        None,
        ("mất nước {n} ngày", "nước máy đục ngầu {n} hôm liền", "cả tuần chỉ có nước {n} giờ"),
        (2, 7),
        ("Mất nước sinh hoạt", "Nước máy đục, có mùi", "Không có nước sạch", "Phản ánh chất lượng nước máy"),
        (
            "Các hộ dân ở {p} {d}, phải mua nước bình để nấu ăn, công ty cấp nước không giải thích lý do.",
            "Nước máy cấp cho {p} có màu vàng, lắng cặn và mùi clo nồng, {d}, trẻ nhỏ tắm bị mẩn ngứa.",
            "Đường ống cấp nước qua {p} bị vỡ nhưng chưa sửa, {d}, bà con phải đi xin nước giếng.",
            "Áp lực nước ở {p} rất yếu, {d}, nhà nào ở cuối tuyến thì gần như không có giọt nào.",
        ),
        (
            "{p} mat nuoc {d} roi, ko ai bao j, tam giat ko dc",
            "nuoc may o {p} duc ngau, {d}, xai ko dc",
        ),
        ("khắc phục đường ống", "kiểm tra chất lượng nước", "cấp nước tạm bằng xe bồn", "thông báo lịch cấp nước"),
    ),
    Problem(
        "o_ga",
        ("ha_tang_giao_thong", "trat_tu_do_thi"),
        ("phan_anh", "kien_nghi"),
        None,
        ("ổ gà sâu {n} phân", "hố sụt rộng hơn {n} mét", "đã có {n} vụ té ngã"),
        (2, 30),
        ("Đường hư hỏng nhiều ổ gà", "Mặt đường xuống cấp nghiêm trọng", "Hố sụt nguy hiểm", "Đề nghị sửa đường"),
        (
            "Mặt đường tại {p} bong tróc, {d}, ban đêm không có đèn, người đi xe máy rất dễ té.",
            "Sau khi đơn vị thi công đào đường lắp cống, {p} bị bỏ dở, {d}, bụi mù vào mùa nắng, lầy lội khi mưa.",
            "Xe tải chở vật liệu chạy qua {p} làm đường nát bươm, {d}, học sinh đạp xe đi học rất nguy hiểm.",
            "Một hố sụt xuất hiện giữa {p}, {d}, người dân phải tự cắm cành cây cảnh báo.",
        ),
        (
            "duong {p} o ga tum lum, {d}, chay xe muon gay co",
            "{p} bi dao len r bo do, {d}, bui mu mit",
        ),
        ("sửa chữa mặt đường", "đặt biển cảnh báo", "yêu cầu đơn vị thi công hoàn trả mặt bằng", "cấm xe quá tải"),
    ),
    Problem(
        "lan_chiem",
        ("trat_tu_do_thi", "ha_tang_giao_thong"),
        ("phan_anh", "kien_nghi"),
        None,
        ("lấn ra gần {n} mét vỉa hè", "bày hàng chiếm {n} phần lòng đường", "đậu {n} chiếc xe trên vỉa hè"),
        (2, 6),
        ("Lấn chiếm vỉa hè", "Buôn bán tràn lòng đường", "Vỉa hè bị chiếm dụng", "Đề nghị lập lại trật tự đô thị"),
        (
            "Các hộ kinh doanh ở {p} {d}, người đi bộ phải xuống lòng đường, rất nguy hiểm.",
            "Quán nhậu tại {p} kê bàn ghế và dựng mái che, {d}, tối nào cũng ùn tắc.",
            "Tình trạng chiếm dụng vỉa hè ở {p} tái diễn ngay sau khi đoàn kiểm tra rời đi, {d}.",
            "Một cơ sở sửa xe ở {p} {d}, dầu nhớt chảy loang ra mặt đường.",
        ),
        (
            "via he o {p} bi chiem het r, {d}, di bo ko dc",
            "quan nhau o {p} ban ghe tran ra duong, {d}, ket xe hoai",
        ),
        (
            "kiểm tra, xử lý lấn chiếm",
            "trả lại vỉa hè cho người đi bộ",
            "ra quân lập lại trật tự",
            "xử phạt hộ vi phạm",
        ),
    ),
    Problem(
        "xay_trai_phep",
        ("trat_tu_do_thi", "dat_dai"),
        ("phan_anh", "to_cao"),
        None,
        ("xây {n} tầng không phép", "đổ mái tầng {n} trái phép", "cơi nới thêm {n} mét"),
        (2, 6),
        ("Xây dựng không phép", "Công trình sai phép", "Tố cáo xây dựng trái phép", "Cơi nới lấn đất công"),
        (
            "Một công trình tại {p} đang {d}, thi công cả ban đêm, vật liệu rơi xuống nhà bên cạnh làm nứt tường.",
            "Chủ nhà ở {p} {d}, đã bị lập biên bản nhưng vẫn tiếp tục thi công, có dấu hiệu được bao che.",
            "Gia đình tôi ở sát vách công trình tại {p}; họ {d}, móng đào sát nhà làm lún nền nhà tôi.",
            "Trên đất nông nghiệp ở {p} có người {d} để làm nhà xưởng cho thuê, chính quyền chưa xử lý.",
        ),
        (
            "nha o {p} xay ko phep, {d}, lap bien ban r ma van xay",
            "cong trinh {p} {d}, lam ca dem on qua",
        ),
        (
            "đình chỉ thi công",
            "cưỡng chế tháo dỡ phần sai phép",
            "làm rõ trách nhiệm cán bộ quản lý",
            "kiểm tra giấy phép",
        ),
    ),
    Problem(
        "so_do",
        ("dat_dai", "thu_tuc_hanh_chinh"),
        ("khieu_nai", "kien_nghi", "phan_anh"),
        None,
        ("hồ sơ nộp đã {n} tháng", "quá hạn {n} tháng chưa có sổ", "trễ hẹn {n} lần"),
        (3, 14),
        (
            "Chậm cấp giấy chứng nhận quyền sử dụng đất",
            "Hồ sơ sổ đỏ bị treo",
            "Khiếu nại việc chậm cấp sổ",
            "Trễ hẹn cấp sổ hồng",
        ),
        (
            "Tôi nộp hồ sơ cấp giấy chứng nhận quyền sử dụng đất cho thửa đất ở {p}; {d} nhưng chưa được giải quyết, cũng không có văn bản trả lời.",
            "Hồ sơ đăng ký đất đai của gia đình tôi tại {p} {d}, mỗi lần lên hỏi cán bộ lại yêu cầu bổ sung giấy tờ mới.",
            "Gia đình tôi sử dụng đất ổn định ở {p} từ năm 1995, không tranh chấp, vậy mà xin cấp sổ đỏ {d} vẫn bị ngâm.",
            "Việc cấp sổ hồng cho các hộ ở {p} bị đình trệ, {d}, người dân không thể thế chấp vay vốn hay sang tên.",
        ),
        (
            "nop ho so so do o {p} {d} ma chua co, len hoi hoai ko dc",
            "so do nha em o {p} bi treo, {d}, can bo cu bat bo sung",
        ),
        (
            "sớm cấp giấy chứng nhận",
            "trả lời bằng văn bản",
            "kiểm tra trách nhiệm bộ phận một cửa",
            "giải quyết đúng hạn",
        ),
    ),
    Problem(
        "lam_thu",
        ("giao_duc", "tham_nhung_tieu_cuc"),
        ("phan_anh", "kien_nghi", "khieu_nai"),
        "school",
        ("thu thêm {n}00 nghìn mỗi học sinh", "vận động đóng góp {n} triệu mỗi lớp", "thu {n} khoản ngoài quy định"),
        (2, 9),
        (
            "Lạm thu đầu năm học",
            "Phụ huynh phản ánh các khoản thu",
            "{o} thu tiền sai quy định",
            "Thu quỹ phụ huynh quá cao",
        ),
        (
            "Đầu năm học, {o} {d}, gồm tiền máy lạnh, tiền camera, tiền 'xã hội hóa' mà không có văn bản.",
            "Ban đại diện cha mẹ học sinh của {o} ép phụ huynh {d}, ai không đóng thì con bị giáo viên nhắc trước lớp.",
            "Con tôi học ở {o}; nhà trường {d} gọi là quỹ hỗ trợ, nhưng không công khai thu chi.",
            "Nhiều phụ huynh {o} bức xúc vì trường {d}, trong khi năm trước đã đóng tiền mua tivi rồi.",
        ),
        (
            "truong {o} {d}, phu huynh ai cung buc xuc ma ko dam noi",
            "dau nam ma {o} thu tum lum, {d}, lam thu qua",
        ),
        ("kiểm tra các khoản thu", "hoàn trả tiền thu sai", "công khai thu chi", "xử lý hiệu trưởng"),
    ),
    Problem(
        "hoi_lo",
        ("tham_nhung_tieu_cuc", "thu_tuc_hanh_chinh", "dat_dai"),
        ("to_cao", "khieu_nai"),
        "office",
        ("đòi {n} triệu đồng", "nhận {n} triệu đồng bồi dưỡng", "gợi ý chi {n} triệu"),
        (5, 80),
        (
            "Tố cáo cán bộ nhũng nhiễu",
            "Cán bộ đòi tiền để giải quyết hồ sơ",
            "Tố cáo hành vi nhận hối lộ",
            "Phản ánh tiêu cực tại {o}",
        ),
        (
            "Tôi tố cáo một cán bộ của {o} đã {d} thì mới 'đẩy nhanh' hồ sơ của tôi; tôi có ghi âm cuộc nói chuyện.",
            "Khi làm thủ tục tại {o}, người dân ở {p} bị cán bộ tiếp nhận {d}, ai không đưa thì hồ sơ bị trả về vô lý.",
            "Cán bộ phụ trách hồ sơ ở {o} hẹn gặp ngoài quán cà phê và {d}, nói là để 'lo' cho cấp trên.",
            "Gia đình tôi đã phải {d} cho người của {o} nhưng việc vẫn không xong, nay họ còn đòi thêm.",
        ),
        (
            "can bo {o} {d} moi lam ho so, ai ko dua thi tra ve",
            "to cao ng o {o} an tien, {d}, co ghi am",
        ),
        ("xác minh, xử lý nghiêm", "đình chỉ công tác cán bộ", "bảo vệ người tố cáo", "thu hồi số tiền nhận sai"),
    ),
    Problem(
        "khai_thac_cat",
        ("moi_truong", "dat_dai", "an_ninh_trat_tu"),
        ("phan_anh", "to_cao"),
        None,
        ("{n} ghe hút cát ban đêm", "sạt lở lấn vào {n} mét bờ", "hút cát suốt {n} đêm"),
        (3, 12),
        ("Khai thác cát trái phép", "Hút cát gây sạt lở bờ sông", "Tố cáo ghe hút cát lậu", "Sạt lở do khai thác cát"),
        (
            "Đêm nào cũng có {d} tại khúc sông gần {p}, tiếng máy ầm ầm, bờ sông bị khoét sâu.",
            "Việc khai thác cát không phép ở {p} làm {d}, nhiều hộ phải di dời nhà, vườn cây ăn trái sụp xuống sông.",
            "Người dân {p} báo chính quyền nhiều lần về {d}, nhưng khi lực lượng chức năng đến thì ghe đã rút.",
            "Bãi bồi ven sông ở {p} bị đào xới, {d}, xe tải chở cát cày nát đường làng.",
        ),
        (
            "ghe hut cat o {p} {d}, bo song sat lo het r",
            "dem nao cung hut cat lau gan {p}, {d}, ko ai bat",
        ),
        (
            "truy quét khai thác cát lậu",
            "kiểm tra trách nhiệm buông lỏng quản lý",
            "gia cố bờ sông",
            "tịch thu phương tiện",
        ),
    ),
    Problem(
        "trai_heo",
        ("moi_truong", "y_te"),
        ("phan_anh", "kien_nghi"),
        "farm",
        ("nuôi khoảng {n}00 con heo", "mùi hôi bay xa {n}00 mét", "chất thải tràn ra {n} ruộng"),
        (2, 9),
        (
            "Trại chăn nuôi gây ô nhiễm",
            "Mùi hôi từ trại heo",
            "Chất thải chăn nuôi tràn ra ruộng",
            "Ô nhiễm do trang trại",
        ),
        (
            "{o} ở {p} {d} sát khu dân cư, chất thải không qua hầm biogas mà xả thẳng ra mương.",
            "Người dân quanh {p} phải đóng kín cửa cả ngày vì mùi hôi từ {o}, {d}, ruồi muỗi nhiều vô kể.",
            "Từ khi {o} mở rộng chuồng trại, {d}, giếng nước của mấy hộ gần đó có mùi lạ.",
            "Chúng tôi đề nghị kiểm tra {o} tại {p}: trang trại {d} nhưng hệ thống xử lý chất thải chỉ làm cho có.",
        ),
        (
            "trai heo {o} hoi qua, {d}, an com ko noi",
            "{o} xa phan heo ra muong o {p}, {d}",
        ),
        (
            "kiểm tra hệ thống xử lý chất thải",
            "di dời trang trại ra xa khu dân cư",
            "xử phạt vi phạm môi trường",
            "đình chỉ mở rộng",
        ),
    ),
    Problem(
        "den_duong",
        ("ha_tang_giao_thong", "an_ninh_trat_tu", "dien_nuoc"),
        ("phan_anh", "kien_nghi"),
        None,
        ("{n} bóng đèn hỏng", "tối om suốt {n} tuần", "hư đèn đã {n} tháng"),
        (2, 8),
        ("Đèn đường không sáng", "Hư hỏng chiếu sáng công cộng", "Đường tối, mất an toàn", "Đề nghị sửa đèn đường"),
        (
            "Hệ thống đèn chiếu sáng ở {p} {d}, ban đêm tối om, đã xảy ra mấy vụ giật túi xách.",
            "Cột đèn ở {p} bị xe tông nghiêng từ lâu, {d}, dây điện lòng thòng rất nguy hiểm cho người đi đường.",
            "Người dân đi làm ca đêm qua {p} rất sợ vì {d}, phụ nữ phải đi đường vòng.",
            "Tuyến {p} {d}, học sinh học thêm buổi tối về nhà phải soi đèn điện thoại.",
        ),
        (
            "den duong o {p} hu het, {d}, toi thui",
            "{p} ko co den, {d}, cuop giat hoai",
        ),
        ("thay bóng đèn", "sửa chữa cột đèn", "bổ sung chiếu sáng", "tăng cường tuần tra ban đêm"),
    ),
    Problem(
        "tro_cap",
        ("an_sinh_xa_hoi", "thu_tuc_hanh_chinh"),
        ("khieu_nai", "kien_nghi", "phan_anh"),
        None,
        ("chưa nhận trợ cấp {n} tháng", "bị cắt trợ cấp {n} tháng nay", "chậm chi trả {n} tháng"),
        (2, 8),
        (
            "Chậm chi trả trợ cấp xã hội",
            "Người cao tuổi không nhận được trợ cấp",
            "Khiếu nại bị cắt trợ cấp",
            "Trợ cấp người khuyết tật bị chậm",
        ),
        (
            "Mẹ tôi năm nay 83 tuổi, cư trú ở {p}, {d} mà không ai giải thích, lên hỏi thì bảo chờ danh sách.",
            "Con tôi khuyết tật nặng, hồ sơ hưởng trợ cấp đã được duyệt nhưng {d}; gia đình rất khó khăn.",
            "Nhiều cụ già ở {p} {d} sau khi chuyển sang chi trả qua tài khoản ngân hàng, các cụ không biết làm sao rút tiền.",
            "Tôi thuộc hộ nghèo ở {p}, {d} dù không có thay đổi gì về hoàn cảnh, cán bộ xã nói do rà soát lại.",
        ),
        (
            "ba noi e o {p} {d}, len xa hoi hoai ko ai tra loi",
            "tro cap nguoi gia o {p} {d} roi, ai giai quyet dum",
        ),
        ("chi trả đủ và đúng hạn", "rà soát lại danh sách", "giải thích bằng văn bản", "hỗ trợ người già nhận tiền"),
    ),
    Problem(
        "benh_vien",
        ("y_te",),
        ("phan_anh", "khieu_nai"),
        "hospital",
        ("chờ khám {n} tiếng", "thu thêm {n} trăm nghìn ngoài viện phí", "nằm ghép {n} người một giường"),
        (2, 5),
        (
            "Phản ánh tại bệnh viện",
            "Bệnh nhân chờ đợi quá lâu",
            "Thu tiền ngoài quy định ở bệnh viện",
            "Thái độ nhân viên y tế",
        ),
        (
            "Tại {o}, người bệnh phải {d}, nhân viên tiếp đón cáu gắt, người già ngồi la liệt ở hành lang.",
            "Gia đình tôi đưa bố vào {o} cấp cứu; ngoài hóa đơn viện phí còn bị {d} mà không có biên lai.",
            "Khoa nội của {o} quá tải, bệnh nhân {d}, nhà vệ sinh bẩn, không có nước rửa tay.",
            "Tôi khám bảo hiểm y tế ở {o} nhưng bị yêu cầu mua thuốc ngoài, lại phải {d}.",
        ),
        (
            "vo {o} kham ma {d}, nhan vien thai do ko tot",
            "{o} {d}, ko co bien lai j het",
        ),
        ("chấn chỉnh thái độ phục vụ", "hoàn trả khoản thu sai", "cải tiến quy trình khám", "kiểm tra bệnh viện"),
    ),
)

PROBLEM_BY_KEY = {p.key: p for p in PROBLEMS}
