//! How the page is shown, from the URL's view keys: the compact embed layout, locked knobs, visible panels and
//! the playback position. Pure parsing with notices that name the key, so it is tested natively.
use sim_core::scenario::Scenario;

/// Panels that `panels=` can pick.
pub const PANELS: [&str; 12] =
    ["diagram", "controls", "knobs", "playback", "faults", "metrics", "table", "challenge", "plan", "compare", "exact", "charts"];
/// Knob ids that `lock=` can fix (the ids of their inputs).
pub const LOCKABLE: [&str; 40] = [
    "stage",
    "users",
    "ttl",
    "redis",
    "app",
    "size",
    "lb",
    "sessions",
    "db",
    "dbsize",
    "replicas",
    "rw",
    "cdn",
    "asg",
    "asg_min",
    "asg_desired",
    "asg_max",
    "out_cpu",
    "curve",
    "dur",
    "jobs",
    "queue",
    "max_workers",
    "shards",
    "regions",
    "world",
    "services",
    "svc_inst",
    "retries",
    "breaker",
    "ratelimit",
    "lb_ha",
    "pool",
    "idx",
    "coalesce",
    "invalidate",
    "ryw",
    "hedge",
    "prewarm",
    "journey",
];

/// The knobs of the knobs panel (`knobs=` picks among them): every lockable id but the stage, the load and the
/// journey, which live in the stage picker and the load slider (first, first and last in [`LOCKABLE`]).
pub const PANEL_KNOBS: &[&str] = {
    const ALL: &[&str] = &LOCKABLE;
    ALL.split_at(2).1.split_at(ALL.len() - 3).0
};

/// The origin of `url` (`scheme://host[:port]`), for http and https URLs only.
pub fn origin_of(url: &str) -> Option<String> {
    let (scheme, rest) = url.split_once("://")?;
    if !matches!(scheme, "http" | "https") {
        return None;
    }
    let host = rest.split(['/', '?', '#']).next().unwrap_or("");
    let ok = !host.is_empty() && host.chars().all(|c| c.is_ascii_alphanumeric() || matches!(c, '.' | '-' | ':' | '[' | ']'));
    ok.then(|| format!("{scheme}://{}", host.to_ascii_lowercase()))
}

/// A challenge the link hands out: a built-in one (`challenge=`) or an author's (`goals=`, `hints=`).
#[derive(Clone, Debug, Default, PartialEq)]
pub struct ChallengeView {
    /// The built-in challenge's id, if it is one.
    pub id: Option<&'static str>,
    /// Title.
    pub title: String,
    /// The task.
    pub brief: String,
    /// Goals.
    pub goals: Vec<sim_core::challenge::Goal>,
    /// Hints, in order.
    pub hints: Vec<String>,
    /// What passing teaches.
    pub lesson: String,
    /// The knobs the learner may touch (`allow=`, or the built-in challenge's), if the challenge says.
    pub allow: Option<Vec<String>>,
}

/// The knobs locked by a link's `lock=` ids and, when a challenge is handed out with an allow list, every
/// lockable knob it does not allow.
pub fn locks_with(lock_keys: &[String], challenge: Option<&ChallengeView>) -> Vec<String> {
    let mut locked = lock_keys.to_vec();
    if let Some(allowed) = challenge.and_then(|c| c.allow.as_ref()) {
        for id in LOCKABLE {
            if !allowed.iter().any(|a| a == id) && !locked.iter().any(|l| l == id) {
                locked.push((*id).to_owned());
            }
        }
    }
    locked
}

/// The view.
#[derive(Clone, Debug, Default, PartialEq)]
pub struct View {
    /// Compact layout for an iframe in a lesson page.
    pub embed: bool,
    /// Knobs shown but disabled: the link's `lock=` and those its challenge does not allow.
    pub locked: Vec<String>,
    /// The knobs the link's `lock=` names (without the challenge's).
    pub lock_keys: Vec<String>,
    /// The knobs the knobs panel shows (`knobs=`); None shows them all.
    pub knobs: Option<Vec<String>>,
    /// Panels shown (all when `None`).
    pub panels: Option<Vec<String>>,
    /// Playback position in simulated seconds.
    pub t: f64,
    /// The journey picked (`journey=`), if the link names one.
    pub journey: Option<String>,
    /// The stage of that journey, from 1 (`step=`).
    pub step: Option<usize>,
    /// Scenario A of a comparison (`a=`), as its query string.
    pub compare: Option<String>,
    /// The challenge handed out, if any.
    pub challenge: Option<ChallengeView>,
    /// The host page's origin pinned by `origin=` (messages only to and from it).
    pub origin: Option<String>,
    /// Exact mode (`engine=des`): the request-level engine runs the scenario in a worker.
    pub exact: bool,
}

/// The ids of the comma-separated `raw` that `known` holds; a notice under `key` names each other one.
fn known_ids(key: &str, raw: &str, known: &[&str], what: &str, notices: &mut Vec<String>) -> Vec<String> {
    let (ok, bad): (Vec<String>, Vec<String>) =
        raw.split(',').map(str::trim).filter(|s| !s.is_empty()).map(str::to_owned).partition(|id| known.contains(&id.as_str()));
    for id in bad {
        notices.push(format!("{key}: \"{id}\" is not {what}; known: {}", known.join(", ")));
    }
    ok
}

impl View {
    /// Reads the view keys the scenario parser handed back, with a notice for each value it could not use.
    pub fn parse(keys: &[(String, String)], scenario: &Scenario) -> (View, Vec<String>) {
        let mut view = View::default();
        let mut notices = Vec::new();
        for (key, raw) in keys {
            match key.as_str() {
                "embed" => match raw.as_str() {
                    "1" | "true" => view.embed = true,
                    "0" | "false" | "" => view.embed = false,
                    _ => notices.push(format!("embed = \"{raw}\" is not valid; expected 1 or 0")),
                },
                "lock" => {
                    let locked = known_ids("lock", raw, &LOCKABLE, "a knob", &mut notices);
                    view.lock_keys.extend(locked.iter().cloned());
                    view.locked.extend(locked);
                }
                "knobs" => view.knobs = Some(known_ids("knobs", raw, &LOCKABLE, "a knob", &mut notices)).filter(|s| !s.is_empty()),
                "panels" => view.panels = Some(known_ids("panels", raw, &PANELS, "a panel", &mut notices)).filter(|s| !s.is_empty()),
                "t" => match sim_core::decimal::parse(raw) {
                    Some(t) if t.is_finite() && (0.0..=scenario.duration_s).contains(&t) => view.t = t,
                    Some(t) if t.is_finite() => {
                        view.t = t.clamp(0.0, scenario.duration_s);
                        notices.push(format!("t = {raw} is out of range; accepted: 0 to {}", scenario.duration_s));
                    }
                    _ => notices.push(format!("t = \"{raw}\" is not valid; expected seconds from 0 to {}", scenario.duration_s)),
                },
                "journey" => {
                    if sim_core::journey::NAMES.contains(&raw.as_str()) {
                        view.journey = Some(raw.clone());
                    } else {
                        notices.push(format!("journey = \"{raw}\" is not a journey; known: {}", sim_core::journey::NAMES.join(", ")));
                    }
                }
                "a" if !raw.trim().is_empty() => view.compare = Some(raw.clone()),
                "origin" => match origin_of(raw.trim()) {
                    Some(o) if o == raw.trim().to_ascii_lowercase() => view.origin = Some(o),
                    _ => notices.push(format!(
                        "origin = \"{raw}\" is not an origin; expected scheme://host[:port], e.g. https://course.example.org"
                    )),
                },
                "engine" => match raw.as_str() {
                    "des" => view.exact = true,
                    "fluid" | "" => view.exact = false,
                    _ => notices.push(format!("engine = \"{raw}\" is not an engine; expected des (exact mode) or fluid")),
                },
                "step" => match raw.parse::<usize>() {
                    Ok(n) if n >= 1 => view.step = Some(n),
                    _ => notices.push(format!("step = \"{raw}\" is not valid; expected a stage number from 1")),
                },
                _ => {}
            }
        }
        view.challenge_from(keys, &mut notices);
        (view, notices)
    }

    /// Reads `challenge=`, `goals=`, `hints=` and `allow=`: the challenge's goals (an author's `goals=` replace a
    /// built-in's), and every lockable knob not allowed is locked.
    fn challenge_from(&mut self, keys: &[(String, String)], notices: &mut Vec<String>) {
        use sim_core::challenge;
        let get = |k: &str| keys.iter().rev().find(|(key, _)| key == k).map(|(_, v)| v.clone());
        let built_in = get("challenge").and_then(|id| {
            let c = challenge::by_id(id.trim());
            if c.is_none() {
                let known: Vec<&str> = challenge::CHALLENGES.iter().map(|c| c.id).collect();
                notices.push(format!("challenge = \"{id}\" is not a challenge; known: {}", known.join(", ")));
            }
            c
        });
        let goals = match get("goals") {
            Some(raw) => match challenge::parse_goals(&raw) {
                Ok(g) => Some(g),
                Err(e) => {
                    notices.push(e.to_string());
                    None
                }
            },
            None => None,
        };
        let hints: Option<Vec<String>> =
            get("hints").map(|h| h.split('|').map(str::trim).filter(|s| !s.is_empty()).map(str::to_owned).collect());
        let allow: Option<Vec<String>> = match get("allow") {
            Some(raw) => Some(raw.split(',').map(str::trim).filter(|s| !s.is_empty()).map(str::to_owned).collect()),
            None => built_in.map(|c| c.allow.iter().map(|s| (*s).to_owned()).collect()),
        };
        self.challenge = match (built_in, goals) {
            (Some(c), g) => Some(ChallengeView {
                id: Some(c.id),
                title: c.title.to_owned(),
                brief: c.brief.to_owned(),
                goals: g.unwrap_or_else(|| c.goals()),
                hints: hints.unwrap_or_else(|| c.hints.iter().map(|h| (*h).to_owned()).collect()),
                lesson: c.lesson.to_owned(),
                allow: allow.clone(),
            }),
            (None, Some(g)) if !g.is_empty() => Some(ChallengeView {
                id: None,
                title: "Your challenge".to_owned(),
                brief: "Meet every goal below by changing the system.".to_owned(),
                goals: g,
                hints: hints.unwrap_or_default(),
                lesson: String::new(),
                allow: allow.clone(),
            }),
            _ => None,
        };
        if let (Some(allowed), Some(_)) = (allow, &self.challenge) {
            for id in &allowed {
                if !LOCKABLE.contains(&id.as_str()) && !["hc", "reserve", "size", "ryw", "redis_size", "maxlag"].contains(&id.as_str()) {
                    notices.push(format!("allow: \"{id}\" is not a knob"));
                }
            }
            self.locked = locks_with(&self.locked, self.challenge.as_ref());
        }
    }

    /// Whether a panel is shown.
    pub fn shows(&self, panel: &str) -> bool {
        self.panels.as_ref().is_none_or(|p| p.iter().any(|x| x == panel))
    }

    /// Whether the knobs panel shows knob `id`.
    pub fn shows_knob(&self, id: &str) -> bool {
        self.knobs.as_ref().is_none_or(|k| k.iter().any(|x| x == id))
    }

    /// Whether a knob is locked.
    pub fn locks(&self, id: &str) -> bool {
        self.locked.iter().any(|x| x == id)
    }

    /// The view keys to write after the scenario's, so a shared link keeps the view (`t` at the cursor).
    pub fn to_query(&self, cursor: f64) -> String {
        let mut out = String::new();
        if self.embed {
            out.push_str("&embed=1");
        }
        if let Some(o) = &self.origin {
            out.push_str(&format!("&origin={}", sim_core::query::encode(o)));
        }
        if !self.locked.is_empty() {
            out.push_str(&format!("&lock={}", self.locked.join(",")));
        }
        if let Some(p) = &self.panels {
            out.push_str(&format!("&panels={}", p.join(",")));
        }
        if let Some(k) = &self.knobs {
            out.push_str(&format!("&knobs={}", k.join(",")));
        }
        if cursor > 0.0 {
            out.push_str(&format!("&t={}", cursor.round()));
        }
        if self.exact {
            out.push_str("&engine=des");
        }
        if let Some(c) = &self.challenge {
            match c.id {
                Some(id) => out.push_str(&format!("&challenge={id}")),
                None => {
                    out.push_str(&format!("&goals={}", sim_core::query::encode(&sim_core::challenge::goals_to_text(&c.goals))));
                    if !c.hints.is_empty() {
                        out.push_str(&format!("&hints={}", sim_core::query::encode(&c.hints.join("|"))));
                    }
                }
            }
        }
        out
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn a_lesson_can_show_only_some_knobs_and_a_bad_id_is_named() {
        assert!(!PANEL_KNOBS.contains(&"stage") && !PANEL_KNOBS.contains(&"users") && !PANEL_KNOBS.contains(&"journey"));
        assert_eq!(PANEL_KNOBS.len(), LOCKABLE.len() - 3);
        let s = Scenario::stage(4);
        let pairs = vec![("knobs".to_owned(), "ttl,replicas,warp".to_owned())];
        let (view, notices) = View::parse(&pairs, &s);
        assert!(view.shows_knob("ttl") && view.shows_knob("replicas") && !view.shows_knob("app"));
        assert!(notices.iter().any(|n| n.contains("knobs") && n.contains("warp")), "{notices:?}");
        assert!(view.to_query(0.0).contains("&knobs=ttl,replicas"));
        assert!(View::default().shows_knob("app"), "without knobs= every knob shows");
    }

    fn keys(pairs: &[(&str, &str)]) -> Vec<(String, String)> {
        pairs.iter().map(|(k, v)| (k.to_string(), v.to_string())).collect()
    }

    #[test]
    fn the_engine_travels_in_the_link_and_a_bad_one_is_named() {
        let s = Scenario::stage(6);
        let (v, notices) = View::parse(&keys(&[("engine", "des")]), &s);
        assert!(v.exact && notices.is_empty());
        assert_eq!(v.to_query(0.0), "&engine=des");
        let (v, notices) = View::parse(&keys(&[("engine", "quantum")]), &s);
        assert!(!v.exact && notices.iter().any(|n| n.starts_with("engine") && n.contains("quantum")), "{notices:?}");
        assert_eq!(View::default().to_query(0.0), "", "the aggregate engine is the default and is not written");
    }

    #[test]
    fn view_keys_round_trip() {
        let s = Scenario::stage(3);
        let (v, notices) = View::parse(&keys(&[("embed", "1"), ("lock", "users,ttl"), ("panels", "diagram,table"), ("t", "42")]), &s);
        assert!(notices.is_empty(), "{notices:?}");
        assert!(v.embed && v.locks("users") && !v.locks("app") && v.shows("table") && !v.shows("charts"));
        assert_eq!(v.to_query(42.0), "&embed=1&lock=users,ttl&panels=diagram,table&t=42");
    }

    #[test]
    fn a_challenge_link_brings_its_goals_and_locks_what_it_does_not_allow() {
        let s = Scenario::stage(5);
        let (v, notices) = View::parse(&keys(&[("challenge", "slow-saves")]), &s);
        assert!(notices.is_empty(), "{notices:?}");
        let c = v.challenge.clone().unwrap();
        assert_eq!((c.id, c.goals.len(), c.hints.len()), (Some("slow-saves"), 1, 2));
        assert!(!v.locked.iter().any(|k| k == "queue") && v.locks("ttl") && v.locks("users"));
        let (v, notices) =
            View::parse(&keys(&[("goals", "p99_ms<=200,error_rate<=0.01@every"), ("hints", "one|two"), ("allow", "app,wings")]), &s);
        assert_eq!(notices.len(), 1, "{notices:?}");
        assert!(notices[0].contains("wings"));
        let c = v.challenge.unwrap();
        assert_eq!((c.id, c.goals.len(), c.hints), (None, 2, vec!["one".to_owned(), "two".to_owned()]));
        let (v, notices) = View::parse(&keys(&[("challenge", "nope"), ("goals", "p99<=1")]), &s);
        assert!(v.challenge.is_none() && notices.len() == 2, "{notices:?}");
        assert!(notices[0].contains("nope") && notices[1].starts_with("goals"));
    }

    #[test]
    fn a_challenge_handed_out_later_locks_what_it_does_not_allow_on_top_of_the_links_locks() {
        let s = Scenario::stage(5);
        let (v, _) = View::parse(&keys(&[("lock", "users"), ("challenge", "lb-single-point")]), &s);
        assert_eq!(v.lock_keys, ["users"]);
        assert!(v.locks("users") && v.locks("replicas") && !v.locks("lb_ha"));
        let (other, _) = View::parse(&keys(&[("challenge", "primary-failover")]), &s);
        let locked = locks_with(&v.lock_keys, other.challenge.as_ref());
        let has = |id: &str| locked.iter().any(|l| l == id);
        assert!(has("users") && has("lb_ha") && !has("replicas") && !has("dbsize"), "{locked:?}");
        assert_eq!(locks_with(&v.lock_keys, None), ["users"], "no challenge: the link's locks alone");
    }

    #[test]
    fn bad_view_values_are_named_and_the_rest_kept() {
        let s = Scenario::stage(1);
        let (v, notices) = View::parse(&keys(&[("lock", "users,wings"), ("panels", "sofa"), ("t", "9999"), ("embed", "maybe")]), &s);
        assert!(v.locks("users"));
        assert!(v.panels.is_none(), "no valid panel means all panels");
        assert_eq!(v.t, 300.0);
        assert_eq!(notices.len(), 4);
        assert!(notices[0].contains("wings") && notices[3].starts_with("embed"));
    }
}
