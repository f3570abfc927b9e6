"""Sandbox tenants: the demo tenant's promises (DEMO_TENANT.md) and the generator."""

from __future__ import annotations

import time
from collections import Counter
from pathlib import Path

import phonenumbers

from reconciler.sandbox import Talent, Tenant, demo_tenant, generate_tenant
from reconciler.sandbox.demo_build import build_demo_tenant
from reconciler.sandbox.demo_guide import render_guide
from reconciler.sandbox.job_datas_api import is_current
from reconciler.sandbox.talents_api import mobile_is_valid
from reconciler.sandbox.tenant import mainland_id_check_char

SANDBOX_DIR = Path(__file__).resolve().parent.parent / "reconciler" / "sandbox"


def valid_mainland_id(number: str) -> bool:
    return len(number) == 18 and number[:17].isdigit() and mainland_id_check_char(number[:17]) == number[17]


def test_check_digit_matches_known_ids():
    # published example IDs with known check characters
    assert mainland_id_check_char("11010519491231002") == "X"
    assert mainland_id_check_char("44052418800101001") == "4"


def test_committed_demo_files_are_what_the_builder_produces():
    built = build_demo_tenant()
    assert demo_tenant() == built
    assert (SANDBOX_DIR / "DEMO_TENANT.md").read_text(encoding="utf-8") == render_guide(built)


def test_demo_tenant_covers_its_scenarios():
    t = demo_tenant()
    assert 25 <= len(t.talents) <= 40 and 10 <= len(t.employees) <= 20
    mobiles = Counter((x.mobile_code, x.mobile_number) for x in t.talents if x.mobile_number)
    shared = [m for m, n in mobiles.items() if n > 1]
    assert shared == [("86", "13500135000")]
    sharing = [x for x in t.talents if x.mobile_number == "13500135000"]
    assert len({x.email for x in sharing}) == 2
    assert all(mobile_is_valid(x.mobile_code, x.mobile_number) for x in t.talents if x.mobile_number)
    assert any(x.mobile_code == "852" for x in t.talents)
    type1 = [x.identification_number for x in t.talents if x.identification_type == 1]
    assert len(type1) >= 5 and all(valid_mainland_id(n) for n in type1)
    assert any(n.endswith("X") for n in type1)
    assert any(x.identification_type == 2 for x in t.talents)
    assert {x.is_onboarded for x in t.talents} == {True, False}
    assert all(x.email == x.email.lower() for x in t.talents if x.email)
    assert [e.user_id for e in t.employees] == [f"E{n:04d}" for n in range(1, 16)]


def test_demo_job_data_scenarios():
    t = demo_tenant()
    now = "2026-11-21 12:00:00"
    e4 = [j for j in t.job_datas if j["employment_id"] == "7040000000000000004" and is_current(j, now)]
    assert sorted(j["primary_job_data"] for j in e4) == [False, True]
    assert any(j.get("expiration_time") for j in t.job_datas)
    e7 = next(j for j in t.job_datas if j["employment_id"] == "7040000000000000007")
    assert [c["rate"] for c in e7["cost_center_rate"]] == [60, 40]
    assert len(e7["dotted_line_manager_id_list"]) == 2 and e7["weekly_working_hours_v2"] == 37.5
    langs = {d["lang"] for d in e7["assignment_start_reason"]["display"]}
    assert langs == {"zh-CN", "en-US"}


def test_talent_normalises_source_case_and_json_round_trips():
    talent = Talent("1", mobile_number="13800138000", email="Mixed.Case@Example.COM",
                    identification_type=1, identification_number="11010519491231002x")
    assert (talent.mobile_code, talent.email, talent.identification_number) == \
        ("86", "mixed.case@example.com", "11010519491231002X")
    tenant = generate_tenant(talents=50, employees=20, departments=3, seed=5)
    assert Tenant.from_json(tenant.to_json()) == tenant


def test_generator_is_deterministic_realistic_and_fast():
    started = time.perf_counter()
    big = generate_tenant(talents=10_000, employees=600, seed=1)
    assert time.perf_counter() - started < 3
    assert len(big.talents) == 10_000 and len(big.employees) == 600
    assert generate_tenant(talents=300, employees=50, seed=2) == generate_tenant(talents=300, employees=50, seed=2)
    assert generate_tenant(talents=300, employees=50, seed=2) != generate_tenant(talents=300, employees=50, seed=3)

    mainland = Counter(x.mobile_number for x in big.talents if x.mobile_code == "86")
    shared = sum(1 for n in mainland.values() if n > 1)
    assert 20 <= shared <= 200  # ~1% of 10,000, everything else unique
    assert {x.mobile_code for x in big.talents if x.mobile_code} == {"86", "852", "1"}
    for x in big.talents:
        if x.mobile_number:
            assert mobile_is_valid(x.mobile_code, x.mobile_number), x
            if x.mobile_code != "86":
                assert phonenumbers.is_possible_number(phonenumbers.parse(f"+{x.mobile_code}{x.mobile_number}"))
    ids = [x.identification_number for x in big.talents if x.identification_type == 1]
    assert 5000 <= len(ids) == len(set(ids)) and all(valid_mainland_id(n) for n in ids)
    assert len({x.talent_id for x in big.talents}) == 10_000
    assert len({x.email for x in big.talents}) == 10_000

    now = "2026-11-21 12:00:00"
    for emp in big.employees:
        current = [j for j in big.job_datas if j["employment_id"] == emp.people_corehr_id and is_current(j, now)]
        assert sum(j["primary_job_data"] for j in current) == 1
    assert any(not j["primary_job_data"] for j in big.job_datas)
    assert any(j.get("expiration_time") for j in big.job_datas)
