//! The journeys: each seed's path has the seed's number of stages, every stage is a clean scenario that holds
//! the users it is written for and breaks at a load the model finds, and the bottleneck table's first fix,
//! applied again and again, walks one server from 1,000 to 1,000,000 users without ever making its own
//! bottleneck worse.
use sim_core::diagnose::{diagnose, first_fix};
use sim_core::fluid::steady_state;
use sim_core::journey::{breaking_row, breaking_users, journey, journeys};
use sim_core::scenario::Scenario;

#[test]
fn each_seed_journey_has_the_seeds_number_of_stages() {
    for (name, stages) in [("bookmarks", 8), ("interview", 7), ("blog", 10), ("startup", 4), ("scalesim", 12)] {
        assert_eq!(journey(name).expect(name).stages.len(), stages, "{name}");
    }
}

#[test]
fn every_stage_is_clean_explained_and_holds_its_users() {
    let mut problems = Vec::new();
    for j in journeys() {
        for (i, st) in j.stages.iter().enumerate() {
            let tag = format!("{} stage {} ({})", j.name, i + 1, st.title);
            let text = format!("stage={}&users={}&{}", st.scenario.stage, st.users, st.edits);
            let notices = sim_core::query::parse(&text).notices;
            if !notices.is_empty() {
                problems.push(format!("{tag}: edits give notices {notices:?}"));
            }
            if st.about.matches(". ").count() < 1 || st.about.len() < 80 {
                problems.push(format!("{tag}: the explanation is too thin"));
            }
            let found = breaking_users(&st.scenario);
            match found {
                Some(b) if b <= st.users => problems.push(format!("{tag}: breaks at {b} users, below its {}", st.users)),
                _ => {}
            }
            // The stored breaking load is the model's, to the bisection's tolerance, on the same row.
            let on = found.and_then(|u| {
                let s = st.scenario.clone().with_users(u);
                breaking_row(&diagnose(&s, &steady_state(&s).summary)).map(|r| r.id)
            });
            match (st.breaks, found, on) {
                (Some((stored, id)), Some(b), Some(row)) if (stored as f64 / b as f64 - 1.0).abs() <= 0.03 && id == row => {}
                (stored, found, on) => problems.push(format!("{tag}: stored break {stored:?}, the model finds {found:?} on {on:?}")),
            }
        }
    }
    assert!(problems.is_empty(), "{}", problems.join("\n"));
}

#[test]
fn the_combined_journey_ends_past_a_million_users_and_each_step_raises_the_ceiling() {
    let j = journey("scalesim").unwrap();
    let ceilings: Vec<u64> = j.stages.iter().map(|s| breaking_users(&s.scenario).unwrap_or(u64::MAX)).collect();
    assert!(*ceilings.last().unwrap() > 1_000_000, "ceilings {ceilings:?}");
    for w in ceilings.windows(2) {
        assert!(w[1] >= w[0], "a later stage breaks earlier: {ceilings:?}");
    }
}

#[test]
fn first_fixes_walk_one_server_from_1_000_to_1_000_000_users_without_making_a_bottleneck_worse() {
    let mut s = Scenario::stage(1);
    let mut path = Vec::new();
    for users in [1_000u64, 3_000, 10_000, 30_000, 100_000, 300_000, 1_000_000] {
        s.traffic.users = users;
        let mut settled = false;
        for _ in 0..30 {
            let rows = diagnose(&s, &steady_state(&s).summary);
            let Some(row) = first_fix(&rows) else {
                settled = true;
                break;
            };
            let fix = row.fix.unwrap();
            let next = fix.apply(&s);
            assert_ne!(next, s, "{users} users: {} changes nothing", fix.label());
            let after = diagnose(&next, &steady_state(&next).summary);
            let same = after.iter().find(|r| r.id == row.id).unwrap();
            let worse =
                if row.value >= row.threshold { same.value > row.value * 1.001 + 1e-9 } else { same.value < row.value * 0.999 - 1e-9 };
            assert!(
                !(worse && same.live),
                "{users} users: '{}' made {} worse: {:.3} → {:.3}\npath so far: {path:#?}",
                fix.label(),
                row.metric,
                row.value,
                same.value
            );
            path.push(format!("{users}: {} ({} = {:.3})", fix.label(), row.metric, row.value));
            s = next;
        }
        assert!(settled, "{users} users: the table still has fixes after 30 steps: {path:#?}");
    }
    let end = steady_state(&s).summary;
    assert!(
        end.error_rate < 0.01 && end.latency_ms.p99 < 1_000.0,
        "1,000,000 users: {:.2} % errors, p99 {:.0} ms",
        end.error_rate * 100.0,
        end.latency_ms.p99
    );
}

/// Issue 11: a fix that adds capacity sizes itself from the tier's offered utilisation (demand over capacity,
/// which passes 1 when saturated), so one click takes the tier out of the red. Walks every stage of every
/// journey at its users and at three times as many, clicking the first live fix until the table is quiet, and
/// checks that no row ever asks for the same kind of fix twice in a row.
#[test]
fn one_click_per_live_row_no_capacity_fix_is_needed_twice_in_a_row() {
    let kind = |f: &sim_core::diagnose::Fix| std::mem::discriminant(f);
    let mut problems = Vec::new();
    let mut clicks = 0;
    for j in journeys() {
        for (i, st) in j.stages.iter().enumerate() {
            for users in [st.users, st.users * 3] {
                let mut s = st.scenario.clone().with_users(users);
                let mut last: Option<(sim_core::ids::RowId, sim_core::diagnose::Fix)> = None;
                for _ in 0..25 {
                    let rows = diagnose(&s, &steady_state(&s).summary);
                    let Some(row) = first_fix(&rows) else { break };
                    let fix = row.fix.unwrap();
                    if let Some((id, prev)) = last {
                        if id == row.id && kind(&prev) == kind(&fix) {
                            problems.push(format!(
                                "{} stage {} at {users} users: row {id} asks again after \"{}\" (now \"{}\", value {:.2})",
                                j.name,
                                i + 1,
                                prev.label(),
                                fix.label(),
                                row.value
                            ));
                            break;
                        }
                    }
                    let next = fix.apply(&s);
                    if next == s {
                        break;
                    }
                    clicks += 1;
                    last = Some((row.id, fix));
                    s = next;
                }
            }
        }
    }
    assert!(clicks > 20, "the walk clicked only {clicks} fixes: the journeys' stages should need some at 3x their users");
    assert!(problems.is_empty(), "{}", problems.join("\n"));
}

#[test]
fn a_short_stage_link_opens_the_pickers_stage() {
    // Issue 13: `?stage=6` is the picker's stage 6 (sized, with its edits), not the bare built-in stage at 1,000
    // users; a link that sets the architecture means exactly what it says.
    use sim_core::journey::stage_link;
    let j = journey("scalesim").unwrap();
    assert_eq!(stage_link("?v=1&stage=6").as_ref(), Some(&j.stages[5].scenario));
    let s = stage_link("?v=1&stage=5&users=100000&seed=3").unwrap();
    assert_eq!((s.traffic.users, s.seed, s.arch.app_servers), (100_000, 3, j.stages[4].scenario.arch.app_servers));
    let blog = journey("blog").unwrap();
    assert_eq!(stage_link("?journey=blog&step=3").as_ref(), Some(&blog.stages[2].scenario));
    assert_eq!(stage_link("?v=1&stage=6&replicas=1"), None);
    assert_eq!(stage_link("?v=1&users=5000"), None, "no stage named");
    // A journey stage with a few keys changed: that stage, with those keys.
    let s = stage_link("?journey=scalesim&step=5&faults=kill_app@60&ttl=300").unwrap();
    let mut want = j.stages[4].scenario.clone();
    want.faults = vec![sim_core::scenario::Fault { at_s: 60.0, kind: sim_core::scenario::FaultKind::KillAppServer }];
    want.arch.cache_ttl_s = 300.0;
    want.repair();
    assert_eq!(s, want);
    // A link the page wrote names every key and its stage: it means exactly that, journey keys or not.
    let written = format!("?{}&journey=blog&step=6", sim_core::query::to_query(&blog.stages[5].scenario));
    assert_eq!(stage_link(&written), None);
}

/// Issue 13: facing the workload its last stage is built for (its users worldwide or not, slow jobs on writes,
/// a daily curve), each journey's first stage, clicked through its first fixes while the users grow from 1,000
/// to 1,000,000, builds what that last stage has — the queue, auto-scaling, more regions — and ends healthy.
#[test]
fn the_first_fix_walk_builds_each_journeys_queue_auto_scaling_and_regions() {
    use sim_core::diagnose::Fix;
    for j in journeys() {
        let last = &j.stages.last().unwrap().scenario;
        let mut s = j.stages[0].scenario.clone();
        s.traffic = last.traffic.clone();
        s.traffic.daily_curve = true;
        s.arch.jobs.share = last.arch.jobs.share;
        let mut built = Vec::new();
        for users in [1_000u64, 3_000, 10_000, 30_000, 100_000, 300_000, 1_000_000] {
            s.traffic.users = users;
            for _ in 0..30 {
                let rows = diagnose(&s, &steady_state(&s).summary);
                let Some(fix) = first_fix(&rows).and_then(|r| r.fix) else { break };
                built.push(fix);
                s = fix.apply(&s);
            }
        }
        let has = |f: &dyn Fn(&Fix) -> bool| built.iter().any(f);
        let labels: Vec<String> = built.iter().map(|f| f.label()).collect();
        if last.arch.jobs.queued {
            assert!(has(&|f| *f == Fix::AddQueue), "{}: no queue in {labels:#?}", j.name);
        }
        if last.arch.autoscaling.enabled {
            assert!(has(&|f| *f == Fix::EnableAutoscaling), "{}: no auto-scaling in {labels:#?}", j.name);
        }
        if last.arch.regions > 1 {
            assert!(has(&|f| matches!(f, Fix::Regions { .. })), "{}: no second region in {labels:#?}", j.name);
        }
        let end = steady_state(&s).summary;
        assert!(
            end.error_rate < 0.01 && end.latency_ms.p99 < 1_000.0,
            "{}: {:.3} errors, p99 {:.0} ms",
            j.name,
            end.error_rate,
            end.latency_ms.p99
        );
    }
}
