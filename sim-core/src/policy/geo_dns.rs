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

/// Where everyone goes at one moment: the share of all users each region serves (regions past the first
/// `regions` serve none) and the share failing (their region dark, geo-DNS not yet moved them).
#[derive(Clone, Copy, Debug, Default, PartialEq)]
pub struct Loads {
    /// Share of all users served by each region, in [`GEOS`] order.
    pub share: [f64; GEOS.len()],
    /// Share of all users whose requests fail because their region is dark and they have not been moved.
    pub failing: f64,
    /// Regions in the system (at most [`GEOS`]`.len()`).
    pub regions: usize,
}

impl Loads {
    /// The busiest region and its share (of equals, the last: the request-level engine's choice).
    pub fn busiest(&self) -> (usize, f64) {
        let r = (0..self.regions.max(1)).max_by(|&p, &q| self.share[p].total_cmp(&self.share[q])).unwrap_or(0);
        (r, self.share[r])
    }
}

/// Each region's share of the users with region 0 dark when `dark` is `Some(moved)`: the one sum the engines, the
/// explanations, the bill and the diagram take region loads from.
pub fn loads(worldwide: bool, regions: usize, dark: Option<bool>) -> Loads {
    let mut out = Loads { regions: regions.clamp(1, GEOS.len()), ..Loads::default() };
    for g in 0..GEOS.len() {
        let s = share(worldwide, g);
        match serving(g, regions, dark) {
            Some(r) => out.share[r] += s,
            None => out.failing += s,
        }
    }
    out
}

/// The region holding the database primaries: the first, or while the first is dark (with another region to
/// promote a replica in) the second.
pub fn primary_region(regions: usize, dark: Option<bool>) -> usize {
    if dark.is_some() && regions > 1 {
        1
    } else {
        0
    }
}

/// One region as a diagram or a report shows it at a moment.
#[derive(Clone, Copy, Debug, PartialEq)]
pub struct RegionNow {
    /// Where it stands ([`GEOS`]'s name).
    pub place: &'static str,
    /// Share of all users it serves now.
    pub share: f64,
    /// `None` while it is up; `Some(moved)` while it is dark, with whether geo-DNS has moved its users yet.
    pub dark: Option<bool>,
    /// Whether it holds the database primaries (writes from the other regions travel here).
    pub primary: bool,
}

/// Every region of a system with `regions` regions at a moment whose outage state is `dark` (see
/// [`super::outage::region_dark`]; only the first region goes dark).
pub fn regions_now(worldwide: bool, regions: usize, dark: Option<bool>) -> Vec<RegionNow> {
    let regions = regions.clamp(1, GEOS.len());
    let l = loads(worldwide, regions, dark);
    let primary = primary_region(regions, dark);
    (0..regions)
        .map(|r| RegionNow { place: GEOS[r].name, share: l.share[r], dark: if r == 0 { dark } else { None }, primary: r == primary })
        .collect()
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
    fn loads_and_failures_account_for_every_user() {
        for world in [false, true] {
            for regions in 1..=GEOS.len() {
                for dark in [None, Some(false), Some(true)] {
                    let l = loads(world, regions, dark);
                    let total: f64 = l.share.iter().sum::<f64>() + l.failing;
                    assert!((total - 1.0).abs() < 1e-12, "{world} {regions} {dark:?}");
                    assert!(l.share[regions..].iter().all(|&x| x == 0.0), "only the first {regions} serve");
                    if dark.is_some() {
                        assert_eq!(l.share[0], 0.0, "a dark region serves nobody");
                    }
                }
            }
        }
        // Worldwide over three regions: each continent's users at home; North America dark and moved: its half
        // goes to Europe, the nearest other region (90 ms against 200 ms).
        assert_eq!(loads(true, 3, None).share, [0.5, 0.3, 0.2]);
        assert_eq!(loads(true, 3, Some(false)), Loads { share: [0.0, 0.3, 0.2], failing: 0.5, regions: 3 });
        assert_eq!(loads(true, 3, Some(true)).share, [0.0, 0.8, 0.2]);
        assert_eq!(loads(true, 3, Some(true)).busiest(), (1, 0.8));
        // Two regions worldwide: Asia-Pacific is nearer Europe, so the two carry half each; the later is named.
        assert_eq!(loads(true, 2, None).busiest(), (1, 0.5));
    }

    #[test]
    fn regions_now_names_each_region_its_load_and_the_primary() {
        let up = regions_now(true, 3, None);
        assert_eq!(up.iter().map(|r| r.place).collect::<Vec<_>>(), ["North America", "Europe", "Asia-Pacific"]);
        assert!(up[0].primary && !up[1].primary);
        let out = regions_now(true, 3, Some(true));
        assert_eq!(out[0].dark, Some(true));
        assert!(out[1].primary, "a replica in the next region was promoted");
        assert!(out[1..].iter().all(|r| r.dark.is_none()));
        // Alone, the first region keeps the primaries through its own outage (there is nowhere to promote).
        assert!(regions_now(false, 1, Some(true))[0].primary);
        // Users all near the first region: the others stand by until it goes dark.
        let standby = regions_now(false, 3, None);
        assert_eq!(standby.iter().map(|r| r.share).collect::<Vec<_>>(), [1.0, 0.0, 0.0]);
    }

    #[test]
    fn shares_sum_to_one() {
        for world in [false, true] {
            let total: f64 = (0..GEOS.len()).map(|g| share(world, g)).sum();
            assert!((total - 1.0).abs() < 1e-9);
        }
    }
}
