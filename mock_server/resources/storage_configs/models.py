"""Storage configs' wire and seed models."""

from __future__ import annotations

from pydantic import BaseModel, ConfigDict, Field

from mock_server.core.names import ID_PATTERN, NAME_PATTERN, Name
from mock_server.core.seeds import SeedModel
from mock_server.resources.storage_configs.tables import BackendType, ConfigType


class StorageConfigPublic(BaseModel):
    model_config = ConfigDict(frozen=True)

    id: str = Field(pattern=ID_PATTERN)
    name: str
    config_type: ConfigType
    backend_type: BackendType


class StorageConfigList(BaseModel):
    model_config = ConfigDict(frozen=True)

    default_storage_config: str | None
    storage_configs: list[StorageConfigPublic]
    offset: int
    record_size: int
    total_count: int


class StorageConfigsUpdate(BaseModel):
    """The SDK sends the key misspelt (``deafault_``); the right spelling is taken too."""

    model_config = ConfigDict(strict=True, extra="ignore")

    deafault_storage_config: Name | None = None
    default_storage_config: Name | None = None


class DefaultStorageConfig(BaseModel):
    default_storage_config: str


class StorageConfigSeed(SeedModel):
    name: str = Field(pattern=NAME_PATTERN)
    workspace: str = Field(pattern=NAME_PATTERN)
    id: str | None = Field(default=None, pattern=ID_PATTERN, description="Generated if missing")
    config_type: ConfigType = ConfigType.GRAVITI
    backend_type: BackendType = BackendType.OSS
    default: bool = False
