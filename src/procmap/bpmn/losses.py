"""What a BPMN model says that a procmap workflow cannot: listed, never dropped in silence."""

from __future__ import annotations

from dataclasses import dataclass

from procmap.printable import one_line


@dataclass(frozen=True, slots=True)
class Loss:
    element: str  # the BPMN element id
    line: int
    column: int
    what: str

    def located(self, file: str) -> str:
        return f"{one_line(file)}:{self.line}:{self.column}: {one_line(self.element)}: {self.what}"


# Why each kind of element cannot be said in procmap's format; one wording
# per construct so that the README table and the output agree.
INCLUSIVE = "inclusive gateway: every branch is taken (procmap has no conditional split)"
EVENT_BASED = ("event-based gateway: read as a decision between the events, shares guessed")
COMPLEX = "complex gateway: read as a decision, its activation rule is lost"
CONDITIONAL = ("conditional sequence flow out of an activity: taken as always "
               "(procmap has no conditional split)")
MULTI_INSTANCE = "multi-instance marker: the step counts once per case"
LOOP = "loop marker: the step counts once per case"
SUBPROCESS = "subprocess flattened: its steps keep its name in their description"
EVENT_SUBPROCESS = "event subprocess: not mapped (procmap has no event-triggered work)"
CALL = "call activity: the called process is not followed; one step stands for it"
TRIGGERED_START = "triggered start event: the workflow starts the same whatever the trigger"
EXTRA_START = "another start event: the workflow starts at the first one"
NON_INTERRUPTING = ("non-interrupting boundary event: read as an alternative branch, "
                    "the parallel work it starts is lost")
BOUNDARY_PARALLEL = ("boundary event on an activity with parallel successors: its exception "
                     "path is not linked (procmap cannot mix a decision with parallel work)")
BOUNDARY_SUBPROCESS = ("boundary event on an expanded subprocess: its exception path is not "
                       "linked (the subprocess is flattened into its steps)")
BOUNDARY_END = ("boundary event on an activity that ends the workflow: its exception path "
                "is taken as parallel work")
DANGLING = "event with no outgoing flow: nothing follows it"
TIMER_APPROX = "timer in years or months: read as 365 or 30 days"
TIMER_DATE = "timer with a date or a cycle: only durations map to a wait"
TRIGGER = "event trigger ({what}): kept as a wait without its trigger"
END_TRIGGER = "{what} end event: the workflow just ends there"
THROW = "{what} intermediate throw event: dropped, the flow goes on"
MESSAGE_UNLINKED = "message flow whose ends are not steps of this workflow: not mapped"
ARTIFACT = "{what}: not mapped (only documentation of flow nodes is kept)"
