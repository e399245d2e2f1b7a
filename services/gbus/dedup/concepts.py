"""Grievance vocabulary: the ways citizens name the same problem.

Each concept maps its variants (folded, space-separated) to one canonical
token; multi-syllable concepts are joined with `_` ("no_luong") so that a
syllable which is also a grammar word ("nợ", "ô", "đầu") survives stopword
removal. Variants are real paraphrases across regions and channels: northern
and southern words (hỏng/hư, cúp/mất điện, lợn/heo), formal and spoken
(giấy chứng nhận quyền sử dụng đất / sổ đỏ), hotline and SMS wording.

Keep entries general to the genre; a concept that only one grievance uses
teaches the matcher a file, not the language.
"""

from __future__ import annotations

CONCEPTS: dict[str, str] = {
    # water, drainage, flooding
    "ngap": "ngap, ngap ung, ung ngap, ngap nuoc, ngap lut, ngap sau, ngap nang, ngap ngua, thanh song, ngap tran",
    "cong_thoat_nuoc": "cong thoat nuoc, he thong thoat nuoc, duong ong thoat nuoc, ho ga, mieng cong",
    "tac": "tac, nghet, tac nghet, tac nghen, bit kin, lam tac, u dong",
    "nao_vet": "nao vet, khoi thong, thong cong",
    "trieu_cuong": "trieu cuong, nuoc trieu, dinh trieu",
    "mua_lon": "mua lon, mua to, mua bao, mua",
    "mat_nuoc": "mat nuoc, cup nuoc, cat nuoc, khong co nuoc, mat nuoc sinh hoat, dung cap nuoc",
    "nuoc_may": "nuoc may, nuoc sinh hoat, nuoc sach",
    "nuoc_ban": (
        "nuoc duc, nuoc ban, nuoc co can, nuoc co mui, nuoc vang, nuoc may duc, duc vang, co can,"
        " mui clo, chat luong nuoc"
    ),
    "nhiem_man": "nhiem man, nuoc man, xam nhap man",
    "vo_ong": "vo ong, vo duong ong, be ong",
    # power
    "mat_dien": "mat dien, cup dien, cat dien, khong co dien, mat dien lien tuc",
    "dien_yeu": "dien yeu, chap chon, dien chap chon",
    # roads and traffic
    "o_ga": "o ga, o voi, o trau",
    "hu": "hu, hu hong, hu hai, xuong cap, hong hoc",
    "lun": "lun, sut lun, lun sut",
    "mat_duong": "mat duong, long duong",
    "den_duong": "den duong, den chieu sang, den chieu sang cong cong",
    "den_tin_hieu": "den tin hieu, den giao thong, den xanh do",
    "un_tac": "un tac, ket xe, tac duong, ach tac giao thong",
    "xe_tai": "xe tai, xe ben, xe qua tai, xe tai trong lon, xe cho da, xe cho dat",
    "via_he": "via he, le duong",
    "lan_chiem": "lan chiem, chiem dung, lan ra, bay ban",
    "giu_xe": "giu xe, trong giu xe, gui xe, bai xe",
    "do_xe": "do xe, dau xe, dau trai phep, dau sai quy dinh, bai dau tu phat, bai dau, dau kin, dau container",
    "tai_nan": "tai nan, va cham, te nga",
    "dua_xe": "dua xe, no po, boc dau, lang lach",
    # environment
    "o_nhiem": "o nhiem, o nhiem moi truong",
    "nuoc_thai": "nuoc thai, xa thai, chat thai long",
    "rac": "rac, rac thai, rac sinh hoat",
    "bai_rac": "bai rac, bai rac tu phat, diem tap ket rac",
    "rac_ton_dong": (
        "rac ton dong, rac u dong, rac un u, rac chat dong, chua thu gom, khong thu gom,"
        " khong ai thu gom, khong duoc thu gom, thu gom rac"
    ),
    "xa_ban": "xa ban, phe thai xay dung",
    "do_trom": "do trom, do trai phep, do bua bai",
    "hoi": "hoi, mui hoi, hoi thoi, boc mui, nong nac, mui khet",
    "bui": "bui, khoi bui, bui ban, bui mu",
    "khoi": "khoi, khoi den",
    "on": "on, tieng on, on ao, gay on, am i",
    "karaoke": "karaoke, hat karaoke, loa keo, loa keo keo",
    "dot_rac": "dot rac, dot nhua",
    "chan_nuoi": "chan nuoi, trai chan nuoi",
    "lon": "lon, heo",  # lợn (north) = heo (south); "lớn" (big) is mapped to "to" before folding
    "sat_lo": "sat lo, lo dat, sut lo, sat lo bo song",
    "ca_chet": "ca chet, ca chet hang loat",
    "pha_rung": "pha rung, chat pha, cua thong, chat cay",
    "khai_thac_cat": "khai thac cat, hut cat, cat tac, ghe hut cat, khai thac cat trai phep",
    "nha_ve_sinh": "nha ve sinh, cong trinh ve sinh, nha wc, nha vs",
    "cay_xanh": "cay xanh, cay nghieng, cay do",
    # labour
    "no_luong": (
        "no luong, cham luong, cham tra luong, khong tra luong, chua tra luong, doi luong,"
        " chua duoc tra luong, tre luong, no tien luong"
    ),
    "bhxh": "bhxh, bao hiem xa hoi, dong bao hiem, dong bhxh",
    "bhyt": "bhyt, bao hiem y te, the bao hiem y te",
    "cong_nhan": "cong nhan, nguoi lao dong, lao dong",
    "ngung_viec": "ngung viec, dinh cong, lan cong",
    "chot_so": "chot so, chot so bhxh",
    "that_nghiep": "that nghiep, tro cap that nghiep",
    # land and building
    "so_do": (
        "so do, so hong, bia do, giay chung nhan, giay chung nhan quyen su dung dat,"
        " giay chung nhan qsdd, gcn qsdd, quyen su dung dat, cap so"
    ),
    "thu_hoi_dat": "thu hoi dat, thu hoi",
    "boi_thuong": "boi thuong, den bu, gia den bu, gia boi thuong, ho tro tai dinh cu",
    "tai_dinh_cu": "tai dinh cu, tdc",
    "khong_phep": "khong phep, khong co giay phep, trai phep, xay lau, khong giay phep",
    "sai_phep": "sai phep, vuot phep, vuot tang, coi noi",
    "giay_phep": "giay phep, giay phep xay dung, cap phep",
    "tranh_chap": "tranh chap, lan ranh",
    # education and health
    "lam_thu": "lam thu, thu sai quy dinh, thu ngoai quy dinh, thu vuot quy dinh, thu vuot",
    "thu_tien": "thu tien, khoan thu, dong tien",
    "xa_hoi_hoa": "xa hoi hoa, van dong tai tro",
    "day_them": "day them, hoc them, day tang cuong",
    "hoc_phi": "hoc phi, tien hoc",
    "ban_tru": "ban tru, bep an, bua an, suat an",
    "ngo_doc": "ngo doc, ngo doc thuc pham, non sot, non oi, buon non, dau bung non",
    "cho_kham": "cho kham, cho lau, lay so",
    "thai_do": "thai do, cau gat, coc loc, hach sach",
    # order and security
    "danh_bac": "danh bac, co bac, danh bai",
    "ma_tuy": "ma tuy, hut chich",
    "trom": "trom, trom cap, mat trom, giat do, cuop giat",
    "lua_dao": "lua dao, gia danh, chiem doat",
    "nhau": "nhau, nhau nhet, uong ruou, say xin",
    "gay_roi": "gay roi, danh nhau, chui boi, chui the",
    "chat_chem": "chat chem, noi thach, tinh gia cao",
    "pccc": "pccc, phong chay chua chay, chay no, thoat hiem, loi thoat hiem",
    "thang_may": "thang may, ket thang may",
    # corruption and administration
    "nhan_tien": "nhan tien, an tien, vong tien, nhung nhieu, hoi lo, tien boi tron",
    "tham_o": "tham o, bien thu, giu lai tien, cat xen",
    "ho_so": "ho so, thu tuc",
    "qua_han": "qua han, tre han, tre hen, cham giai quyet, cham tra, cham cap",
    "ho_ngheo": "ho ngheo, can ngheo, ho can ngheo",
    "tro_cap": "tro cap, che do chinh sach, che do tro cap",
    "nguoi_co_cong": "nguoi co cong, liet si, thuong binh",
    "du_thao": "du thao, gop y du thao, lay y kien du thao",
}


# Concepts that set the scene rather than name the problem: two different
# grievances often share them (workers, tap water, rain, a file, a fee), so
# sharing one is not evidence and lacking one is not a conflict.
CONTEXT_CONCEPTS: frozenset[str] = frozenset(
    """
    cong_nhan nuoc_may mua_lon hu ho_so qua_han thu_tien du_thao mat_duong cong_thoat_nuoc
    tro_cap giay_phep xa_hoi_hoa via_he xe_tai rac bui khoi hoi on tai_nan lun tac
    """.split()
)
PROBLEM_CONCEPTS: frozenset[str] = frozenset(CONCEPTS) - CONTEXT_CONCEPTS


def synonym_table() -> dict[tuple[str, ...], tuple[str, ...]]:
    """Variant phrase (tokens) -> the one canonical token."""
    table: dict[tuple[str, ...], tuple[str, ...]] = {}
    for canonical, variants in CONCEPTS.items():
        for variant in variants.split(","):
            key = tuple(variant.split())
            if key and key != (canonical,):
                table[key] = (canonical,)
        table[tuple(canonical.split("_"))] = (canonical,)
    return table
