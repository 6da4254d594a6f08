//! Geo-DNS: each geography's users go to the nearest region by round-trip time; while a region is dark its users
//! fail until the failover moves them to the next nearest. Regions sit in [`GEOS`] order; the first is the one
//! that goes dark in a region outage (see [`super::outage::region_dark`]).

use crate::traffic::GEOS;

/// The share of all users who live in geography `g`: the world's mix with worldwide traffic, else everyone in
/// the first.
pub fn share(worldwide: bool, g: usize) -> f64 {
    if worldwide {
        GEOS[g].share
    } else if g == 0 {
        1.0
    } else {
        0.0
    }
}

/// The region (of the first `regions`) serving geography `g`'s users, with region 0 dark when `dark` is
/// `Some(moved)`: `None` while they fail (dark and not yet moved).
pub fn serving(g: usize, regions: usize, dark: Option<bool>) -> Option<usize> {
    let skip = dark.map(|_| 0usize);
    let nearest =
        |skip: Option<usize>| (0..regions).filter(|&r| Some(r) != skip).min_by(|&p, &q| GEOS[g].rtt_s[p].total_cmp(&GEOS[g].rtt_s[q]));
    match dark {
        Some(true) => nearest(skip),
        _ => nearest(None).filter(|&r| Some(r) != skip),
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn users_go_to_their_nearest_region() {
        for (g, place) in GEOS.iter().enumerate() {
            assert_eq!(serving(g, 1, None), Some(0));
            let r = serving(g, GEOS.len(), None).unwrap();
            assert!(place.rtt_s.iter().all(|&q| place.rtt_s[r] <= q));
        }
        assert_eq!(serving(0, GEOS.len(), None), Some(0), "the first geography's region is its own");
    }

    #[test]
    fn a_dark_regions_users_fail_until_the_failover_then_move() {
        assert_eq!(serving(0, 3, Some(false)), None);
        let moved = serving(0, 3, Some(true)).unwrap();
        assert_ne!(moved, 0);
        assert_eq!(serving(0, 1, Some(true)), None, "with one region there is nowhere to go");
        // Others keep their region.
        let other = serving(1, 3, None);
        assert_eq!(serving(1, 3, Some(false)), other.filter(|&r| r != 0));
    }

    #[test]
    fn shares_sum_to_one() {
        for world in [false, true] {
            let total: f64 = (0..GEOS.len()).map(|g| share(world, g)).sum();
            assert!((total - 1.0).abs() < 1e-9);
        }
    }
}
