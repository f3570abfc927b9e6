"""Write the sample sheets of `sample_sheets/` (run: python sample_sheets/make_samples.py [OUT_DIR]).

Every person and identifier below comes from the embedded sandbox's demo tenant
(reconciler/sandbox/DEMO_TENANT.md), so the samples reconcile against
`reconciler run ... --sandbox` out of the box; the people are fictional.

The output is deterministic (fixed workbook dates and zip timestamps), so rerunning
this script gives the same files and git sees no change. Edit the data here, never
the .xlsx by hand: tests/test_samples.py regenerates the files and compares them.

- onboarding_zh.xlsx  Chinese headers on row 3 (a title above), a second sheet 说明,
                      for recipes/onboarding.yaml: every talent and job-data status.
- candidates_en.xlsx  English headers on row 1, for recipes/talent_only.yaml and
                      recipes/job_data_en.yaml.
- candidates_export_en.csv   a few rows of the English sheet as CSV (UTF-8 with BOM).
"""

from __future__ import annotations

import csv
import datetime as dt
import io
import sys
import zipfile
from pathlib import Path

from openpyxl import Workbook
from openpyxl.styles import Alignment, Font, PatternFill
from openpyxl.utils import get_column_letter
from openpyxl.writer.excel import ExcelWriter

HERE = Path(__file__).resolve().parent
FIXED_TIME = dt.datetime(2026, 1, 5, 9, 0, 0)  # workbook created/modified, and every zip entry's time
HEADER_FILL = PatternFill("solid", fgColor="DDEBF7")  # light blue
NOTE_FILL = PatternFill("solid", fgColor="FFF2CC")  # light yellow on the remarks column
DATE_FORMAT = "yyyy-mm-dd"


def day(year: int, month: int, date: int) -> dt.datetime:
    """A real date cell (openpyxl reads dates back as datetime)."""
    return dt.datetime(year, month, date)


# ------------------------------------------------------------------ onboarding_zh.xlsx

ZH_TITLE = "2026年入职核对表（示例数据，人员均为虚构）"
ZH_HEADERS = ["姓名", "手机号", "区号", "邮箱", "证件类型", "证件号", "工号", "入职日期", "部门ID", "部门名称", "职级", "备注"]
# 部门名称 as the HR sheet writes it, from its 部门ID (the demo tenant's zh-CN department names)
ZH_DEPARTMENT_NAMES = {"D100": "总经办", "D200": "研发部", "D300": "销售部", "D400": "人力资源部", "D500": "财务部"}
BLANK = None  # a fully blank row in the middle of the data

# One tuple per row, in ZH_HEADERS order. The messy cells are on purpose: numbers for
# mobiles, spaces, 0086, full-width digits, capitals in emails, a lower-case x, an ID
# typed as a number, dates both as date cells and as text.
ZH_ROWS = [
    ("张伟", 13800138001, 86, "zhang.wei@example.com", "居民身份证", "110101199003070011", "E0001",
     day(2020, 1, 6), "D100", "M5", "三项标识均匹配；手机号是数字单元格"),
    ("王芳", "+86 139 1234 5678", None, " Wang.Fang@Example.COM ", "身份证", "31010419880512006X", "E0002",
     "2024/06/30", "D300", "P5", "调岗前一天（文本日期）：当时在销售部 D300"),
    ("王芳", 13912345678, 86, "wang.fang@example.com", None, None, "E0002",
     day(2024, 7, 1), "D300", "P6", "2024-07-01 已调到研发部 D200：表中 D300 不一致"),
    ("李娜", "0086 150 1111 2222", None, "li.na@example.com", 1, "440305199308210014", "E0003",
     "2025-03-01", "D400", "P6", "0086 开头；证件类型写数字 1；2025-03-01 调到人力资源部"),
    ("刘洋", "１８６００００１１１１", None, "liu.yang@example.com", None, None, "E0004",
     None, None, "P5", "全角数字；入职日期留空则取当前主任职"),
    ("陈静", 13700002222, 86, "chen.jing@example.com", None, None, "E0005",
     day(2025, 7, 1), "D500", "P5", "2025-06-30 已离职：该日期无任职数据"),
    ("杨磊", "136-0000-3333", 86, "yang.lei@example.com", None, None, "E0006",
     day(2023, 2, 1), "D200", "P5", "2030 年的晋升尚未生效"),
    ("赵敏", 13655554444, 86, "ZHAO.MIN@EXAMPLE.COM", "身份证", "510104198501150013", "E0007",
     day(2022, 8, 15), "D200", "P5", "成本中心 60/40、两位虚线上级、每周 37.5 小时"),
    ("徐磊", 13766667777, None, "xu.lei@example.com", None, None, "E0008",
     day(2020, 6, 1), "D300", "M4", "销售部负责人"),
    ("朱琳", 13877778888, None, "Zhu.Lin@example.com", None, None, "E0009",
     day(2020, 9, 1), "D400", "M4", "人力资源部负责人"),
    ("胡军", 13988889999, None, "hu.jun@example.com", None, None, "E0010",
     day(2024, 3, 11), "D300", "P1", "时薪、排班"),
    ("郑爽", 15899990000, None, "zheng.shuang@example.com", None, None, "E0011",
     "2021年1月4日", "D500", "M4", "中文文本日期"),
    ("梁嘉欣", "5123 4567", 852, "leung.kayan@example.com", None, None, "E0012",
     day(2023, 11, 20), "D300", "P5", "香港手机号：区号列写 852"),
    ("宋佳", 17712345678, None, "song.jia@example.com", None, None, "E9999",
     day(2024, 2, 19), "D300", "P1", "工号写错（应为 E0013）：飞书无此员工"),
    ("谢楠", 18811112222, None, "xie.nan@example.com", None, None, "E0014",
     day(2025, 4, 7), "D200", "P5", ""),
    ("唐诗", 19912345678, None, "tang.shi@example.com", None, None, "E0015",
     day(2026, 9, 1), "D200", "P1", "试用期中：尚无试用期结束日期"),
    BLANK,
    ("黄小敏", 13500135000, None, "huang.xiaomin@example.com", None, None, None,
     None, None, None, "与黄晓明共用手机号，邮箱确定是她"),
    ("黄晓明", 13500135000, None, None, None, None, None,
     None, None, None, "只有共用的手机号：两位人才都符合"),
    ("郭静", None, None, "guo.jing@example.com", None, None, None,
     None, None, None, "只有共用的邮箱：两位人才都符合"),
    ("郭晶", 13133334444, None, "Guo.Jing@example.com", None, None, None,
     None, None, None, "共用邮箱加她自己的手机号：确定是她"),
    ("周杰", 13311112222, None, "wu.ting@example.com", None, None, None,
     None, None, None, "手机号是周杰的，邮箱却是吴婷的"),
    ("何敏", 14512345678, None, "nobody@example.com", None, None, None,
     None, None, None, "手机号匹配，邮箱在招聘系统中不存在"),
    ("许晴", 19800001111, None, "xu.qing@example", None, None, None,
     None, None, None, "手机号匹配，邮箱格式错误（缺少域名后缀）"),
    ("罗军", None, None, None, "身份证", "42010619950909009x", None,
     None, None, None, "身份证号末位小写 x"),
    ("马丽", None, None, None, "身份证", 330106199106300000, None,
     None, None, None, "身份证号被存成数字，Excel 只保留 15 位"),
    ("孙悦", None, None, "sun.yue@example.com", "护照", "E12345678", None,
     None, None, None, "护照"),
    ("陈小春", "9123 4567", "+852", None, None, None, None,
     None, None, None, "香港手机号：区号列写 +852"),
    ("John Smith", "+1 415 555 0132", None, "John.Smith@Example.com", "护照", "561234987", None,
     None, None, None, "美国手机号和护照"),
    BLANK,
    ("高远", 17011112222.0, 86, "gao.yuan@example.com", "居民身份证", "110105199204200017", None,
     None, None, None, "尚未入职"),
    ("林峰", None, None, " lin.feng@example.com", None, None, None,
     None, None, None, "只有邮箱（前面有空格）"),
    ("钱多多", 13000000000, None, "nobody@example.com", "身份证", "110101200001011232", None,
     None, None, None, "三项都有效，但招聘系统中没有此人"),
    ("李四", 12345678901, None, "not-an-email", None, None, None,
     None, None, None, "手机号第二位是 2；邮箱没有 @"),
    ("王五", 1380013800, None, None, "身份证", "110101199003077771", None,
     None, None, None, "手机号只有 10 位；身份证号校验位错误"),
    ("赵六", "1234", 852, None, None, None, None,
     None, None, None, "香港号码太短"),
    ("徐磊", 13766667777, None, "xu.lei@example.com", None, None, "E0008",
     day(2020, 6, 1), "D300", "M4", "重复行：与上面的徐磊完全相同"),
]

ZH_INSTRUCTIONS = [
    ("使用说明", ""),
    ("", ""),
    ("本工作簿", "reconciler 的示例数据；人员、手机号、证件号均为虚构，对应内置飞书沙箱的演示租户。"),
    ("运行", "reconciler run recipes/onboarding.yaml sample_sheets/onboarding_zh.xlsx --sandbox"),
    ("结果", "写入 onboarding_zh.reconciled.xlsx；本文件不会被修改，本说明页在结果中也保持原样。"),
    ("", ""),
    ("列", "含义"),
    ("姓名", "仅供阅读，不参与匹配"),
    ("手机号 / 区号", "区号为空时默认 86；手机号自带 +852、0086 时以手机号为准"),
    ("邮箱", "不区分大小写，前后空格会被去掉"),
    ("证件类型 / 证件号", "证件类型可写 身份证、护照 或数字 1、2；身份证号请设为文本格式"),
    ("工号", "飞书员工 ID（user_id），用于查询任职数据"),
    ("入职日期", "按此日期取当时生效的任职版本；留空则取当前任职"),
    ("部门ID", "与飞书的部门 ID 比对，不一致时状态为 mismatch，单元格加批注"),
    ("部门名称", "与飞书的部门名称比对（按 output.locale 的语言），不一致时同样加批注"),
    ("", ""),
    ("人才状态", "matched 匹配 / partial 部分匹配 / not_found 未找到 / conflict 冲突 / ambiguous 多人符合 / invalid 无效"),
    ("任职状态", "found 找到 / mismatch 不一致 / not_found 未找到 / no_key 无工号"),
]

ZH_WIDTHS = {"A": 12, "B": 22, "C": 8, "D": 30, "E": 12, "F": 22, "G": 9, "H": 14, "I": 9, "J": 12, "K": 7, "L": 44}


def onboarding_zh() -> Workbook:
    workbook = Workbook()
    sheet = workbook.active
    sheet.title = "入职名单"
    last_column = get_column_letter(len(ZH_HEADERS))
    sheet["A1"] = ZH_TITLE
    sheet["A1"].font = Font(bold=True, size=14)
    sheet.merge_cells(f"A1:{last_column}1")
    # row 2 stays blank; the header is on row 3
    for index, header in enumerate(ZH_HEADERS, start=1):
        cell = sheet.cell(3, index, header)
        cell.font = Font(bold=True)
        cell.fill = HEADER_FILL
        cell.alignment = Alignment(horizontal="center")
    date_column = ZH_HEADERS.index("入职日期") + 1
    note_column = ZH_HEADERS.index("备注") + 1
    for number, values in enumerate(ZH_ROWS, start=4):
        if values is BLANK:
            continue
        values = (*values[:9], ZH_DEPARTMENT_NAMES.get(values[8]), *values[9:])  # 部门名称 after 部门ID
        assert len(values) == len(ZH_HEADERS), values
        for index, value in enumerate(values, start=1):
            if value is None:
                continue
            cell = sheet.cell(number, index, value)
            if index == date_column and isinstance(value, dt.datetime):
                cell.number_format = DATE_FORMAT
            if index == note_column:
                cell.fill = NOTE_FILL
    for letter, width in ZH_WIDTHS.items():
        sheet.column_dimensions[letter].width = width

    guide = workbook.create_sheet("说明")
    for number, (label, text) in enumerate(ZH_INSTRUCTIONS, start=1):
        if label:
            guide.cell(number, 1, label).font = Font(bold=number in (1, 7))
        if text:
            guide.cell(number, 2, text).font = Font(bold=number == 7)
    guide.column_dimensions["A"].width = 18
    guide.column_dimensions["B"].width = 90
    return workbook


# ------------------------------------------------------------------ candidates_en.xlsx / .csv

EN_HEADERS = ["Name", "Mobile", "Country code", "Email", "ID type", "ID number", "Employee ID", "Start date",
              "Department ID", "Scenario"]

EN_ROWS = [
    ("Zhang Wei", 13800138001, 86, "zhang.wei@example.com", "ID card", "110101199003070011", "E0001",
     day(2020, 1, 6), "D100", "all three identifiers agree; mobile is a number cell"),
    ("Wang Fang", "+86 139-1234-5678", None, "Wang.Fang@Example.COM", "1", "31010419880512006X", "E0002",
     day(2021, 9, 1), "D300", "moved from Sales (D300) to Engineering (D200) on 2024-07-01"),
    ("Chen Jing", "13700002222", None, "chen.jing@example.com", None, None, "E0005",
     day(2021, 3, 1), "D500", "left on 2025-06-30: no current job data"),
    ("Liu Yang", "186 0000 1111", None, "liu.yang@example.com", None, None, "E0004",
     day(2023, 5, 8), None, "two current job data: the primary one is joined"),
    ("Zhao Min", None, None, " Zhao.Min@Example.com ", None, None, "E0007",
     day(2022, 8, 15), "D200", "email with capitals and spaces; cost centres 60/40"),
    ("Xu Lei", "0086 137 6666 7777", None, "xu.lei@example.com", None, None, "E0008",
     day(2020, 6, 1), "D300", "0086 prefix"),
    ("Song Jia", 17712345678, None, "song.jia@example.com", None, None, "E0031",
     day(2024, 2, 19), "D300", "employee ID typed wrong (should be E0013)"),
    ("Leung Ka-yan", "5123 4567", 852, "leung.kayan@example.com", None, None, "E0012",
     day(2023, 11, 20), "D300", "Hong Kong mobile: code column says 852"),
    ("Chan Siu-chun", "+852 9123 4567", None, None, None, None, None,
     None, None, "Hong Kong mobile with its own +852"),
    ("John Smith", "+1 415 555 0132", None, "John.Smith@Example.com", "Passport", "561234987", None,
     None, None, "US mobile and US passport"),
    ("Sun Yue", None, None, "sun.yue@example.com", "passport", "e12345678", None,
     None, None, "passport number in lower case"),
    ("Huang Xiaomin", "13500135000", None, "huang.xiaomin@example.com", None, None, None,
     None, None, "shared mobile, her own email singles her out"),
    ("Huang Xiaoming", "13500135000", None, None, None, None, None,
     None, None, "only the shared mobile: two talents"),
    ("Guo Jing", None, None, "guo.jing@example.com", None, None, None,
     None, None, "only the shared email: two talents"),
    ("Zhou Jie", "13311112222", None, "wu.ting@example.com", None, None, None,
     None, None, "Zhou Jie's mobile with Wu Ting's email"),
    ("He Min", "14512345678", None, "nobody@example.com", None, None, None,
     None, None, "mobile matches, email unknown to Hire"),
    ("Luo Jun", None, None, None, "ID card", "42010619950909009x", None,
     None, None, "ID ending in a lower-case x"),
    ("Ma Li", None, None, None, "ID card", "330106 19910630 0011", None,
     None, None, "ID typed with spaces"),
    ("Lin Feng", None, None, "LIN.FENG@example.com", None, None, None,
     None, None, "only an email"),
    ("Nobody Known", "13000000000", None, "nobody@example.com", "ID card", "110101200001011232", None,
     None, None, "all valid, nobody in Hire has them"),
    ("Typo Tom", "12345678901", None, "a@b", None, None, None,
     None, None, "mobile's second digit is 2; email has no dotted domain"),
    ("Short Sam", "1380013800", None, None, "ID card", "11010119900307", None,
     None, None, "10-digit mobile; 14-character ID"),
    ("No Identifier", None, None, None, None, None, None,
     None, None, "a name only: nothing to look up"),
]

# Rows of EN_ROWS (by Name) that also go into the CSV.
CSV_NAMES = ["Zhang Wei", "Wang Fang", "Leung Ka-yan", "Huang Xiaoming", "Zhou Jie", "He Min", "Nobody Known",
             "Typo Tom"]


def candidates_en() -> Workbook:
    workbook = Workbook()
    sheet = workbook.active
    sheet.title = "Candidates"
    for index, header in enumerate(EN_HEADERS, start=1):
        sheet.cell(1, index, header).font = Font(bold=True)
    date_column = EN_HEADERS.index("Start date") + 1
    for number, values in enumerate(EN_ROWS, start=2):
        assert len(values) == len(EN_HEADERS), values
        for index, value in enumerate(values, start=1):
            if value is not None:
                cell = sheet.cell(number, index, value)
                if index == date_column:
                    cell.number_format = DATE_FORMAT
    for letter, width in {"A": 16, "B": 20, "D": 28, "F": 22, "J": 50}.items():
        sheet.column_dimensions[letter].width = width
    return workbook


def csv_text() -> str:
    """The CSV rows as a person's "Save as CSV" would write them: every cell as displayed."""
    out = io.StringIO()
    writer = csv.writer(out, lineterminator="\r\n")
    writer.writerow(EN_HEADERS)
    for values in EN_ROWS:
        if values[0] in CSV_NAMES:
            writer.writerow(["" if v is None else v.strftime("%Y-%m-%d") if isinstance(v, dt.datetime) else v
                             for v in values])
    return out.getvalue()


# ------------------------------------------------------------------ writing


def save_deterministic(workbook: Workbook, path: Path) -> None:
    """Save like openpyxl does, but with fixed dates, so the same data gives the same bytes.

    openpyxl's save_workbook stamps "modified" with now and every zip entry with
    the current time; both are replaced by FIXED_TIME.
    """
    props = workbook.properties
    props.creator = props.last_modified_by = "reconciler sample_sheets/make_samples.py"
    props.created = props.modified = FIXED_TIME
    first = io.BytesIO()
    ExcelWriter(workbook, zipfile.ZipFile(first, "w", zipfile.ZIP_DEFLATED)).save()
    fixed = io.BytesIO()
    with zipfile.ZipFile(first) as source, zipfile.ZipFile(fixed, "w", zipfile.ZIP_DEFLATED) as target:
        for entry in source.infolist():
            info = zipfile.ZipInfo(entry.filename, date_time=FIXED_TIME.timetuple()[:6])
            info.compress_type = zipfile.ZIP_DEFLATED
            info.create_system = 3  # the same on every platform
            info.external_attr = 0o644 << 16
            target.writestr(info, source.read(entry))
    path.write_bytes(fixed.getvalue())


def write_samples(out_dir: Path) -> list[Path]:
    out_dir.mkdir(parents=True, exist_ok=True)
    written = [out_dir / "onboarding_zh.xlsx", out_dir / "candidates_en.xlsx", out_dir / "candidates_export_en.csv"]
    save_deterministic(onboarding_zh(), written[0])
    save_deterministic(candidates_en(), written[1])
    written[2].write_bytes(csv_text().encode("utf-8-sig"))
    return written


def main(argv: list[str]) -> None:
    out_dir = Path(argv[1]) if len(argv) > 1 else HERE
    for path in write_samples(out_dir):
        print(f"wrote {path}")
    if out_dir == HERE:  # the desktop hand-out's demo ships the same sheet (tests/test_desktop_helper.py)
        demo = HERE.parent / "desktop" / "demo" / "示例 入职名单 sample.xlsx"
        demo.write_bytes((HERE / "onboarding_zh.xlsx").read_bytes())
        print(f"wrote {demo}")


if __name__ == "__main__":
    main(sys.argv)
