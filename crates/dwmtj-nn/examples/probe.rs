use dwmtj_nn::devices::DeviceModel;
use rand::SeedableRng;
fn main() {
    let name = std::env::args().nth(1).unwrap();
    let m = DeviceModel::neurosim(&name, -1.0, 1.0).unwrap();
    println!("{m:?} dw_min {}", m.dw_min());
    let mut rng = rand_xoshiro::Xoshiro256PlusPlus::seed_from_u64(1);
    for &w in &[-1.0, -0.5, 0.0, 0.5, 0.99] {
        let up = m.pulse(w, true, &mut rng) - w;
        let dn = m.pulse(w, false, &mut rng) - w;
        println!("w {w}: up {up:.4} down {dn:.4}");
    }
    use rand::Rng;
    let mut w = 0.0;
    let mut hist = vec![];
    for k in 0..200000 {
        let up: bool = rng.gen();
        w = m.pulse(w, up, &mut rng);
        if k % 20000 == 0 {
            hist.push(w);
        }
    }
    println!("random walk: {hist:?}");
}
#[allow(dead_code)]
fn unused() {}
