"""The en-US texts of the workbook a person reads (spec 6a), part of the en_US catalogue.

Kept apart from en_US.py by responsibility (and so that neither file outgrows the
module size limit); en_US.py merges them into its one flat `MESSAGES` dict, so every
rule of the catalogue holds for them too (same keys and placeholders in both languages).
Keys: sheet.* names of the sheets the tool adds, label.* their texts, note.* row notes,
meaning.* / todo.* what a status means and what to do about it (talent / job data).
"""

from __future__ import annotations

WORKBOOK: dict[str, str] = {
    "sheet.summary": "Summary", "sheet.review": "To review", "label.title": "Reconciliation summary",
    "label.time": "{time} (UTC{offset})", "label.meaning": "What it means",
    "label.todo": "What to do", "label.requests_cache": "Requests and cache", "label.endpoint": "Request",
    "label.review_hint": "Rows to review: see the sheet {sheet}", "label.link": "Go to",
    "label.link_text": "row {row}", "label.row": "Row", "label.notes": "Notes",
    "label.review_none": "Nothing to review: every row matched.", "note.duplicate": "same as row {row}",
    "note.pointed": "{column} {value} → {ids}", "note.then": "{first}; {rest}",
    "meaning.talent.matched": "One talent in Feishu Hire has every identifier of the row.", "todo.talent.matched": "Nothing to do.",
    "meaning.talent.partial": "One talent found, but an identifier of the row is invalid or found no one.", "todo.talent.partial": "Check the identifier the note names and correct it in the sheet or in Feishu.",
    "meaning.talent.not_found": "No talent in Feishu Hire has these identifiers.", "todo.talent.not_found": "Check the phone and email for typos; if they are right, the candidate is not in Feishu Hire yet.",
    "meaning.talent.conflict": "The identifiers point to different talents.", "todo.talent.conflict": "Open the talents the note names in Feishu Hire and find which identifier is wrong.",
    "meaning.talent.ambiguous": "Several talents share these identifiers.", "todo.talent.ambiguous": "Open the talents the note names in Feishu Hire: merge duplicates, or add an email or ID number to the sheet.",
    "meaning.talent.invalid": "The row has no valid identifier.", "todo.talent.invalid": "Correct the value the note names, or fill in a phone or email.",
    "meaning.talent.error": "The lookup failed (network, permissions, or not in the offline cache).", "todo.talent.error": "Run again later; if it keeps failing, send the note to your Feishu administrator.",
    "meaning.job.found": "The employee's job data was found and agrees with the sheet.", "todo.job.found": "Nothing to do.",
    "meaning.job.mismatch": "Job data found, but a compared column differs from Feishu (the cell's comment shows Feishu's value).", "todo.job.mismatch": "Decide which value is right, then correct the sheet or CoreHR.",
    "meaning.job.not_found": "No job data for this employee ID (on the date asked).", "todo.job.not_found": "Check the employee ID; the person may not be onboarded yet.",
    "meaning.job.no_key": "The employee ID cell is empty.", "todo.job.no_key": "Nothing to do until the person has an employee ID.",
    "meaning.job.error": "The job data lookup failed (network or permissions).", "todo.job.error": "Run again later; if it keeps failing, send the note to your Feishu administrator.",
}
