//! The month's bill: what a scenario costs over a month of ordinary days, priced the way AWS bills it.
//!
//! A run holds one moment (often the peak); a bill must not price that moment as if it lasted all month. So the
//! bill walks one day in ten-minute steps along the daily curve (whether or not the run itself follows it):
//!
//! - **Capacity follows the busiest minute.** A fixed fleet runs all month as configured. An auto-scaling group
//!   follows the curve with its own rules ([`crate::policy::scaling`]'s thresholds, steps and floor): it adds
//!   instances when the step's busiest-minute CPU would pass the scale-out threshold and removes one per scale-in
//!   window while CPU stays under the scale-in threshold, so it holds more than it needs on the way down.
//! - **Usage follows the average.** Bytes, CDN requests, queue messages and load-balancer capacity units are
//!   priced at each step's average rate: the busiest minute divided by the peak factor.
//! - **Volume tiers.** Data out to the internet and CDN delivery are priced by AWS's monthly volume tiers, free
//!   allowances first ([`EGRESS_TIERS`], [`CDN_TIERS`]).
//! - **Reserved baseline.** With a reservation ([`Reservation`]), the instances that run every hour of the day (the
//!   fleet's overnight floor, databases, caches, services) are billed at the reserved rate; the rest on demand.
//!
//! The same figures come out of both engines, because they depend on the scenario alone.

use crate::ids::Component;
use std::collections::BTreeMap;

use serde::{Deserialize, Serialize};

use crate::instance::HOURS_PER_MONTH;
use crate::model::{Topology, CDN_BYTES_PER_REQUEST, DYNAMIC_KB, LB_USD_PER_HOUR, LB_USD_PER_LCU_HOUR, STATIC_KB, WORKERS_PER_INSTANCE};
use crate::policy::geo_dns;
use crate::scenario::{Reservation, Scenario};
use crate::traffic::{DAY_SECONDS, GEOS};

/// Length of one step of the walked day (seconds): the auto-scaling group's scale-in window is ten minutes.
pub const STEP_S: f64 = 600.0;
/// Days in the bill's month (730 hours).
pub const DAYS_PER_MONTH: f64 = HOURS_PER_MONTH / 24.0;
/// Bytes in a billed gigabyte.
const GB: f64 = 1e9;

/// EC2 data transfer out to the internet, us-east-1: (GB a month up to which, US dollars per GB). The first
/// 100 GB a month are free (AWS free data transfer out, since December 2021).
pub const EGRESS_TIERS: [(f64, f64); 5] = [(100.0, 0.0), (10_240.0, 0.09), (51_200.0, 0.085), (153_600.0, 0.07), (f64::INFINITY, 0.05)];
/// CloudFront delivery to North America and Europe: (GB a month up to which, US dollars per GB), after the
/// always-free 1 TB.
pub const CDN_TIERS: [(f64, f64); 8] = [
    (1_024.0, 0.0),
    (10_240.0, 0.085),
    (51_200.0, 0.080),
    (153_600.0, 0.060),
    (512_000.0, 0.040),
    (1_048_576.0, 0.030),
    (5_242_880.0, 0.025),
    (f64::INFINITY, 0.020),
];
/// CloudFront HTTPS requests: US dollars per 10,000, after 10 million free a month.
pub const CDN_USD_PER_10K_HTTPS: f64 = 0.01;
/// CloudFront's free HTTPS requests a month.
pub const CDN_FREE_REQUESTS: f64 = 10e6;
/// SQS standard queue: US dollars per million requests (a job is a send, a receive and a delete), after one
/// million free a month.
pub const SQS_USD_PER_MILLION: f64 = 0.40;

/// The month's bill of a scenario.
#[derive(Clone, Debug, Default, PartialEq, Serialize, Deserialize)]
pub struct Bill {
    /// US dollars a month, everything included.
    pub usd_per_month: f64,
    /// US dollars a month by component (the same keys as the hourly breakdown).
    pub by_component: BTreeMap<Component, f64>,
    /// Requests a month (the day's average rate over 730 hours).
    pub requests_per_month: f64,
    /// US dollars per million requests.
    pub usd_per_million_requests: f64,
    /// The day's average request rate over the busiest minute's.
    pub average_load: f64,
    /// App-server instance-hours a month, in all regions.
    pub app_instance_hours: f64,
    /// App-server instances billed at the reserved rate, in all regions.
    pub reserved_instances: f64,
    /// With auto-scaling (0 without): the month's bill if the app fleet were held all month at the size the
    /// busiest minute needs.
    pub peak_fleet_usd_per_month: f64,
    /// With auto-scaling (0 without): the share of the app fleet's bill it saves against the same fleet held all month at the
    /// size the busiest minute needs (at the scale-out threshold).
    pub autoscaling_saving: f64,
    /// Data out to the internet from the origin, GB a month.
    pub egress_gb: f64,
    /// Data delivered by the CDN, GB a month.
    pub cdn_gb: f64,
}

/// The discount of a reservation against on-demand: EC2 standard reserved instances, all upfront, us-east-1 price
/// list for t3 and m6i sizes (1 year about 38 % off, 3 years about 60 %); RDS and ElastiCache reservations are
/// close to the same.
pub fn discount(r: Reservation) -> f64 {
    match r {
        Reservation::OnDemand => 0.0,
        Reservation::OneYear => 0.38,
        Reservation::ThreeYear => 0.60,
    }
}

/// Price of `gb` gigabytes in a month under volume `tiers`.
pub fn tiered(gb: f64, tiers: &[(f64, f64)]) -> f64 {
    let mut left = gb.max(0.0);
    let mut from = 0.0;
    let mut usd = 0.0;
    for &(upto, price) in tiers {
        if left <= 0.0 {
            break;
        }
        let here = left.min(upto - from);
        usd += here * price;
        left -= here;
        from = upto;
    }
    usd
}

/// One step of the walked day: the rates it carries.
#[derive(Clone, Copy, Debug)]
struct Step {
    /// Busiest-minute request rate (req/s), for capacity.
    peak_rps: f64,
    /// Average request rate (req/s), for usage.
    avg_rps: f64,
}

/// The day's steps of `s`: the daily curve's shape (forced on: a month has nights even if the run does not).
fn day(s: &Scenario) -> Vec<Step> {
    let mut t = s.traffic.clone();
    t.daily_curve = true;
    let steps = (DAY_SECONDS / STEP_S) as usize;
    let pf = s.traffic.peak_factor.max(1.0);
    (0..steps)
        .map(|i| {
            let rps = t.rps_at((i as f64 + 0.5) * STEP_S);
            Step { peak_rps: rps, avg_rps: rps / pf }
        })
        .collect()
}

/// Share of all users each region serves (geo-DNS, no outage).
fn region_shares(s: &Scenario) -> Vec<f64> {
    let l = geo_dns::loads(s.traffic.worldwide, s.arch.regions as usize, None);
    l.share[..l.regions].to_vec()
}

/// App CPU (busy vCPU-seconds per second) at `rps` requests per second: dynamic requests, static files the CDN
/// does not answer, and slow jobs run inline.
pub fn app_erlangs(topo: &Topology, rps: f64) -> f64 {
    let s = &topo.scenario;
    let t = &s.traffic;
    let lam_static = rps * t.static_share;
    let origin_static = lam_static * (1.0 - topo.cdn_hit(lam_static));
    let dynamic = rps - lam_static;
    let jobs = &s.arch.jobs;
    let inline = if jobs.queued { 0.0 } else { dynamic * t.write_fraction() * jobs.share * jobs.cpu_ms / 1e3 };
    origin_static * topo.static_s + dynamic * topo.app_s + inline
}

/// Instances an auto-scaling group holds in each step of the day at `erlangs` per step, walking the day twice
/// so the second starts where a day leaves it.
fn asg_fleet(s: &Scenario, vcpus: f64, erlangs: &[f64]) -> Vec<u32> {
    let asg = &s.arch.autoscaling;
    let max = asg.max.max(asg.min).max(1);
    let mut n = asg.desired.clamp(asg.min, max).max(1);
    let mut out = vec![0; erlangs.len()];
    let windows_in = (STEP_S / asg.in_for_s.max(1.0)).floor().max(1.0) as u32;
    for pass in 0..2 {
        for (i, &e) in erlangs.iter().enumerate() {
            let t = i as f64 * STEP_S;
            let floor = asg.min.max(crate::policy::prewarm::floor(s, t)).clamp(1, max);
            let cpu = |n: u32| e / (n as f64 * vcpus);
            // Scale out in steps of `out_add` until CPU is back under the threshold.
            while cpu(n) > asg.out_cpu && n < max {
                n = (n + asg.out_add.max(1)).min(max);
            }
            // Scale in by `in_remove` once per scale-in window, while CPU stays under the threshold.
            for _ in 0..windows_in {
                if n > floor && cpu(n) < asg.in_cpu {
                    let fewer = n - asg.in_remove.max(1).min(n - floor);
                    if cpu(fewer) <= asg.out_cpu {
                        n = fewer;
                    }
                }
            }
            n = n.max(floor);
            if pass == 1 {
                out[i] = n;
            }
        }
    }
    out
}

/// The month's bill of `topo`'s scenario.
pub fn month(topo: &Topology) -> Bill {
    let s = &topo.scenario;
    let a = &s.arch;
    let steps = day(s);
    let n_steps = steps.len() as f64;
    let hours_per_step = STEP_S / 3_600.0 * DAYS_PER_MONTH;
    let regions = a.regions.clamp(1, GEOS.len() as u32) as f64;
    let off = 1.0 - discount(a.reservation);

    // App servers, region by region.
    let app_price = a.app_size.usd_per_hour;
    let vcpus = a.app_size.vcpus.max(1) as f64;
    let (mut app_usd, mut app_hours, mut reserved, mut peak_fleet_usd) = (0.0, 0.0, 0.0, 0.0);
    for share in region_shares(s) {
        if a.autoscaling.enabled {
            let erlangs: Vec<f64> = steps.iter().map(|st| app_erlangs(topo, st.peak_rps * share)).collect();
            let fleet = asg_fleet(s, vcpus, &erlangs);
            let base = fleet.iter().copied().min().unwrap_or(0) as f64;
            // The fixed fleet a planner would hold for the busiest minute, at the scale-out threshold.
            let busiest = erlangs.iter().copied().fold(0.0, f64::max);
            let peak = ((busiest / (vcpus * a.autoscaling.out_cpu.max(0.05))).ceil() as u32).max(a.autoscaling.min).max(1) as f64;
            let hours: f64 = fleet.iter().map(|&n| n as f64 * hours_per_step).sum();
            let base_hours = base * HOURS_PER_MONTH;
            let baseline_rate = if a.reservation == Reservation::OnDemand { 1.0 } else { off };
            app_usd += base_hours * app_price * baseline_rate + (hours - base_hours) * app_price;
            app_hours += hours;
            reserved += if a.reservation == Reservation::OnDemand { 0.0 } else { base };
            peak_fleet_usd += peak * HOURS_PER_MONTH * app_price * off;
        } else {
            let n = a.app_servers.max(1) as f64;
            app_usd += n * HOURS_PER_MONTH * app_price * off;
            app_hours += n * HOURS_PER_MONTH;
            reserved += if a.reservation == Reservation::OnDemand { 0.0 } else { n };
        }
    }

    // Always-on machines: the baseline a reservation covers.
    let shards = a.shards.max(1) as f64;
    // A dedicated analytics replica for the batch job runs all month beside the others.
    let analytics = (a.ops.report.on_replica && a.ops.report.start_hour.is_some()) as u32 as f64;
    let db_machines = if a.db_separate { shards } else { 0.0 } + a.replicas as f64 * regions * shards + analytics;
    let always_on = |machines: f64, usd_per_hour: f64| machines * usd_per_hour * HOURS_PER_MONTH * off;
    let large = crate::instance::M6I_LARGE.usd_per_hour;
    let database = always_on(db_machines, a.db_size.usd_per_hour);
    let redis = always_on(a.redis_nodes as f64 * regions, a.redis_size.usd_per_hour);
    let services = always_on((a.services * a.service_instances) as f64 * regions, large);

    // Usage, step by step at the average rate.
    let t = &s.traffic;
    let (mut origin_bytes, mut cdn_bytes, mut cdn_requests, mut lcu_hours, mut jobs, mut requests) = (0.0, 0.0, 0.0, 0.0, 0.0, 0.0);
    let mut worker_hours = 0.0;
    let queued = a.jobs.queued && a.jobs.share > 0.0;
    let job_s = (a.jobs.job_ms / 1e3).max(1e-3);
    let seconds_per_step = STEP_S * DAYS_PER_MONTH;
    for st in &steps {
        let r = st.avg_rps;
        let lam_static = r * t.static_share;
        let edge = if a.cdn { lam_static * topo.cdn_hit(lam_static) } else { 0.0 };
        let origin_static = lam_static - edge;
        let dynamic = r - lam_static;
        origin_bytes += (origin_static * STATIC_KB + dynamic * DYNAMIC_KB) * 1024.0 * seconds_per_step;
        cdn_bytes += edge * CDN_BYTES_PER_REQUEST * seconds_per_step;
        cdn_requests += edge * seconds_per_step;
        let origin_rps_per_region = (origin_static + dynamic) / regions;
        lcu_hours += (origin_rps_per_region / 1_000.0).max(1.0) * regions * STEP_S / 3_600.0 * DAYS_PER_MONTH;
        let job_rate = dynamic * t.write_fraction() * a.jobs.share;
        jobs += job_rate * seconds_per_step;
        requests += r * seconds_per_step;
        if queued {
            let peak_jobs = st.peak_rps * (1.0 - t.static_share) * t.write_fraction() * a.jobs.share;
            let pool = crate::policy::workers::pool_size(peak_jobs, 0.0, job_s, a.jobs.workers, a.jobs.max_workers);
            worker_hours += pool.div_ceil(WORKERS_PER_INSTANCE) as f64 * STEP_S / 3_600.0 * DAYS_PER_MONTH;
        }
    }
    let egress_gb = origin_bytes / GB;
    let cdn_gb = cdn_bytes / GB;
    let lb = if s.has_load_balancer() {
        let pair = if a.resilience.lb_ha { 2.0 } else { 1.0 };
        pair * LB_USD_PER_HOUR * regions * HOURS_PER_MONTH + LB_USD_PER_LCU_HOUR * lcu_hours
    } else {
        0.0
    };
    let cdn =
        if a.cdn { tiered(cdn_gb, &CDN_TIERS) + (cdn_requests - CDN_FREE_REQUESTS).max(0.0) / 1e4 * CDN_USD_PER_10K_HTTPS } else { 0.0 };
    let queue = if queued { worker_hours * large + (jobs * 3.0 - 1e6).max(0.0) / 1e6 * SQS_USD_PER_MILLION } else { 0.0 };
    let egress = tiered(egress_gb, &EGRESS_TIERS);

    let items = [
        (Component::App, app_usd),
        (Component::Database, database),
        (Component::Redis, redis),
        (Component::LoadBalancer, lb),
        (Component::Services, services),
        (Component::Cdn, cdn),
        (Component::Queue, queue),
        (Component::Egress, egress),
    ];
    let mut by_component = BTreeMap::new();
    for (k, v) in items {
        by_component.insert(k, crate::num::finite(v));
    }
    let total: f64 = items.iter().map(|i| i.1).sum();
    let peak = t.peak_rps();
    let average_load = if peak > 0.0 { steps.iter().map(|st| st.avg_rps).sum::<f64>() / n_steps / peak } else { 0.0 };
    let (peak_fleet, saving) = if a.autoscaling.enabled && peak_fleet_usd > 0.0 {
        (total - app_usd + peak_fleet_usd, (1.0 - app_usd / peak_fleet_usd).max(0.0))
    } else {
        (0.0, 0.0)
    };
    let finite = crate::num::finite;
    Bill {
        usd_per_month: finite(total),
        by_component,
        requests_per_month: finite(requests),
        usd_per_million_requests: if requests > 0.0 { finite(total / requests * 1e6) } else { 0.0 },
        average_load: finite(average_load),
        app_instance_hours: finite(app_hours),
        reserved_instances: reserved,
        peak_fleet_usd_per_month: finite(peak_fleet),
        autoscaling_saving: finite(saving),
        egress_gb: finite(egress_gb),
        cdn_gb: finite(cdn_gb),
    }
}

/// One line saying what the bill assumes, for the cost panel and the CLI.
pub fn assumptions(s: &Scenario, bill: &Bill) -> String {
    let reservation = match s.arch.reservation {
        Reservation::OnDemand => "all on demand".to_owned(),
        r => format!("always-on machines reserved {} ({:.0} % off)", r.label(), discount(r) * 100.0),
    };
    format!(
        "730 h a month; usage at the day's average, {:.0} % of the peak minute; AWS tiers: 100 GB out free then $0.09/GB down \
         to $0.05, CDN 1 TB free then $0.085/GB down to $0.02; {reservation}",
        bill.average_load * 100.0
    )
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn tiers_price_each_slice_at_its_own_rate() {
        assert_eq!(tiered(50.0, &EGRESS_TIERS), 0.0, "inside the free 100 GB");
        assert!((tiered(1_100.0, &EGRESS_TIERS) - 1_000.0 * 0.09).abs() < 1e-9);
        let big = tiered(60_000.0, &EGRESS_TIERS);
        let expected = (10_240.0 - 100.0) * 0.09 + (51_200.0 - 10_240.0) * 0.085 + (60_000.0 - 51_200.0) * 0.07;
        assert!((big - expected).abs() < 1e-6);
        assert!(tiered(2e6, &CDN_TIERS) / 2e6 < 0.04, "a CDN's average price per GB falls with volume");
    }

    #[test]
    fn a_walked_day_averages_the_curve_over_the_peak_factor() {
        let s = Scenario::stage(1);
        let b = month(&Topology::new(&s));
        // The curve's mean is (1 + trough) / 2 of the peak, and the busiest hour is the peak minute / 2.
        let expected = (1.0 + s.traffic.trough_fraction) / 2.0 / s.traffic.peak_factor;
        assert!((b.average_load - expected).abs() < 0.01, "{} vs {expected}", b.average_load);
        let req = s.traffic.peak_rps() * expected * HOURS_PER_MONTH * 3_600.0;
        assert!((b.requests_per_month / req - 1.0).abs() < 0.01);
    }

    #[test]
    fn a_reservation_discounts_only_the_baseline() {
        let mut s = Scenario::stage(8);
        let on_demand = month(&Topology::new(&s));
        s.arch.reservation = Reservation::OneYear;
        let reserved = month(&Topology::new(&s));
        assert!(reserved.usd_per_month < on_demand.usd_per_month);
        assert!((reserved.by_component[&Component::Database] - on_demand.by_component[&Component::Database] * 0.62).abs() < 1e-6);
        assert_eq!(reserved.by_component[&Component::Egress], on_demand.by_component[&Component::Egress], "usage is not reserved");
        assert!(reserved.reserved_instances >= s.arch.autoscaling.min as f64);
    }
}
#[cfg(test)]
mod probe {
    #[test]
    #[ignore]
    fn print_bills() {
        for j in crate::journey::journeys() {
            println!("{}", j.name);
            for st in &j.stages {
                let b = super::month(&crate::model::Topology::new(&st.scenario));
                println!(
                    "  {:>9} users ${:>10.0} {:?} saving {:?} avg {:.2} hours {:.0}",
                    st.scenario.traffic.users,
                    b.usd_per_month,
                    b.by_component.iter().filter(|(_, v)| **v > 0.5).map(|(k, v)| format!("{k}={v:.0}")).collect::<Vec<_>>(),
                    b.autoscaling_saving,
                    b.average_load,
                    b.app_instance_hours
                );
            }
        }
    }
}
