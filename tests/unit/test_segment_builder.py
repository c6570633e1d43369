"""The segment builder's pure model: the draft tree and its edits, the form that carries it,
the conversion to and from definitions, the error paths, and the pickers' vocabulary."""

from __future__ import annotations

import pytest

from habitue.indicators.catalogue import INDICATORS
from habitue.segments import SpecError, describe, parse_definition
from habitue.segments import fields as F
from habitue.segments.builder import (
    Draft,
    DraftError,
    add_condition,
    add_group,
    apply_action,
    draft_from_form,
    draft_to_form,
    empty_draft,
    find,
    move_node,
    next_id,
    node_at_path,
    remove_node,
    set_kind,
    set_params,
    set_type,
    walk,
)
from habitue.segments.builder_convert import (
    draft_from_raw,
    draft_to_raw,
    normalise,
    scalar,
    split_list,
)
from habitue.segments.operators import OPS
from habitue.segments.pickers import (
    BEHAVIOUR_LABELS,
    MEASURE_LABELS,
    OP_LABELS,
    STATE_LABELS,
    PickerContext,
    node_pickers,
)
from tests.unit.test_segments_engine import CASES


def two_conditions() -> Draft:
    """« Abonné : Oui, et Ville : Paris ou Lyon » built with the edits, as the pickers do."""
    root = empty_draft()
    root = set_params(root, "n1", indicator="abonne", on="level", op="is", value="1")
    root, n2 = add_condition(root, "root")
    root = set_type(root, n2, "field")
    root = set_params(root, n2, field="city", op="in", value="Paris, Lyon")
    return root


# -- the tree and its edits ---------------------------------------------------------------------

def test_two_conditions_built_with_the_edits_make_a_definition_and_its_sentence():
    raw = draft_to_raw(two_conditions())
    assert raw == {"rules": [
        {"id": "n1", "indicator": "abonne", "level": {"is": 1}},
        {"id": "n2", "field": "city", "in": ["Paris", "Lyon"]}]}
    assert describe(parse_definition(raw), "fr") == \
        "Abonné\u00a0: Oui, et Ville\u00a0: Paris ou Lyon"


def test_new_nodes_get_ids_above_every_id_and_keep_them_through_edits():
    root = two_conditions()
    root, g = add_group(root, "root", "any")
    assert (g, [c.id for c in find(root, g).children]) == ("n3", ["n4"])
    root = remove_node(root, "n2")
    root, n5 = add_condition(root, g, "consent")
    assert n5 == "n5"  # n2 is not given again to another rule
    root = move_node(root, g, -1)
    assert [c.id for c in root.children] == ["n3", "n1"]
    assert [c.id for c in find(root, g).children] == ["n4", "n5"]
    root = set_kind(root, g, "none")
    assert find(root, g).kind == "none"
    assert [n.id for _, n, _ in walk(root)] == ["root", "n3", "n4", "n5", "n1"]
    assert next_id(Draft("root", "group", children=(Draft("opera", "consent"),))) == "n1"


def test_set_type_starts_the_condition_again():
    root = set_type(two_conditions(), "n1", "consent")
    assert find(root, "n1") == Draft("n1", "consent")


@pytest.mark.parametrize("edit", [
    lambda r: remove_node(r, "root"),
    lambda r: add_condition(r, "n1"),          # a condition is not a group
    lambda r: add_condition(r, "nope"),
    lambda r: add_condition(r, "root", "colour"),
    lambda r: add_group(r, "root", "xor"),
    lambda r: set_kind(r, "root", "any"),      # the root is always `all`
    lambda r: set_type(r, "root", "field"),
    lambda r: apply_action(r, "explode:n1"),
])
def test_edits_that_make_no_sense_are_refused(edit):
    with pytest.raises(DraftError):
        edit(two_conditions())


def test_actions_as_the_buttons_send_them():
    root = apply_action(two_conditions(), "add-group:root")
    assert find(root, "n3").kind == "any"
    root = apply_action(root, "add-condition:n3")
    assert [c.id for c in find(root, "n3").children] == ["n4", "n5"]
    root = apply_action(apply_action(root, "remove:n4"), "up:n3")
    assert [c.id for c in root.children] == ["n1", "n3", "n2"]
    assert [c.id for c in apply_action(root, "down:n1").children] == ["n3", "n1", "n2"]


# -- the form ---------------------------------------------------------------------------------

def test_the_form_carries_the_draft_there_and_back():
    root, _ = add_group(two_conditions(), "root", "none")
    root = set_params(root, "n4", family=("TICKET", "SUBSCRIPTION"))
    fields = draft_to_form(root)
    assert ("n2.parent", "root") in fields and ("n4.parent", "n3") in fields
    assert ("n4.family", "TICKET") in fields and ("n4.family", "SUBSCRIPTION") in fields
    assert draft_from_form(fields) == root
    grouped: dict[str, list[str]] = {}
    for k, v in fields:
        grouped.setdefault(k, []).append(v)
    assert draft_from_form(grouped) == root


@pytest.mark.parametrize("fields", [
    [],
    [("nodes", "n1")],                                               # no root
    [("nodes", "root"), ("nodes", "n1"), ("n1.parent", "n9"), ("n1.type", "field")],
    [("nodes", "root"), ("nodes", "n1"), ("n1.parent", "root"), ("n1.type", "colour")],
    [("nodes", "root"), ("nodes", "a b"), ("a b.parent", "root"), ("a b.type", "field")],
    [("nodes", "root"), ("nodes", "n1"), ("n1.parent", "root"), ("n1.type", "field"),
     ("nodes", "n2"), ("n2.parent", "n1"), ("n2.type", "field")],    # a condition as parent
    [("nodes", "root"), ("nodes", "g"), ("g.parent", "h"), ("g.type", "group"),
     ("nodes", "h"), ("h.parent", "g"), ("h.type", "group")],        # a loop
    [("nodes", "root"), ("nodes", "g"), ("g.parent", "root"), ("g.type", "group"),
     ("g.kind", "xor")],
])
def test_a_form_that_does_not_carry_a_segment_is_refused(fields):
    with pytest.raises(DraftError):
        draft_from_form(fields)


# -- conversion -------------------------------------------------------------------------------

@pytest.mark.parametrize("rule", [c[0] for c in CASES], ids=[str(c[0]) for c in CASES])
def test_every_rule_goes_to_the_pickers_and_back_unchanged(rule):
    definition = parse_definition({"rules": [rule, {"any": [rule, {"none": [rule]}]}]})
    draft = draft_from_raw(definition.to_dict())
    assert normalise(draft) == draft  # a saved rule's operators are already allowed
    assert parse_definition(draft_to_raw(draft)) == definition
    assert draft_from_form(draft_to_form(draft)) == draft
    for _, node, _ in walk(draft):
        assert node_pickers(node, PickerContext(), "fr")


@pytest.mark.parametrize(("kind", "text", "value"), [
    ("integer", "18", 18), ("integer", "dix-huit", "dix-huit"), ("count", " 2 ", 2),
    ("amount", "12,50", 12.5), ("amount", "1\u202f200", 1200), ("number", "abc", "abc"),
    ("level", "2", 2), ("boolean", "TRUE", True), ("text", "75", "75"),
    ("date", "2026-03-01", "2026-03-01"),
])
def test_picker_texts_become_values_of_their_kind(kind, text, value):
    assert scalar(kind, text) == value


def test_lists_are_written_with_commas():
    assert split_list(" Paris, Lyon;;Nice ,") == ["Paris", "Lyon", "Nice"]


@pytest.mark.parametrize(("node", "path", "code"), [
    (Draft("n1", "indicator"), "rules[0].indicator", "missing_key"),
    (Draft("n1", "field", params={"field": "age", "op": "gte"}), "rules[0].gte", "missing_key"),
    (Draft("n1", "field", params={"field": "age", "op": "between", "value": "18"}),
     "rules[0].between", "missing_key"),
    (Draft("n1", "indicator", params={"indicator": "pmg", "on": "level", "op": "in"}),
     "rules[0].level.in", "missing_key"),
    (Draft("n1", "behaviour", params={"behaviour": "bought", "measure": "lines", "op": "gte"}),
     "rules[0].lines.gte", "missing_key"),
    (Draft("n1", "behaviour", params={"behaviour": "bought", "order_date.op": "last"}),
     "rules[0].order_date.last", "missing_key"),
    (Draft("n1", "segment"), "rules[0].segment", "missing_key"),
])
def test_what_is_left_to_choose_is_an_error_at_the_parsers_path(node, path, code):
    with pytest.raises(SpecError) as err:
        draft_to_raw(Draft("root", "group", children=(node,)))
    assert (err.value.path, err.value.code) == (path, code)
    assert err.value.message_fr  # every error has its French sentence


def test_an_empty_draft_and_an_empty_group_are_errors_of_their_node():
    with pytest.raises(SpecError) as err:
        draft_to_raw(Draft("root", "group"))
    assert err.value.path == "rules"
    root, g = add_group(two_conditions(), "root", "any")
    root = remove_node(root, "n4")
    with pytest.raises(SpecError) as err:
        parse_definition(draft_to_raw(root))
    assert node_at_path(root, err.value.path) == g


def test_a_wrong_value_is_left_for_the_parser_whose_path_names_the_node():
    root, _ = add_group(two_conditions(), "root", "any")
    root = set_type(root, "n4", "field")
    root = set_params(root, "n4", field="age", op="gte", value="old")
    with pytest.raises(SpecError) as err:
        parse_definition(draft_to_raw(root))
    assert (err.value.code, err.value.path) == ("wrong_type", "rules[2].any[0].gte")
    assert node_at_path(root, err.value.path) == "n4"


def test_paths_map_to_the_deepest_node_they_name():
    children = tuple(Draft(f"c{i}", "consent") for i in range(12))
    root = Draft("root", "group", children=children)
    assert node_at_path(root, "rules[1].consent") == "c1"
    assert node_at_path(root, "rules[10].consent") == "c10"
    assert node_at_path(root, "rules") == "root"
    assert node_at_path(root, "") == "root"


def test_normalise_keeps_operators_among_those_allowed():
    root = set_params(two_conditions(), "n2", field="age")  # `in` is not for ages
    assert find(normalise(root), "n2").param("op") == "is"
    node = Draft("n1", "behaviour", params={"behaviour": "attended", "measure": "amount",
                                            "order_date.op": "starts_with"})
    fixed = find(normalise(Draft("root", "group", children=(node,))), "n1")
    assert fixed.param("measure") == "" and fixed.param("order_date.op") == ""
    fresh = find(normalise(set_params(empty_draft(), "n1", indicator="pmg")), "n1")
    assert (fresh.param("on"), fresh.param("op")) == ("level", "is")


# -- pickers ----------------------------------------------------------------------------------

def _by_param(node: Draft, lang: str = "en", ctx: PickerContext | None = None) -> dict:
    return {p.param: p for p in node_pickers(node, ctx or PickerContext(), lang)}


def test_pickers_come_from_the_rule_languages_tables():
    pickers = _by_param(Draft("n1", "indicator", params={"indicator": "assiduite",
                                                         "on": "level", "op": "gte"}), "fr")
    assert [o.label for o in pickers["indicator"].options] == [i.name_fr for i in INDICATORS]
    assert [o.value for o in pickers["op"].options] == list(OPS["level"])
    assert [o.label for o in pickers["value"].options] == \
        ["Inactif", "Occasionnel", "Régulier", "Assidu"]
    field = _by_param(Draft("n1", "field", params={"field": "kind", "op": "in"}))
    assert [o.value for o in field["field"].options] == [f.name for f in F.FIELDS]
    assert field["values"].widget == "checkboxes"
    assert [o.label for o in field["values"].options] == ["Individual", "Organisation"]


def test_the_value_widget_follows_the_operator():
    def widgets(**params):
        pickers = node_pickers(Draft("n1", "field", params=params), PickerContext(), "en")
        return [(p.param, p.widget) for p in pickers][2:]
    assert widgets(field="age", op="between") == [("op", "select"), ("value", "number"),
                                                  ("value2", "number")]
    assert widgets(field="created_at", op="last") == [("op", "select"), ("value", "number"),
                                                      ("unit", "select")]
    assert widgets(field="email", op="known") == [("op", "select"), ("value", "select")]
    assert widgets(field="city", op="in") == [("op", "select"), ("value", "text")]
    assert widgets(field="birth_date", op="lt") == [("op", "select"), ("value", "date")]
    assert widgets(field="city") == [("op", "select")]  # no operator yet: nothing to fill


def test_pickers_offer_what_the_store_knows():
    ctx = PickerContext(indicators=("abonne", "pmg"), segments={"paris": "Parisiens"},
                        attributes=("points",), seasons={"S2025": "2025/2026"},
                        genres=("Opéra",))
    assert [o.value for o in _by_param(Draft("n1", "indicator"), ctx=ctx)["indicator"]
            .options] == ["abonne", "pmg"]
    disabled = _by_param(Draft("n1", "indicator", params={"indicator": "jeune"}), ctx=ctx)
    assert disabled["indicator"].options[-1].value == "jeune"  # shown, for the parser to refuse
    assert [o.label for o in _by_param(Draft("n1", "segment"), ctx=ctx)["segment"].options] \
        == ["Parisiens"]
    behaviour = _by_param(Draft("n1", "behaviour", params={"behaviour": "attended"}), ctx=ctx)
    assert "S2025" in [o.value for o in behaviour["season"].options]
    assert behaviour["genre"].suggestions == ("Opéra",)
    assert [o.value for o in behaviour["measure"].options] == ["", "lines", "performances"]
    assert behaviour["role"].section == "more"


def test_every_name_of_the_tables_has_a_label_in_both_languages():
    for table, names in ((OP_LABELS, {op for ops in OPS.values() for op in ops}),
                         (BEHAVIOUR_LABELS, F.BEHAVIOURS), (MEASURE_LABELS, F.MEASURES),
                         (STATE_LABELS, F.CONSENT_STATES)):
        assert set(names) <= set(table)
        assert all(fr and en for fr, en in table.values())
    for lang in ("fr", "en"):
        for kind in (*F.ATTRIBUTE_TYPES,):
            node = Draft("n1", "attribute", params={"attribute": "x", "as": kind, "op": "is"})
            assert all(p.label for p in node_pickers(node, PickerContext(), lang))


def test_picking_another_kind_or_field_starts_its_comparison_again():
    fields = draft_to_form(two_conditions())
    changed = [(k, "age" if k == "n2.field" else v) for k, v in fields]
    node = find(draft_from_form(changed), "n2")
    assert node.params == {"field": "age"}  # `in` "Paris, Lyon" meant nothing for an age
    changed = [(k, "consent" if k == "n1.type" else v) for k, v in fields]
    assert find(draft_from_form(changed), "n1") == Draft("n1", "consent")
    same = [(k, "Paris" if k == "n2.value" else v) for k, v in fields]
    assert find(draft_from_form(same), "n2").param("op") == "in"  # a value edit keeps it all
