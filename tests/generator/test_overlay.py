"""The Overlay engine, rule by rule (Overlay Specification 1.0.0 and 1.1.0).

Every overlay is written as a file under tmp_path and read back through `load_overlay`, as the pipeline does.
The "compliant set" scenarios restate, in this file's own small documents, the before/overlay/after cases of
the OAI/Overlay-Specification repository's compliant-sets, and the examples in the specification text.
"""

from __future__ import annotations

import copy
import json
import subprocess
import textwrap
from pathlib import Path
from typing import Any

import pytest
import yaml

from generator.errors import PipelineError
from generator.overlay import (
    Overlay,
    OverlayError,
    apply_overlay,
    apply_overlays,
    load_overlay,
    normalized_path,
)
from tests.support import run_module


def write(tmp_path: Path, text: str, name: str = "overlay.yaml") -> Path:
    path = tmp_path / name
    path.write_text(textwrap.dedent(text), encoding="utf-8")
    return path


def make(
    tmp_path: Path,
    actions: list[dict[str, Any]],
    *,
    version: str = "1.1.0",
    name: str = "overlay.yaml",
) -> Overlay:
    document = {"overlay": version, "info": {"title": "test overlay", "version": "1"}, "actions": actions}
    path = tmp_path / name
    path.write_text(yaml.safe_dump(document, sort_keys=False), encoding="utf-8")
    return load_overlay(path)


def run(tmp_path: Path, document: Any, actions: list[dict[str, Any]], *, version: str = "1.1.0", **kw: Any) -> Any:
    return apply_overlay(document, make(tmp_path, actions, version=version), **kw)


def apply_error(tmp_path: Path, document: Any, actions: list[dict[str, Any]], *, version: str = "1.1.0") -> str:
    with pytest.raises(OverlayError) as caught:
        run(tmp_path, document, actions, version=version)
    return str(caught.value)


def structure_error(tmp_path: Path, text: str) -> str:
    path = write(tmp_path, text, "bad.yaml")
    with pytest.raises(OverlayError) as caught:
        load_overlay(path)
    message = str(caught.value)
    assert str(path) in message
    return message


# --------------------------------------------------------------------------------------------------------------
# Merge rules


def test_object_update_merges_recursively(tmp_path: Path) -> None:
    document = {"info": {"title": "T", "contact": {"name": "n", "url": "u"}, "version": "1"}}
    result = run(tmp_path, document, [{"target": "$.info", "update": {"contact": {"email": "e"}, "summary": "s"}}])
    assert result == {
        "info": {"title": "T", "version": "1", "summary": "s", "contact": {"name": "n", "url": "u", "email": "e"}}
    }


def test_primitive_property_is_replaced(tmp_path: Path) -> None:
    result = run(
        tmp_path, {"info": {"title": "old", "version": "1"}}, [{"target": "$.info", "update": {"title": "new"}}]
    )
    assert result == {"info": {"title": "new", "version": "1"}}


@pytest.mark.parametrize("old, new", [("old", "new"), (1, 2.5), (True, False), (None, "x"), ("x", None), (3, "three")])
def test_primitive_target_is_replaced(tmp_path: Path, old: Any, new: Any) -> None:
    result = run(tmp_path, {"a": {"v": old, "w": 0}}, [{"target": "$.a.v", "update": new}])
    assert result == {"a": {"v": new, "w": 0}}


def test_array_update_on_array_target_concatenates(tmp_path: Path) -> None:
    result = run(tmp_path, {"tags": [{"name": "a"}]}, [{"target": "$.tags", "update": [{"name": "b"}, {"name": "c"}]}])
    assert result == {"tags": [{"name": "a"}, {"name": "b"}, {"name": "c"}]}


def test_object_update_on_array_target_appends_one_item(tmp_path: Path) -> None:
    result = run(tmp_path, {"tags": [{"name": "a"}]}, [{"target": "$.tags", "update": {"name": "b"}}])
    assert result == {"tags": [{"name": "a"}, {"name": "b"}]}


@pytest.mark.parametrize("item", ["b", 3, False, None])
def test_primitive_update_on_array_target_appends_one_item(tmp_path: Path, item: Any) -> None:
    result = run(tmp_path, {"tags": ["a"]}, [{"target": "$.tags", "update": item}])
    assert result == {"tags": ["a", item]}


def test_nested_array_property_concatenates(tmp_path: Path) -> None:
    document = {"op": {"tags": ["a"], "parameters": [{"name": "p"}]}}
    result = run(tmp_path, document, [{"target": "$.op", "update": {"tags": ["b"], "parameters": [{"name": "q"}]}}])
    assert result == {"op": {"tags": ["a", "b"], "parameters": [{"name": "p"}, {"name": "q"}]}}


def test_update_on_array_of_arrays_appends_the_array_items(tmp_path: Path) -> None:
    result = run(tmp_path, {"m": [[1]]}, [{"target": "$.m", "update": [[2]]}])
    assert result == {"m": [[1], [2]]}


@pytest.mark.parametrize(
    "target_value, update, described",
    [
        ({"k": 1}, ["x"], "an array"),  # array update on an object target
        ({"k": 1}, "text", "a string"),  # primitive update on an object target
        ({"k": 1}, None, "null"),  # null update on an object target
        ("text", {"k": 1}, "an object"),  # object update on a primitive target
        ("text", ["x"], "an array"),  # array update on a primitive target
        (None, {"k": 1}, "an object"),  # object update on a null target
    ],
)
def test_incompatible_update_on_the_target_node_is_an_error(
    tmp_path: Path, target_value: Any, update: Any, described: str
) -> None:
    message = apply_error(tmp_path, {"a": {"b": target_value}}, [{"target": "$.a.b", "update": update}])
    assert "$['a']['b']" in message
    assert described in message
    assert "action 0" in message


@pytest.mark.parametrize(
    "existing, update",
    [
        ({"k": 1}, "text"),  # object property, primitive update
        ({"k": 1}, ["x"]),  # object property, array update
        ("text", {"k": 1}),  # primitive property, object update
        ("text", ["x"]),  # primitive property, array update
        (["x"], {"k": 1}),  # array property, object update (appending is only for a selected array)
        (["x"], "text"),  # array property, primitive update
        (None, {"k": 1}),  # null property, object update
        ({"k": 1}, None),  # object property, null update
    ],
)
def test_incompatible_property_combination_is_an_error(tmp_path: Path, existing: Any, update: Any) -> None:
    document = {"a": {"deep": {"p": existing}}}
    message = apply_error(tmp_path, document, [{"target": "$.a", "update": {"deep": {"p": update}}}])
    assert "$['a']['deep']['p']" in message
    assert "incompatible" in message


def test_incompatible_merge_leaves_input_untouched(tmp_path: Path) -> None:
    document = {"a": {"x": 1, "p": "text"}}
    before = copy.deepcopy(document)
    apply_error(tmp_path, document, [{"target": "$.a", "update": {"x": 2, "p": {"k": 1}}}])
    assert document == before


def test_targets_of_mixed_kinds_are_an_error_in_1_1(tmp_path: Path) -> None:
    document = {"schema": {"description": "text", "properties": {"description": {"type": "string"}}}}
    message = apply_error(tmp_path, document, [{"target": "$..description", "update": "new"}])
    assert "2 nodes of different kinds" in message
    assert "$['schema']['description'] (primitive)" in message
    assert "$['schema']['properties']['description'] (object)" in message


def test_update_reaches_every_selected_node(tmp_path: Path) -> None:
    document = {"paths": {"/a": {"get": {}}, "/b": {"get": {"x": 1}}, "/c": {"post": {}}}}
    result = run(tmp_path, document, [{"target": "$.paths.*.get", "update": {"x-safe": True}}])
    assert result == {
        "paths": {"/a": {"get": {"x-safe": True}}, "/b": {"get": {"x": 1, "x-safe": True}}, "/c": {"post": {}}}
    }


def test_each_target_gets_its_own_copy_of_the_update(tmp_path: Path) -> None:
    result = run(tmp_path, {"a": {}, "b": {}}, [{"target": "$[*]", "update": {"n": {"v": 1}}}])
    result["a"]["n"]["v"] = 2
    assert result["b"]["n"]["v"] == 1


# --------------------------------------------------------------------------------------------------------------
# Overlay 1.0 documents


def test_1_0_update_on_primitive_target_is_an_error(tmp_path: Path) -> None:
    message = apply_error(
        tmp_path, {"info": {"title": "t"}}, [{"target": "$.info.title", "update": "x"}], version="1.0.0"
    )
    assert "Overlay 1.0" in message
    assert "$['info']['title']" in message


def test_1_0_array_update_on_array_target_is_an_error(tmp_path: Path) -> None:
    message = apply_error(tmp_path, {"tags": ["a"]}, [{"target": "$.tags", "update": ["b"]}], version="1.0.0")
    assert "overlay: 1.1.0" in message


def test_1_0_item_update_on_array_target_appends(tmp_path: Path) -> None:
    result = run(tmp_path, {"tags": ["a"]}, [{"target": "$.tags", "update": {"name": "b"}}], version="1.0.0")
    assert result == {"tags": ["a", {"name": "b"}]}


def test_1_0_nested_arrays_concatenate_and_primitives_are_removable(tmp_path: Path) -> None:
    document = {"op": {"summary": "s", "tags": ["a"]}}
    result = run(
        tmp_path,
        document,
        [{"target": "$.op.summary", "remove": True}, {"target": "$.op", "update": {"tags": ["b"]}}],
        version="1.0.0",
    )
    assert result == {"op": {"tags": ["a", "b"]}}


def test_patch_versions_are_accepted(tmp_path: Path) -> None:
    assert make(tmp_path, [{"target": "$", "update": {}}], version="1.0.3").feature_set == "1.0"
    assert make(tmp_path, [{"target": "$", "update": {}}], version="1.1.12").feature_set == "1.1"


# --------------------------------------------------------------------------------------------------------------
# remove


def test_remove_object_key(tmp_path: Path) -> None:
    document: dict[str, Any] = {"paths": {"/a": {"get": {}}, "/internal": {"get": {}}}}
    result = run(tmp_path, document, [{"target": "$.paths['/internal']", "remove": True}])
    assert result == {"paths": {"/a": {"get": {}}}}


def test_remove_one_array_item(tmp_path: Path) -> None:
    document = {"params": [{"name": "a"}, {"name": "dummy"}, {"name": "b"}]}
    result = run(tmp_path, document, [{"target": "$.params[?@.name == 'dummy']", "remove": True}])
    assert result == {"params": [{"name": "a"}, {"name": "b"}]}


def test_remove_several_items_from_one_array(tmp_path: Path) -> None:
    document = {"list": ["a", "x1", "b", "x2", "c", "x3"]}
    result = run(tmp_path, document, [{"target": "$.list[?search(@, '^x')]", "remove": True}])
    assert result == {"list": ["a", "b", "c"]}


def test_remove_items_by_index_removes_the_indexed_ones(tmp_path: Path) -> None:
    result = run(tmp_path, {"list": [0, 1, 2, 3, 4, 5]}, [{"target": "$.list[0, 2, 5]", "remove": True}])
    assert result == {"list": [1, 3, 4]}


def test_remove_items_from_several_arrays(tmp_path: Path) -> None:
    document = {"a": {"tags": ["keep", "drop", "drop"]}, "b": {"tags": ["drop", "keep"]}}
    result = run(tmp_path, document, [{"target": "$..tags[?@ == 'drop']", "remove": True}])
    assert result == {"a": {"tags": ["keep"]}, "b": {"tags": ["keep"]}}


def test_remove_nested_matches_of_one_query(tmp_path: Path) -> None:
    document = {"x": {"x": {"x": 1}, "keep": 1}, "list": [{"x": 1}, {"y": 2}]}
    result = run(tmp_path, document, [{"target": "$..x", "remove": True}])
    assert result == {"list": [{}, {"y": 2}]}


def test_remove_wins_over_update(tmp_path: Path) -> None:
    document: dict[str, Any] = {"paths": {"/a": {"get": {}}}}
    result = run(tmp_path, document, [{"target": "$.paths['/a']", "remove": True, "update": {"x": 1}}])
    assert result == {"paths": {}}


def test_remove_wins_over_copy(tmp_path: Path) -> None:
    document = {"src": {"v": 1}, "dst": {"w": 2}}
    result = run(tmp_path, document, [{"target": "$.dst", "remove": True, "copy": "$.src"}])
    assert result == {"src": {"v": 1}}


def test_remove_false_with_update_updates(tmp_path: Path) -> None:
    result = run(tmp_path, {"a": {}}, [{"target": "$.a", "remove": False, "update": {"x": 1}}])
    assert result == {"a": {"x": 1}}


def test_remove_false_alone_changes_nothing(tmp_path: Path) -> None:
    assert run(tmp_path, {"a": {"b": 1}}, [{"target": "$.a", "remove": False}]) == {"a": {"b": 1}}


def test_removing_the_root_is_an_error(tmp_path: Path) -> None:
    message = apply_error(tmp_path, {"a": 1}, [{"target": "$", "remove": True}])
    assert "root" in message


# --------------------------------------------------------------------------------------------------------------
# copy


def test_copy_merges_the_source_into_the_target(tmp_path: Path) -> None:
    document = {"paths": {"/items": {"get": {"r": 1}}, "/some": {"delete": {"r": 2}}}}
    result = run(tmp_path, document, [{"target": "$.paths['/some']", "copy": "$.paths['/items']"}])
    assert result == {"paths": {"/items": {"get": {"r": 1}}, "/some": {"delete": {"r": 2}, "get": {"r": 1}}}}


def test_copy_into_several_targets(tmp_path: Path) -> None:
    document = {"tpl": {"x-rate": 10}, "ops": {"a": {}, "b": {"x-other": 1}}}
    result = run(tmp_path, document, [{"target": "$.ops.*", "copy": "$.tpl"}])
    assert result["ops"] == {"a": {"x-rate": 10}, "b": {"x-other": 1, "x-rate": 10}}
    result["ops"]["a"]["x-rate"] = 0
    assert result["ops"]["b"]["x-rate"] == 10
    assert result["tpl"] == {"x-rate": 10}


def test_copy_follows_the_merge_rules(tmp_path: Path) -> None:
    document = {"src": ["c"], "dst": ["a", "b"], "word": "w", "title": "t"}
    result = run(
        tmp_path,
        document,
        [{"target": "$.dst", "copy": "$.src"}, {"target": "$.title", "copy": "$.word"}],
    )
    assert result == {"src": ["c"], "dst": ["a", "b", "c"], "word": "w", "title": "w"}


def test_copy_of_incompatible_kind_is_an_error(tmp_path: Path) -> None:
    message = apply_error(tmp_path, {"src": ["c"], "dst": {"a": 1}}, [{"target": "$.dst", "copy": "$.src"}])
    assert "$['dst']" in message
    assert "copy source $.src" in message


def test_copied_value_is_independent_of_its_source(tmp_path: Path) -> None:
    document = {"src": {"n": {"v": 1}}, "dst": {}}
    result = run(
        tmp_path,
        document,
        [{"target": "$.dst", "copy": "$.src"}, {"target": "$.dst.n", "update": {"v": 2}}],
    )
    assert result == {"src": {"n": {"v": 1}}, "dst": {"n": {"v": 2}}}


def test_copy_from_an_ancestor_or_itself_uses_the_value_before_the_change(tmp_path: Path) -> None:
    document = {"a": {"a": {"x": 1}, "y": 2}, "l": [1, 2]}
    result = run(tmp_path, document, [{"target": "$", "copy": "$.a"}, {"target": "$.l", "copy": "$.l"}])
    assert result == {"a": {"a": {"x": 1}, "x": 1, "y": 2}, "y": 2, "l": [1, 2, 1, 2]}


def test_copy_source_matching_nothing_is_an_error(tmp_path: Path) -> None:
    message = apply_error(tmp_path, {"dst": {}}, [{"target": "$.dst", "copy": "$.missing"}])
    assert "copy source $.missing" in message
    assert "matched no node" in message
    assert "--allow-empty-targets" in message


def test_copy_source_matching_nothing_is_skipped_when_allowed(tmp_path: Path) -> None:
    result = run(tmp_path, {"dst": {}}, [{"target": "$.dst", "copy": "$.missing"}], allow_empty_targets=True)
    assert result == {"dst": {}}


def test_copy_source_matching_several_nodes_is_an_error(tmp_path: Path) -> None:
    document = {"a": {"v": 1}, "b": {"v": 2}, "dst": {}}
    message = apply_error(tmp_path, document, [{"target": "$.dst", "copy": "$['a', 'b']"}])
    assert "matched 2 nodes" in message
    assert "exactly one" in message


def test_copy_source_matching_several_nodes_is_an_error_even_when_empty_targets_are_allowed(tmp_path: Path) -> None:
    document = {"a": {"v": 1}, "b": {"v": 2}, "dst": {}}
    with pytest.raises(OverlayError, match="matched 2 nodes"):
        run(tmp_path, document, [{"target": "$.dst", "copy": "$.*.v"}], allow_empty_targets=True)


def test_update_wins_over_copy(tmp_path: Path) -> None:
    document = {"src": {"from": "copy"}, "dst": {}}
    result = run(tmp_path, document, [{"target": "$.dst", "copy": "$.src", "update": {"from": "update"}}])
    assert result == {"src": {"from": "copy"}, "dst": {"from": "update"}}


def test_copy_is_refused_in_1_0(tmp_path: Path) -> None:
    path = write(
        tmp_path,
        """\
        overlay: 1.0.0
        info: {title: t, version: '1'}
        actions:
          - target: $.dst
            copy: $.src
        """,
    )
    with pytest.raises(OverlayError, match=r"actions\[0\]\.copy: the copy action needs Overlay 1\.1") as caught:
        load_overlay(path)
    assert str(path) in str(caught.value)


# --------------------------------------------------------------------------------------------------------------
# Order, duplicates, the root, strictness


def test_second_action_sees_the_first_actions_result(tmp_path: Path) -> None:
    document = {"paths": {"/old": {"get": {"x": 1}}}}
    actions: list[dict[str, Any]] = [
        {"target": "$.paths['/old']", "remove": True},
        {"target": "$.paths", "update": {"/old": {"post": {}}}},
        {"target": "$.paths['/old'].post", "update": {"y": 2}},
    ]
    assert run(tmp_path, document, actions) == {"paths": {"/old": {"post": {"y": 2}}}}


def test_overlays_are_applied_in_order(tmp_path: Path) -> None:
    first = make(tmp_path, [{"target": "$", "update": {"added": {"by": "first"}}}], name="one.yaml")
    second = make(tmp_path, [{"target": "$.added", "update": {"by": "second"}}], name="two.yaml")
    assert apply_overlays({}, [first, second]) == {"added": {"by": "second"}}
    with pytest.raises(OverlayError, match=r"two\.yaml: action 0"):
        apply_overlays({}, [second, first])


def test_no_overlays_returns_an_equal_copy() -> None:
    document = {"a": [1, {"b": 2}]}
    result = apply_overlays(document, [])
    assert result == document
    assert result is not document


def test_zero_match_error_names_file_action_target_and_description(tmp_path: Path) -> None:
    overlay = make(
        tmp_path,
        [
            {"target": "$.info", "update": {"x": 1}},
            {"target": "$.paths['/gone']", "description": "hide the gone endpoint", "remove": True},
        ],
        name="10-defects.yaml",
    )
    with pytest.raises(OverlayError) as caught:
        apply_overlay({"info": {}, "paths": {}}, overlay)
    # The file, the action by index and description, and the target that matched nothing: in that order, once.
    assert caught.value.message == (
        f"{tmp_path / '10-defects.yaml'}: action 1 ('hide the gone endpoint'), target $.paths['/gone']: "
        "the target matched no node in the document"
    )
    assert caught.value.fix is not None
    assert "--allow-empty-targets" in caught.value.fix
    assert str(caught.value) == f"{caught.value.message}\n  fix: {caught.value.fix}"


def test_allow_empty_targets_skips_silently_and_goes_on(tmp_path: Path) -> None:
    actions: list[dict[str, Any]] = [
        {"target": "$.nothing", "update": {"x": 1}},
        {"target": "$.info", "update": {"y": 2}},
    ]
    assert run(tmp_path, {"info": {}}, actions, allow_empty_targets=True) == {"info": {"y": 2}}


def test_a_node_selected_twice_by_a_union_changes_once(tmp_path: Path) -> None:
    result = run(tmp_path, {"tags": ["a"], "n": {"c": []}}, [{"target": "$['tags', 'tags']", "update": ["b"]}])
    assert result == {"tags": ["a", "b"], "n": {"c": []}}


def test_a_node_selected_twice_by_a_descendant_union_changes_once(tmp_path: Path) -> None:
    document = {"x": {"list": [1]}, "y": {"z": {"list": [1]}}}
    result = run(tmp_path, document, [{"target": "$..['list', 'list']", "update": 2}])
    assert result == {"x": {"list": [1, 2]}, "y": {"z": {"list": [1, 2]}}}


def test_an_index_selected_twice_removes_one_item(tmp_path: Path) -> None:
    assert run(tmp_path, {"l": [0, 1, 2]}, [{"target": "$.l[1, 1, -2]", "remove": True}]) == {"l": [0, 2]}


def test_update_of_the_root_merges_into_the_document(tmp_path: Path) -> None:
    document = {"openapi": "3.1.0", "info": {"title": "t"}, "servers": [{"url": "a"}]}
    result = run(tmp_path, document, [{"target": "$", "update": {"info": {"x-o": True}, "servers": [{"url": "b"}]}}])
    assert result == {"openapi": "3.1.0", "info": {"title": "t", "x-o": True}, "servers": [{"url": "a"}, {"url": "b"}]}


def test_input_document_is_never_mutated(tmp_path: Path) -> None:
    document = {"info": {"title": "t"}, "tags": ["a", "b"], "paths": {"/a": {"get": {"p": [1]}}}, "src": {"v": 1}}
    before = copy.deepcopy(document)
    overlay = make(
        tmp_path,
        [
            {"target": "$.info", "update": {"title": "changed"}},
            {"target": "$.tags[0]", "remove": True},
            {"target": "$.paths['/a'].get.p", "update": [2]},
            {"target": "$.paths['/a'].get", "copy": "$.src"},
        ],
    )
    result = apply_overlays(document, [overlay])
    assert document == before
    assert result != before
    single = apply_overlay(document, overlay)
    assert document == before
    assert single == result


def test_result_does_not_share_values_with_the_overlay(tmp_path: Path) -> None:
    overlay = make(tmp_path, [{"target": "$", "update": {"added": {"k": [1]}}}])
    result = apply_overlay({}, overlay)
    result["added"]["k"].append(2)
    assert overlay.actions[0].update == {"added": {"k": [1]}}
    assert apply_overlay({}, overlay) == {"added": {"k": [1]}}


def test_unquoted_numeric_keys_stay_strings(tmp_path: Path) -> None:
    spec = write(
        tmp_path,
        """\
        openapi: 3.1.0
        paths:
          /a:
            get:
              responses:
                200:
                  description: OK
        """,
        "spec.yaml",
    )
    overlay = write(
        tmp_path,
        """\
        overlay: 1.1.0
        info: {title: t, version: 1.0.0}
        actions:
          - target: $.paths['/a'].get.responses['200']
            update: {description: Fine}
          - target: $.paths['/a'].get.responses
            update:
              404:
                description: Missing
        """,
    )
    from generator.documents import load_document

    result = apply_overlay(load_document(spec), load_overlay(overlay))
    assert result["paths"]["/a"]["get"]["responses"] == {
        "200": {"description": "Fine"},
        "404": {"description": "Missing"},
    }
    assert all(isinstance(key, str) for key in result["paths"]["/a"]["get"]["responses"])


def test_normalized_path_escapes_names() -> None:
    assert normalized_path(()) == "$"
    assert normalized_path(("paths", "/a's", 0, "b\\c\n")) == "$['paths']['/a\\'s'][0]['b\\\\c\\n']"


# --------------------------------------------------------------------------------------------------------------
# Structure of the Overlay document

HEAD = "overlay: 1.1.0\ninfo: {title: t, version: '1'}\n"


@pytest.mark.parametrize(
    "text, expected",
    [
        ("info: {title: t, version: '1'}\nactions: [{target: $, update: {}}]\n", "overlay: required field missing"),
        (
            "overlay: 1.1\ninfo: {title: t, version: '1'}\nactions: [{target: $, update: {}}]\n",
            "overlay: must be a string, got number",
        ),
        (
            "overlay: 2.0.0\ninfo: {title: t, version: '1'}\nactions: [{target: $, update: {}}]\n",
            "overlay: unsupported Overlay Specification version '2.0.0'",
        ),
        (
            "overlay: 1.2.0\ninfo: {title: t, version: '1'}\nactions: [{target: $, update: {}}]\n",
            "overlay: unsupported Overlay Specification version '1.2.0'",
        ),
        (
            "overlay: 1.1.0-rc1\ninfo: {title: t, version: '1'}\nactions: [{target: $, update: {}}]\n",
            "overlay: unsupported",
        ),
        ("overlay: 1.1.0\nactions: [{target: $, update: {}}]\n", "info: required field missing"),
        ("overlay: 1.1.0\ninfo: title\nactions: [{target: $, update: {}}]\n", "info: must be an object, got string"),
        (
            "overlay: 1.1.0\ninfo: {version: '1'}\nactions: [{target: $, update: {}}]\n",
            "info.title: required field missing",
        ),
        (
            "overlay: 1.1.0\ninfo: {title: t}\nactions: [{target: $, update: {}}]\n",
            "info.version: required field missing",
        ),
        (
            "overlay: 1.1.0\ninfo: {title: [t], version: '1'}\nactions: [{target: $, update: {}}]\n",
            "info.title: must be a string, got array",
        ),
        (
            "overlay: 1.1.0\ninfo: {title: t, version: 1.0}\nactions: [{target: $, update: {}}]\n",
            "info.version: must be a string, got number",
        ),
        (
            "overlay: 1.1.0\ninfo: {title: t, version: '1', description: 5}\nactions: [{target: $, update: {}}]\n",
            "info.description: must be a string, got number",
        ),
        (
            "overlay: 1.0.0\ninfo: {title: t, version: '1', description: d}\nactions: [{target: $, update: {}}]\n",
            "info.description: info.description needs Overlay 1.1",
        ),
        (
            "overlay: 1.1.0\ninfo: {title: t, version: '1', author: me}\nactions: [{target: $, update: {}}]\n",
            "info.author: unknown field",
        ),
        (HEAD, "actions: required field missing"),
        (HEAD + "actions: {target: $}\n", "actions: must be an array, got object"),
        (HEAD + "actions: []\n", "actions: must contain at least one action"),
        (HEAD + "actions: [remove]\n", "actions[0]: must be an object, got string"),
        (HEAD + "actions: [{update: {}}]\n", "actions[0].target: required field missing"),
        (HEAD + "actions: [{target: 5, update: {}}]\n", "actions[0].target: must be a string, got number"),
        (
            HEAD + "actions: [{target: $, update: {}, description: [d]}]\n",
            "actions[0].description: must be a string, got array",
        ),
        (
            HEAD + "actions: [{target: $.a, remove: true}, {target: $.b, update: {}}, {target: $.c, remove: 'yes'}]\n",
            "actions[2].remove: must be a boolean, got string",
        ),
        (HEAD + "actions: [{target: $, copy: 1}]\n", "actions[0].copy: must be a string, got number"),
        (HEAD + "actions: [{target: $, updates: {}}]\n", "actions[0].updates: unknown field"),
        (HEAD + "actions: [{target: $}]\n", "actions[0]: action 0 has no modifier"),
        (
            HEAD + "actions: [{target: '$.paths[', update: {}}]\n",
            "actions[0].target: action 0: '$.paths[' is not a valid RFC 9535 JSONPath query",
        ),
        (
            HEAD + "actions: [{target: 'paths.a', update: {}}]\n",
            "actions[0].target: action 0: 'paths.a' is not a valid",
        ),
        (
            HEAD + "actions: [{target: $, update: {}}, {target: '$[?@.a ==]', description: d, remove: true}]\n",
            "actions[1].target: action 1 ('d'): '$[?@.a ==]' is not a valid RFC 9535 JSONPath query",
        ),
        (HEAD + "actions: [{target: $.a, copy: '$..'}]\n", "actions[0].copy: action 0: '$..' is not a valid"),
        (
            HEAD + "actions: [{target: $.a, remove: true}, {target: $.a, remove: true}]\n",
            "actions[1]: duplicates actions[0]",
        ),
        (HEAD + "extends: 5\nactions: [{target: $, update: {}}]\n", "extends: must be a string, got number"),
        (HEAD + "extends: 'a b.yaml'\nactions: [{target: $, update: {}}]\n", "extends: 'a b.yaml' is not a URI"),
        (HEAD + "action: [{target: $, update: {}}]\n", "action: unknown field"),
        ("- overlay: 1.1.0\n", "an Overlay document must be an object (a mapping), got array"),
    ],
)
def test_structure_errors_name_the_file_and_field(tmp_path: Path, text: str, expected: str) -> None:
    message = structure_error(tmp_path, text)
    assert f"bad.yaml: {expected}" in message, message


def test_structure_error_for_bad_jsonpath_carries_the_syntax_error(tmp_path: Path) -> None:
    message = structure_error(tmp_path, HEAD + "actions: [{target: '$.paths[', update: {}}]\n")
    assert "unbalanced brackets" in message or "expected" in message


def test_invalid_yaml_is_a_pipeline_error(tmp_path: Path) -> None:
    path = write(tmp_path, "overlay: [1.1.0\n", "broken.yaml")
    with pytest.raises(PipelineError, match=r"broken\.yaml"):
        load_overlay(path)


def test_extensions_extends_and_descriptions_are_accepted(tmp_path: Path) -> None:
    path = write(
        tmp_path,
        """\
        overlay: 1.1.0
        x-owner: team
        info:
          title: t
          version: '1'
          description: what it does
          x-ticket: 42
        extends: ./openapi.yaml
        actions:
          - target: $.info
            description: add a flag
            update: {x-flag: true}
            x-reason: {why: because}
        """,
    )
    overlay = load_overlay(path)
    assert overlay.version == "1.1.0"
    assert overlay.extends == "./openapi.yaml"
    assert overlay.info["description"] == "what it does"
    assert overlay.extensions == {"x-owner": "team"}
    assert overlay.actions[0].extensions == {"x-reason": {"why": "because"}}
    assert overlay.actions[0].description == "add a flag"
    assert overlay.path == path
    assert apply_overlay({"info": {}}, overlay) == {"info": {"x-flag": True}}


def test_update_null_counts_as_an_update(tmp_path: Path) -> None:
    result = run(tmp_path, {"a": {"b": "x"}}, [{"target": "$.a.b", "update": None}])
    assert result == {"a": {"b": None}}


# --------------------------------------------------------------------------------------------------------------
# Scenarios of the specification's compliant sets and examples, restated on small documents

TOWN: dict[str, Any] = {
    "openapi": "3.1.0",
    "info": {"title": "Imaginary town", "version": "1.0.0"},
    "servers": [{"url": "https://example.com", "description": "Example server"}],
    "paths": {
        "/buildings": {
            "get": {
                "summary": "All buildings",
                "responses": {"200": {"description": "all"}, "500": {"description": "oops"}},
            }
        },
        "/locations": {
            "get": {
                "responses": {
                    "200": {
                        "description": "locations",
                        "content": {
                            "application/json": {
                                "schema": {
                                    "type": "array",
                                    "items": {
                                        "type": "object",
                                        "properties": {
                                            "location_id": {"type": "integer"},
                                            "name": {"type": "string"},
                                            "note": {"type": "string"},
                                        },
                                    },
                                }
                            }
                        },
                    },
                    "default": {"description": "error"},
                }
            }
        },
    },
    "components": {
        "schemas": {
            "Building": {
                "type": "object",
                "properties": {"building": {"type": "string", "example": "house"}},
            }
        }
    },
}


Scenario = tuple[dict[str, Any], list[dict[str, Any]], str, dict[str, Any]]
"""The document before, the actions, the overlay version, the document after."""


def changed(**edits: Any) -> dict[str, Any]:
    """TOWN with top-level keys replaced."""
    result = copy.deepcopy(TOWN)
    result.update(edits)
    return result


def scenario_add_a_license() -> Scenario:
    expected = copy.deepcopy(TOWN)
    expected["info"]["license"] = {"name": "MIT", "url": "https://opensource.org/licenses/MIT"}
    actions: list[dict[str, Any]] = [
        {"target": "$.info", "update": {"license": {"name": "MIT", "url": "https://opensource.org/licenses/MIT"}}}
    ]
    return copy.deepcopy(TOWN), actions, "1.0.0", expected


def scenario_description_and_summary() -> Scenario:
    expected = copy.deepcopy(TOWN)
    expected["paths"]["/buildings"]["get"].update(summary="Every building", description="Lists them")
    actions: list[dict[str, Any]] = [
        {"target": "$.paths['/buildings'].get", "update": {"summary": "Every building", "description": "Lists them"}}
    ]
    return copy.deepcopy(TOWN), actions, "1.0.0", expected


def scenario_remove_example() -> Scenario:
    expected = copy.deepcopy(TOWN)
    del expected["components"]["schemas"]["Building"]["properties"]["building"]["example"]
    actions: list[dict[str, Any]] = [
        {"target": "$.components.schemas.Building.properties['building'].example", "remove": True}
    ]
    return copy.deepcopy(TOWN), actions, "1.0.0", expected


def scenario_remove_property() -> Scenario:
    expected = copy.deepcopy(TOWN)
    properties = expected["paths"]["/locations"]["get"]["responses"]["200"]["content"]["application/json"]
    properties = properties["schema"]["items"]["properties"]
    del properties["name"], properties["note"]
    actions: list[dict[str, Any]] = [
        {"target": "$.paths['/locations'].get.responses['200']..properties[?(@.type == 'string')]", "remove": True}
    ]
    return copy.deepcopy(TOWN), actions, "1.0.0", expected


def scenario_remove_matching_responses() -> Scenario:
    expected = copy.deepcopy(TOWN)
    del expected["paths"]["/buildings"]["get"]["responses"]["500"]
    del expected["paths"]["/locations"]["get"]["responses"]["default"]
    actions: list[dict[str, Any]] = [
        {"target": "$.paths..responses['500']", "remove": True},
        {"target": "$.paths..responses['default']", "remove": True},
    ]
    return copy.deepcopy(TOWN), actions, "1.0.0", expected


def scenario_remove_server() -> Scenario:
    actions: list[dict[str, Any]] = [{"target": "$.servers[?( @.description == 'Example server' )]", "remove": True}]
    return copy.deepcopy(TOWN), actions, "1.0.0", changed(servers=[])


def scenario_replace_servers() -> Scenario:
    sandbox = [{"url": "http://api-test-tunnel.local", "description": "Local development server"}]
    actions: list[dict[str, Any]] = [
        {"target": "$.servers", "remove": True},
        {"target": "$", "update": {"servers": sandbox}},
    ]
    return copy.deepcopy(TOWN), actions, "1.1.0", changed(servers=sandbox)


def scenario_update_root() -> Scenario:
    expected = copy.deepcopy(TOWN)
    expected["info"]["x-overlaid"] = True
    return copy.deepcopy(TOWN), [{"target": "$", "update": {"info": {"x-overlaid": True}}}], "1.0.0", expected


def scenario_many_operations() -> Scenario:
    expected = copy.deepcopy(TOWN)
    buildings = expected["paths"]["/buildings"]
    del buildings["get"]["summary"]
    buildings["get"]["tags"] = ["wildcard-done", "overlayed"]
    buildings["get"]["x-info"] = {"description": "added"}
    expected["paths"]["/locations"]["get"]["tags"] = ["wildcard-done"]
    for path_item in expected["paths"].values():
        path_item["post"] = {"foo": {"bar": "hello"}}
    actions: list[dict[str, Any]] = [
        {"target": "$.paths['/buildings'].get.summary", "remove": True},
        {"target": "$.paths.*.get", "update": {"tags": ["wildcard-done"]}},
        {"target": "$.paths['/buildings'].get", "update": {"x-info": {"description": "added"}, "tags": ["overlayed"]}},
        {"target": "$.paths.*", "update": {"post": {"foo": {"bar": "hello"}}}},
    ]
    return copy.deepcopy(TOWN), actions, "1.0.0", expected


def scenario_move_path_item() -> Scenario:
    expected = copy.deepcopy(TOWN)
    expected["paths"]["/houses"] = expected["paths"].pop("/buildings")
    actions: list[dict[str, Any]] = [
        {"target": "$.paths", "update": {"/houses": {}}},
        {"target": "$.paths['/houses']", "copy": "$.paths['/buildings']"},
        {"target": "$.paths['/buildings']", "remove": True, "description": "moves /buildings to /houses"},
    ]
    return copy.deepcopy(TOWN), actions, "1.1.0", expected


def scenario_traits() -> Scenario:
    document = copy.deepcopy(TOWN)
    document["paths"]["/buildings"]["get"]["x-oai-traits"] = ["paged"]
    document["paths"]["/buildings"]["get"]["parameters"] = [{"name": "id", "in": "query"}]
    expected = copy.deepcopy(document)
    expected["paths"]["/buildings"]["get"]["parameters"] += [{"name": "top", "in": "query"}]
    actions: list[dict[str, Any]] = [
        {
            "target": "$.paths[?(@.get['x-oai-traits'][?(@ == 'paged')])].get",
            "update": {"parameters": [{"name": "top", "in": "query"}]},
        }
    ]
    return document, actions, "1.1.0", expected


SCENARIOS = {
    name.removeprefix("scenario_"): function
    for name, function in dict(globals()).items()
    if name.startswith("scenario_")
}


@pytest.mark.parametrize("name", sorted(SCENARIOS))
def test_compliant_scenario(tmp_path: Path, name: str) -> None:
    document, actions, version, expected = SCENARIOS[name]()
    assert document != expected
    assert run(tmp_path, document, actions, version=version) == expected


# --------------------------------------------------------------------------------------------------------------
# Command line


def cli(*args: str) -> subprocess.CompletedProcess[str]:
    return run_module("generator", "overlay", *args)


def test_cli_prints_the_effective_document_as_json(tmp_path: Path) -> None:
    spec = write(tmp_path, "openapi: 3.1.0\ninfo: {title: t, version: '1'}\npaths: {}\ntags: [a]\n", "spec.yaml")
    first = write(tmp_path, HEAD + "actions: [{target: $.info, update: {title: New}}]\n", "one.yaml")
    second = write(tmp_path, HEAD + "actions: [{target: $.tags, update: [b]}]\n", "two.json")
    completed = cli(str(spec), str(first), str(second))
    assert completed.returncode == 0, completed.stderr
    assert completed.stderr == ""
    assert json.loads(completed.stdout) == {
        "openapi": "3.1.0",
        "info": {"title": "New", "version": "1"},
        "paths": {},
        "tags": ["a", "b"],
    }


def test_cli_error_exits_1_with_the_message_on_stderr(tmp_path: Path) -> None:
    spec = write(tmp_path, "openapi: 3.1.0\ninfo: {title: t, version: '1'}\n", "spec.yaml")
    overlay = write(tmp_path, HEAD + "actions: [{target: $.paths, description: add paths, update: {}}]\n", "gone.yaml")
    completed = cli(str(spec), str(overlay))
    assert completed.returncode == 1
    assert completed.stdout == ""
    assert "gone.yaml: action 0" in completed.stderr
    assert "'add paths'" in completed.stderr
    assert "--allow-empty-targets" in completed.stderr

    allowed = cli(str(spec), str(overlay), "--allow-empty-targets")
    assert allowed.returncode == 0, allowed.stderr
    assert json.loads(allowed.stdout) == {"openapi": "3.1.0", "info": {"title": "t", "version": "1"}}


def test_cli_structure_error_exits_1(tmp_path: Path) -> None:
    spec = write(tmp_path, "openapi: 3.1.0\n", "spec.yaml")
    overlay = write(tmp_path, HEAD + "actions: [{target: $, remove: 'yes'}]\n", "bad.yaml")
    completed = cli(str(spec), str(overlay))
    assert completed.returncode == 1
    assert completed.stdout == ""
    assert "bad.yaml: actions[0].remove: must be a boolean, got string" in completed.stderr
