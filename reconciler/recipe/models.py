"""The recipe (spec recipe.md section 2) as pydantic models.

The models are the single source of truth for validation and for the JSON
Schema printed by `reconciler schema`: every field carries the description a
recipe author reads there.
"""

from __future__ import annotations

from collections.abc import Mapping
from pathlib import Path
from typing import Annotated, Any, Literal

from pydantic import (
    BeforeValidator,
    ConfigDict,
    Field,
    PositiveInt,
    PrivateAttr,
    ValidationInfo,
    field_validator,
    model_validator,
)
from pydantic_core import InitErrorDetails

from reconciler.errors import RecipeIssue
from reconciler.messages.render import InvalidValue, Message
from reconciler.recipe.feishu import FeishuSection
from reconciler.recipe.paths import format_loc
from reconciler.recipe.namepaths import ColumnPaths, ComparePaths
from reconciler.recipe.plugin_options import WriterList, split_writer_entries
from reconciler.recipe.strictness import Loc, StrictModel, recipe_error, short_form, validate_with_extra
from reconciler.recipe.cache import CacheSection
from reconciler.recipe.values import check_country_code, check_locale, check_path_template

BUILTIN_MATCHERS = ("mobile", "email", "id_number")

# IdentificationType of hire/v1/talents/batch_get_id (feishu-api.md).
IDENTIFICATION_TYPES = {
    1: "mainland resident ID card",
    2: "passport",
    3: "Hong Kong/Macau residence permit",
    4: "Taiwan resident mainland travel permit",
    5: "other",
    6: "Hong Kong/Macau mainland travel permit",
    9: "Taiwan residence permit",
}

class SourceSection(StrictModel):
    """Which sheet of the input to read, and where its header row is."""

    sheet: str | None = Field(
        default=None,
        description="Name of the sheet to reconcile, e.g. Candidates. Default: the first sheet. Ignored for .csv.",
    )
    header_row: Literal["auto"] | PositiveInt = Field(
        default="auto",
        description=(
            "1-based number of the header row, or auto: the first row, within the first 20, "
            "that holds every mapped column header."
        ),
    )

    label_columns: list[str] = Field(
        default_factory=list,
        description=(
            "Headers of the columns that say who a row is, e.g. [姓名]: shown on the review sheet, "
            "and frozen beside the statuses when within the first three columns."
        ),
    )

    @field_validator("header_row", mode="before")
    @classmethod
    def _header_row(cls, value: Any) -> Any:
        if value == "auto" or (isinstance(value, int) and not isinstance(value, bool) and value >= 1):
            return value
        if isinstance(value, str) and value.strip().isdigit() and int(value) >= 1:
            return int(value)
        raise InvalidValue("recipe.header_row")


class InputSpec(StrictModel):
    """One identifier column. Short form: just the header, e.g. `mobile: 手机号`."""

    column: str = Field(description="Header of the column holding the identifier, e.g. 手机号.")
    code_column: str | None = Field(
        default=None,
        description="mobile only: header of a column holding the country calling code, e.g. 区号.",
    )
    default_code: str = Field(
        default="86",
        description='mobile only: country calling code for numbers without one, e.g. "86" or "852".',
    )
    type: Literal[1, 2, 3, 4, 5, 6, 9] | None = Field(
        default=None,
        description=(
            "id_number only: identification type of every number in the column: 1 mainland resident ID card, "
            "2 passport, 3 Hong Kong/Macau residence permit, 4 Taiwan resident mainland travel permit, 5 other, "
            "6 Hong Kong/Macau mainland travel permit, 9 Taiwan residence permit. "
            "With neither type nor type_column the type is 1."
        ),
    )
    type_column: str | None = Field(
        default=None,
        description="id_number only: header of a column holding each row's identification type; instead of type.",
    )
    options: dict[str, Any] = Field(
        default_factory=dict,
        description=(
            "A plugin matcher's own settings, checked by that matcher when the recipe is loaded, "
            "e.g. {region_column: 地区}. The built-in matchers take none."
        ),
    )

    @field_validator("default_code", mode="before", json_schema_input_type=str | int)
    @classmethod
    def _default_code(cls, value: Any) -> str:
        return check_country_code(value)

    @field_validator("type", mode="before")
    @classmethod
    def _type(cls, value: Any) -> Any:
        if value is None or (not isinstance(value, bool) and value in IDENTIFICATION_TYPES):
            return value
        known = ", ".join(f"{code} ({label})" for code, label in IDENTIFICATION_TYPES.items())
        raise InvalidValue("recipe.id_type", known=known)

    @field_validator("type_column")
    @classmethod
    def _type_or_type_column(cls, value: str | None, info: ValidationInfo) -> str | None:
        if value is not None and info.data.get("type") is not None:
            raise InvalidValue("recipe.type_and_type_column")
        return value

    @property
    def identification_type(self) -> int:
        """id_number: the fixed type, 1 (mainland ID) when neither type nor type_column is given."""
        return self.type if self.type is not None else 1


InputSpecForm = Annotated[
    InputSpec,
    BeforeValidator(lambda v: short_form(v, "column", "{column: 手机号}"), json_schema_input_type=str | InputSpec),
]

# Keys of InputSpec that only make sense for one built-in matcher; plugin matchers are not checked.
_ONLY_FOR = {"code_column": "mobile", "default_code": "mobile", "type": "id_number", "type_column": "id_number"}


def _misplaced_input_keys(inputs: Any) -> list[InitErrorDetails]:
    if not isinstance(inputs, Mapping):
        return []
    errors: list[InitErrorDetails] = []
    for kind, spec in inputs.items():
        if kind not in BUILTIN_MATCHERS or not isinstance(spec, Mapping):
            continue
        for key, owner in _ONLY_FOR.items():
            if key in spec and owner != kind:
                errors.append(recipe_error((kind, key), Message("recipe.only_for", key=key, owner=owner, kind=kind), spec[key]))
    return errors


class TalentSection(StrictModel):
    """Talent lookup with hire/v1/talents/batch_get_id."""

    inputs: dict[str, InputSpecForm] = Field(
        min_length=1,
        description=(
            "Identifier columns by matcher: mobile, email, id_number (plugins may add more). "
            "Each is a header (mobile: 手机号) or a mapping ({column: 手机号, code_column: 区号})."
        ),
    )
    mode: str = Field(
        default="all",
        description="Decision rule: all (every present identifier must resolve) or any; plugins may add more.",
    )
    columns: dict[str, str] = Field(
        default_factory=dict,
        description="Response field -> output column header, e.g. {talent_id: Talent ID, is_onboarded: Onboarded}.",
    )
    status_column: str = Field(default="Talent status", description="Header of the talent status column.")
    note_column: str = Field(default="Talent note", description="Header of the talent note column.")

    @field_validator("inputs", mode="wrap")
    @classmethod
    def _inputs(cls, value: Any, handler: Any) -> Any:
        if isinstance(value, Mapping) and not value:
            raise InvalidValue("recipe.no_inputs")
        return validate_with_extra(handler, value, _misplaced_input_keys(value), "inputs")


class JobKey(StrictModel):
    """The employee key column. Short form: just the header, e.g. `key: 工号`."""

    column: str = Field(description="Header of the column holding each row's employee ID, e.g. 工号.")
    user_id_type: Literal["open_id", "union_id", "user_id", "people_corehr_id"] = Field(
        default="people_corehr_id",
        description="Kind of ID in that column: open_id, union_id, user_id or people_corehr_id (the API's default).",
    )


JobKeyForm = Annotated[
    JobKey,
    BeforeValidator(lambda v: short_form(v, "column", "{column: 工号, user_id_type: user_id}"), json_schema_input_type=str | JobKey),
]


class JobDataSection(StrictModel):
    """Job data lookup with corehr/v1/job_datas."""

    key: JobKeyForm = Field(
        description="Employee key column: a header (key: 工号) or {column: 工号, user_id_type: user_id}."
    )
    department_id_type: Literal["open_department_id", "department_id", "people_corehr_department_id"] = Field(
        default="people_corehr_department_id",
        description="Kind of department ID returned and compared (the API's default: people_corehr_department_id).",
    )
    as_of: str | None = Field(
        default=None,
        description=(
            "Header of a date column, e.g. 入职日期: join the version effective on that date instead of the current one."
        ),
    )
    columns: ColumnPaths = Field(
        default_factory=dict,
        description=(
            "Field path -> output column header, e.g. {department_id: Department, "
            "assignment_start_reason.enum_name: Start reason, department_id.name: 部门 (a name, not the ID)}."
        ),
    )
    compare: ComparePaths = Field(
        default_factory=dict,
        description="Sheet column header -> field path (department_id.name: by name), e.g. {部门ID: department_id}.",
    )
    status_column: str = Field(default="Job data status", description="Header of the job data status column.")
    note_column: str = Field(default="Job data note", description="Header of the job data note column.")


class OutputSection(StrictModel):
    """What to write."""

    path: str = Field(
        default="{stem}.reconciled.xlsx",
        description="Output file, relative to the input's folder; {stem} is the input name without suffix.",
    )
    writers: WriterList = Field(
        default_factory=lambda: ["xlsx"],
        min_length=1,
        description=(
            "Writers to run: built-in xlsx, csv, jsonl; plugins add more. E.g. [xlsx, csv]. A plugin writer "
            "that takes options is written as a mapping: [xlsx, {sqlite: {table: runs}}]."
        ),
    )
    locale: str = Field(
        default="zh-CN",
        description="Language for enum display texts and the summary sheet, e.g. zh-CN, en-US, zh, en.",
    )

    status_labels: Literal["locale", "keys"] = Field(
        default="locale",
        description=(
            "locale: status cells show labels in output.locale (已匹配, Matched...); "
            "keys: they show the keys (matched, not_found...), for formulas that read them."
        ),
    )

    _writer_options: dict[str, dict[str, Any]] = PrivateAttr(default_factory=dict)

    @model_validator(mode="wrap")
    @classmethod
    def _writer_entries(cls, data: Any, handler: Any) -> Any:
        options: dict[str, dict[str, Any]] = {}
        extra: list[InitErrorDetails] = []
        if isinstance(data, Mapping) and isinstance(data.get("writers"), list):
            names, options, extra = split_writer_entries(data["writers"])
            data = {**data, "writers": names}
        section = validate_with_extra(handler, data, extra, cls.__name__)
        section._writer_options = options
        return section

    def writer_options(self, name: str) -> dict[str, Any]:
        """The options the recipe gives writer `name` (`{sqlite: {table: runs}}` -> {"table": "runs"}); {} if none."""
        return dict(self._writer_options.get(name, {}))

    @field_validator("locale")
    @classmethod
    def _locale(cls, value: str) -> str:
        return check_locale(value)

    @field_validator("path")
    @classmethod
    def _path(cls, value: str) -> str:
        return check_path_template(value)


# A section written with everything commented out (`source:`) means "all defaults".
_DEFAULTED_SECTIONS = ("source", "feishu", "output", "plugins", "cache")


class Recipe(StrictModel):
    """A reconciler recipe: which sheet, which identifiers, what to look up in Feishu, what to write."""

    model_config = ConfigDict(json_schema_extra={"anyOf": [{"required": ["talent"]}, {"required": ["job_data"]}]})

    version: Literal[1] = Field(description="Recipe format version; 1 is the only version so far.")
    name: str | None = Field(default=None, description="Name shown in logs and the summary sheet, e.g. Onboarding check.")
    source: SourceSection = Field(default_factory=SourceSection, description="The input sheet.")
    feishu: FeishuSection = Field(default_factory=FeishuSection, description="Feishu endpoint and app credentials.")
    talent: TalentSection | None = Field(default=None, description="Talent lookup; talent and/or job_data is required.")
    job_data: JobDataSection | None = Field(default=None, description="Job data lookup; talent and/or job_data is required.")
    output: OutputSection = Field(default_factory=OutputSection, description="Output file and writers.")
    plugins: list[str] = Field(
        default_factory=list, description="Extra plugin files or folders to load, relative to this recipe."
    )
    cache: CacheSection = Field(default_factory=CacheSection, description="HTTP cache settings.")

    _source_path: Path | None = PrivateAttr(default=None)
    _file_label: str = PrivateAttr(default="recipe")
    _lines: dict[Loc, int] = PrivateAttr(default_factory=dict)

    @field_validator("version", mode="before")
    @classmethod
    def _version(cls, value: Any) -> Any:
        if isinstance(value, str) and value.strip() == "1":
            return 1
        if isinstance(value, bool) or value != 1:
            raise InvalidValue("recipe.version", value=repr(value))
        return value

    @model_validator(mode="wrap")
    @classmethod
    def _sections(cls, data: Any, handler: Any) -> Any:
        extra: list[InitErrorDetails] = []
        if isinstance(data, Mapping):
            data = {k: v for k, v in data.items() if not (v is None and k in _DEFAULTED_SECTIONS)}
            if data.get("talent") is None and data.get("job_data") is None:
                extra.append(recipe_error(("talent",), Message("recipe.no_sections")))
        return validate_with_extra(handler, data, extra, cls.__name__)

    @property
    def source_path(self) -> Path | None:
        """The recipe file this was loaded from, if any."""
        return self._source_path

    @source_path.setter
    def source_path(self, value: Path | None) -> None:
        self._source_path = None if value is None else Path(value)
        if value is not None and self._file_label == "recipe":
            self._file_label = str(value)

    @property
    def display_name(self) -> str:
        """The recipe's name, or its file's stem."""
        if self.name:
            return self.name
        return self._source_path.stem if self._source_path is not None else "recipe"

    def resolve_path(self, path: str | Path) -> Path:
        """A path written in the recipe, resolved against the recipe's folder (or the working folder)."""
        path = Path(path).expanduser()
        if path.is_absolute() or self._source_path is None:
            return path
        return self._source_path.parent / path

    def plugin_paths(self) -> list[Path]:
        """`plugins:` entries as paths relative to the recipe's folder."""
        return [self.resolve_path(p) for p in self.plugins]

    def _located(self, loc: Loc) -> tuple[Loc, int | None]:
        """The deepest prefix of `loc` present in the recipe file, and its 1-based line."""
        if not self._lines:
            return loc, None
        for depth in range(len(loc), -1, -1):
            line = self._lines.get(tuple(loc[:depth]))
            if line is not None:
                return tuple(loc[:depth]), line
        return loc, None

    def issue_at(self, loc: Loc, key: str | Message, /, **params: Any) -> RecipeIssue:
        """A RecipeIssue for checks that run after loading, at the deepest key of `loc` in the file.

        E.g. ("talent", "inputs", "mobile", "column") is shown as talent.inputs.mobile
        when the recipe used the short form `mobile: 手机号`.
        """
        shown, line = self._located(loc)
        return RecipeIssue(self._file_label, line, format_loc(shown), key, **params)
