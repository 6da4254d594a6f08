//! Notices about the link the page was opened with: what was clamped, defaulted or ignored, by field.
use leptos::prelude::*;

/// A dismissible list of notices, shown only when there are some.
#[component]
pub fn Notices(
    /// The notices (cleared by the Dismiss button).
    notices: RwSignal<Vec<String>>,
) -> impl IntoView {
    view! {
        <Show when=move || notices.with(|n| !n.is_empty())>
            <section class="panel notices" role="status" aria-labelledby="notices-heading">
                <h2 id="notices-heading">"About this link"</h2>
                <ul>{move || notices.get().into_iter().map(|n| view! { <li>{n}</li> }).collect_view()}</ul>
                <button type="button" on:click=move |_| notices.set(Vec::new())>"Dismiss"</button>
            </section>
        </Show>
    }
}
