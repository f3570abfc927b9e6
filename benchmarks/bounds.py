"""The rate-limit bound: how soon a perfect scheduler could have had every answer.

Per endpoint, given the requests the run needed and the time the sandbox took to
answer each one (its injected latency plus its own processing), a perfect
scheduler sends request k at the earliest moment that

- keeps every 1 s window at <= 50 requests and every 60 s window at <= 1000
  (Feishu's limits, counted per endpoint): t[k] >= t[k-50] + 1 s, t[k] >= t[k-1000] + 60 s;
- has what the request depends on: the access token (every request), and for the
  next page of a paged listing, the previous page's answer (its page_token):
  t[k] >= t[k-1] + d[k-1];

and has everything at max over k of t[k] + d[k]. The two endpoints are limited
separately and do not depend on each other, so a perfect scheduler runs them side
by side: the bound is the later of the two endpoints' finishes, not their sum.
Requests answered 429 are left out: a perfect scheduler never sends them.

`paced` is the bound of a perfect scheduler that paces evenly: request k no
earlier than 1/50 s after request k-1 (t[k] >= t[k-1] + 1 s / 50), otherwise the
same. It is the issue's "rate-limit bound" for the pacing figure: a scheduler that
sends a whole window's 50 requests at once can finish up to ~1 s sooner on paper
(the bound above), but only by queueing them in front of Feishu, where their
arrival order and times are no longer the scheduler's (docs/performance.md).

`without_chains` is the same bound ignoring the page_token dependency (every
request only waits for the rate windows, plus one answer time): what the bound
would be if a listing's pages could be asked for side by side. Feishu's paging
does not allow that; it is reported for comparison only.
"""

from __future__ import annotations

from dataclasses import dataclass

AUTH = "auth/v3/tenant_access_token/internal"


@dataclass(frozen=True)
class Request:
    endpoint: str
    arrived: float
    answered: float
    status: int
    follows_previous: bool  # a next page: needs the previous answer first

    @property
    def seconds(self) -> float:
        return self.answered - self.arrived


def finish(requests: list[Request], start: float, per_second: int = 50, per_minute: int = 1000,
           chains: bool = True, paced: bool = False) -> float:
    """When a perfect scheduler has the last answer of one endpoint's requests (in their order)."""
    sent: list[float] = []
    done = start
    previous_answer = start
    for k, request in enumerate(requests):
        t = start
        if k >= per_second:
            t = max(t, sent[k - per_second] + 1.0)
        if paced and k:
            t = max(t, sent[k - 1] + 1.0 / per_second)
        if k >= per_minute:
            t = max(t, sent[k - per_minute] + 60.0)
        if request.follows_previous and chains:
            t = max(t, previous_answer)
        sent.append(t)
        previous_answer = t + request.seconds
        done = max(done, previous_answer)
    return done


def bound(log: list[Request]) -> dict:
    """The bound and the measured wall, in seconds from the first request's arrival."""
    first = min(r.arrived for r in log)
    token = [r for r in log if r.endpoint == AUTH]
    start = (min(r.answered for r in token) - first) if token else 0.0
    finishes, unchained, paced = {}, {}, {}
    for endpoint in sorted({r.endpoint for r in log} - {AUTH}):
        needed = [r for r in log if r.endpoint == endpoint and r.status != 429]
        needed.sort(key=lambda r: r.arrived)
        shifted = [Request(r.endpoint, r.arrived - first, r.answered - first, r.status, r.follows_previous)
                   for r in needed]
        finishes[endpoint] = finish(shifted, start)
        unchained[endpoint] = finish(shifted, start, chains=False)
        paced[endpoint] = finish(shifted, start, paced=True)
    wall = max(r.answered for r in log) - first
    return {"bound": max(finishes.values(), default=start), "wall": wall, "by_endpoint": finishes,
            "without_chains": max(unchained.values(), default=start),
            "paced": max(paced.values(), default=start),
            "rate_limited": sum(r.status == 429 for r in log)}
