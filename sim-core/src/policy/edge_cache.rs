//! A CDN that caches logged-in pages by URL alone (seed 000's CDN cache poisoning): the first user to miss a
//! private page's URL fills the edge with their page, and everyone who asks for that URL until it expires gets it.
//! The aggregate engine takes the hit share from [`hit_ratio`]; the request-level engine keeps one edge entry per
//! route and counts its hits. Every hit is a page served to the wrong user (the odds it is the same user are one
//! in the number of users).

/// Share of dynamic reads that are logged-in pages (an account page, a personal feed, settings).
pub const PRIVATE_SHARE: f64 = 0.3;
/// Distinct URLs those pages live at: the same path for every user, which is the mistake.
pub const ROUTES: u32 = 20;
/// How long the edge keeps such a page (the default lifetime a CDN gives HTML it was not told not to cache).
pub const TTL_S: f64 = 60.0;

/// Share of private-page reads the edge answers from another user's cached copy, at `private_rps` such reads per
/// second spread evenly over [`ROUTES`]: the TTL formula λT / (1 + λT) per route.
pub fn hit_ratio(private_rps: f64) -> f64 {
    let x = (private_rps / ROUTES as f64 * TTL_S).max(0.0);
    x / (1.0 + x)
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn a_busy_site_serves_almost_every_private_page_from_someone_else() {
        assert_eq!(hit_ratio(0.0), 0.0);
        // One read a minute per route: half the reads hit a stale stranger's page.
        assert!((hit_ratio(ROUTES as f64 / TTL_S) - 0.5).abs() < 1e-12);
        assert!(hit_ratio(3_000.0) > 0.999);
    }
}
