import pytest

from procmap.format.yamlnodes import MAX_BYTES, Mapping, Scalar, Sequence, YamlError, compose


def value(text: str) -> object:
    node = compose(f"v: {text}\n")
    assert isinstance(node, Mapping)
    child = node.get("v")
    assert isinstance(child, Scalar)
    return child.value


@pytest.mark.parametrize(("text", "expected"), [
    ("no", "no"), ("yes", "yes"), ("on", "on"), ("true", True), ("False", False),
    ("~", None), ("null", None), ("12", 12), ("0o17", 15), ("0x1f", 31), ("1.5", 1.5),
    ("'12'", "12"), ('"true"', "true"), ("!!str 12", "12"), ("2d", "2d"), ("1:30", "1:30"),
])
def test_scalars_follow_yaml_1_2_core(text: str, expected: object) -> None:
    assert value(text) == expected
    assert type(value(text)) is type(expected)


def test_positions_are_one_based() -> None:
    node = compose("a:\n  b: [x, y]\n")
    assert isinstance(node, Mapping)
    inner = node.get("a")
    assert isinstance(inner, Mapping)
    key = inner.key("b")
    assert key is not None and (key.line, key.column) == (2, 3)
    seq = inner.get("b")
    assert isinstance(seq, Sequence)
    assert [(i.line, i.column) for i in seq.items] == [(2, 7), (2, 10)]


def test_empty_document_is_none() -> None:
    assert compose("") is None
    assert compose("# only a comment\n") is None


def error(data: bytes | str) -> YamlError:
    with pytest.raises(YamlError) as info:
        compose(data)
    return info.value


def test_duplicate_key_is_an_error_at_the_second_key() -> None:
    e = error("a: 1\nb: 2\na: 3\n")
    assert (e.line, e.column) == (3, 1)
    assert "duplicate key 'a'" in e.message and "line 1" in e.message


def test_duplicate_key_in_nested_flow_mapping() -> None:
    e = error("a: {x: 1, x: 2}\n")
    assert (e.line, e.column) == (1, 11)


def test_syntax_error_is_located() -> None:
    e = error("a: b: c\n")
    assert (e.line, e.column) == (1, 5)
    assert "syntax" in e.message


def test_deep_nesting_is_refused_without_crashing() -> None:
    assert "nested" in error("[" * 100_000).message
    assert "nested" in error("- " * 100_000).message
    assert "nested" in error("{a: " * 10_000).message


def test_alias_bomb_is_refused() -> None:
    lines = ["a0: &a0 [x, x, x, x, x, x, x, x, x, x]"]
    lines += [f"a{i}: &a{i} [" + ", ".join([f"*a{i - 1}"] * 10) + "]" for i in range(1, 12)]
    assert "expands" in error("\n".join(lines) + "\n").message


def test_shared_alias_is_fine() -> None:
    node = compose("d: &d 2h\nx: *d\n")
    assert isinstance(node, Mapping)
    x = node.get("x")
    assert isinstance(x, Scalar) and x.value == "2h"


def test_unknown_alias() -> None:
    assert "unknown alias" in error("a: *nope\n").message


def test_binary_and_control_characters() -> None:
    assert "UTF-8" in error(b"\x89PNG\r\n\x1a\n\x00\x00\x00\rIHDR").message
    assert "NUL" in error(b"a: \x00\x01").message
    assert "control" in error(b"a: \x07\n").message


def test_oversized_file_is_refused_quickly() -> None:
    assert "MB" in error(b"#" * (MAX_BYTES + 1)).message


def test_python_tags_are_refused() -> None:
    assert "not supported" in error("a: !!python/object:os.system ls\n").message
    assert "not supported" in error("a: !custom {x: 1}\n").message


def test_several_documents_are_refused() -> None:
    e = error("a: 1\n---\nb: 2\n")
    assert e.line == 2


def test_merge_keys_are_refused() -> None:
    assert "merge" in error("a: &a {x: 1}\nb:\n  <<: *a\n").message


def test_huge_integer_is_an_error_not_a_crash() -> None:
    assert "too large" in error("a: " + "9" * 5000 + "\n").message
