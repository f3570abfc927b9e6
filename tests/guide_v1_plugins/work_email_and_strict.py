# docs/plugins.md before the plugin API (issue 17), kept unchanged: old import paths must keep working.
from reconciler.hookspecs import hookimpl
from reconciler.matching import DecisionRule, IdentifierMatcher, TalentDecision, decide_talent
from reconciler.model import Cell
from reconciler.normalize import normalise_email


class EmployeeEmail(IdentifierMatcher):
    """talent.inputs: {work_email: 工号}: E0012 -> e0012@corp.example.com"""
    name = "work_email"
    description = "employee ID turned into the company email address"

    def identify(self, row, spec):
        employee = row.get(spec.column).text.strip()
        email = f"{employee}@corp.example.com" if employee else ""  # blank stays blank: not present
        return normalise_email(Cell(email, email), column=spec.column)


class Strict(DecisionRule):
    name = "strict"
    description = "like all, but a partial row counts as not_found"

    def decide(self, resolved):
        decision = decide_talent(resolved, require_all=True)
        if decision.status == "partial":
            return TalentDecision("not_found", notes=decision.notes)
        return decision


@hookimpl
def register_matchers(register):
    register(EmployeeEmail())
    register(Strict())
