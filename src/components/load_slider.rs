//! The load slider: users from 1 to 10,000,000 on a logarithmic scale, with the request rate they make.
use leptos::prelude::*;
use sim_core::Scenario;

/// Slider steps per factor of ten.
const STEPS_PER_DECADE: f64 = 100.0;
/// Largest user count the slider reaches.
pub const MAX_USERS: u64 = 10_000_000;

/// Slider position for a user count.
pub fn position_for(users: u64) -> f64 {
    (users.clamp(1, MAX_USERS) as f64).log10() * STEPS_PER_DECADE
}

/// User count for a slider position, rounded to two significant figures so the numbers read cleanly.
pub fn users_at(position: f64) -> u64 {
    let raw = 10f64.powf(position.clamp(0.0, 7.0 * STEPS_PER_DECADE) / STEPS_PER_DECADE);
    if raw < 100.0 {
        return raw.round().max(1.0) as u64;
    }
    let magnitude = 10f64.powi(raw.log10().floor() as i32 - 1);
    ((raw / magnitude).round() * magnitude).min(MAX_USERS as f64) as u64
}

/// A labelled range input whose accessible name is "Users", and the peak request rate it makes.
#[component]
pub fn LoadSlider(
    /// The scenario whose user count the slider reads and writes.
    scenario: RwSignal<Scenario>,
) -> impl IntoView {
    let users = Memo::new(move |_| scenario.with(|s| s.traffic.users));
    view! {
        <div class="control load">
            <label for="users">"Users"</label>
            <span class="value">{move || crate::format::thousands(users.get())}</span>
            <input
                id="users"
                type="range"
                min="0"
                max=(7.0 * STEPS_PER_DECADE).to_string()
                step="1"
                disabled=move || crate::components::knob::locked("users")
                prop:value=move || position_for(users.get()).to_string()
                aria-valuetext=move || format!("{} users", crate::format::thousands(users.get()))
                on:input=move |ev| {
                    if let Some(p) = sim_core::decimal::parse(&event_target_value(&ev)) {
                        let u = users_at(p);
                        scenario.update(|s| s.traffic.users = u);
                    }
                }
            />
        </div>
        <p class="figure">
            "Peak load: "
            <output id="peak-rps">{move || crate::format::rps(scenario.with(|s| s.traffic.peak_rps()))}</output>
        </p>
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn slider_covers_one_to_ten_million() {
        assert_eq!(users_at(0.0), 1);
        assert_eq!(users_at(700.0), MAX_USERS);
        assert_eq!(users_at(300.0), 1_000);
    }

    #[test]
    fn slider_round_trips_round_numbers() {
        for users in [1, 10, 100, 1_000, 10_000, 1_000_000] {
            assert_eq!(users_at(position_for(users)), users);
        }
    }
}
