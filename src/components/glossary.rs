//! The glossary: a folded panel listing every term of sim-core's glossary (each at `#term-<id>`), and the
//! tooltips on a term's first use in running text. A first use is a focusable `<dfn>` described by its tooltip
//! (`aria-describedby`), which shows on hover and on keyboard focus; Escape hides every tooltip until the next
//! one is pointed at or focused. (Not a button: the table's rows keep their one button, the fix.)
use std::sync::atomic::{AtomicUsize, Ordering};

use leptos::prelude::*;
use sim_core::glossary::{mark, Piece, TERMS};
use wasm_bindgen::JsCast;

/// The panel's element id.
const PANEL: &str = "glossary";
/// The class on `<body>` that hides tooltips after Escape.
const HIDDEN: &str = "tips-hidden";

/// Opens the glossary panel at term `id`, instead of the link's plain jump (which would land in a folded panel).
pub fn jump(ev: &web_sys::MouseEvent, id: &str) {
    let doc = document();
    let (Some(panel), Some(entry)) = (doc.get_element_by_id(PANEL), doc.get_element_by_id(&format!("term-{id}"))) else {
        return;
    };
    ev.prevent_default();
    if let Some(details) = panel.dyn_ref::<web_sys::HtmlDetailsElement>() {
        details.set_open(true);
    }
    entry.scroll_into_view();
    if let Some(el) = entry.dyn_ref::<web_sys::HtmlElement>() {
        let _ = el.focus();
    }
}

/// Hides every tooltip when Escape is pressed anywhere (so one shown under the pointer can be dismissed without
/// moving it). Call once.
pub fn listen_for_escape() {
    let handle = window_event_listener(leptos::ev::keydown, |ev| {
        if ev.key() == "Escape" {
            if let Some(body) = document().body() {
                let _ = body.class_list().add_1(HIDDEN);
            }
        }
    });
    on_cleanup(move || handle.remove());
}

/// Lets tooltips show again (a term is pointed at or focused after an Escape).
fn unhide() {
    if let Some(body) = document().body() {
        let _ = body.class_list().remove_1(HIDDEN);
    }
}

/// Tooltip ids, unique on the page.
static NEXT_TIP: AtomicUsize = AtomicUsize::new(0);

/// `text` with the first use of each glossary term not in `seen` as a term with a tooltip (adding it to `seen`).
pub fn marked(text: &str, seen: &mut Vec<&'static str>) -> AnyView {
    mark(text, seen)
        .into_iter()
        .map(|piece| match piece {
            Piece::Text(s) => s.to_owned().into_any(),
            Piece::Term(words, term) => {
                let tip = format!("tip-{}", NEXT_TIP.fetch_add(1, Ordering::Relaxed));
                let id = term.id;
                view! {
                    <span class="term" data-term=id>
                        <dfn class="term-word" tabindex="0" aria-describedby=tip.clone() on:focus=move |_| unhide() on:mouseenter=move |_| unhide()>
                            {words.to_owned()}
                        </dfn>
                        <span role="tooltip" id=tip class="tip">{term.meaning}</span>
                    </span>
                }
                .into_any()
            }
        })
        .collect_view()
        .into_any()
}

/// The glossary panel, folded until opened (or jumped to from an explanation or a term).
#[component]
pub fn GlossaryPanel() -> impl IntoView {
    view! {
        <details id=PANEL class="panel glossary">
            <summary>
                <h2>{format!("Glossary ({} terms)", TERMS.len())}</h2>
            </summary>
            <dl class="terms">
                {TERMS
                    .iter()
                    .map(|t| {
                        view! {
                            <div class="term-entry" id=format!("term-{}", t.id) tabindex="-1">
                                <dt>{t.term}</dt>
                                <dd>{t.meaning}</dd>
                                <dd class="term-why">"Why it matters: " {t.why}</dd>
                            </div>
                        }
                    })
                    .collect_view()}
            </dl>
        </details>
    }
}
