"""Auth, retries, rate limits, bisection, cache and offline mode: real client, real sandbox."""

from __future__ import annotations

import json
import time

import pytest
from pyrate_limiter import RateItem

from reconciler.errors import FeishuAuthError, FeishuScopeError
from reconciler.feishu import (
    JOB_DATAS,
    TALENT_IDS,
    FeishuClient,
    KeyStore,
    RateLimits,
    TalentKey,
    TalentLookup,
    TransientError,
)
from reconciler.feishu.transport import make_limiter
from reconciler.sandbox import ENDPOINT_JOB_DATAS, ENDPOINT_TALENTS, SANDBOX_APP_ID, SANDBOX_APP_SECRET, Sandbox

ZHANG = TalentKey("mobile", "86", "13800138001")
WANG_EMAIL = TalentKey("email", "", "wang.fang@example.com")


def accepted(sandbox, endpoint=ENDPOINT_TALENTS) -> int:
    return sandbox.stats.snapshot()[endpoint]["accepted"]


def test_bad_secret_is_an_auth_error_without_the_secret(sandbox, make_client):
    client = make_client(app_secret="wrong-secret-value-123")
    with pytest.raises(FeishuAuthError) as info:
        client.batch_get_talent_ids(email_list=["zhang.wei@example.com"])
    assert info.value.exit_code == 3
    assert "wrong-secret-value-123" not in str(info.value) and "secret" in str(info.value)


def test_disabled_app_and_missing_scope_are_distinct(sandbox, make_client):
    sandbox.configure(scopes={"corehr:corehr:readonly"})
    with pytest.raises(FeishuScopeError) as info:
        make_client().batch_get_talent_ids(email_list=["zhang.wei@example.com"])
    assert "99991672" in str(info.value) and "hire/v1/talents/batch_get_id" in str(info.value)
    sandbox.configure(scopes=None, app_disabled=True)
    with pytest.raises(FeishuAuthError) as info:
        make_client().batch_get_talent_ids(email_list=["zhang.wei@example.com"])
    assert not isinstance(info.value, FeishuScopeError) and "disabled" in str(info.value)


def test_token_is_reused_then_replayed_once_after_expiry(sandbox, make_client):
    client = make_client()
    client.batch_get_talent_ids(email_list=["zhang.wei@example.com"])
    client.batch_get_talent_ids(email_list=["wang.fang@example.com"])
    assert client.counters.token_refreshes == 1
    sandbox.expire_tokens()  # mid-run: the token the client holds is now expired
    talents = client.batch_get_talent_ids(email_list=["li.na@example.com"])
    assert talents[0].talent_id == "6910000000000000003"
    assert client.counters.token_refreshes == 2
    assert sandbox.stats.snapshot()[ENDPOINT_TALENTS]["requests"] == 4  # 2 + the rejected one + its replay


def test_short_lived_tokens_are_refreshed_before_expiry(sandbox, make_client):
    sandbox.configure(token_ttl=2)
    client = make_client()
    now = [0.0]
    client.tokens.clock = lambda: now[0]
    for _ in range(3):
        client.batch_get_talent_ids(email_list=["zhang.wei@example.com"])
        # 1.6 s pass for both sides: past the refresh point (a quarter before expiry), not yet expired
        now[0] += 1.6
        sandbox.age_tokens(1.6)
    assert client.counters.token_refreshes == 3
    assert sandbox.stats.snapshot()[ENDPOINT_TALENTS]["requests"] == 3  # never sent a stale token


def test_429_waits_for_reset_then_succeeds(sandbox, make_client):
    sandbox.configure(per_second=3)
    client = make_client(workers=8)  # the client believes in a much higher limit
    with client.executor() as pool:
        answers = list(pool.map(lambda i: client.batch_get_talent_ids(email_list=["zhang.wei@example.com"]), range(8)))
    assert all(a and a[0].talent_id == "6910000000000000001" for a in answers)
    assert client.counters.rate_limited > 0
    assert sandbox.stats.snapshot()[ENDPOINT_TALENTS]["rate_limited"] == client.counters.rate_limited
    assert sandbox.stats.snapshot()[ENDPOINT_TALENTS]["max_per_second"] <= 3


def test_1002001_is_retried(sandbox, make_client):
    sandbox.configure(fault_rate=0.5, faults=("1002001",), seed=7)
    client = make_client()
    for email in ("zhang.wei@example.com", "wang.fang@example.com", "li.na@example.com", "liu.yang@example.com"):
        assert len(client.batch_get_talent_ids(email_list=[email])) == 1
    assert client.counters.retries > 0
    assert sandbox.stats.snapshot()[ENDPOINT_TALENTS]["faults"] == client.counters.retries


@pytest.mark.parametrize("fault", ["500", "502", "drop"])
def test_other_transient_faults_are_retried(sandbox, make_client, fault):
    sandbox.configure(fault_rate=0.5, faults=(fault,), seed=3)
    client = make_client()
    items = list(client.iter_job_datas(employment_id="E0001", user_id_type="user_id"))
    assert items and items[0].employment_id == "E0001"
    assert client.counters.retries == sandbox.stats.snapshot()[ENDPOINT_JOB_DATAS]["faults"]


def test_slow_answer_past_timeout_is_retried(sandbox, make_client):
    sandbox.configure(fault_rate=0.5, faults=("slow",), slow_seconds=1.0, seed=1)
    client = make_client(timeout=(2.0, 0.3))
    for email in ("zhang.wei@example.com", "wang.fang@example.com", "li.na@example.com"):
        assert client.batch_get_talent_ids(email_list=[email])
    assert client.counters.retries == sandbox.stats.snapshot()[ENDPOINT_TALENTS]["faults"] > 0


def test_retries_are_bounded_and_end_in_a_per_key_error(sandbox, make_client):
    client = make_client(max_retries=3)
    sandbox.configure(fault_rate=1.0, faults=("500",))
    with pytest.raises(TransientError):
        client.batch_get_talent_ids(email_list=["zhang.wei@example.com"])
    assert sandbox.stats.snapshot()[ENDPOINT_TALENTS]["requests"] == 4  # 1 + 3 retries
    results = TalentLookup(client).run([ZHANG, WANG_EMAIL])
    assert all(results[key].error and "temporary error" in str(results[key].error) for key in (ZHANG, WANG_EMAIL))


def test_1002009_is_isolated_to_the_one_bad_number(sandbox, make_client):
    good = [TalentKey("mobile", "86", n) for n in ("13800138001", "13912345678", "15011112222", "18600001111",
                                                  "13700002222", "13600003333", "13655554444")]
    bad = TalentKey("mobile", "86", "12345678901")  # second digit 2: Feishu answers 1002009
    client = make_client()
    results = TalentLookup(client).run(good + [bad])
    assert "1002009" in str(results[bad].error)
    assert all(results[k].error is None and len(results[k].talents) == 1 for k in good)
    # 8 keys: the batch, then halves down to the bad one alone: 1 + 2 + 2 + 2 requests
    assert client.counters.sent[TALENT_IDS.name] == 7


def test_batching_one_kind_per_request_max_100_grouped(sandbox, make_client):
    keys = [TalentKey("mobile", "86", f"139{i:08d}") for i in range(250)]
    keys += [TalentKey("mobile", "852", "91234567"), TalentKey("email", "", "zhang.wei@example.com")]
    keys += [TalentKey("id_number", "1", "110101199003070011"), TalentKey("id_number", "2", "E12345678")]
    keys += keys[:10]  # duplicates cost nothing
    client = make_client()
    results = TalentLookup(client).run(keys)
    assert client.counters.sent[TALENT_IDS.name] == 3 + 1 + 1 + 1 + 1
    assert results[TalentKey("mobile", "852", "91234567")].talents[0].talent_id == "6910000000000000021"
    assert results[TalentKey("id_number", "2", "E12345678")].talents[0].talent_id == "6910000000000000020"


def test_rerun_is_served_from_cache_with_zero_requests(sandbox, make_client, tmp_path):
    keys = [ZHANG, WANG_EMAIL, TalentKey("id_number", "1", "110101199003070011")]
    first = make_client(cache=True)
    TalentLookup(first, KeyStore(tmp_path / "cache.sqlite", app_key=first.app_key, expire_after=3600)).run(keys)
    list(first.iter_job_datas(employment_id="E0001", user_id_type="user_id"))
    sent_before = accepted(sandbox) + accepted(sandbox, ENDPOINT_JOB_DATAS)
    second = make_client(cache=True)
    store = KeyStore(tmp_path / "cache.sqlite", app_key=second.app_key, expire_after=3600)
    again = TalentLookup(second, store).run(keys)
    list(second.iter_job_datas(employment_id="E0001", user_id_type="user_id"))
    assert accepted(sandbox) + accepted(sandbox, ENDPOINT_JOB_DATAS) == sent_before
    assert sum(second.counters.sent.values()) == 0 and second.counters.cache_hits[JOB_DATAS.name] == 1
    assert again[ZHANG].talents[0].talent_id == "6910000000000000001"


def test_http_cache_hit_does_not_spend_rate_budget(sandbox, make_client):
    client = make_client(cache=True, limits=RateLimits(per_second=2, per_minute=100))
    for _ in range(5):
        client.batch_get_talent_ids(email_list=["zhang.wei@example.com"])
    assert client.counters.sent[TALENT_IDS.name] == 1 and client.counters.cache_hits[TALENT_IDS.name] == 4
    bucket = f"{client.app_key}:{ENDPOINT_TALENTS}"
    assert client.limiter.bucket_factory[bucket].count() == 1  # the one request sent: the hits spent nothing


def test_errors_are_not_cached(sandbox, make_client):
    client = make_client(cache=True, max_retries=0)
    sandbox.configure(fault_rate=1.0, faults=("1002001",))
    with pytest.raises(TransientError):
        client.batch_get_talent_ids(email_list=["zhang.wei@example.com"])
    sandbox.configure(fault_rate=0.0)
    assert client.batch_get_talent_ids(email_list=["zhang.wei@example.com"])
    assert client.counters.cache_hits[TALENT_IDS.name] == 0


def test_offline_answers_only_from_cache(sandbox, make_client, tmp_path):
    online = make_client(cache=True)
    TalentLookup(online, KeyStore(tmp_path / "cache.sqlite", app_key=online.app_key, expire_after=3600)).run([ZHANG])
    list(online.iter_job_datas(employment_id="E0001", user_id_type="user_id"))
    before = sandbox.stats.snapshot()
    offline = make_client(cache=True, offline=True)
    store = KeyStore(tmp_path / "cache.sqlite", app_key=offline.app_key, expire_after=3600, offline=True)
    results = TalentLookup(offline, store).run([ZHANG, WANG_EMAIL])
    assert results[ZHANG].talents[0].talent_id == "6910000000000000001"
    assert "offline" in str(results[WANG_EMAIL].error)
    assert list(offline.iter_job_datas(employment_id="E0001", user_id_type="user_id"))[0].employment_id == "E0001"
    assert sandbox.stats.snapshot() == before  # nothing at all was sent, not even auth


def test_cache_file_is_private_and_holds_no_token_or_secret(sandbox, make_client, tmp_path):
    client = make_client(cache=True)
    TalentLookup(client, KeyStore(tmp_path / "cache.sqlite", app_key=client.app_key, expire_after=3600)).run([ZHANG, WANG_EMAIL])
    list(client.iter_job_datas(employment_id="E0001", user_id_type="user_id"))
    token = client.tokens.get()
    path = tmp_path / "cache.sqlite"
    assert path.stat().st_mode & 0o777 == 0o600
    blob = b"".join(p.read_bytes() for p in tmp_path.glob("cache*"))  # HTTP cache, key store, side files
    assert len(blob) > 0 and token.encode() not in blob and SANDBOX_APP_SECRET.encode() not in blob
    assert b"Bearer" not in blob


def test_concurrent_lookups_stay_within_the_limits():
    with Sandbox(per_second=50, per_minute=1000) as sb:
        with FeishuClient(sb.url, SANDBOX_APP_ID, SANDBOX_APP_SECRET, workers=24) as client:  # default limits
            emails = [f"person{i}@example.com" for i in range(130)]
            with client.executor() as pool:
                list(pool.map(lambda e: client.batch_get_talent_ids(email_list=[e]), emails))
        stats = sb.stats.snapshot()[ENDPOINT_TALENTS]
    assert stats["accepted"] == 130 and stats["rate_limited"] == 0
    assert stats["max_per_second"] <= 50 and stats["max_per_minute"] <= 1000
    assert stats["max_per_second"] >= 40  # the limiter let the workers use the budget


def test_per_minute_limit_blocks_before_the_sandbox_would_refuse():
    with Sandbox(per_second=50, per_minute=20) as sb:
        limits = RateLimits(per_second=50, per_minute=20)
        with FeishuClient(sb.url, SANDBOX_APP_ID, SANDBOX_APP_SECRET, limits=limits, workers=8) as client:
            with client.executor() as pool:
                list(pool.map(lambda i: client.batch_get_talent_ids(email_list=[f"p{i}@example.com"]), range(20)))
            bucket = f"{client.app_key}:{ENDPOINT_TALENTS}"
            assert not client.limiter.try_acquire(bucket, blocking=False)  # the 21st must wait for the minute
        stats = sb.stats.snapshot()[ENDPOINT_TALENTS]
    assert stats["accepted"] == 20 and stats["rate_limited"] == 0 and stats["max_per_minute"] <= 20


def test_the_pacer_spreads_a_window_instead_of_spending_it_at_once():
    # Feishu's 50/s: four requests go through back to back, the fifth waits for its turn
    # (4 per 80 ms) although the second's window still has room for 46.
    limiter = make_limiter(None)
    bucket = "app:hire/v1/talents/batch_get_id"
    try:
        assert all(limiter.try_acquire(bucket, blocking=False) for _ in range(4))
        assert not limiter.try_acquire(bucket, blocking=False)
        waiting = limiter.bucket_factory[bucket].waiting(RateItem(bucket, limiter.bucket_factory[bucket].now()))
        assert 0 < waiting <= 81
    finally:
        limiter.close()


def _stored_run(make_client, tmp_path, keys, **store_options):
    client = make_client(cache=True)
    store = KeyStore(tmp_path / "cache.sqlite", app_key=client.app_key, expire_after=3600, **store_options)
    TalentLookup(client, store).run(keys)
    return store


def test_stored_answers_are_read_when_rows_ask_and_a_stale_one_is_asked_again(sandbox, make_client, tmp_path):
    keys = [ZHANG, WANG_EMAIL, TalentKey("id_number", "1", "110101199003070011")]
    store = _stored_run(make_client, tmp_path, keys)
    client = make_client(cache=True)
    known, batches = TalentLookup(client, store).pending(keys)
    assert batches == [] and all(key in known for key in keys) and len(known) == 3
    known.load([ZHANG])  # read ahead for the next rows; the others are read alone when asked
    assert known.get(ZHANG).talents[0].talent_id == "6910000000000000001"
    assert known[WANG_EMAIL].talents[0].talent_id == known.get(WANG_EMAIL).talents[0].talent_id
    assert known.get(TalentKey("email", "", "nobody@example.com")) is None
    # Stored 2 hours ago with a 1-hour expiry: the key is asked again, its record's time read from its start.
    # (A set of keys other than the one pending found all fresh: that one is remembered, see below.)
    some = keys[:2]
    with store._dict.connection() as con:
        con.execute(f"UPDATE {store._dict.table_name} SET value = replace(value, ?, ?)",
                    ('{"t": ', '{"t": 1'))  # 1 followed by the old digits: far in the future...
    assert store.fresh_keys(some) == set(some)
    with store._dict.connection() as con:
        con.execute(f"UPDATE {store._dict.table_name} SET value = replace(value, '{{\"t\": 1', '{{\"t\": -')")
    assert store.fresh_keys(keys[1:]) == set()  # ...and far in the past
    assert len(TalentLookup(client, store).pending(keys[1:])[1]) == 2


def test_a_set_of_keys_found_all_fresh_is_answered_from_one_fact_until_its_oldest_record_expires(
        sandbox, make_client, tmp_path, monkeypatch):
    keys = [ZHANG, WANG_EMAIL, TalentKey("id_number", "1", "110101199003070011")]
    store = _stored_run(make_client, tmp_path, keys)
    read = []
    real = store._unfresh
    monkeypatch.setattr(store, "_unfresh", lambda names, after: read.extend(names) or real(names, after))
    assert store.stale_keys(keys[:2]) == set() and len(read) == 2  # read, found all fresh, remembered
    assert store.stale_keys(list(reversed(keys[:2]))) == set() and len(read) == 2  # the same set: no record read
    assert store.stale_keys(keys[1:]) == set() and len(read) == 4  # another set is read
    expired = time.time() + 1  # as fresh_after is an hour from now (1-hour expiry): every record too old
    assert store.stale_keys(keys[:2], fresh_after=expired) == set(keys[:2]) and len(read) == 6  # the fact too
    assert store.stale_keys(keys, fresh_after=float("-inf")) == set()  # offline: any age will do
    known, batches = TalentLookup(make_client(cache=True), store).pending(keys)
    assert batches == [] and len(known) == 3 and known.get(ZHANG).talents[0].talent_id == "6910000000000000001"
    store.clear()  # `reconciler cache clear`: the facts go with the records
    assert store.stale_keys(keys) == set(keys)


def test_a_record_of_another_shape_is_read_whole_and_a_vanished_one_is_no_answer(sandbox, make_client, tmp_path):
    store = _stored_run(make_client, tmp_path, [ZHANG, WANG_EMAIL])
    with store._dict.connection() as con:  # the same JSON, keys in another order: no quick read of its time
        rows = con.execute(f"SELECT key, value FROM {store._dict.table_name}").fetchall()
        for name, value in rows:
            record = json.loads(value)
            con.execute(f"UPDATE {store._dict.table_name} SET value = ? WHERE key = ?",
                        (json.dumps({"v": record["v"], "t": record["t"]}), name))
    known, batches = TalentLookup(make_client(cache=True), store).pending([ZHANG, WANG_EMAIL])
    assert batches == [] and known.get(ZHANG).talents[0].talent_id == "6910000000000000001"
    store.clear()  # e.g. `reconciler cache clear` from another window while this run decides
    assert known.get(WANG_EMAIL) is None and WANG_EMAIL not in known and len(known) == 2  # counted when looked


def test_a_stale_record_of_another_shape_is_asked_again(sandbox, make_client, tmp_path):
    store = _stored_run(make_client, tmp_path, [ZHANG, WANG_EMAIL])
    with store._dict.connection() as con:  # ZHANG's record: its time last, and two hours old
        for name, value in con.execute(f"SELECT key, value FROM {store._dict.table_name}").fetchall():
            record = json.loads(value)
            if "6910000000000000001" in value:
                con.execute(f"UPDATE {store._dict.table_name} SET value = ? WHERE key = ?",
                            (json.dumps({"v": record["v"], "t": record["t"] - 7200}), name))
    # (Each key alone: the pair was remembered as fresh by the run that stored it; records do not age so.)
    assert store.stale_keys([ZHANG]) == {ZHANG} and store.stale_keys([WANG_EMAIL]) == set()
    assert store.stale_keys([ZHANG], fresh_after=float("-inf")) == set()  # offline: any age


def test_a_store_of_the_old_table_shape_is_moved_over_once(sandbox, make_client, tmp_path):
    from reconciler.feishu.cachefiles import describe
    from reconciler.feishu.keystore import OLD_TABLE, TABLE

    store = _stored_run(make_client, tmp_path, [ZHANG, WANG_EMAIL])
    with store._dict.connection() as con:  # what a store written before the WITHOUT ROWID table looks like
        con.execute(f"CREATE TABLE {OLD_TABLE} (key TEXT PRIMARY KEY, value BLOB, expires INTEGER)")
        con.execute(f"INSERT INTO {OLD_TABLE} SELECT key, value, expires FROM {TABLE}")
        con.execute(f"DROP TABLE {TABLE}")
    store.close()
    # Two answers, and the fact that the run which stored them asked about both (stale_keys).
    assert describe(tmp_path / "cache.sqlite")["entries"].endswith(" 3 remembered keys")
    client = make_client(cache=True)
    reopened = KeyStore(tmp_path / "cache.sqlite", app_key=client.app_key, expire_after=3600)
    with reopened._dict.connection() as con:
        tables = {row[0] for row in con.execute("SELECT name FROM sqlite_master WHERE type = 'table'")}
    assert OLD_TABLE not in tables and TABLE in tables
    assert describe(tmp_path / "cache.sqlite")["entries"].endswith(" 3 remembered keys")
    known, batches = TalentLookup(client, reopened).pending([ZHANG, WANG_EMAIL])
    assert batches == [] and known.get(ZHANG).talents[0].talent_id == "6910000000000000001"


def test_a_run_that_asked_feishu_about_every_key_remembers_the_set_unless_one_failed(sandbox, make_client, tmp_path,
                                                                                   monkeypatch):
    good = [ZHANG, WANG_EMAIL, TalentKey("id_number", "1", "110101199003070011")]
    store = _stored_run(make_client, tmp_path, good)  # a cold run: every key asked, every answer stored
    read = []
    real = store._unfresh
    monkeypatch.setattr(store, "_unfresh", lambda names, after: read.extend(names) or real(names, after))
    assert store.stale_keys(good) == set() and read == []  # the rerun of the same keys reads no record
    bad = TalentKey("mobile", "86", "12345678901")  # Feishu answers 1002009: this key has no stored answer
    other = KeyStore(tmp_path / "other.sqlite", app_key=store._app_key, expire_after=3600)
    results = TalentLookup(make_client(cache=True), other).run([*good, bad])
    assert results[bad].error is not None
    monkeypatch.setattr(other, "_unfresh", lambda names, after: read.extend(names) or real(names, after))
    assert other.stale_keys([*good, bad]) == {bad} and len(read) == 4  # not remembered: read, and asked again
