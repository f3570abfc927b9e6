"""Talent lookups for any number of keys, in as few requests as the API allows.

The lists of batch_get_id are AND-combined, so each request carries ONE kind of
identifier: all mobiles of one country code, all emails, or all ID numbers of
one type; at most 100, deduplicated, sorted (a deterministic order keeps the
HTTP cache useful across runs). A batch answered with 1002009 is bisected until
the bad number is alone, so every other key still gets its answer.
"""

from __future__ import annotations

import logging
import time
from collections import defaultdict
from collections.abc import Callable, Iterable
from dataclasses import dataclass

from reconciler.errors import FeishuAuthError, FeishuError
from reconciler.messages.render import Message
from reconciler.feishu.client import FeishuClient, InvalidMobileError
from reconciler.feishu.endpoints import TALENT_IDS
from reconciler.feishu.keys import EMAIL, ID_NUMBER, MOBILE, TalentKey
from reconciler.feishu.keystore import ANY_AGE, KeyStore, stored_talents
from reconciler.privacy.masking import mask
from reconciler.feishu.models import Talent

MAX_PER_REQUEST = TALENT_IDS.max_ids or 100
log = logging.getLogger("reconciler.feishu.lookups")


@dataclass(frozen=True, slots=True)
class KeyLookup:
    """What one key resolved to: talents (maybe none), or an error after retries.

    Attributes:
        talents: the talents Feishu found for the key; () when none.
        error: why the lookup failed after retries (the row becomes error); None when it worked.
    """

    talents: tuple[Talent, ...] = ()
    error: Message | None = None


class Answers:
    """Every key's answer: those Feishu gave in this run, and those in the key store.

    The stored ones stay in the store until rows ask for them: `load(keys)` reads the
    next rows' answers in one go (forgetting the ones read before), and each is decoded
    when a row asks for it. Read and decoded up front, the ~150,000 answers of a warm
    100,000-row sheet held ~200 MB before the first row was decided. Every key the run
    did not ask Feishu about had a fresh stored answer when `TalentLookup.pending` looked
    (`len` counts them); which ones is not kept (~20 MB more at 100,000 rows).
    """

    def __init__(self, store: KeyStore | None = None, stored: int = 0):
        self._store = store
        self._stored = stored
        self._fetched: dict[TalentKey, KeyLookup] = {}
        self._loaded: dict[TalentKey, str] = {}

    def load(self, keys: Iterable[TalentKey]) -> None:
        """Read the stored answers of these keys (the next rows') at once."""
        wanted = {key for key in keys if key not in self._fetched}
        self._loaded = self._store.get_many_stored(wanted, ANY_AGE) if wanted and self._store else {}

    def _stored_text(self, key: TalentKey) -> str | None:
        text = self._loaded.get(key)
        if text is None and self._store:  # not loaded ahead: read alone
            text = self._store.get_many_stored([key], ANY_AGE).get(key)
        return text  # None: never stored, or gone since (a `cache clear` meanwhile)

    def __getitem__(self, key: TalentKey) -> KeyLookup:
        found = self.get(key)
        if found is None:
            raise KeyError(key)
        return found

    def get(self, key: TalentKey, default=None):
        found = self._fetched.get(key) if self._fetched else None  # a warm run fetched nothing: skip the hashing
        if found is not None:
            return found
        text = self._stored_text(key)
        return default if text is None else KeyLookup(tuple(stored_talents(text)))

    def __contains__(self, key: object) -> bool:
        return key in self._fetched or (isinstance(key, TalentKey) and self._stored_text(key) is not None)

    def __len__(self) -> int:
        return len(self._fetched) + self._stored

    def update(self, answers: dict[TalentKey, KeyLookup]) -> None:
        """Add answers Feishu gave."""
        self._fetched.update(answers)


@dataclass(frozen=True)
class Batch:
    kind: str
    group: str
    keys: tuple[TalentKey, ...]


def plan_batches(keys: Iterable[TalentKey], size: int = MAX_PER_REQUEST) -> list[Batch]:
    """Deduplicate, group by (kind, group), sort, and cut into requests of at most `size`."""
    grouped: dict[tuple[str, str], set[TalentKey]] = defaultdict(set)
    for key in keys:
        grouped[key.batch].add(key)
    batches = []
    for (kind, group), members in sorted(grouped.items()):
        ordered = sorted(members)
        for start in range(0, len(ordered), size):
            batches.append(Batch(kind, group, tuple(ordered[start : start + size])))
    return batches


def _request_for(batch: Batch) -> dict:
    values = [k.value for k in batch.keys]
    if batch.kind == MOBILE:
        return {"mobile_code": batch.group, "mobile_number_list": values}
    if batch.kind == EMAIL:
        return {"email_list": values}
    return {"identification_type": int(batch.group), "identification_number_list": values}


def _answer_key(batch: Batch, talent: Talent) -> TalentKey | None:
    """Which key of the batch a returned talent answers (the API echoes the kind sent)."""
    if batch.kind == MOBILE and talent.mobile_number is not None:
        return TalentKey(MOBILE, (talent.mobile_code or batch.group).lstrip("+"), talent.mobile_number)
    if batch.kind == EMAIL and talent.email is not None:
        return TalentKey(EMAIL, "", talent.email.strip().lower())
    if batch.kind == ID_NUMBER and talent.identification_number is not None:
        return TalentKey(ID_NUMBER, str(talent.identification_type or batch.group), talent.identification_number.upper())
    return batch.keys[0] if len(batch.keys) == 1 else None


class TalentLookup:
    """Resolves keys to talents through the per-key store, then the API."""

    def __init__(self, client: FeishuClient, store: KeyStore | None = None):
        self.client = client
        self.store = store

    def pending(self, keys: Iterable[TalentKey]) -> tuple[Answers, list[Batch]]:
        """Answers already known, and the batches still to send (for --dry-run and run)."""
        distinct = keys if isinstance(keys, (set, frozenset)) else set(keys)
        if not self.store:
            return Answers(), plan_batches(distinct)
        # A key found fresh now stays usable to the run's end (Answers reads it as ANY_AGE).
        stale = self.store.stale_keys(distinct)
        return Answers(self.store, len(distinct) - len(stale)), plan_batches(stale)

    def run(self, keys: Iterable[TalentKey], progress: Callable[[int], None] | None = None,
            pending: tuple[Answers, list[Batch]] | None = None) -> Answers:
        """Every key's answer; `pending` is what `pending(keys)` returned, when the caller already asked
        (its dict of known answers is completed and returned: a 100,000-row sheet has ~150,000 keys)."""
        results, batches = pending if pending is not None else self.pending(keys)
        if results:
            self.client.counters.add("key_cache_hits", n=len(results))
        started = time.time()  # before any answer of this run is stored
        every_key_asked = not results and bool(batches)  # none was known before
        with self.client.executor() as pool:
            futures = [pool.submit(self._resolve, batch) for batch in batches]
            try:
                for future in futures:
                    answers = future.result()
                    every_key_asked = every_key_asked and all(a.error is None for a in answers.values())
                    results.update(answers)
                    if progress:
                        progress(len(answers))
            except FeishuAuthError:
                for f in futures:
                    f.cancel()
                raise
        if every_key_asked and self.store:
            # Every answer is stored, none older than `started`: a rerun of the same keys reads no record to know.
            self.store.remember_fresh({key for batch in batches for key in batch.keys}, started)
        return results

    def _resolve(self, batch: Batch) -> dict[TalentKey, KeyLookup]:
        try:
            talents = self.client.batch_get_talent_ids(**_request_for(batch))
        except InvalidMobileError:
            if len(batch.keys) == 1:
                log.warning("Feishu rejects mobile %s (1002009)", mask(batch.kind, batch.keys[0].value))
                return {batch.keys[0]: KeyLookup(error=Message("note.mobile_rejected"))}
            middle = len(batch.keys) // 2
            halves = (Batch(batch.kind, batch.group, batch.keys[:middle]), Batch(batch.kind, batch.group, batch.keys[middle:]))
            found: dict[TalentKey, KeyLookup] = {}
            for half in halves:
                found.update(self._resolve(half))
            return found
        except FeishuAuthError:
            raise  # the whole run stops: no key can be answered
        except FeishuError as exc:  # retries spent, offline miss...: only this batch's keys fail
            reason = exc.message if str(exc) else type(exc).__name__
            log.warning("a batch of %d %s keys failed: %s", len(batch.keys), batch.kind, reason)
            self.client.failures[reason] += 1
            return {key: KeyLookup(error=Message("note.lookup_failed", reason=reason)) for key in batch.keys}
        by_key: dict[TalentKey, list[Talent]] = {key: [] for key in batch.keys}
        for talent in talents:
            key = _answer_key(batch, talent)
            if key in by_key:
                by_key[key].append(talent)
        if self.store:
            self.store.put_many(by_key)
        return {key: KeyLookup(tuple(found)) for key, found in by_key.items()}
