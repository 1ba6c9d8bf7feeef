from helpers import HEADER, findings


def test_output_read_later() -> None:
    assert not findings("""\
        s1: {title: One, team: a, outputs: [doc], next: s2}
        s2: {title: Two, team: a, inputs: [doc]}
        """, "unused-output")


def test_output_read_only_by_an_earlier_step_through_rework() -> None:
    assert not findings("""\
        s1: {title: One, team: a, inputs: [fix], next: s2}
        s2: {title: Two, team: a, outputs: [fix], next: [{to: s1, p: 0.2}, {to: s3, p: 0.8}]}
        s3: {title: Three, team: a}
        """, "unused-output")


def test_process_output_counts_as_read() -> None:
    assert not findings("s1: {title: One, team: a, outputs: [doc]}\n", "unused-output",
                        header=HEADER.replace("steps:", "outputs: [doc]\nsteps:"))


def test_output_nobody_reads_one_finding_per_artifact() -> None:
    found = findings("""\
        s0: {title: Zero, team: a, inputs: [doc], next: s1}
        s1: {title: One, team: a, outputs: [doc, memo, note], next: s2}
        s2: {title: Two, team: a, inputs: [note]}
        """, "unused-output")
    assert [(f.step, f.steps, f.level, f.algorithm) for f in found] == [
        ("s1", ("s1",), "warning", 2)] * 2
    assert ["'doc'" in found[0].message, "'memo'" in found[1].message] == [True, True]


def test_a_step_does_not_read_its_own_output() -> None:
    [f] = findings("s1: {title: One, team: a, inputs: [doc], outputs: [doc]}\n",
                   "unused-output")
    assert f.step == "s1"


def test_records_count_as_consumed() -> None:
    assert not findings("s1: {title: Log the refund, team: a, outputs: [audit-entry]}\n",
                        "unused-output",
                        header=HEADER.replace("steps:", "records: [audit-entry]\nsteps:"))
