"""One finding code's entry in the registry (converter.core.codes.CODES): its words, its topics, its severity.

A module of its own so that the registry's families (converter.core.codes_workload, converter.core.codes_service_hpa,
converter.core.codes_reverse) and converter.core.codes, which joins them, share the class without importing each other.
"""

from __future__ import annotations

from converter.core.findings import Severity
from converter.core.record import Record, set_field


class CodeInfo(Record):
    code: str
    title: str
    explanation: str
    suggestion: str
    topics: tuple[str, ...]  # keys of converter.core.topics.TOPICS: the mapping rules the code rests on

    def __init__(self, *, code: str, title: str, explanation: str, suggestion: str,
                 topics: tuple[str, ...] = ()) -> None:
        set_field(self, "code", code)
        set_field(self, "title", title)
        set_field(self, "explanation", explanation)
        set_field(self, "suggestion", suggestion)
        set_field(self, "topics", topics)

    @property
    def severity(self) -> Severity:
        return Severity.from_letter(self.code[4])

