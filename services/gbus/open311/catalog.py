"""The Open311 service list: one service per report category, the kind as an attribute. Pure.

service_code = the bus's category (`dien_nuoc`, `ha_tang_giao_thong`, ...), so a
code never needs a table to translate. The kind of report is the optional
attribute `kind` (default `phan_anh`, feedback about a situation, which is
what a civic app's "report a problem" means); `kien_nghi` and `to_cao` can be
chosen. Complaints (`khieu_nai`) and opinions on drafts (`gop_y`) need a
subject agency, which GeoReport has no field for: they stay on the gRPC API.
"""

from __future__ import annotations

from dataclasses import dataclass

from gbus.domain.vocabulary import CATEGORIES

DEFAULT_KIND = "phan_anh"
KIND_ATTRIBUTE = "kind"
# Kinds a GeoReport client can file: each needs nothing beyond GeoReport's fields.
OPEN311_KINDS: dict[str, str] = {
    "phan_anh": "Phản ánh (feedback about a situation)",
    "kien_nghi": "Kiến nghị (a proposal to an agency)",
    "to_cao": "Tố cáo (denunciation of an official's wrongdoing)",
}

# Vietnamese service names, with the group a civic app shows them under.
_SERVICES: dict[str, tuple[str, str, str]] = {
    "dat_dai": ("Đất đai", "Land use, land records, compensation", "Đô thị và đất đai"),
    "moi_truong": ("Môi trường", "Pollution, waste, noise, trees", "Môi trường"),
    "ha_tang_giao_thong": ("Hạ tầng giao thông", "Roads, pavements, flooding, street lights, bridges", "Hạ tầng"),
    "trat_tu_do_thi": ("Trật tự đô thị", "Encroachment, illegal construction, parking", "Đô thị và đất đai"),
    "lao_dong_viec_lam": ("Lao động, việc làm", "Wages, social insurance, working conditions", "Xã hội"),
    "an_sinh_xa_hoi": ("An sinh xã hội", "Social benefits, poverty support, care", "Xã hội"),
    "y_te": ("Y tế", "Hospitals, food safety, disease control", "Dịch vụ công"),
    "giao_duc": ("Giáo dục", "Schools, fees, teaching", "Dịch vụ công"),
    "an_ninh_trat_tu": ("An ninh trật tự", "Public order and security", "An ninh"),
    "tham_nhung_tieu_cuc": ("Tham nhũng, tiêu cực", "Corruption and misconduct of officials", "An ninh"),
    "thu_tuc_hanh_chinh": ("Thủ tục hành chính", "Administrative procedures and public services", "Dịch vụ công"),
    "dien_nuoc": ("Điện, nước", "Electricity and water supply", "Hạ tầng"),
    "khac": ("Khác", "Anything else", "Khác"),
    "tai_chinh_thue": ("Tài chính, thuế", "Finance, taxes, fees, prices", "Kinh tế"),
    "thuong_mai_thi_truong": ("Thương mại, thị trường", "Markets, counterfeit goods, consumer protection", "Kinh tế"),
    "tu_phap_ho_tich": ("Tư pháp, hộ tịch", "Civil status, notaries, legal aid", "Dịch vụ công"),
    "van_hoa_du_lich": ("Văn hóa, du lịch", "Culture, sports, tourism, festivals, press", "Xã hội"),
    "khoa_hoc_cong_nghe": ("Khoa học, công nghệ", "Telecommunications, post, technology", "Hạ tầng"),
    "dan_toc_ton_giao": ("Dân tộc, tôn giáo", "Ethnic and religious affairs", "Xã hội"),
    "toa_an_thi_hanh_an": ("Tòa án, thi hành án", "Courts and enforcement of judgments", "An ninh"),
}


@dataclass(frozen=True, slots=True)
class Service:
    service_code: str
    service_name: str
    description: str
    group: str

    def as_open311(self) -> dict[str, object]:
        return {
            "service_code": self.service_code,
            "service_name": self.service_name,
            "description": self.description,
            "metadata": True,  # every service has the optional `kind` attribute
            "type": "realtime",  # the answer carries the report id at once
            "keywords": self.service_code.replace("_", ", "),
            "group": self.group,
        }


def services() -> tuple[Service, ...]:
    """Every category the bus routes, in the vocabulary's order (a category without a name is still offered)."""
    return tuple(Service(c, *_SERVICES.get(c, (c, c, "Khác"))) for c in CATEGORIES)


def service(code: str) -> Service | None:
    return next((s for s in services() if s.service_code == code), None)


def definition(code: str) -> dict[str, object]:
    """services/{code}: the same optional `kind` attribute for every service."""
    return {
        "service_code": code,
        "attributes": [
            {
                "variable": True,
                "code": KIND_ATTRIBUTE,
                "datatype": "singlevaluelist",
                "required": False,
                "datatype_description": f"Loại đơn; mặc định {DEFAULT_KIND}",
                "order": 1,
                "description": "Kind of report (Loại đơn)",
                "values": [{"key": k, "name": name} for k, name in OPEN311_KINDS.items()],
            }
        ],
    }
