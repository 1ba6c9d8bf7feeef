from helpers import HEADER, findings

PROMISE = HEADER.replace("steps:", "outputs: [report]\nsteps:")


def test_promised_output_that_a_step_makes() -> None:
    assert not findings("s1: {title: One, team: a, outputs: [report]}\n", "missing-output",
                        header=PROMISE)


def test_promised_output_nobody_makes() -> None:
    [f] = findings("s1: {title: One, team: a, outputs: [draft]}\n", "missing-output",
                   header=PROMISE)
    assert (f.step, f.steps, f.level, f.algorithm) == (None, (), "warning", 1)
    assert (f.pos.line, f.pos.column) == (8, 11)  # the artifact in `outputs`
    assert "'report'" in f.message
