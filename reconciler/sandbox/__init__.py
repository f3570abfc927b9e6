"""An embedded Feishu / Lark Open Platform simulator for tests, demos and `--sandbox` runs.

It serves the routes of its route table (routes.py: the auth endpoint,
`hire/v1/talents/batch_get_id`, `corehr/v1/job_datas` and the name endpoints of
feishu-names.md, names_api.py) on loopback as the specs describe them, with rate limits, token expiry,
scopes and seeded faults. Start one with `with Sandbox() as sb: sb.url`.
"""

from reconciler.feishu.endpoints import JOB_DATAS, TALENT_IDS, TENANT_TOKEN
from reconciler.sandbox.generate import generate_tenant
from reconciler.sandbox.routes import ROUTES, ApiRequest, Route
from reconciler.sandbox.server import SANDBOX_APP_ID, SANDBOX_APP_SECRET, Sandbox, serve
from reconciler.sandbox.tenant import Department, Employee, Talent, Tenant, demo_tenant

__all__ = [
    "Sandbox", "serve", "Tenant", "Talent", "Employee", "Department", "demo_tenant", "generate_tenant",
    "SANDBOX_APP_ID", "SANDBOX_APP_SECRET", "ENDPOINT_AUTH", "ENDPOINT_TALENTS", "ENDPOINT_JOB_DATAS",
    "ROUTES", "Route", "ApiRequest",
]

# The paths of the seed endpoints (stats keys, raw-HTTP tests), from the endpoint table.
ENDPOINT_AUTH = TENANT_TOKEN.path
ENDPOINT_TALENTS = TALENT_IDS.path
ENDPOINT_JOB_DATAS = JOB_DATAS.path
