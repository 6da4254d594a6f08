//! Machine sizes for every tier: vCPUs, memory and the on-demand price per hour (AWS us-east-1 list prices, as
//! quoted in `shared/REFERENCE.md`; sizes not quoted there use the same family's linear price steps).
//! The largest size is the 448-vCPU, 6 TB machine seed 001 calls the ceiling of vertical scaling.
use serde::{Deserialize, Deserializer, Serialize, Serializer};

/// One machine size.
#[derive(Clone, Copy, Debug, PartialEq, Serialize)]
pub struct InstanceSize {
    /// Price-list name, also the value used in URLs.
    pub name: &'static str,
    /// Virtual CPUs: the number of requests the machine works on at once.
    pub vcpus: u32,
    /// Memory in GiB.
    pub ram_gib: f64,
    /// On-demand price in US dollars per hour.
    pub usd_per_hour: f64,
}

/// Every size the model knows, smallest first.
pub const SIZES: &[InstanceSize] = &[
    InstanceSize { name: "t3.micro", vcpus: 2, ram_gib: 1.0, usd_per_hour: 0.0104 },
    InstanceSize { name: "t3.medium", vcpus: 2, ram_gib: 4.0, usd_per_hour: 0.0416 },
    InstanceSize { name: "cache.t3.medium", vcpus: 2, ram_gib: 3.09, usd_per_hour: 0.068 },
    M6I_LARGE,
    InstanceSize { name: "cache.r6g.large", vcpus: 2, ram_gib: 13.07, usd_per_hour: 0.206 },
    InstanceSize { name: "db.r6g.large", vcpus: 2, ram_gib: 16.0, usd_per_hour: 0.225 },
    InstanceSize { name: "m6i.xlarge", vcpus: 4, ram_gib: 16.0, usd_per_hour: 0.192 },
    InstanceSize { name: "m6i.2xlarge", vcpus: 8, ram_gib: 32.0, usd_per_hour: 0.384 },
    InstanceSize { name: "r6i.2xlarge", vcpus: 8, ram_gib: 64.0, usd_per_hour: 0.504 },
    InstanceSize { name: "m6i.4xlarge", vcpus: 16, ram_gib: 64.0, usd_per_hour: 0.768 },
    InstanceSize { name: "m6i.8xlarge", vcpus: 32, ram_gib: 128.0, usd_per_hour: 1.536 },
    InstanceSize { name: "m6i.16xlarge", vcpus: 64, ram_gib: 256.0, usd_per_hour: 3.072 },
    InstanceSize { name: "m6i.32xlarge", vcpus: 128, ram_gib: 512.0, usd_per_hour: 6.144 },
    InstanceSize { name: "u-6tb1.112xlarge", vcpus: 448, ram_gib: 6_144.0, usd_per_hour: 54.6 },
];

/// The general-purpose two-vCPU machine that queue workers and service instances run on (priced every step, so
/// a constant rather than a lookup by name).
pub const M6I_LARGE: InstanceSize = InstanceSize { name: "m6i.large", vcpus: 2, ram_gib: 8.0, usd_per_hour: 0.096 };

/// Looks a size up by its price-list name.
pub fn by_name(name: &str) -> Option<InstanceSize> {
    SIZES.iter().copied().find(|s| s.name == name)
}

/// Looks a size up, panicking on a name that is not in [`SIZES`]; for the model's own constants only.
pub fn named(name: &str) -> InstanceSize {
    by_name(name).unwrap_or_else(|| panic!("instance size {name} is not in the table"))
}

/// The smallest general-purpose size (the `m` family, or the largest box there is) with at least `vcpus` and more
/// than `than` has: a scale-up sized to the demand. `than` itself when nothing is larger.
pub fn general_at_least(than: InstanceSize, vcpus: u32) -> InstanceSize {
    let larger = smallest_general(vcpus.max(than.vcpus + 1));
    if larger.vcpus > than.vcpus {
        larger
    } else {
        than
    }
}

/// The smallest general-purpose size (the `m` family, or the largest box there is) with at least `vcpus`, or the
/// largest of them when none has that many.
pub fn smallest_general(vcpus: u32) -> InstanceSize {
    let general = || SIZES.iter().copied().filter(|s| s.name.starts_with('m') || s.name.starts_with('u'));
    general().filter(|s| s.vcpus >= vcpus).min_by_key(|s| s.vcpus).or_else(|| general().max_by_key(|s| s.vcpus)).unwrap_or(largest())
}

/// The largest machine money can buy: the ceiling of vertical scaling.
pub fn largest() -> InstanceSize {
    SIZES[SIZES.len() - 1]
}

/// Serde adapter that writes a size as its price-list name and reads it back from the name.
pub mod by_name_serde {
    use super::*;
    /// Writes the name.
    pub fn serialize<S: Serializer>(size: &InstanceSize, s: S) -> Result<S::Ok, S::Error> {
        s.serialize_str(size.name)
    }
    /// Reads a name, failing with the list of known names.
    pub fn deserialize<'de, D: Deserializer<'de>>(d: D) -> Result<InstanceSize, D::Error> {
        let name = String::deserialize(d)?;
        by_name(&name).ok_or_else(|| serde::de::Error::custom(format!("unknown instance size {name:?}; known: {}", names())))
    }
}

/// The known names, comma-separated, for messages.
pub fn names() -> String {
    SIZES.iter().map(|s| s.name).collect::<Vec<_>>().join(", ")
}

/// Hours in the average month (730), for monthly costs.
pub const HOURS_PER_MONTH: f64 = 730.0;

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn t3_medium_runs_about_thirty_dollars_a_month() {
        // Seed 000: the single t3.medium costs about $30 a month.
        let monthly = named("t3.medium").usd_per_hour * HOURS_PER_MONTH;
        assert!((monthly - 30.4).abs() < 0.5, "{monthly}");
    }

    #[test]
    fn the_largest_size_is_448_vcpus_and_6_tb() {
        assert_eq!(largest().vcpus, 448);
        assert_eq!(largest().ram_gib, 6_144.0);
    }

    #[test]
    fn names_are_unique() {
        for (i, a) in SIZES.iter().enumerate() {
            assert!(SIZES[i + 1..].iter().all(|b| b.name != a.name), "{} twice", a.name);
        }
    }
}
