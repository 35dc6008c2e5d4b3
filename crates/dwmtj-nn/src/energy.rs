//! Energy and latency accounting, NeuroSim-style: the network counts events (MVMs, conversions,
//! device pulses, digital operations) and this module prices them.
//!
//! * Array read: each MVM drives row i at V_read x_i (|x_i| <= 1 after noise management) for
//!   t_read; every device pair in the row conducts, so E = V_read^2 t_read sum_i x_i^2 K G_pair
//!   with K devices per row and G_pair = g_min + g_max (one side near g_min, the other at the
//!   mean g of its range, summed: an estimate that does not track each weight).
//! * ADC: E = FOM_W 2^bits per conversion (Walden figure of merit; 10 fJ per conversion step is
//!   typical of SAR ADCs in B. Murmann's ADC survey, 2010-2024 entries at 8-10 bits).
//! * DAC: E = E_step 2^bits per conversion (1 fJ per level: a unit-capacitor DAC of 1 fF at 1 V).
//! * Device programming pulse: the device's own energy per pulse (DW-MTJ: I^2 R_wire t_E from
//!   the device file; NeuroSim devices: V^2 G_on t_pulse upper bounds from docs/nn.md 9).
//! * Digital: 4.6 pJ per fp32 multiply-accumulate and 0.9 pJ per fp32 add (Horowitz, ISSCC
//!   2014, 45 nm), for the float baseline's MVMs, outer products and mixed-precision
//!   accumulators; the digital throughput 1e12 MAC/s sets the float baseline's latency.
//! * Latency: an MVM takes t_read + t_adc (one ADC per column, all in parallel); a stochastic
//!   update takes BL pulse slots for the whole array; pulse-count and mixed-precision writes go
//!   row by row, each row as long as its longest pulse train.

/// Circuit constants that price the counted events (module docs).
#[derive(Clone, Debug, PartialEq, serde::Serialize)]
pub struct CircuitParams {
    /// Read voltage of a full-scale input (V).
    pub v_read: f64,
    /// Read time of one MVM (s).
    pub t_read: f64,
    /// ADC Walden figure of merit: energy per conversion step (J).
    pub adc_fom: f64,
    /// ADC conversion time (s).
    pub t_adc: f64,
    /// DAC energy per level (J).
    pub dac_energy_per_level: f64,
    /// Energy of one fp32 multiply-accumulate (J).
    pub digital_mac: f64,
    /// Energy of one fp32 add (J).
    pub digital_add: f64,
    /// Digital throughput (multiply-accumulates per second).
    pub digital_macs_per_s: f64,
}

impl Default for CircuitParams {
    fn default() -> Self {
        Self {
            v_read: 0.2,
            t_read: 10e-9,
            adc_fom: 10e-15,
            t_adc: 10e-9,
            dac_energy_per_level: 1e-15,
            digital_mac: 4.6e-12,
            digital_add: 0.9e-12,
            digital_macs_per_s: 1e12,
        }
    }
}

/// What a device costs: conductance range, energy and duration of one programming pulse.
#[derive(Clone, Debug, PartialEq, serde::Serialize)]
pub struct DeviceCosts {
    /// Lowest device conductance (S).
    pub g_min: f64,
    /// Highest device conductance (S).
    pub g_max: f64,
    /// Energy of one programming pulse (J).
    pub pulse_energy: f64,
    /// Duration of one programming pulse (s).
    pub pulse_width: f64,
    /// Where the figures come from.
    pub source: String,
}

impl DeviceCosts {
    /// From R_on and the on/off ratio.
    pub fn from_r_on(r_on: f64, on_off: f64, pulse_energy: f64, pulse_width: f64, source: &str) -> Self {
        Self {
            g_min: 1.0 / (r_on * on_off),
            g_max: 1.0 / r_on,
            pulse_energy,
            pulse_width,
            source: source.into(),
        }
    }
}

/// Energy by component (J) and latency (s).
#[derive(Clone, Copy, Debug, Default, PartialEq, serde::Serialize, serde::Deserialize)]
pub struct EnergyBreakdown {
    /// Crossbar array reads (J).
    pub array_read_j: f64,
    /// ADC conversions (J).
    pub adc_j: f64,
    /// DAC conversions (J).
    pub dac_j: f64,
    /// Device programming pulses (J).
    pub device_write_j: f64,
    /// Digital operations (J).
    pub digital_j: f64,
    /// DW-MTJ activation generator pulses (J).
    pub activation_j: f64,
    /// Time of the array reads and conversions (and generator evaluations) (s).
    pub read_latency_s: f64,
    /// Time of the device programming (s).
    pub write_latency_s: f64,
    /// Time of the digital operations (s).
    pub digital_latency_s: f64,
}

impl EnergyBreakdown {
    /// Total energy (J).
    pub fn total_j(&self) -> f64 {
        self.array_read_j + self.adc_j + self.dac_j + self.device_write_j + self.digital_j + self.activation_j
    }

    /// Total latency (s).
    pub fn latency_s(&self) -> f64 {
        self.read_latency_s + self.write_latency_s + self.digital_latency_s
    }

    /// Add `o`, component by component.
    pub fn add(&mut self, o: &EnergyBreakdown) {
        self.array_read_j += o.array_read_j;
        self.adc_j += o.adc_j;
        self.dac_j += o.dac_j;
        self.device_write_j += o.device_write_j;
        self.digital_j += o.digital_j;
        self.activation_j += o.activation_j;
        self.read_latency_s += o.read_latency_s;
        self.write_latency_s += o.write_latency_s;
        self.digital_latency_s += o.digital_latency_s;
    }

    /// Every component times `f`.
    pub fn scaled(&self, f: f64) -> EnergyBreakdown {
        EnergyBreakdown {
            array_read_j: self.array_read_j * f,
            adc_j: self.adc_j * f,
            dac_j: self.dac_j * f,
            device_write_j: self.device_write_j * f,
            digital_j: self.digital_j * f,
            activation_j: self.activation_j * f,
            read_latency_s: self.read_latency_s * f,
            write_latency_s: self.write_latency_s * f,
            digital_latency_s: self.digital_latency_s * f,
        }
    }
}

/// ADC energy per conversion for `bits` (an ideal ADC is priced at 8 bits).
pub fn adc_energy(p: &CircuitParams, bits: u32) -> f64 {
    p.adc_fom * f64::from(1u32 << bits_or(bits, 8))
}

/// DAC energy per conversion for `bits` (an ideal DAC is priced at 8 bits).
pub fn dac_energy(p: &CircuitParams, bits: u32) -> f64 {
    p.dac_energy_per_level * f64::from(1u32 << bits_or(bits, 8))
}

fn bits_or(bits: u32, default: u32) -> u32 {
    if bits == 0 {
        default
    } else {
        bits.min(24)
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn converter_energies_follow_the_figures_of_merit() {
        let p = CircuitParams::default();
        assert!((adc_energy(&p, 9) - 5.12e-12).abs() < 1e-18);
        assert!((dac_energy(&p, 7) - 128e-15).abs() < 1e-21);
        let c = DeviceCosts::from_r_on(100e3, 10.0, 1.3e-12, 50e-9, "x");
        assert!((c.g_max - 1e-5).abs() < 1e-18 && (c.g_min - 1e-6).abs() < 1e-18);
    }
}
