"""docs/api.md is made from the proto comments: complete, in step with the code's vocabularies."""

from __future__ import annotations

import re

import pytest

from gbus.devtools import apidocs
from gbus.domain.status import CaseStatus
from gbus.domain.vocabulary import CATEGORIES, CHANNELS, KINDS


@pytest.fixture(scope="module")
def files():
    return apidocs.descriptor_set()


@pytest.fixture(scope="module")
def page(files):
    return apidocs.render(files)


def _ours(files):
    return [f for f in files.file if f.name.startswith("gbus/v1/")]


def test_every_service_method_message_field_and_enum_value_is_on_the_page(files, page):
    for file in _ours(files):
        for service in file.service:
            assert f"### {service.name}\n" in page
            for method in service.method:
                assert f"#### {service.name}.{method.name}\n" in page
        for message in file.message_type:
            assert f"### {message.name}\n" in page
            section = page.split(f"### {message.name}\n", 1)[1].split("\n### ", 1)[0]
            for field in message.field:
                assert f"- `{field.name}` (" in section, f"{message.name}.{field.name}"
        for enum in file.enum_type:
            for value in enum.value:
                assert f"- `{value.name}` = {value.number}:" in page, value.name


def test_every_link_on_the_page_points_at_a_heading_of_it(page):
    headings = {h.lower() for h in re.findall(r"^#{3,4} (\S+)$", page, re.M)}
    anchors = set(re.findall(r"\]\(#([^)]+)\)", page))
    assert anchors and anchors <= headings


def _vocabulary(files, message: str, field: str) -> list[str]:
    """The "- value: meaning" items of a field's comment."""
    [report_file] = [f for f in _ours(files) if any(m.name == message for m in f.message_type)]
    comments = apidocs.Comments.of(report_file)
    m_index = [m.name for m in report_file.message_type].index(message)
    f_index = [f.name for f in report_file.message_type[m_index].field].index(field)
    lines = comments.lines(4, m_index, 2, f_index)
    return [m.group(1) for line in lines if (m := re.match(r"- ([a-z0-9_]+):", line))]


@pytest.mark.parametrize(("field", "vocabulary"), [("kind", KINDS), ("category", CATEGORIES), ("channel", CHANNELS)])
def test_the_report_comments_list_exactly_the_vocabulary_the_code_accepts(files, field, vocabulary):
    assert _vocabulary(files, "Report", field) == list(vocabulary)


def test_the_case_status_enum_has_exactly_the_domain_statuses(files):
    [enum] = [e for f in _ours(files) for e in f.enum_type if e.name == "CaseStatus"]
    names = [v.name.removeprefix("CASE_STATUS_") for v in enum.value if v.number]
    assert names == [s.value for s in CaseStatus]


def test_list_items_keep_their_lines_and_an_indented_line_continues_the_item():
    lines = ["Required. One of:", "- a: first", "- b: second,", "  continued", "After the list."]
    assert apidocs.markdown(lines) == [
        "Required. One of:",
        "- a: first",
        "- b: second, continued",
        "",
        "After the list.",
    ]


def test_prose_lines_join_into_one_paragraph_and_a_blank_line_splits_them():
    assert apidocs.markdown(["one", "two", "", "three"]) == ["one two", "three"]


def test_the_check_fails_on_a_stale_page_and_passes_on_a_fresh_one(tmp_path, page, capsys):
    out = tmp_path / "api.md"
    out.write_text(page.replace("Required.", "Optional.", 1), encoding="utf-8")
    assert apidocs.check(out) == 1
    assert "make api-docs" in capsys.readouterr().err
    out.write_text(page, encoding="utf-8")
    assert apidocs.check(out) == 0


def test_the_committed_page_is_current(page):
    assert apidocs.OUTPUT.read_text(encoding="utf-8") == page, "run `make api-docs`"
