"""The zh-CN texts of the workbook a person reads (spec 6a), part of the zh_CN catalogue.

Kept apart from zh_CN.py by responsibility (and so that neither file outgrows the
module size limit); zh_CN.py merges them into its one flat `MESSAGES` dict, so every
rule of the catalogue holds for them too (same keys and placeholders in both languages).
Keys: sheet.* names of the sheets the tool adds, label.* their texts, note.* row notes,
meaning.* / todo.* what a status means and what to do about it (talent / job data).
"""

from __future__ import annotations

WORKBOOK: dict[str, str] = {
    "sheet.summary": "汇总", "sheet.review": "待处理", "label.title": "核对汇总", "label.time": "{time}（UTC{offset}）",
    "label.meaning": "含义", "label.todo": "怎么处理", "label.requests_cache": "请求与缓存",
    "label.endpoint": "请求", "label.review_hint": "需要处理的行：见工作表 {sheet}", "label.link": "转到",
    "label.link_text": "第 {row} 行", "label.row": "行号", "label.notes": "备注", "label.review_none": "没有需要处理的行：每一行都已匹配。",
    "note.duplicate": "与第 {row} 行重复", "note.pointed": "{column} {value} → {ids}", "note.then": "{first}；{rest}",
    "meaning.talent.matched": "飞书招聘中有一位人才具有该行的全部标识。", "todo.talent.matched": "无需处理。",
    "meaning.talent.partial": "找到一位人才，但该行有标识无效或没有查到。", "todo.talent.partial": "核对备注中提到的标识，在表格或飞书中改正。",
    "meaning.talent.not_found": "飞书招聘中没有具有这些标识的人才。", "todo.talent.not_found": "检查手机号、邮箱是否有误；若无误，说明该候选人尚未录入飞书招聘。",
    "meaning.talent.conflict": "各标识指向不同的人才。", "todo.talent.conflict": "在飞书招聘中打开备注列出的人才，找出哪个标识有误。",
    "meaning.talent.ambiguous": "多位人才共用这些标识。", "todo.talent.ambiguous": "在飞书招聘中打开备注列出的人才：合并重复的人才，或在表格中补充邮箱或证件号。",
    "meaning.talent.invalid": "该行没有有效的标识。", "todo.talent.invalid": "按备注改正有误的值，或补上手机号、邮箱。",
    "meaning.talent.error": "查询失败（网络、权限，或离线缓存中没有）。", "todo.talent.error": "稍后重新运行；如一直失败，请把备注发给飞书管理员。",
    "meaning.job.found": "找到该员工的任职数据，且与表格一致。", "todo.job.found": "无需处理。",
    "meaning.job.mismatch": "找到任职数据，但对比的列与飞书不一致（单元格批注显示飞书的值）。", "todo.job.mismatch": "确认哪一方正确，再改正表格或飞书人事。",
    "meaning.job.not_found": "该工号（在指定日期）没有任职数据。", "todo.job.not_found": "检查工号；此人可能尚未入职。",
    "meaning.job.no_key": "工号为空。", "todo.job.no_key": "有工号后再核对即可。",
    "meaning.job.error": "任职数据查询失败（网络或权限）。", "todo.job.error": "稍后重新运行；如一直失败，请把备注发给飞书管理员。",
}
