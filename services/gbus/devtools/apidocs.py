"""Generate docs/api.md, the API reference, from the comments in protos/, or check it is current.

    python -m gbus.devtools.apidocs          # regenerate docs/api.md (make api-docs)
    python -m gbus.devtools.apidocs --check  # exit 1 if docs/api.md is stale (make checks)

The protos are the one source of the contract: buf's COMMENTS rules make every
service, rpc, message, field, oneof, enum and value carry a comment, and this
page is those comments laid out for a reader, so the two cannot drift apart.
protoc (grpcio-tools, pinned) parses the files with their source info; the
rendering below is a pure function of the resulting descriptor set.

Comment conventions the renderer understands: a line starting with "- " is a
list item (used for vocabularies such as Report.kind), an indented line right
after it continues the item; other lines are prose.
"""

from __future__ import annotations

import argparse
import sys
import tempfile
from collections.abc import Iterator
from dataclasses import dataclass
from pathlib import Path

from google.protobuf import descriptor_pb2

REPO = Path(__file__).resolve().parents[3]
PROTO_ROOT = REPO / "protos"
PACKAGE_DIR = Path("gbus") / "v1"
OUTPUT = REPO / "docs" / "api.md"

# Tags of descriptor.proto, the steps of a SourceCodeInfo.Location path.
_FILE_MESSAGE, _FILE_ENUM, _FILE_SERVICE = 4, 5, 6
_MESSAGE_FIELD, _MESSAGE_NESTED, _MESSAGE_ENUM, _MESSAGE_ONEOF = 2, 3, 4, 8
_ENUM_VALUE, _SERVICE_METHOD = 2, 2

_SCALARS = {
    descriptor_pb2.FieldDescriptorProto.TYPE_DOUBLE: "double",
    descriptor_pb2.FieldDescriptorProto.TYPE_FLOAT: "float",
    descriptor_pb2.FieldDescriptorProto.TYPE_INT64: "int64",
    descriptor_pb2.FieldDescriptorProto.TYPE_UINT64: "uint64",
    descriptor_pb2.FieldDescriptorProto.TYPE_INT32: "int32",
    descriptor_pb2.FieldDescriptorProto.TYPE_UINT32: "uint32",
    descriptor_pb2.FieldDescriptorProto.TYPE_BOOL: "bool",
    descriptor_pb2.FieldDescriptorProto.TYPE_STRING: "string",
    descriptor_pb2.FieldDescriptorProto.TYPE_BYTES: "bytes",
}
_WELL_KNOWN = {".google.protobuf.Timestamp": "google.protobuf.Timestamp (RFC 3339 in JSON)"}


# -- reading the protos -------------------------------------------------------------


def proto_files(root: Path = PROTO_ROOT) -> list[str]:
    return sorted(str(p.relative_to(root)) for p in (root / PACKAGE_DIR).glob("*.proto"))


def descriptor_set(root: Path = PROTO_ROOT) -> descriptor_pb2.FileDescriptorSet:
    """The package's files as protoc parses them, comments (source info) included."""
    from grpc_tools import protoc

    well_known = Path(protoc.__file__).parent / "_proto"
    with tempfile.TemporaryDirectory() as tmp:
        out = Path(tmp) / "api.pb"
        rc = protoc.main(
            ["grpc_tools.protoc", f"-I{root}", f"-I{well_known}", "--include_source_info",
             f"--descriptor_set_out={out}", *proto_files(root)]
        )  # fmt: skip
        if rc != 0:
            raise SystemExit(f"protoc failed with exit code {rc}")
        return descriptor_pb2.FileDescriptorSet.FromString(out.read_bytes())


# -- comments -----------------------------------------------------------------------


@dataclass(frozen=True)
class Comments:
    """Leading comments of one file by descriptor path."""

    by_path: dict[tuple[int, ...], str]

    @classmethod
    def of(cls, file: descriptor_pb2.FileDescriptorProto) -> "Comments":
        return cls({tuple(loc.path): loc.leading_comments for loc in file.source_code_info.location})

    def lines(self, *path: int) -> list[str]:
        """The comment's lines, without the single space protoc keeps after "//"."""
        text = self.by_path.get(tuple(path), "")
        return [line[1:] if line.startswith(" ") else line for line in text.rstrip("\n").split("\n")] if text else []


def markdown(lines: list[str], indent: str = "") -> list[str]:
    """Comment lines as Markdown: "- " lines stay list items, prose lines join into paragraphs."""
    out: list[str] = []
    prose: list[str] = []

    def flush() -> None:
        if prose:
            out.append(indent + " ".join(prose))
            prose.clear()

    for line in lines:
        if line.startswith("- "):
            flush()
            out.append(f"{indent}{line}")
        elif line.startswith("  ") and line.strip() and out and out[-1].lstrip().startswith("- ") and not prose:
            out[-1] += f" {line.strip()}"  # an indented line continues the list item above
        elif line.strip():
            if out and out[-1].lstrip().startswith("- ") and not prose:
                out.append("")  # prose after a list starts a new paragraph
            prose.append(line.strip())
        else:
            flush()
    flush()
    return out


# -- rendering ----------------------------------------------------------------------


def _anchor(name: str) -> str:
    return name.lower()


def _type_of(field: descriptor_pb2.FieldDescriptorProto, package: str) -> str:
    if field.type in _SCALARS:
        name = _SCALARS[field.type]
    elif field.type_name in _WELL_KNOWN:
        name = _WELL_KNOWN[field.type_name]
    else:
        short = field.type_name.removeprefix(f".{package}.")
        name = f"[{short}](#{_anchor(short)})"
    return f"repeated {name}" if field.label == descriptor_pb2.FieldDescriptorProto.LABEL_REPEATED else name


def _field_entry(
    field: descriptor_pb2.FieldDescriptorProto, comment: list[str], package: str, oneof: str | None
) -> list[str]:
    where = f", one of `{oneof}`" if oneof else ""
    head = f"- `{field.name}` ({_type_of(field, package)}, field {field.number}{where})"
    body = markdown(comment, indent="  ")
    if not body:
        return [head]
    if body[0].lstrip().startswith("- "):
        return [head + ":", *body]
    return [f"{head}: {body[0].strip()}", *body[1:]]


def _services(file: descriptor_pb2.FileDescriptorProto, comments: Comments) -> Iterator[str]:
    for s_index, service in enumerate(file.service):
        yield f"### {service.name}"
        yield ""
        yield from markdown(comments.lines(_FILE_SERVICE, s_index))
        yield ""
        for m_index, method in enumerate(service.method):
            request = method.input_type.removeprefix(f".{file.package}.")
            response = method.output_type.removeprefix(f".{file.package}.")
            stream_in = "stream " if method.client_streaming else ""
            stream_out = "stream " if method.server_streaming else ""
            yield f"#### {service.name}.{method.name}"
            yield ""
            yield (
                f"`rpc {method.name}({stream_in}{request}) returns ({stream_out}{response})` — "
                f"request [{request}](#{_anchor(request)}), response [{response}](#{_anchor(response)})"
            )
            yield ""
            yield from markdown(comments.lines(_FILE_SERVICE, s_index, _SERVICE_METHOD, m_index))
            yield ""


def _message(
    message: descriptor_pb2.DescriptorProto, path: tuple[int, ...], comments: Comments, package: str, prefix: str = ""
) -> Iterator[str]:
    name = f"{prefix}{message.name}"
    yield f"### {name}"
    yield ""
    yield from markdown(comments.lines(*path))
    yield ""
    oneofs = [o.name for o in message.oneof_decl]
    for o_index, oneof in enumerate(oneofs):
        yield f"Oneof `{oneof}`: " + " ".join(markdown(comments.lines(*path, _MESSAGE_ONEOF, o_index)))
        yield ""
    for f_index, field in enumerate(message.field):
        oneof = oneofs[field.oneof_index] if field.HasField("oneof_index") else None
        yield from _field_entry(field, comments.lines(*path, _MESSAGE_FIELD, f_index), package, oneof)
    if message.field:
        yield ""
    for e_index, enum in enumerate(message.enum_type):
        yield from _enum(enum, (*path, _MESSAGE_ENUM, e_index), comments, prefix=f"{name}.")
    for n_index, nested in enumerate(message.nested_type):
        yield from _message(nested, (*path, _MESSAGE_NESTED, n_index), comments, package, prefix=f"{name}.")


def _enum(
    enum: descriptor_pb2.EnumDescriptorProto, path: tuple[int, ...], comments: Comments, prefix: str = ""
) -> Iterator[str]:
    yield f"### {prefix}{enum.name}"
    yield ""
    yield from markdown(comments.lines(*path))
    yield ""
    for v_index, value in enumerate(enum.value):
        text = " ".join(line.strip() for line in markdown(comments.lines(*path, _ENUM_VALUE, v_index)))
        yield f"- `{value.name}` = {value.number}: {text}" if text else f"- `{value.name}` = {value.number}"
    yield ""


def render(files: descriptor_pb2.FileDescriptorSet) -> str:
    """docs/api.md for the package's files (pure: the same descriptors give the same bytes)."""
    ours = sorted((f for f in files.file if f.name.startswith(f"{PACKAGE_DIR.as_posix()}/")), key=lambda f: f.name)
    package = ours[0].package if ours else ""
    lines = [
        f"# {package} API reference",
        "",
        f"Generated from `protos/{PACKAGE_DIR.as_posix()}/*.proto` by `make api-docs` (`gbus.devtools.apidocs`): "
        "edit the proto comments, not this file; `make checks` fails when it is stale. "
        "How to connect, authenticate, retry and page is in [integration.md](integration.md).",
        "",
        "Every node serves all services below, and lists them by gRPC server reflection "
        "(`grpc.reflection.v1` and `v1alpha`). Errors are `google.rpc.Status` details: "
        "`INVALID_ARGUMENT` carries a `google.rpc.BadRequest` with one field violation per bad field.",
        "",
        "## Contents",
        "",
    ]
    for file in ours:
        names = [s.name for s in file.service] + [m.name for m in file.message_type] + [e.name for e in file.enum_type]
        lines.append(f"- `{file.name}`: " + ", ".join(f"[{n}](#{_anchor(n)})" for n in names))
    lines.append("")
    lines += ["## Services", ""]
    for file in ours:
        lines += list(_services(file, Comments.of(file)))
    lines += ["## Messages and enums", ""]
    for file in ours:
        comments = Comments.of(file)
        for m_index, message in enumerate(file.message_type):
            lines += list(_message(message, (_FILE_MESSAGE, m_index), comments, file.package))
        for e_index, enum in enumerate(file.enum_type):
            lines += list(_enum(enum, (_FILE_ENUM, e_index), comments))
    while lines and lines[-1] == "":
        lines.pop()
    return "\n".join(lines) + "\n"


# -- command line -------------------------------------------------------------------


def check(output: Path = OUTPUT) -> int:
    fresh = render(descriptor_set())
    current = output.read_text(encoding="utf-8") if output.exists() else None
    if current != fresh:
        what = "is missing" if current is None else "differs from the protos"
        print(f"{output.relative_to(REPO) if output.is_relative_to(REPO) else output} {what}; "
              "run `make api-docs` and commit", file=sys.stderr)  # fmt: skip
        return 1
    print(f"{output.name} is current")
    return 0


def main(argv: list[str] | None = None) -> int:
    parser = argparse.ArgumentParser(description=__doc__, formatter_class=argparse.RawDescriptionHelpFormatter)
    parser.add_argument("--check", action="store_true", help="fail if docs/api.md differs from a fresh generation")
    parser.add_argument("--output", type=Path, default=OUTPUT, help="where the reference goes (default: docs/api.md)")
    args = parser.parse_args(argv)
    if args.check:
        return check(args.output)
    args.output.parent.mkdir(parents=True, exist_ok=True)
    args.output.write_text(render(descriptor_set()), encoding="utf-8")
    print(f"wrote {args.output}")
    return 0


if __name__ == "__main__":
    sys.exit(main())
