"""The Feishu / Lark client layer. Knows nothing about spreadsheets."""

from reconciler.feishu.client import (
    BASE_URLS,
    CacheMissError,
    FeishuClient,
    InvalidMobileError,
    JobDataPage,
    RateLimitedError,
    TransientError,
    resolve_base_url,
)
from reconciler.feishu.counters import Counters
from reconciler.feishu.endpoints import ENDPOINTS, JOB_DATAS, TALENT_IDS, TENANT_TOKEN, Endpoint, EndpointTable
from reconciler.feishu.jobplan import EmployeeJobData, JobDataFetcher, JobDataPlan
from reconciler.feishu.keys import EMAIL, ID_NUMBER, KINDS, MOBILE, TalentKey
from reconciler.feishu.keystore import KeyStore
from reconciler.feishu.lookups import Batch, KeyLookup, TalentLookup, plan_batches
from reconciler.feishu.models import CostCenterRate, EnumValue, I18nText, JobData, Talent
from reconciler.feishu.transport import CacheSettings, RateLimits, default_cache_path

__all__ = [
    "BASE_URLS", "Batch", "CacheMissError", "CacheSettings", "CostCenterRate", "Counters", "EMAIL",
    "ENDPOINTS", "Endpoint", "EndpointTable", "EmployeeJobData", "EnumValue", "JOB_DATAS", "TALENT_IDS", "TENANT_TOKEN",
    "FeishuClient", "I18nText", "ID_NUMBER", "InvalidMobileError", "JobData", "JobDataFetcher",
    "JobDataPage", "JobDataPlan", "KINDS", "KeyLookup", "KeyStore", "MOBILE", "RateLimitedError",
    "RateLimits", "Talent", "TalentKey", "TalentLookup", "TransientError", "default_cache_path",
    "plan_batches", "resolve_base_url",
]
