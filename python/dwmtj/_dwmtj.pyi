"""Type stubs of the native module (the documented API is `dwmtj`)."""

from typing import Any, Callable, Dict, List, Optional, Tuple

import numpy as np
import numpy.typing as npt

__version__: str

class ConfigError(ValueError):
    field: Optional[str]
    value: str
    problem: str

Progress = Optional[Callable[[int, int], Any]]

def builtin_device(name: str) -> str: ...
def device_check(text: str, origin: str, base: Optional[str] = None) -> str: ...
def device_resolved(text: str, origin: str, base: Optional[str] = None) -> str: ...
def device_simulate(
    text: str,
    origin: str,
    base: Optional[str] = None,
    cycles: Optional[int] = None,
    devices: Optional[int] = None,
    seed: Optional[int] = None,
    progress: Progress = None,
) -> Tuple[str, Dict[str, Any]]: ...
def calibrate(text: str, origin: str, base: Optional[str] = None, progress: Progress = None) -> Tuple[str, str]: ...
def materials(file_text: Optional[str] = None, origin: str = "materials.toml") -> str: ...
def energy(raw_json: str) -> str: ...
def wall(raw_json: str) -> str: ...
def wall_currents(raw_json: str, currents: npt.NDArray[np.float64]) -> Dict[str, npt.NDArray[np.float64]]: ...
def design(
    raw_json: str, base: Optional[str] = None, progress: Progress = None
) -> Tuple[str, npt.NDArray[np.float64], str, bytes, str, str]: ...
def export(text: str, origin: str, format: str, base: Optional[str] = None) -> Tuple[bytes, str]: ...
def reproduce(part: str, progress: Progress = None) -> str: ...
def micromag(
    text: str, origin: str, progress: Progress = None
) -> Tuple[str, Dict[str, npt.NDArray[np.float64]], List[Tuple[float, npt.NDArray[np.float64]]]]: ...
def ovf_read(data: bytes) -> Tuple[npt.NDArray[np.float64], List[float], str]: ...
def ovf_write(
    m: npt.NDArray[np.float64], step: List[float], format: str = "binary4", title: str = "m", description: str = ""
) -> bytes: ...
def train(
    text: Optional[str] = None,
    origin: str = "training.toml",
    base: Optional[str] = None,
    data_dir: Optional[str] = None,
    device: Optional[str] = None,
    epochs: Optional[int] = None,
    seed: Optional[int] = None,
    progress: Progress = None,
) -> Tuple[str, str]: ...
