"""The recipe (spec recipe.md section 2): loading, defaults, located errors, schema, header checks."""

from __future__ import annotations

import json
import re
import textwrap
from pathlib import Path

import pytest

from reconciler.errors import RecipeError, RecipeIssue
from reconciler.recipe import (
    DEFAULT_BASE_URL,
    InputSpec,
    Recipe,
    load_recipe,
    parse_duration,
    recipe_json_schema,
    required_headers,
    validate_headers,
)

SPEC = Path("/work/shared/spec/recipe.md")
MATCHERS = ("mobile", "email", "id_number")
MODES = ("all", "any")
WRITERS = ("xlsx", "csv", "jsonl")
SECRET = "s3cr3t-Very-Private-42"


def spec_example() -> str:
    """The full recipe of spec section 2, exactly as published."""
    text = SPEC.read_text(encoding="utf-8")
    return re.search(r"## 2\. Recipe \(YAML\)\n\n```yaml\n(.*?)```", text, re.S).group(1)


def write(tmp_path: Path, text: str, name: str = "recipe.yaml") -> Path:
    path = tmp_path / name
    path.write_text(textwrap.dedent(text).lstrip("\n"), encoding="utf-8")
    return path


def issues_of(path: Path, **kwargs) -> list[RecipeIssue]:
    kwargs.setdefault("env", {})
    with pytest.raises(RecipeError) as caught:
        load_recipe(path, **kwargs)
    return caught.value.issues


def only_issue(path: Path, **kwargs) -> RecipeIssue:
    issues = issues_of(path, **kwargs)
    assert len(issues) == 1, [str(i) for i in issues]
    return issues[0]


MINIMAL = """
version: 1
talent:
  inputs:
    mobile: 手机号
"""


# --- loading and defaults ---------------------------------------------------


def test_spec_example_loads_with_environment(tmp_path):
    path = write(tmp_path, spec_example())
    recipe = load_recipe(path, env={"FEISHU_APP_ID": "cli_demo", "FEISHU_APP_SECRET": SECRET},
                         matchers=MATCHERS, modes=MODES, writers=WRITERS)

    assert recipe.version == 1 and recipe.name == "Onboarding check"
    assert recipe.display_name == "Onboarding check"
    assert recipe.source.sheet == "Candidates" and recipe.source.header_row == "auto"
    assert recipe.source.label_columns == ["姓名"]
    assert recipe.feishu.base_url == "https://open.feishu.cn"
    assert recipe.feishu.app_id == "cli_demo"
    assert recipe.feishu.app_secret.get_secret_value() == SECRET
    inputs = recipe.talent.inputs
    assert list(inputs) == ["mobile", "email", "id_number"]
    assert inputs["mobile"] == InputSpec(column="手机号")
    assert inputs["email"].column == "邮箱"
    assert inputs["id_number"].column == "证件号" and inputs["id_number"].type == 1
    assert recipe.talent.mode == "all"
    assert recipe.talent.columns == {"talent_id": "Talent ID", "is_onboarded": "Onboarded"}
    assert (recipe.talent.status_column, recipe.talent.note_column) == ("Talent status", "Talent note")
    job = recipe.job_data
    assert (job.key.column, job.key.user_id_type) == ("工号", "user_id")
    assert job.department_id_type == "people_corehr_department_id"
    assert job.as_of == "入职日期"
    assert job.columns["assignment_start_reason"] == "Start reason"
    assert list(job.columns) == ["department_id", "job_level_id", "probation_end_date",
                                 "assignment_start_reason", "cost_center_rate",
                                 "department_id.name", "direct_manager_id.name"]
    assert job.compare == {"部门ID": "department_id", "部门名称": "department_id.name"}
    assert (job.status_column, job.note_column) == ("Job data status", "Job data note")
    assert recipe.output.path == "{stem}.reconciled.xlsx"
    assert recipe.output.writers == ["xlsx"] and recipe.output.locale == "zh-CN"
    assert recipe.output.status_labels == "locale"
    assert recipe.plugins == []
    assert recipe.cache.enabled is True and recipe.cache.path is None
    assert recipe.cache.expire_after == 3600
    assert recipe.source_path == path


def test_defaults_of_a_minimal_recipe(tmp_path):
    recipe = load_recipe(write(tmp_path, MINIMAL, "onboarding.yaml"), env={})

    assert recipe.name is None and recipe.display_name == "onboarding"
    assert recipe.source.sheet is None and recipe.source.header_row == "auto"
    assert (recipe.feishu.base_url, recipe.feishu.app_id, recipe.feishu.app_secret) == (None, None, None)
    mobile = recipe.talent.inputs["mobile"]
    assert (mobile.column, mobile.code_column, mobile.default_code) == ("手机号", None, "86")
    assert recipe.talent.mode == "all" and recipe.talent.columns == {}
    assert recipe.talent.status_column == "Talent status" and recipe.talent.note_column == "Talent note"
    assert recipe.job_data is None
    assert recipe.output.path == "{stem}.reconciled.xlsx"
    assert recipe.output.writers == ["xlsx"] and recipe.output.locale == "zh-CN"
    assert recipe.plugins == []
    assert recipe.cache.enabled is True and recipe.cache.path is None and recipe.cache.expire_after == 3600


def test_job_data_only_recipe_and_its_defaults(tmp_path):
    recipe = load_recipe(write(tmp_path, """
        version: 1
        job_data:
          key: 工号
    """), env={})
    assert recipe.talent is None
    job = recipe.job_data
    assert (job.key.column, job.key.user_id_type) == ("工号", "people_corehr_id")
    assert job.department_id_type == "people_corehr_department_id"
    assert job.as_of is None and job.columns == {} and job.compare == {}
    assert (job.status_column, job.note_column) == ("Job data status", "Job data note")


def test_short_and_long_input_forms(tmp_path):
    recipe = load_recipe(write(tmp_path, """
        version: 1
        talent:
          inputs:
            mobile: {column: 手机号, code_column: 区号, default_code: "+852"}
            email: 邮箱
            id_number:
              column: 证件号
              type_column: 证件类型
    """), env={})
    inputs = recipe.talent.inputs
    assert inputs["mobile"].column == "手机号"
    assert inputs["mobile"].code_column == "区号"
    assert inputs["mobile"].default_code == "852"
    assert inputs["email"] == InputSpec(column="邮箱")
    assert inputs["id_number"].type is None and inputs["id_number"].type_column == "证件类型"


def test_id_number_type_defaults_to_mainland_id_and_numeric_country_code_is_accepted(tmp_path):
    recipe = load_recipe(write(tmp_path, """
        version: 1
        talent:
          inputs:
            mobile: {column: 手机号, default_code: 852}
            id_number: 证件号
    """), env={})
    assert recipe.talent.inputs["mobile"].default_code == "852"
    assert recipe.talent.inputs["id_number"].type is None
    assert recipe.talent.inputs["id_number"].identification_type == 1


def test_empty_sections_mean_defaults(tmp_path):
    recipe = load_recipe(write(tmp_path, """
        version: 1
        source:
        feishu:
        talent:
          inputs: {email: 邮箱}
        output:
        plugins:
        cache:
    """), env={})
    assert recipe.source.header_row == "auto" and recipe.output.writers == ["xlsx"]
    assert recipe.plugins == [] and recipe.cache.expire_after == 3600


def test_plugin_paths_resolve_against_the_recipe_folder(tmp_path):
    folder = tmp_path / "recipes"
    folder.mkdir()
    recipe = load_recipe(write(folder, MINIMAL + "plugins: [my_plugins, /abs/plugin.py]\n"), env={})
    assert recipe.plugin_paths() == [folder / "my_plugins", Path("/abs/plugin.py")]


# --- ${VAR} substitution and Feishu overrides ---------------------------------


def test_variables_are_substituted_everywhere_with_defaults_and_escapes(tmp_path):
    recipe = load_recipe(write(tmp_path, """
        version: 1
        name: Check for ${TEAM}
        talent:
          inputs:
            mobile: ${MOBILE_HEADER:-手机号}
          status_column: $${NOT_A_VAR}
        cache:
          expire_after: ${TTL}
    """), env={"TEAM": "HR Ops", "TTL": "15m"})
    assert recipe.name == "Check for HR Ops"
    assert recipe.talent.inputs["mobile"].column == "手机号"
    assert recipe.talent.status_column == "${NOT_A_VAR}"
    assert recipe.cache.expire_after == 900


def test_unset_feishu_variables_mean_not_given(tmp_path):
    path = write(tmp_path, spec_example())
    recipe = load_recipe(path, env={})
    assert recipe.feishu.app_id is None and recipe.feishu.app_secret is None
    resolved = recipe.feishu.resolved({})
    assert (resolved.base_url, resolved.app_id, resolved.app_secret) == ("https://open.feishu.cn", None, None)


def test_environment_overrides_the_feishu_section(tmp_path):
    recipe = load_recipe(write(tmp_path, MINIMAL + """
feishu:
  base_url: https://open.larksuite.com/
  app_id: cli_from_recipe
  app_secret: recipe-secret
"""), env={})
    plain = recipe.feishu.resolved({})
    assert (plain.base_url, plain.app_id, plain.app_secret) == (
        "https://open.larksuite.com", "cli_from_recipe", "recipe-secret")
    overridden = recipe.feishu.resolved(
        {"FEISHU_BASE_URL": "sandbox", "FEISHU_APP_ID": "cli_env", "FEISHU_APP_SECRET": "env-secret"})
    assert (overridden.base_url, overridden.app_id, overridden.app_secret) == ("sandbox", "cli_env", "env-secret")
    assert overridden.is_sandbox and not plain.is_sandbox
    # An empty variable (a common CI leftover) does not blank out the recipe's value.
    assert recipe.feishu.resolved({"FEISHU_APP_ID": ""}).app_id == "cli_from_recipe"


def test_default_base_url_and_bad_environment_base_url(tmp_path):
    recipe = load_recipe(write(tmp_path, MINIMAL), env={})
    assert recipe.feishu.resolved({}).base_url == DEFAULT_BASE_URL == "https://open.feishu.cn"
    with pytest.raises(RecipeError) as caught:
        recipe.feishu.resolved({"FEISHU_BASE_URL": "open.feishu.cn"})
    assert "FEISHU_BASE_URL" in str(caught.value) and "http(s) URL" in str(caught.value)


def test_secret_never_appears_in_repr_or_errors(tmp_path):
    path = write(tmp_path, f"""
        version: 1
        feishu:
          app_secret: {SECRET}
        talent:
          inputs: {{mobile: 手机号}}
          colums: {{}}
    """)
    issues = issues_of(path)
    assert [i.path for i in issues] == ["talent.colums"]
    assert SECRET not in str(RecipeError(issues))

    recipe = load_recipe(write(tmp_path, MINIMAL + "feishu:\n  app_secret: ${SECRET_VAR}\n", "ok.yaml"),
                         env={"SECRET_VAR": SECRET})
    assert recipe.feishu.app_secret.get_secret_value() == SECRET
    for text in (repr(recipe), str(recipe), repr(recipe.feishu.resolved({})), str(recipe.model_dump())):
        assert SECRET not in text

    # Wrong-typed and duplicated secrets are reported without quoting them.
    numeric = write(tmp_path, MINIMAL + "feishu: {app_secret: 98765432123}\n", "numeric.yaml")
    issue = only_issue(numeric)
    assert issue.path == "feishu.app_secret" and "98765432123" not in str(issue)
    duplicate = write(tmp_path, MINIMAL + f"feishu:\n  app_secret: {SECRET}\n  app_secret: other-{SECRET}\n",
                      "dup.yaml")
    issue = only_issue(duplicate)
    assert issue.line == 7 and "app_secret" in issue.message and SECRET not in str(issue)


# --- located errors -------------------------------------------------------


@pytest.mark.parametrize(
    ("text", "line", "path", "message"),
    [
        pytest.param(
            """
            version: 1
            talent:
              inputs: {mobile: 手机号}
              colums: {talent_id: Talent ID}
            """, 4, "talent.colums", "unknown key 'colums'; did you mean 'columns'?", id="unknown-key-suggestion"),
        pytest.param(
            """
            version: 1
            talent:
              inputs: {mobile: 手机号}
            zzz: 1
            """, 4, "zzz",
            "unknown key 'zzz'; allowed keys: version, name, source, feishu, talent, job_data, output, plugins, cache",
            id="unknown-key-listing"),
        pytest.param(
            """
            version: 1
            talent:
              inputs: {mobile: 手机号}
              columns:
                - talent_id
            """, 4, "talent.columns", "expected a mapping (key: value lines), got a list", id="wrong-type"),
        pytest.param(
            """
            version: 1
            talent:
              inputs: {mobile: 手机号}
            cache:
              enabled: maybe
            """, 5, "cache.enabled", "expected true or false, got 'maybe'", id="wrong-bool"),
        pytest.param(
            """
            # onboarding check
            talent:
              inputs: {mobile: 手机号}
            """, 2, "version", "required key 'version' is missing; add version: 1 at the top", id="missing-version"),
        pytest.param(
            """
            version: 2
            talent:
              inputs: {mobile: 手机号}
            """, 1, "version", "unsupported recipe version 2; the only version so far is 1", id="version-2"),
        pytest.param(
            """
            version: 1
            name: nothing to do
            """, 1, "talent", "the recipe needs a talent section, a job_data section, or both", id="no-section"),
        pytest.param(
            """
            version: 1
            job_data:
              key: {user_id_type: user_id}
            """, 3, "job_data.key.column", "required key 'column' is missing", id="missing-nested-key"),
        pytest.param(
            """
            version: 1
            talent:
              inputs: {mobile: 手机号}
              note_column: ${NOTE_HEADER}
            """, 4, "talent.note_column", "environment variable NOTE_HEADER is not set", id="unset-variable"),
        pytest.param(
            """
            version: 1
            talent:
              inputs: {mobile: 手机号}
            cache:
              expire_after: one hour
            """, 5, "cache.expire_after",
            "'one hour' is not a duration; write e.g. 30s, 15m, 1h, 2d, 1h30m or a number of seconds",
            id="bad-duration"),
        pytest.param(
            """
            version: 1
            talent:
              inputs: {mobile: 手机号}
            cache:
              expire_after: 0
            """, 5, "cache.expire_after",
            "the duration must be longer than 0 seconds: talents and job data change, so never cache forever",
            id="zero-duration"),
        pytest.param(
            """
            version: 1
            talent:
              inputs:
                id_number:
                  column: 证件号
                  type: 1
                  type_column: 证件类型
            """, 7, "talent.inputs.id_number.type_column", "give either type or type_column, not both",
            id="type-and-type-column"),
        pytest.param(
            """
            version: 1
            talent:
              inputs:
                id_number: {column: 证件号, type: 7}
            """, 4, "talent.inputs.id_number.type", "expected an identification type: 1 (mainland resident ID card)",
            id="bad-identification-type"),
        pytest.param(
            """
            version: 1
            talent:
              inputs:
                email: {column: 邮箱, code_column: 区号}
            """, 4, "talent.inputs.email.code_column", "code_column only applies to mobile, not to email",
            id="key-for-another-matcher"),
        pytest.param(
            """
            version: 1
            source:
              header_row: 0
            talent:
              inputs: {mobile: 手机号}
            """, 3, "source.header_row", "expected auto or a row number from 1 (the first row of the sheet is 1)",
            id="header-row-0"),
        pytest.param(
            """
            version: 1
            talent:
              inputs: {}
            """, 3, "talent.inputs", "list at least one identifier column, e.g. mobile: 手机号", id="no-inputs"),
        pytest.param(
            """
            version: 1
            talent:
              inputs: {mobile: 手机号}
            output:
              writers: []
            """, 5, "output.writers", "needs at least one entry", id="no-writers"),
        pytest.param(
            """
            version: 1
            job_data:
              key: 工号
              department_id_type: dept
            """, 4, "job_data.department_id_type",
            "expected 'open_department_id', 'department_id' or 'people_corehr_department_id', got 'dept'",
            id="bad-literal"),
        pytest.param(
            """
            version: 1
            talent:
              inputs: {mobile: 手机号}
            feishu:
              base_url: open.feishu.cn
            """, 5, "feishu.base_url", "expected an http(s) URL", id="bad-base-url"),
        pytest.param(
            """
            version: 1
            talent:
              inputs:
                mobile: 2024
            """, 4, "talent.inputs.mobile", "expected a column header or a mapping such as {column: 手机号}",
            id="input-not-header"),
    ],
)
def test_each_error_is_located(tmp_path, text, line, path, message):
    file = write(tmp_path, text)
    issue = only_issue(file)
    assert (issue.file, issue.line, issue.path) == (str(file), line, path)
    assert issue.message.startswith(message), issue.message
    assert str(issue).startswith(f"{file}:{line} {path}: ")


def test_unknown_matcher_mode_and_writer_name_the_known_ones(tmp_path):
    file = write(tmp_path, """
        version: 1
        talent:
          inputs:
            mobile: 手机号
            phone: 电话
          mode: most
        output:
          writers: [xlsx, pdf]
    """)
    issues = issues_of(file, matchers=MATCHERS, modes=MODES, writers=WRITERS)
    assert [str(i) for i in issues] == [
        f"{file}:5 talent.inputs.phone: unknown matcher 'phone'; known: email, id_number, mobile",
        f"{file}:6 talent.mode: unknown mode 'most'; known: all, any",
        f"{file}:8 output.writers[1]: unknown writer 'pdf'; known: csv, jsonl, xlsx",
    ]
    # Names registered by a plugin are accepted.
    recipe = load_recipe(file, env={}, matchers=MATCHERS + ("phone",), modes=MODES + ("most",),
                         writers=WRITERS + ("pdf",))
    assert recipe.talent.inputs["phone"].column == "电话" and recipe.output.writers == ["xlsx", "pdf"]


def test_several_errors_are_reported_together_in_line_order(tmp_path):
    file = write(tmp_path, """
        version: 2
        source:
          header_row: 0
        talent:
          inputs:
            mobile: {column: 手机号, type: 1}
            phone: 电话
          colums: {}
        job_data:
          key: {user_id_type: bogus}
          status_column: ${MISSING_VAR}
        output:
          writers: [xlsx, pdf]
        cache:
          expire_after: 0
    """)
    issues = issues_of(file, matchers=MATCHERS, writers=WRITERS)
    assert [(i.line, i.path) for i in issues] == [
        (1, "version"),
        (3, "source.header_row"),
        (6, "talent.inputs.mobile.type"),
        (7, "talent.inputs.phone"),
        (8, "talent.colums"),
        (10, "job_data.key.column"),
        (10, "job_data.key.user_id_type"),
        (11, "job_data.status_column"),
        (13, "output.writers[1]"),
        (15, "cache.expire_after"),
    ]
    text = str(RecipeError(issues))
    assert text.count(str(file)) == len(issues)


def test_not_yaml_is_reported_at_the_parsers_line(tmp_path):
    file = write(tmp_path, """
        version: 1
        talent:
          inputs: [mobile
          mode: all
    """)
    issue = only_issue(file)
    assert issue.file == str(file) and issue.line == 4
    assert issue.message.startswith("not valid YAML: ")


def test_top_level_must_be_a_mapping(tmp_path):
    issue = only_issue(write(tmp_path, "- version: 1\n- talent: {}\n"))
    assert issue.line == 1 and issue.message.endswith("not a list")
    issue = only_issue(write(tmp_path, "just words\n", "words.yaml"))
    assert issue.message.endswith("not a single value")
    issue = only_issue(write(tmp_path, "# nothing yet\n", "empty.yaml"))
    assert "empty" in issue.message


def test_duplicate_key_is_located(tmp_path):
    issue = only_issue(write(tmp_path, """
        version: 1
        talent:
          inputs: {mobile: 手机号}
          mode: all
          mode: any
    """))
    assert issue.line == 5 and issue.message == "duplicate key 'mode'; each key may appear only once in a mapping"


def test_missing_and_unreadable_files_name_the_file(tmp_path):
    missing = tmp_path / "nope.yaml"
    issue = only_issue(missing)
    assert issue.file == str(missing) and issue.line is None and "not found" in issue.message
    issue = only_issue(tmp_path)
    assert issue.file == str(tmp_path) and "folder" in issue.message
    latin1 = tmp_path / "latin1.yaml"
    latin1.write_bytes("version: 1\nname: caf\xe9\n".encode("latin-1"))
    assert "UTF-8" in only_issue(latin1).message


# --- values ---------------------------------------------------------------


@pytest.mark.parametrize(
    ("text", "seconds"),
    [("30s", 30), ("15m", 900), ("1h", 3600), ("2d", 172800), ("1h30m", 5400), ("1d2h3m4s", 93784),
     ("90", 90), (45, 45), (" 2H ", 7200)],
)
def test_parse_duration(text, seconds):
    assert parse_duration(text) == seconds


@pytest.mark.parametrize("text", ["0", 0, "0s", "", "1x", "h", "30m1h", -5, True, 1.5])
def test_parse_duration_refuses(text):
    with pytest.raises(ValueError):
        parse_duration(text)


def test_header_row_number_and_locales(tmp_path):
    recipe = load_recipe(write(tmp_path, MINIMAL + "source: {header_row: 3}\noutput: {locale: en}\n"), env={})
    assert recipe.source.header_row == 3 and recipe.output.locale == "en"
    issue = only_issue(write(tmp_path, MINIMAL + "output: {locale: english!}\n", "bad.yaml"))
    assert (issue.line, issue.path) == (5, "output.locale")


# --- JSON Schema ------------------------------------------------------------


def test_json_schema_is_valid_json_and_documents_the_recipe():
    schema = json.loads(json.dumps(recipe_json_schema(), ensure_ascii=False))
    assert schema["$schema"] == "https://json-schema.org/draft/2020-12/schema"
    assert schema["title"] == "reconciler recipe"
    assert schema["required"] == ["version"] and schema["properties"]["version"]["const"] == 1
    assert {"required": ["talent"]} in schema["anyOf"] and {"required": ["job_data"]} in schema["anyOf"]

    defs = schema["$defs"]
    input_forms = defs["TalentSection"]["properties"]["inputs"]["additionalProperties"]["anyOf"]
    assert {"type": "string"} in input_forms and {"$ref": "#/$defs/InputSpec"} in input_forms
    key_forms = defs["JobDataSection"]["properties"]["key"]["anyOf"]
    assert {"type": "string"} in key_forms and {"$ref": "#/$defs/JobKey"} in key_forms
    duration = defs["CacheSection"]["properties"]["expire_after"]
    assert {alt["type"] for alt in duration["anyOf"]} == {"string", "integer"}

    for name, model in [("Recipe", schema), *defs.items()]:
        assert model["additionalProperties"] is False, name
        for field, prop in model["properties"].items():
            assert prop.get("description"), f"{name}.{field} has no description"


# --- headers ---------------------------------------------------------------


HEADER_RECIPE = """
version: 1
talent:
  inputs:
    mobile: {column: 手机号, code_column: 区号}
    email: 邮箱
    id_number: {column: 证件号, type_column: 证件类型}
  columns: {talent_id: Talent ID}
job_data:
  key: 工号
  as_of: 入职日期
  columns: {department_id: Department}
  compare:
    部门ID: department_id
"""


def test_required_headers_and_validate_headers(tmp_path):
    file = write(tmp_path, HEADER_RECIPE)
    recipe = load_recipe(file, env={})
    assert required_headers(recipe) == ["手机号", "区号", "邮箱", "证件号", "证件类型", "工号", "入职日期", "部门ID"]

    everything = ["姓名", *required_headers(recipe), "Talent ID"]
    assert validate_headers(recipe, everything, sheet_label="Candidates") == []

    sheet = ["姓名", "电话", "邮箱 ", "证件号", "", "工号"]
    issues = validate_headers(recipe, sheet, sheet_label="Candidates")
    listing = "the sheet has: 姓名, 电话, 邮箱 , 证件号, 工号"
    assert [str(i) for i in issues] == [
        f"{file}:4 talent.inputs.mobile.column: column '手机号' is not in sheet Candidates; {listing}",
        f"{file}:4 talent.inputs.mobile.code_column: column '区号' is not in sheet Candidates; {listing}",
        f"{file}:5 talent.inputs.email: column '邮箱' is not in sheet Candidates (did you mean '邮箱 '?); {listing}",
        f"{file}:6 talent.inputs.id_number.type_column: column '证件类型' is not in sheet Candidates; {listing}",
        f"{file}:10 job_data.as_of: column '入职日期' is not in sheet Candidates; {listing}",
        f"{file}:13 job_data.compare.部门ID: column '部门ID' is not in sheet Candidates; {listing}",
    ]


def test_headers_of_a_recipe_built_in_python_have_no_line():
    recipe = Recipe.model_validate({"version": 1, "job_data": {"key": "工号"}})
    assert recipe.source_path is None and recipe.display_name == "recipe"
    [issue] = validate_headers(recipe, ["Name"], sheet_label="Sheet1")
    assert (issue.file, issue.line, issue.path) == ("recipe", None, "job_data.key.column")
    assert issue.message == "column '工号' is not in sheet Sheet1; the sheet has: Name"


def test_yaml_merge_keys_are_read_and_located_at_the_start_of_their_mapping(tmp_path):
    file = write(tmp_path, """
        version: 1
        talent:
          <<: {status_column: Status, colour: red}
          inputs: {mobile: 手机号}
    """)
    issue = only_issue(file)
    assert (issue.line, issue.path) == (3, "talent.colour")
    assert issue.message == "unknown key 'colour'; did you mean 'columns'?"
