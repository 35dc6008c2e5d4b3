"""dwmtj: domain-wall magnetic-tunnel-junction devices from physics.

The same Rust libraries as the ``dwmtj`` command line, with numpy arrays:

* :class:`Device` -- a device file (TOML): check it, resolve it, simulate its pulse program;
* :func:`wall` and :func:`wall_sweep` -- one domain wall in the 1D (q, phi) model;
* :func:`materials` and :func:`material` -- built-in materials with units, ranges, sources;
* :func:`design`, :func:`calibrate`, :func:`energy`, :func:`export`, :func:`reproduce`;
* :func:`micromag`, :func:`read_ovf`, :func:`write_ovf` -- the 2D micromagnetic solver;
* :func:`train` -- on-chip training of an MLP on crossbars of a device;
* :func:`sweep`, :func:`sweep_points`, :func:`sweep_point`, :func:`sweep_table` -- parameter
  studies over any run (the sweep files of ``dwmtj sweep``), in memory or on Dask.

Quantities are SI numbers or strings with units, exactly as in the TOML files
(``pulse="8 ns"``, ``hz="-480 Oe"``). A bad input raises :class:`ConfigError` (a
``ValueError``) with ``field``, ``value`` and ``problem``. Long calls release the GIL, take an
optional ``progress(done, total)`` callback and stop with ``KeyboardInterrupt`` on Ctrl-C;
a seed gives the same result on any number of threads.

>>> import dwmtj
>>> r = dwmtj.wall(current_density="1e11 A/m^2", pulse="8 ns", set={"dmi": "0.3 mJ/m^2"})
>>> abs(r["displacement_m"]) > 1e-9      # metres travelled in the pulse
True
"""

from __future__ import annotations

import json as _json
import os as _os
from dataclasses import dataclass as _dataclass
from typing import Any, Callable, Dict, List, Mapping, Optional, Sequence, Tuple, Union

import numpy as _np

from . import _dwmtj

__all__ = [
    "ConfigError",
    "Device",
    "Simulation",
    "FieldLoops",
    "wall",
    "wall_sweep",
    "materials",
    "material",
    "design",
    "Design",
    "calibrate",
    "calibrate_from_micromag",
    "energy",
    "export",
    "reproduce",
    "micromag",
    "Micromag",
    "read_ovf",
    "write_ovf",
    "train",
    "infer",
    "sweep",
    "sweep_points",
    "sweep_point",
    "sweep_table",
    "SweepResult",
    "__version__",
]

__version__: str = _dwmtj.__version__

#: A bad input: ``field`` (None when the whole file is at fault), ``value``, ``problem``.
ConfigError = _dwmtj.ConfigError

Quantity = Union[float, int, str]
Progress = Optional[Callable[[int, int], Any]]


def _q(v: Quantity) -> Union[float, str]:
    """A quantity for the raw structs: numbers stay SI numbers, strings keep their units."""
    if isinstance(v, bool):
        raise TypeError(f"expected a number or a string with a unit, got {v!r}")
    if isinstance(v, (int, float, _np.floating, _np.integer)):
        return float(v)
    if isinstance(v, str):
        return v
    raise TypeError(f"expected a number or a string with a unit, got {v!r}")


# ----- devices ---------------------------------------------------------------------------


@_dataclass(frozen=True)
class Simulation:
    """A simulated transfer curve.

    ``curves`` holds numpy arrays, one value per applied pulse: ``current_a``, ``r_mean_ohm``,
    ``r_std_ohm``, ``g_mean_s``, ``g_std_s``, ``switched_mean``, ``switched_std`` (MTJs in AP),
    ``energy_j`` (write energy of the pulse), ``index`` (pulse number in its sweep) and ``sweep``
    (the sweep's label, a list of str). ``summary`` is the dict ``dwmtj simulate --json`` prints.
    """

    summary: Dict[str, Any]
    curves: Dict[str, Any]

    def __getitem__(self, key: str) -> Any:
        return self.curves[key]

    def sweep(self, label: str) -> Dict[str, Any]:
        """The curves of one sweep (``"up"``, ``"down"``, ...), as arrays."""
        keep = _np.array([s == label for s in self.curves["sweep"]], dtype=bool)
        if not keep.any():
            raise KeyError(f"no sweep {label!r}; the program has {sorted(set(self.curves['sweep']))}")
        return {k: v[keep] for k, v in self.curves.items() if isinstance(v, _np.ndarray)}


@_dataclass
class FieldLoops:
    """Field-swept loops of a device (``[program] kind = "field-sweep"``).

    ``readings`` holds numpy arrays, one value per reading: ``device``, ``loop``, ``branch`` (list
    of "down"/"up"), ``field_a_per_m``, ``resistance_ohm``, ``ap_count``, ``m_wire``, ``m_mtj``
    (mean over footprints), ``m_first_mtj``. ``events`` has one value per reversal: ``device``,
    ``loop``, ``region`` ("mtj N", "wire", "reference"), ``to`` (+1/-1), ``field_a_per_m``.
    ``summary`` has the per-region statistics (``regions``, with Sharrock's medians), TMR and levels.
    """

    summary: Dict[str, Any]
    readings: Dict[str, Any]
    events: Dict[str, Any]

    def switching_fields(self, region: str, to: int) -> Any:
        """The applied fields (A/m) at which ``region`` ("mtj 3", "wire") reversed to ``to`` (+1/-1)."""
        keep = _np.array([r == region for r in self.events["region"]], dtype=bool) & (self.events["to"] == to)
        return self.events["field_a_per_m"][keep]


class Device:
    """A device file: a heavy-metal/ferromagnet wire with MTJs, its bias, switching model,
    variation, readout and (optionally) a pulse program.

    >>> d = dwmtj.Device.from_file("configs/fig3f.toml")
    >>> d.check()["mtjs"]
    9
    >>> sim = d.simulate(cycles=3, seed=1)
    >>> sim["r_mean_ohm"].shape == sim["current_a"].shape
    True
    """

    def __init__(self, text: str, origin: str = "device.toml", base: Optional[str] = None):
        self.text = text
        self.origin = origin
        self.base = base
        # Validate now, so a bad file fails where it is made.
        self._check = _json.loads(_dwmtj.device_check(text, origin, base))

    @classmethod
    def from_file(cls, path: Union[str, "_os.PathLike[str]"]) -> "Device":
        """Read a device file; relative paths inside it start at its folder."""
        path = _os.fspath(path)
        with open(path, encoding="utf-8") as f:
            text = f.read()
        return cls(text, path, _os.path.dirname(_os.path.abspath(path)))

    @classmethod
    def from_toml(cls, text: str, origin: str = "device.toml") -> "Device":
        """A device from TOML text."""
        return cls(text, origin, None)

    @classmethod
    def builtin(cls, name: str) -> "Device":
        """The paper's built-in devices: ``"fig3f"`` (linear synapse), ``"fig4c"`` (sigmoid)."""
        return cls(_dwmtj.builtin_device(name), f"built-in {name}.toml")

    def check(self) -> Dict[str, Any]:
        """What ``dwmtj check --json`` reports: MTJs, wire resistance, breakdown, thresholds."""
        return dict(self._check)

    def resolved_toml(self) -> str:
        """The device with every value in SI units and every default explicit."""
        return _dwmtj.device_resolved(self.text, self.origin, self.base)

    def simulate(
        self,
        cycles: Optional[int] = None,
        devices: Optional[int] = None,
        seed: Optional[int] = None,
        progress: Progress = None,
    ) -> Simulation:
        """Run the program (Monte Carlo over ``cycles`` x ``devices``); overrides apply to the
        file's ``[program]`` before validation, as the CLI's flags do."""
        summary, curves = _dwmtj.device_simulate(self.text, self.origin, self.base, cycles, devices, seed, progress)
        return Simulation(_json.loads(summary), curves)

    def field_loops(self, devices: Optional[int] = None, seed: Optional[int] = None, progress: Progress = None) -> FieldLoops:
        """Run the file's field-swept program (``[program] kind = "field-sweep"``), as
        ``dwmtj simulate`` does for such a file."""
        summary, readings, events = _dwmtj.device_field_loops(self.text, self.origin, self.base, devices, seed, progress)
        return FieldLoops(_json.loads(summary), readings, events)

    def export(self, format: str, path: Optional[str] = None) -> bytes:
        """The device as ``"gds"`` (GDSII), ``"svg"`` or ``"spice"`` (ngspice subcircuit);
        written to ``path`` if given."""
        return export(self, format, path)

    def __repr__(self) -> str:
        c = self._check
        return f"Device({c.get('device')!r}: {c.get('mtjs')} MTJs on {c.get('material')})"


def calibrate(device: Device, progress: Progress = None) -> Tuple[Dict[str, Any], Device]:
    """Fit the threshold model to the dynamic 1D model at the program's pulse: the report (as
    ``dwmtj calibrate --json``) and the calibrated device."""
    report, resolved = _dwmtj.calibrate(device.text, device.origin, device.base, progress)
    return _json.loads(report), Device.from_toml(resolved, f"calibrated {device.origin}")


def fit_material(velocity: Optional[str] = None, switching: Optional[str] = None, material: str = "ta-cofeb-mgo") -> Tuple[Dict[str, Any], str]:
    """Fit D, alpha, theta_SH and H_dep (with standard errors) to measured CSV tables, as
    ``dwmtj calibrate --velocity V --switching S --json``: the fit and the material file text
    (write it and pass its path as ``material=`` to ``design``, ``Device`` files or ``wall``).

    ``velocity``: columns ``current_density (A/m^2)``, ``velocity (m/s)`` [, ``velocity_std``];
    ``switching``: ``field (Oe)``, ``switching_current_density (A/m^2)`` [, ``..._std``].
    """
    fit, text = _dwmtj.fit_material(material, velocity, switching)
    return _json.loads(fit), text


def calibrate_from_micromag(run: Union[str, Mapping[str, Any]], currents: Sequence[float] = (0.5e11, 1e11, 2e11), progress: Progress = None) -> Tuple[Dict[str, Any], str]:
    """Fit the 1D wall to micromagnetics, as ``dwmtj calibrate --from-micromag RUN --json``
    without a device: the run (a path, TOML text or a dict, as for ``micromag``) is driven at
    each of ``currents`` (A/m^2) without its film pinning to fit D and alpha, and, if it has film
    pinning, on a current ramp to fit H_dep (``"depinning"``). Returns the calibration and the
    fitted material's file text (for ``material=``)."""
    text, origin = _run_text(run)
    cal, material_text = _dwmtj.calibrate_from_micromag(text, origin, [float(j) for j in currents], progress)
    return _json.loads(cal), material_text


def export(device: Device, format: str, path: Optional[str] = None) -> bytes:
    """Export ``device`` as ``"gds"``, ``"svg"`` or ``"spice"``; returns the bytes and writes
    them to ``path`` if given (never over a file that is not dwmtj's own export)."""
    data, _ = _dwmtj.export(device.text, device.origin, format, device.base)
    if path is not None:
        _write_export(path, data, format)
    return data


_SIGNATURES = {"gds": b"DWMTJ", "svg": b"<!-- dwmtj layout -->", "spice": b"* dwmtj export"}


def _write_export(path: str, data: bytes, format: str) -> None:
    if _os.path.exists(path):
        with open(path, "rb") as f:
            head = f.read(128)
        if _SIGNATURES.get(format, b"\0") not in head:
            raise FileExistsError(f"{path} exists and is not a dwmtj {format} export; not overwritten")
    tmp = f"{path}.partial-{_os.getpid()}"
    with open(tmp, "wb") as f:
        f.write(data)
    _os.replace(tmp, path)


# ----- materials and energy ----------------------------------------------------------------


def materials(file: Optional[str] = None) -> List[Dict[str, Any]]:
    """Every built-in material (plus those of a material file): name, description,
    ``parameters`` (key, value in SI, unit, doc, source) and ``derived`` wall quantities."""
    text = None
    if file is not None:
        with open(file, encoding="utf-8") as f:
            text = f.read()
    return _json.loads(_dwmtj.materials(text, file or "materials.toml"))


def material(name: str, file: Optional[str] = None) -> Dict[str, Any]:
    """One material by name (``"ta-cofeb-mgo"``, ``"pt-cotb"``, ...), as :func:`materials`."""
    norm = lambda s: s.lower().replace("_", "-").replace("/", "-")  # noqa: E731
    mats = materials(file)
    for m in mats:
        if norm(m["name"]) == norm(name):
            return m
    err = ConfigError(f"no material named '{name}'; known: {', '.join(m['name'] for m in mats)}")
    err.field, err.value, err.problem = "material", name, "not a known material"
    raise err


def energy(
    width: Quantity = "25 nm",
    thickness: Quantity = "6 nm",
    resistivity: Quantity = "184 uOhm*cm",
    length: Quantity = "415 nm",
    j_th: Quantity = "0.7e11 A/m^2",
    multipliers: Sequence[float] = (2.0, 4.0),
    pulse: Quantity = "8 ns",
) -> Dict[str, Any]:
    """The write energy of scaled devices, E = J^2 w t rho L tau, for each current-density
    multiplier, at a fixed pulse and with the pulse shortened as 1/J (as ``dwmtj energy``)."""
    raw = {
        "width": _q(width),
        "thickness": _q(thickness),
        "resistivity": _q(resistivity),
        "length": _q(length),
        "j_th": _q(j_th),
        "multipliers": [float(m) for m in multipliers],
        "pulse": _q(pulse),
    }
    return _json.loads(_dwmtj.energy(_json.dumps(raw)))


# ----- the 1D wall -------------------------------------------------------------------------

_WALL_DEFAULTS: Dict[str, Any] = {
    "material": "ta-cofeb-mgo",
    "set": [],
    "current_density": 0.0,
    "pulse": "8 ns",
    "rise": "0 s",
    "fall": None,
    "hz": "0 A/m",
    "hx": "0 A/m",
    "hy": "0 A/m",
    "temperature": "0 K",
    "width": "1 um",
    "wall": "up-down",
    "duration": None,
    "oersted": False,
    "sweep_to": None,
    "sweep_points": None,
    "trials": 1,
    "seed": 0,
    "target": "100 nm",
    "dt": "1 ps",
    "rtol": 1e-8,
    "tilt": False,
}
_WALL_QUANTITIES = {"current_density", "pulse", "rise", "fall", "hz", "hx", "hy", "temperature", "width", "duration", "sweep_to", "target", "dt"}


def _wall_raw(kwargs: Mapping[str, Any]) -> Dict[str, Any]:
    raw = dict(_WALL_DEFAULTS)
    for k, v in kwargs.items():
        if k not in raw:
            err = ConfigError(f"unknown argument `{k}`; expected one of {', '.join(sorted(raw))}")
            err.field, err.value, err.problem = k, repr(v), "not an argument of dwmtj.wall"
            raise err
        if k == "set":
            # {"dmi": "0.3 mJ/m^2"} or ["dmi=0.3 mJ/m^2"], as --set KEY=VALUE.
            raw["set"] = [f"{a}={_q(b)}" for a, b in v.items()] if isinstance(v, Mapping) else [str(x) for x in v]
        elif k in _WALL_QUANTITIES and v is not None:
            raw[k] = _q(v)
        else:
            raw[k] = v
    return raw


def wall(**kwargs: Any) -> Dict[str, Any]:
    """One domain wall in the 1D (q, phi) model under a current pulse and fields: the same
    dict as ``dwmtj dw --json`` (displacement, velocity, angle, active terms, trajectory;
    trials and a sweep when asked).

    Arguments (all optional; quantities as SI numbers or unit strings): ``material`` (a
    built-in name or a material file), ``set`` (a dict of material parameters or wall terms:
    ``{"dmi": "0.3 mJ/m^2", "pin_field": "5 mT", "pin_period": "20 nm"}``),
    ``current_density``, ``pulse`` (FWHM), ``rise``, ``fall``, ``hz``, ``hx``, ``hy``,
    ``temperature`` (thermal noise, stochastic Heun, when > 0), ``width`` (wire width),
    ``wall`` (``"up-down"`` or ``"down-up"``), ``duration``, ``oersted``, ``trials``, ``seed``,
    ``target`` (displacement that counts as switched), ``dt``, ``rtol``, ``sweep_to``,
    ``sweep_points`` and ``tilt`` (the wall tilt chi as a third coordinate; the summary gains
    ``tilt_rad``).

    >>> r = dwmtj.wall(current_density=1e11, pulse="8 ns")
    >>> r["terms"]["damping_like_sot"], abs(r["displacement_m"]) > 1e-9
    (True, True)
    """
    return _json.loads(_dwmtj.wall(_json.dumps(_wall_raw(kwargs))))


def wall_sweep(current_density: Any = None, **kwargs: Any) -> Dict[str, Any]:
    """The wall of :func:`wall` under every current density of an array (A/m^2), run in SIMD
    batches (Monte Carlo of ``trials`` per point with a temperature). Returns arrays shaped
    like the input: ``displacement_m``, ``displacement_std_m``, ``final_velocity_m_per_s``,
    ``phi_rad`` and ``current_density_a_per_m2``.

    Any other argument of :func:`wall` can be swept instead by giving it as an array (SI
    numbers) and ``current_density`` as a scalar, e.g. ``wall_sweep(1e11, hz=np.linspace(-2e4,
    2e4, 41))``: one run per value (no SIMD batching), the same arrays plus ``values``.

    >>> s = dwmtj.wall_sweep(np.linspace(0.5e11, 2e11, 16), pulse="4 ns")
    >>> s["displacement_m"].shape
    (16,)
    """
    swept = [k for k, v in kwargs.items() if k in _WALL_QUANTITIES and _np.ndim(v) > 0]
    if swept:
        if len(swept) > 1 or _np.ndim(current_density) > 0:
            raise ValueError(f"sweep one quantity at a time (arrays given for {swept + (['current_density'] if _np.ndim(current_density) > 0 else [])})")
        key = swept[0]
        values = _np.asarray(kwargs.pop(key), dtype=_np.float64)
        runs = [wall(current_density=current_density if current_density is not None else 0.0, **{key: float(v)}, **kwargs) for v in values.flat]
        pick = lambda f: _np.array([f(r) for r in runs]).reshape(values.shape)  # noqa: E731
        return {
            "values": values,
            "current_density_a_per_m2": pick(lambda r: r["current_density_a_per_m2"]),
            "displacement_m": pick(lambda r: r["displacement_m"]),
            "displacement_std_m": pick(lambda r: r.get("displacement_std_m") or 0.0),
            "final_velocity_m_per_s": pick(lambda r: r["final_velocity_m_per_s"]),
            "phi_rad": pick(lambda r: r["phi_rad"]),
        }
    j = _np.ascontiguousarray(_np.asarray(current_density, dtype=_np.float64))
    raw = _wall_raw(kwargs)
    raw["current_density"] = float(j.flat[0]) if j.size else 0.0
    if j.size == 0:
        return {k: _np.empty(j.shape) for k in ("current_density_a_per_m2", "displacement_m", "displacement_std_m", "final_velocity_m_per_s", "phi_rad")}
    return _dwmtj.wall_currents(_json.dumps(raw), j)


# ----- design, reproduce -------------------------------------------------------------------


@_dataclass(frozen=True)
class Design:
    """A designed and verified device: ``summary`` (as ``dwmtj design --json``), ``curve``
    (n, 3): current (A), target and achieved output, and the exports."""

    summary: Dict[str, Any]
    curve: Any
    device_toml: str
    gds: bytes
    svg: str
    spice: str

    @property
    def device(self) -> Device:
        """The designed device (discrete designs)."""
        if not self.device_toml:
            raise ValueError("an analog design has no device file")
        return Device.from_toml(self.device_toml, "design.toml")

    def write(self, folder: str) -> None:
        """Write design.toml, layout.gds, layout.svg and device.cir into ``folder``."""
        _os.makedirs(folder, exist_ok=True)
        for name, data in (("design.toml", self.device_toml.encode()), ("layout.gds", self.gds), ("layout.svg", self.svg.encode()), ("device.cir", self.spice.encode())):
            if data:
                tmp = _os.path.join(folder, f".{name}.partial-{_os.getpid()}")
                with open(tmp, "wb") as f:
                    f.write(data)
                _os.replace(tmp, _os.path.join(folder, name))


def design(
    function: Optional[str] = None,
    current_range: Optional[Tuple[Quantity, Quantity]] = None,
    table: Optional[str] = None,
    center: Optional[Quantity] = None,
    scale: Optional[Quantity] = None,
    mtjs: Optional[int] = None,
    material: Optional[str] = None,
    j_th: Optional[Quantity] = None,
    pulse: Optional[Quantity] = None,
    tolerance: Optional[float] = None,
    analog: Optional[str] = None,
    length: Optional[Quantity] = None,
    magnetic_width: Optional[Quantity] = None,
    rules: Optional[Mapping[str, Any]] = None,
    monte_carlo: Optional[int] = None,
    d2d: Optional[Quantity] = None,
    c2c: Optional[Quantity] = None,
    verify_dynamic: bool = False,
    model: Optional[str] = None,
    file: Optional[str] = None,
    progress: Progress = None,
) -> Design:
    """Design a device for a target transfer function within fabrication rules and verify it
    by simulation (the keys of a target file, docs/run-files.md section 4; ``file`` reads one
    and the arguments override it). ``model`` is "threshold", "dynamic" (solved against the 1D
    wall model at the pulse) or "auto" (the default: dynamic where it verifies).

    >>> d = dwmtj.design("sigmoid", ("150 uA", "600 uA"), mtjs=9)
    >>> d.summary["rms_error"] < 0.05
    True
    """
    raw: Dict[str, Any] = {"version": 1, "target": {}, "design": {}, "rules": {}, "verify": {}}
    base = None
    if file is not None:
        import tomllib

        with open(file, "rb") as f:
            raw.update(tomllib.load(f))
        for section in ("target", "design", "rules", "verify"):
            raw.setdefault(section, {})
        base = _os.path.dirname(_os.path.abspath(file))
    t = raw["target"]
    if function is not None:
        t["function"], _ = function, t.pop("table", None)
    if table is not None:
        t["table"], _ = _os.path.abspath(table), t.pop("function", None)
    if current_range is not None:
        t["current_range"] = [_q(current_range[0]), _q(current_range[1])]
    for k, v in (("center", center), ("scale", scale)):
        if v is not None:
            t[k] = _q(v)
    d = raw["design"]
    for k, v in (("mtjs", mtjs), ("material", material), ("tolerance", tolerance), ("analog", analog), ("model", model)):
        if v is not None:
            d[k] = v
    for k, v in (("j_th", j_th), ("pulse", pulse), ("length", length), ("magnetic_width", magnetic_width)):
        if v is not None:
            d[k] = _q(v)
    for k, v in (rules or {}).items():
        raw["rules"][k] = v if k == "fill" else _q(v)
    v = raw["verify"]
    if monte_carlo is not None:
        v["monte_carlo"] = monte_carlo
    for k, val in (("d2d", d2d), ("c2c", c2c)):
        if val is not None:
            v[k] = _q(val)
    if verify_dynamic:
        v["dynamic"] = True
    summary, curve, toml, gds, svg, spice = _dwmtj.design(_json.dumps(raw), base, progress)
    return Design(_json.loads(summary), curve, toml, bytes(gds), svg, spice)


def reproduce(figure: str = "all", progress: Progress = None) -> Dict[str, Any]:
    """Reproduce the device paper's ``"fig3f"``, ``"fig4c"``, ``"fig3b"``, ``"fig5b"``,
    ``"energy"``, ``"fig1e"``, ``"fig2cd"``, ``"field-steps"``, ``"scaling"`` or ``"all"``, or
    ``"consistency"`` (the threshold, 1D and micromagnetic models on one device, about 40 s): a
    dict with ``checks`` (name, paper, ours, pass), ``all_pass`` and the figures' data
    (``transfer``: simulated devices with their points, fits and overlays; ``fig3b``,
    ``fig5b``, ``energy``, ``consistency``).

    >>> r = dwmtj.reproduce("fig3f")
    >>> r["all_pass"]
    True
    """
    r = _json.loads(_dwmtj.reproduce(figure, progress))
    r["all_pass"] = all(c["pass"] for c in r["checks"])
    return r


# ----- micromagnetics ----------------------------------------------------------------------


@_dataclass(frozen=True)
class Micromag:
    """A micromagnetic run: ``summary`` (as ``dwmtj micromag --json``), ``table`` (numpy
    columns: ``t_s``, ``mx``, ..., energies, ``wall_x_m``, region averages and MTJ
    conductances) and ``snapshots``: a list of (t in s, m shaped (nz, ny, nx, 3))."""

    summary: Dict[str, Any]
    table: Dict[str, Any]
    snapshots: List[Tuple[float, Any]]

    @property
    def m(self) -> Any:
        """The final magnetisation, shaped (nz, ny, nx, 3)."""
        return self.snapshots[-1][1]


def _toml_value(v: Any) -> str:
    if isinstance(v, bool):
        return "true" if v else "false"
    if isinstance(v, (int, float)):
        return repr(v)
    if isinstance(v, str):
        return _json.dumps(v)
    if isinstance(v, (list, tuple)):
        return "[" + ", ".join(_toml_value(x) for x in v) + "]"
    raise TypeError(f"cannot write {v!r} to a run file")


def _to_toml(d: Mapping[str, Any]) -> str:
    """A small TOML writer for run-file dicts (tables, arrays of tables, scalars, lists)."""
    lines: List[str] = []

    def table(prefix: str, t: Mapping[str, Any]) -> None:
        for k, v in t.items():
            if not isinstance(v, Mapping) and not (isinstance(v, list) and v and isinstance(v[0], Mapping)):
                lines.append(f"{k} = {_toml_value(v)}")
        for k, v in t.items():
            name = f"{prefix}.{k}" if prefix else k
            if isinstance(v, Mapping):
                lines.append(f"[{name}]")
                table(name, v)
            elif isinstance(v, list) and v and isinstance(v[0], Mapping):
                for item in v:
                    lines.append(f"[[{name}]]")
                    table(name, item)

    table("", d)
    return "\n".join(lines) + "\n"


def _run_text(run: Union[str, Mapping[str, Any]]) -> Tuple[str, str]:
    """A micromagnetic run's TOML text and its origin: from a path, TOML text or a dict."""
    if isinstance(run, Mapping):
        return _to_toml(run), "run (dict)"
    if "\n" not in run and _os.path.exists(run):
        with open(run, encoding="utf-8") as f:
            return f.read(), run
    return run, "run.toml"


def micromag(run: Union[str, Mapping[str, Any]], progress: Progress = None) -> Micromag:
    """Run a micromagnetic problem: a run file's path, its TOML text, or a dict of the same
    tables (``{"mesh": {...}, "material": {...}, "run": {...}}``; keys in docs/run-files.md)."""
    text, origin = _run_text(run)
    summary, table, snapshots = _dwmtj.micromag(text, origin, progress)
    return Micromag(_json.loads(summary), table, snapshots)


def read_ovf(path_or_bytes: Union[str, bytes]) -> Tuple[Any, Tuple[float, float, float], str]:
    """Read an OVF 2.0 file (text, binary 4 or 8): (m shaped (nz, ny, nx, 3), cell size in m,
    title)."""
    data = path_or_bytes
    if isinstance(path_or_bytes, str):
        with open(path_or_bytes, "rb") as f:
            data = f.read()
    m, step, title = _dwmtj.ovf_read(data)
    return m, tuple(step), title


def write_ovf(path: Optional[str], m: Any, cell: Sequence[float], format: str = "binary4", title: str = "m", description: str = "") -> bytes:
    """Write m (nz, ny, nx, 3) as OVF 2.0 (``"binary4"``, ``"binary8"`` or ``"text"``) with
    cells of size ``cell`` = (dx, dy, dz) in m; returns the bytes, writes ``path`` if given."""
    arr = _np.ascontiguousarray(_np.asarray(m, dtype=_np.float64))
    data = _dwmtj.ovf_write(arr, [float(c) for c in cell], format, title, description)
    if path is not None:
        tmp = f"{path}.partial-{_os.getpid()}"
        with open(tmp, "wb") as f:
            f.write(data)
        _os.replace(tmp, path)
    return bytes(data)


# ----- training ----------------------------------------------------------------------------


def _training_text(config: Optional[str]) -> Tuple[Optional[str], str, Optional[str]]:
    """A training file's text, origin and folder (relative paths resolve there): from a path or
    TOML text; None for the built-in configuration."""
    if config is None:
        return None, "training.toml", None
    if "\n" not in config and _os.path.exists(config):
        with open(config, encoding="utf-8") as f:
            return f.read(), config, _os.path.dirname(_os.path.abspath(config))
    return config, "training.toml", None


def train(
    config: Optional[str] = None,
    data_dir: Optional[str] = None,
    device: Optional[str] = None,
    epochs: Optional[int] = None,
    seed: Optional[int] = None,
    progress: Progress = None,
) -> Dict[str, Any]:
    """Train a network on chip (``config``: a training file path or TOML text, an MLP or a
    convolutional network such as configs/nn/lenet5.toml; None: the built-in 784-256-128-10
    DW-MTJ network on the built-in MNIST subset). Returns the summary
    of ``dwmtj train --json`` with ``metrics``: one dict per epoch (accuracy, loss, pulses,
    the energy breakdown), and ``layer_weights``: per tile layer a (W, b) pair of float32 arrays, W
    the effective weights shaped (outputs, inputs) (a convolution's inputs are C_in k k); see
    :func:`infer` to program them into another device."""
    text, origin, base = _training_text(config)
    summary, metrics, layers = _dwmtj.train(text, origin, base, data_dir, device, epochs, seed, progress)
    out = _json.loads(summary)
    out["metrics"] = _json.loads(metrics)
    out["layer_weights"] = layers
    return out


def infer(
    weights: Any,
    config: Optional[str] = None,
    over_time: bool = False,
    data_dir: Optional[str] = None,
    device: Optional[str] = None,
    seed: Optional[int] = None,
    progress: Progress = None,
) -> Dict[str, Any]:
    """Program an inference network with given weights and evaluate it on the test images, as
    ``dwmtj train CONFIG --weights FILE [--over-time]``. ``weights``: a safetensors file (path or
    bytes: a dwmtj run's ``weights.safetensors`` or a PyTorch ``state_dict`` saved with
    ``safetensors.torch.save_file``), or a list of ``(W, b)`` array pairs, one per tile layer
    (W shaped (outputs, inputs), or (C_out, C_in, k, k) for a convolution; ``b`` may be None),
    for example :func:`train`'s ``layer_weights``. Each device is set to W/alpha, clipped to its
    range and snapped to its levels. ``over_time`` adds ``over_time``: accuracy 1 s to 1 year
    after programming for each drift or retention model. Returns the summary (``test_accuracy``,
    ``clipped_fraction``, ``inference`` energy and latency, ...) with ``layer_weights``, the
    programmed network as (W, b) pairs.

    >>> r = dwmtj.train(device="float", epochs=1)
    >>> p = dwmtj.infer(r["layer_weights"], device="float")
    >>> abs(p["test_accuracy"] - r["test_accuracy"]) < 1e-12
    True
    """
    text, origin, base = _training_text(config)
    blob, arrays = None, None
    if isinstance(weights, (bytes, bytearray)):
        blob = bytes(weights)
    elif isinstance(weights, (str, _os.PathLike)):
        with open(weights, "rb") as f:
            blob = f.read()
    else:
        arrays = []
        for pair in weights:
            w, b = pair
            w = _np.asarray(w, dtype=_np.float32)
            b = [] if b is None else _np.asarray(b, dtype=_np.float32).ravel().tolist()
            arrays.append((w.ravel().tolist(), list(w.shape), b))
    summary, layers = _dwmtj.infer(text, origin, base, data_dir, device, seed, blob, arrays, over_time, progress)
    out = _json.loads(summary)
    out["layer_weights"] = layers
    return out


# ----- sweeps --------------------------------------------------------------------------------


def _column(cells: Sequence[str]) -> Any:
    """A table column as float64 (empty cells NaN), bool, or a list of strings."""
    if all(c in ("true", "false") for c in cells) and cells:
        return _np.array([c == "true" for c in cells], dtype=bool)
    try:
        return _np.array([float(c) if c != "" else _np.nan for c in cells], dtype=_np.float64)
    except ValueError:
        return list(cells)


@_dataclass
class SweepResult:
    """The table of a sweep.

    ``csv`` is the text of ``sweep.csv`` (the same bytes as ``dwmtj sweep`` writes), ``info`` the
    study's description with the counts (``points``, ``done``, ``failed``, ``pending``, ``axes``,
    ``columns``), ``table`` one entry per column: a float64 array (NaN where a point has no
    value), a bool array, or a list of strings (``status``, ``error``)."""

    csv: str
    info: Dict[str, Any]
    table: Dict[str, Any]

    @classmethod
    def _from(cls, csv_text: str, json_text: str) -> "SweepResult":
        import csv as _csv
        import io as _io

        rows = list(_csv.reader(_io.StringIO(csv_text)))
        header, body = rows[0], rows[1:]
        table = {name: _column([r[i] for r in body]) for i, name in enumerate(header)}
        for name in ("status", "error"):
            table[name] = [r[header.index(name)] for r in body]
        info = _json.loads(json_text)
        info.pop("rows", None)
        return cls(csv=csv_text, info=info, table=table)


def sweep(path: str, jobs: Optional[int] = None, progress: Progress = None) -> SweepResult:
    """Run every point of a sweep file (the study ``dwmtj sweep PATH`` runs) in memory on
    ``jobs`` threads (default: every core) and return its table. Every point is validated
    before any runs; a point that fails is a row with ``status == "failed"`` and its
    ``error``. ``progress(done, total)`` counts points.

    >>> import dwmtj, os, tempfile
    >>> d = tempfile.mkdtemp()
    >>> _ = open(os.path.join(d, "wall.toml"), "w").write('pulse = "2 ns"\\n')
    >>> _ = open(os.path.join(d, "s.toml"), "w").write(
    ...     'version = 1\\nbase = "wall.toml"\\n[[axis]]\\nkey = "current_density"\\n'
    ...     'values = ["0.5e11 A/m^2", "1e11 A/m^2"]\\n')
    >>> r = dwmtj.sweep(os.path.join(d, "s.toml"))
    >>> r.info["points"], r.info["failed"], r.table["displacement_m"].shape
    (2, 0, (2,))
    """
    csv_text, json_text = _dwmtj.sweep_run(_os.fspath(path), jobs, progress)
    return SweepResult._from(csv_text, json_text)


def sweep_points(path: str) -> List[Dict[str, Any]]:
    """The points of a sweep file, validated: for each its ``index``, the axis ``values`` as
    written into the base, and the ``seed`` it runs with. Hand the indices to any scheduler
    (Dask, Ray, a process pool) with :func:`sweep_point`, then build the table with
    :func:`sweep_table`."""
    return _json.loads(_dwmtj.sweep_describe(_os.fspath(path)))["points"]


def sweep_point(path: str, index: int, progress: Progress = None) -> str:
    """Run point ``index`` of a sweep file and return the text of its ``summary.json`` (what
    ``dwmtj sweep`` writes in ``points/NNNN/summary.json``). Raises on a failed point."""
    return _dwmtj.sweep_point(_os.fspath(path), index, progress)


def sweep_table(path: str, results: Sequence[Any]) -> SweepResult:
    """The table of a sweep from its points' results, one per point in order: the text
    :func:`sweep_point` returned, an exception (or a failure message wrapped in
    :class:`Exception`) for a failed point, or None for a pending one. The table is the same,
    byte for byte, as :func:`sweep` and ``dwmtj sweep`` give."""
    summaries: List[Optional[str]] = []
    errors: List[Optional[str]] = []
    for r in results:
        if isinstance(r, BaseException):
            summaries.append(None)
            errors.append(str(r))
        else:
            summaries.append(r)
            errors.append(None)
    csv_text, json_text = _dwmtj.sweep_table(_os.fspath(path), summaries, errors)
    return SweepResult._from(csv_text, json_text)
