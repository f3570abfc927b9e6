"""A decision rule `prefer_id_number`: the ID number decides, other identifiers only add notes.

Mobiles get reassigned and emails get shared; an ID number is the person. With
`talent.mode: prefer_id_number`, a row whose ID number resolves to exactly one
talent is `matched` to that talent even when its mobile or email points to
someone else (mode `all` would say `conflict`); each identifier that disagrees,
is unknown to Feishu or is invalid is reported in the note, so someone can fix
the sheet or Feishu. A row without a usable ID-number answer is decided as
mode `any`.

Recipe (load with --plugins plugins/prefer_id_number.py, or the whole plugins folder):

    talent:
      inputs: {mobile: 手机号, email: 邮箱, id_number: 证件号}
      mode: prefer_id_number
"""

from reconciler.hookspecs import hookimpl
from reconciler.matching import DecisionRule, TalentDecision, decide_talent, merge_talent

__version__ = "1.0"


class PreferIdNumber(DecisionRule):
    name = "prefer_id_number"
    description = "the ID number's talent wins; a mobile or email pointing elsewhere is noted, not a conflict"

    def decide(self, resolved):
        by_id = next(
            (r for r in resolved
             if r.input == "id_number" and r.lookup is not None and not r.lookup.error and len(r.talent_ids) == 1),
            None,
        )
        if by_id is None:
            return decide_talent(resolved, require_all=False)
        (talent_id,) = by_id.talent_ids
        notes = []
        for r in resolved:
            if r is by_id or not r.normalised.present:
                continue
            if not r.normalised.valid:
                notes.append(r.normalised.error)
            elif r.lookup is None or r.lookup.error:
                notes.append(f"{r.column}: not checked ({r.lookup.error if r.lookup else 'no lookup'})")
            elif talent_id not in r.talent_ids:
                others = ", ".join(sorted(r.talent_ids)) or "no talent"
                notes.append(f"{r.column} disagrees with the ID number: it points to {others}")
        return TalentDecision("matched", merge_talent(talent_id, resolved), notes)


@hookimpl
def register_matchers(register):
    register(PreferIdNumber())
