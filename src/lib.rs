//! scalesim-web: the Leptos page over `sim-core`. The page draws and controls; every figure comes from sim-core.
pub mod components;
pub mod format;

use leptos::prelude::*;

use components::load_slider::LoadSlider;
use sim_core::Traffic;

/// The whole page.
#[component]
pub fn App() -> impl IntoView {
    let (users, set_users) = signal(Traffic::default().users);
    let traffic = Memo::new(move |_| Traffic { users: users.get(), ..Traffic::default() });
    view! {
        <header class="masthead">
            <h1>"scalesim"</h1>
            <p class="tagline">"How a web system grows from one server to a million users, measured live."</p>
        </header>
        <main class="workspace">
            <section class="panel controls" aria-label="Load">
                <LoadSlider users=users set_users=set_users/>
                <p class="figure">
                    "Peak load: "
                    <output id="peak-rps" aria-live="polite">
                        {move || format::rps(traffic.get().peak_rps())}
                    </output>
                </p>
            </section>
        </main>
    }
}
