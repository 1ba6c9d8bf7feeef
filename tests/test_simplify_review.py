"""Changes a process owner could not defend in review, found by running simplify
on the examples and on workflows written from the users' job descriptions."""

from __future__ import annotations

import textwrap

from helpers import HEADER
from procmap.format.loader import loads
from procmap.simplify.simplify import Options, Simplified, simplify

ALL = Options(accept=frozenset({"all"}))


def run(steps: str, options: Options | None = None) -> Simplified:
    return simplify(HEADER + textwrap.indent(textwrap.dedent(steps), "  "), "t.yaml", options)


def test_a_step_never_takes_over_the_branches_of_a_decision_run_beside_it() -> None:
    # Printing the label beside the inspection must not make the printer decide
    # "damaged" and send kits back to packing: that is a new loop and a new decision.
    result = run("""\
        pack: {title: Pack, team: a, touch: 1h, outputs: [kit], next: label}
        label: {title: Print label, team: a, touch: 1h, inputs: [kit], outputs: [lbl],
                next: inspect}
        inspect:
          title: Inspect kit
          team: a
          kind: check
          touch: 1h
          inputs: [kit]
          next: [{to: ship, when: passes, p: 0.95}, {to: pack, when: damaged, p: 0.05}]
        ship: {title: Ship, team: a, touch: 1h, inputs: [kit, lbl]}
        """, ALL)
    after = loads(result.text, "after.yaml")
    assert [(b.to, b.when, b.p) for b in after.steps["label"].next] == [("inspect", None, None)]
    assert [o.proposal.id for o in result.outcomes if o.applied] == []
    assert result.after.metrics.rework_edges == result.before.metrics.rework_edges == 1



def test_no_move_is_proposed_for_a_step_of_an_external_team() -> None:
    # We asked the partner and waited: the finding stays, but the partner's
    # own work is not ours to move, so no proposal asks anyone to.
    header = HEADER.replace("steps:", "  p: {name: Partner, external: true}\nsteps:")
    result = simplify(header + textwrap.indent(textwrap.dedent("""\
        s1: {title: Review order, team: a, touch: 1h, next: s2}
        s2: {title: Partner fixes the order, team: p, touch: 10m, next: s3}
        s3: {title: Reserve stock, team: a, touch: 1h}
        """), "  "), "t.yaml", ALL)
    assert [f.rule for f in result.before.findings] == ["ping-pong"]
    assert [o.proposal.id for o in result.outcomes] == []


def test_no_deletion_is_proposed_for_an_external_partys_work() -> None:
    # Nobody here reads the regulator's acknowledgement, but the regulator
    # still gives it: deleting their step saves nothing of ours, and the
    # "5d of lead time" it would claim is the regulator's, not a change we can make.
    header = HEADER.replace("steps:", "  r: {name: Regulator, external: true}\nsteps:")
    result = simplify(header + textwrap.indent(textwrap.dedent("""\
        s1: {title: File the report, team: a, touch: 1h, outputs: [filing], next: s2}
        s2: {title: Regulator acknowledges, team: r, wait: 5d, inputs: [filing],
             outputs: [ack], next: s3}
        s3: {title: Close, team: a, touch: 5m}
        """), "  "), "t.yaml", ALL)
    assert [f.rule for f in result.before.findings] == ["ping-pong", "unused-output"]
    assert [o.proposal.id for o in result.outcomes] == []


def test_holding_back_a_cascade_keeps_the_unrelated_changes_of_the_run() -> None:
    # Deleting the repeated approval 'comms' would make a new ping-pong
    # (legal -> send -> file), a change for a later run: 'comms' waits. The
    # next run would propose 'comms' again, but that is the same proposal held
    # back, not a cascade, so the unrelated deletion of 'note' still applies.
    result = run("""\
        start: {title: Take the case, team: c, touch: 1h, outputs: [case], next: note}
        note: {title: Write a note, team: c, touch: 1h, value: nva, next: legal}
        legal: {title: Legal approves, team: a, kind: approval, touch: 1h, inputs: [case],
                requirement: {why: Quoted by regulators, by: Victor Osei}, next: comms}
        comms: {title: Comms approves, team: b, kind: approval, touch: 1h, inputs: [case],
                next: send}
        send: {title: Send the answer, team: c, touch: 10m, inputs: [case], next: file}
        file: {title: File the case, team: a, touch: 10m, inputs: [case]}
        """, ALL)
    assert [(o.proposal.id, o.status) for o in result.outcomes] == [
        ("repeated-check:comms", "waiting"), ("nva-step:note", "applied")]
    again = simplify(result.data, "after.yaml", ALL)
    assert [o.proposal.id for o in again.outcomes if o.applied] == []
