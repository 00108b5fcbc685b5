"""pydantic v2 models of the catalogue's ten worker tasks, for the configure comparison.

The same fields, wire names, defaults and constraints as the Rust catalogue
(`examples/src/`) and its published schemas (`docs/tasks/*.schema.json`), written as a Debusine
developer would write pydantic v2 task data models, but as strict as taskdef:

- `extra="forbid"` everywhere (unknown keys are refused at every level);
- `strict=True`: `"true"` is not a boolean, `"2"` not an integer, `12` not a string, `true`
  not a lookup;
- enums as `Literal`s, patterns, ranges, minimum and exact lengths; unique items by validators;
- mutable defaults as `default_factory` (cheaper than pydantic's copy of a default instance);
- the shared pieces written once (lookups with their matcher keys, executor fields, extra
  repositories, bootstrap repositories), and the cross-field rules as model validators, with
  Debusine's messages.

`MODELS` maps each task name to its model. `bench/python/configure.py` checks that every
valid sample validates and every invalid one is refused before it times anything.
"""

from __future__ import annotations

import posixpath
import re
from datetime import datetime
from typing import Annotated, Any, Literal, Union

from pydantic import BaseModel, ConfigDict, Field, TypeAdapter, model_validator

STRICT = ConfigDict(extra="forbid", strict=True)

Int64 = Annotated[int, Field(ge=-(2**63), le=2**63 - 1)]
UInt64 = Annotated[int, Field(ge=0, le=2**64 - 1)]

# --- Lookups ---------------------------------------------------------------------------------

LookupSingle = Union[Int64, str]

MatcherKind = Literal["exact", "contains", "endswith", "startswith"]
SUFFIXES = ("contains", "endswith", "startswith")

NAME_KEY = re.compile(r"^name(?:__(?:contains|endswith|startswith))?$")
DATA_KEY = re.compile(r"^data__[^_]+(?:_[^_]+)*(?:__(?:contains|endswith|startswith))?$")
LOOKUP_KEY = re.compile(r"^lookup__[^_]+(?:_[^_]+)*$")


class Matcher(BaseModel):
    """One matcher in the server's normalised form."""

    model_config = STRICT
    kind: MatcherKind
    value: Any


class LookupDict(BaseModel):
    """A lookup object: `collection`, `child_type`, `category`, matcher keys (`name`,
    `name__K`, `data__FIELD`, `data__FIELD__K`, `lookup__NAME`) or the normalised form."""

    # Matcher keys are open-ended: allowed as extras, then checked one by one.
    model_config = ConfigDict(extra="allow", strict=True)
    collection: LookupSingle
    child_type: Literal["bare", "artifact", "artifact-or-promise", "collection", "any"] = (
        "artifact"
    )
    category: str | None = None
    # Present or absent, never null (the schema has no null here).
    name_matcher: Matcher = Field(default=None)
    data_matchers: list[tuple[str, Matcher]] = Field(default_factory=list)
    lookup_filters: list[tuple[str, LookupFilter]] = Field(default_factory=list)

    @model_validator(mode="after")
    def matcher_keys(self) -> LookupDict:
        targets: dict[str, list[str]] = {}
        if "name_matcher" in self.model_fields_set:
            targets.setdefault("name", []).append("name_matcher")
        for field, _ in self.data_matchers:
            targets.setdefault(f"data__{field}", []).append(f"data_matchers: {field}")
        for key, value in (self.__pydantic_extra__ or {}).items():
            if NAME_KEY.match(key):
                if not isinstance(value, str):
                    raise ValueError(f"{key}: expected a string")
                targets.setdefault("name", []).append(key)
            elif DATA_KEY.match(key):
                parts = key.split("__")
                target = "__".join(parts[:2])
                targets.setdefault(target, []).append(key)
            elif LOOKUP_KEY.match(key):
                LOOKUP_FILTER.validate_python(value, strict=True)
            elif key.startswith(("name", "data", "lookup")):
                raise ValueError(f"Unrecognized matcher: {key}")
            else:
                raise ValueError(f"unknown field `{key}`")
        for keys in targets.values():
            if len(keys) > 1:
                raise ValueError(f"Conflicting matchers: {sorted(keys)}")
        return self


LookupMultiple = Union[list[Union[LookupSingle, LookupDict]], LookupDict]
LookupFilter = Union[LookupSingle, LookupMultiple]
LookupDict.model_rebuild()
LOOKUP_FILTER = TypeAdapter(LookupFilter)

TASK_CONFIGURATION = "default@debusine:task-configuration"

# --- Shared fields ---------------------------------------------------------------------------

Backend = Literal["auto", "unshare", "incus-lxc", "incus-vm", "qemu"]

URL = r"^[A-Za-z][A-Za-z0-9+.\-]*://[^\s/?#@]*@?[^\s/?#@]+(?:[/?#]\S*)?$"
KEYRING_URL = r"^[A-Za-z][A-Za-z0-9+.\-]*:\S+$"


class TaskData(BaseModel):
    """What every task has."""

    model_config = STRICT
    task_configuration: LookupSingle | None = TASK_CONFIGURATION


class ExecutorTaskData(TaskData):
    """Executor fields: `backend`, `environment`, `host_architecture` (E tasks)."""

    backend: Backend = "auto"
    environment: LookupSingle | None = None
    host_architecture: str | None = None


class ExtraRepository(BaseModel):
    """One extra APT repository."""

    model_config = STRICT
    url: Annotated[str, Field(pattern=URL)]
    suite: Annotated[str, Field(pattern=r"^(\w|[./ -])+$")]
    components: list[Annotated[str, Field(pattern=r"^(\w|-)+$")]] | None = None
    signing_key: str | None = None

    @model_validator(mode="after")
    def flat_or_components(self) -> ExtraRepository:
        if self.suite.endswith("/"):
            if self.components:
                raise ValueError(
                    "Components cannot be specified for a flat repository "
                    "(where the suite ends with /)"
                )
        elif not self.components:
            raise ValueError("Components must be specified")
        return self


def unique(items: list | None) -> list | None:
    if items is not None and len(set(items)) != len(items):
        raise ValueError("items are not unique")
    return items


class Keyring(BaseModel):
    model_config = STRICT
    url: Annotated[str, Field(pattern=KEYRING_URL)]
    sha256sum: str = ""
    install: bool = False


class BootstrapRepository(BaseModel):
    model_config = STRICT
    mirror: str
    suite: str
    types: Annotated[list[Literal["deb", "deb-src"]], Field(min_length=1)] = Field(
        default_factory=lambda: ["deb"]
    )
    components: list[str] | None = None
    check_signature_with: Literal["system", "external", "no-check"] = "system"
    keyring_package: str | None = None
    keyring: Keyring | None = None

    @model_validator(mode="after")
    def rules(self) -> BootstrapRepository:
        unique(self.types)
        unique(self.components)
        if self.check_signature_with == "external" and self.keyring is None:
            raise ValueError(
                "repository requires 'keyring': 'check_signature_with' is set to 'external'"
            )
        if self.keyring is not None and self.keyring.url.startswith("file://"):
            path = posixpath.normpath(self.keyring.url[len("file://") :])
            if not path.startswith(("/usr/share/keyrings/", "/usr/local/share/keyrings/")):
                raise ValueError(
                    "file:// URLs for keyrings must be under /usr/share/keyrings/ or "
                    "/usr/local/share/keyrings/"
                )
        return self


MmdebstrapVariant = Literal[
    "buildd", "minbase", "-", "apt", "custom", "debootstrap", "essential", "extract",
    "important", "required", "standard",
]  # fmt: skip


class MmdebstrapOptions(BaseModel):
    model_config = STRICT
    architecture: str
    variant: MmdebstrapVariant | None = None
    extra_packages: list[str] = Field(default_factory=list)
    use_signed_by: bool = True


class ImageOptions(MmdebstrapOptions):
    variant: Literal["buildd", "minbase"] | None = None


# --- The tasks -------------------------------------------------------------------------------


class Noop(TaskData):
    result: bool = True


class SbuildInput(BaseModel):
    model_config = STRICT
    source_artifact: LookupSingle
    extra_binary_artifacts: LookupMultiple = Field(default_factory=list)


RFC3339 = re.compile(
    r"^\d{4}-\d{2}-\d{2}[Tt]\d{2}:\d{2}:\d{2}(?:\.\d+)?(?:[Zz]|[+-]\d{2}:\d{2})$"
)


class Binnmu(BaseModel):
    model_config = STRICT
    changelog: str
    suffix: str
    timestamp: str | None = None
    maintainer: (
        Annotated[
            str,
            Field(pattern=r"^(?:[^<>]*<[^\s<>@]+@[^\s<>@]+>\s*|[^\s<>@]+@[^\s<>@]+)$"),
        ]
        | None
    ) = None

    @model_validator(mode="after")
    def date_time(self) -> Binnmu:
        if self.timestamp is not None:
            if not RFC3339.match(self.timestamp):
                raise ValueError(f"{self.timestamp!r} is not a 'date-time'")
            # The fields' ranges (month 1-12, ...); fromisoformat takes Z from 3.11.
            datetime.fromisoformat(self.timestamp.upper())
        return self


class Sbuild(ExecutorTaskData):
    input: SbuildInput
    environment: LookupSingle
    host_architecture: str
    build_components: list[Literal["any", "all", "source"]] = Field(
        default_factory=lambda: ["any"]
    )
    binnmu: Binnmu | None = None
    build_profiles: list[str] | None = None
    build_dep_resolver: Literal["apt", "aptitude", "aspcud", "xapt"] | None = None
    aspcud_criteria: str | None = None
    extra_repositories: list[ExtraRepository] | None = None

    @model_validator(mode="after")
    def binnmu_arch_all(self) -> Sbuild:
        if self.binnmu is not None and "all" in self.build_components:
            raise ValueError("Cannot build architecture-independent packages in a binNMU")
        return self


class LintianInput(BaseModel):
    model_config = STRICT
    source_artifact: LookupSingle | None = None
    binary_artifacts: LookupMultiple = Field(default_factory=list)


class LintianOutput(BaseModel):
    model_config = STRICT
    source_analysis: bool = True
    binary_all_analysis: bool = True
    binary_any_analysis: bool = True


class Lintian(ExecutorTaskData):
    input: LintianInput
    output: LintianOutput = Field(default_factory=LintianOutput)
    target_distribution: str = "debian:unstable"
    include_tags: list[str] = Field(default_factory=list)
    exclude_tags: list[str] = Field(default_factory=list)
    fail_on_severity: Literal[
        "error", "warning", "info", "pedantic", "experimental", "overridden", "none"
    ] = "error"

    @model_validator(mode="after")
    def some_input(self) -> Lintian:
        if self.input.source_artifact is None and self.input.binary_artifacts == []:
            raise ValueError("One of source_artifact or binary_artifacts must be set")
        return self


class AutopkgtestInput(BaseModel):
    model_config = STRICT
    source_artifact: LookupSingle
    binary_artifacts: LookupMultiple
    context_artifacts: LookupMultiple = Field(default_factory=list)


class FailOn(BaseModel):
    model_config = STRICT
    failed_test: bool = True
    flaky_test: bool = False
    skipped_test: bool = False


class Timeout(BaseModel):
    model_config = STRICT
    global_: UInt64 | None = Field(default=None, alias="global")
    factor: UInt64 | None = None
    short: UInt64 | None = None
    install: UInt64 | None = None
    test: UInt64 | None = None
    copy_: UInt64 | None = Field(default=None, alias="copy")


class Autopkgtest(ExecutorTaskData):
    input: AutopkgtestInput
    environment: LookupSingle
    host_architecture: str
    include_tests: list[str] = Field(default_factory=list)
    exclude_tests: list[str] = Field(default_factory=list)
    debug_level: Annotated[int, Field(ge=0, le=3)] = 0
    use_packages_from_base_repository: bool = False
    extra_environment: dict[str, str] = Field(default_factory=dict)
    needs_internet: Literal["run", "try", "skip"] = "run"
    fail_on: FailOn = Field(default_factory=FailOn)
    timeout: Timeout | None = None
    extra_repositories: list[ExtraRepository] | None = None


class Mmdebstrap(TaskData):
    bootstrap_options: MmdebstrapOptions
    bootstrap_repositories: Annotated[list[BootstrapRepository], Field(min_length=1)]
    customization_script: str | None = None


class Partition(BaseModel):
    model_config = STRICT
    size: Int64
    filesystem: str
    mountpoint: str = "none"


class DiskImage(BaseModel):
    model_config = STRICT
    format: Literal["raw", "qcow2"]
    filename: str = "image"
    kernel_package: str | None = None
    bootloader: str | None = None
    partitions: Annotated[list[Partition], Field(min_length=1)]


class SimpleSystemImageBuild(TaskData):
    bootstrap_options: ImageOptions
    bootstrap_repositories: Annotated[list[BootstrapRepository], Field(min_length=1)]
    customization_script: str | None = None
    disk_image: DiskImage


class PiupartsInput(BaseModel):
    model_config = STRICT
    binary_artifacts: LookupMultiple


class Piuparts(ExecutorTaskData):
    input: PiupartsInput
    environment: LookupSingle
    host_architecture: str
    base_tgz: LookupSingle
    extra_repositories: list[ExtraRepository] | None = None


class BlhcInput(BaseModel):
    model_config = STRICT
    artifact: LookupSingle


class Blhc(ExecutorTaskData):
    input: BlhcInput
    extra_flags: list[
        Literal["--all", "--bindnow", "--buildd", "--color", "--debian", "--line-numbers", "--pie"]
    ] = Field(default_factory=list)


class DebdiffInput(BaseModel):
    model_config = STRICT
    source_artifacts: Annotated[list[LookupSingle], Field(min_length=2, max_length=2)] | None = (
        None
    )
    binary_artifacts: (
        Annotated[list[LookupMultiple], Field(min_length=2, max_length=2)] | None
    ) = None


DebdiffFlag = Literal[
    "--dirs", "--nocontrol", "--wdiff-source-control", "--show-moved", "--diffstat",
    "--apply-patches", "--ignore-space",
]  # fmt: skip


class Debdiff(ExecutorTaskData):
    input: DebdiffInput
    extra_flags: list[DebdiffFlag] = Field(default_factory=list)
    environment: LookupSingle
    host_architecture: str

    @model_validator(mode="after")
    def exactly_one_input(self) -> Debdiff:
        if (self.input.source_artifacts is None) == (self.input.binary_artifacts is None):
            raise ValueError("Exactly one of source_artifacts or binary_artifacts must be set")
        return self


class MakeSourcePackageUploadInput(BaseModel):
    model_config = STRICT
    source_artifact: LookupSingle


class MakeSourcePackageUpload(ExecutorTaskData):
    input: MakeSourcePackageUploadInput
    environment: LookupSingle
    since_version: str | None = None
    target_distribution: str | None = None


MODELS: dict[str, type[BaseModel]] = {
    "autopkgtest": Autopkgtest,
    "blhc": Blhc,
    "debdiff": Debdiff,
    "lintian": Lintian,
    "makesourcepackageupload": MakeSourcePackageUpload,
    "mmdebstrap": Mmdebstrap,
    "noop": Noop,
    "piuparts": Piuparts,
    "sbuild": Sbuild,
    "simplesystemimagebuild": SimpleSystemImageBuild,
}
