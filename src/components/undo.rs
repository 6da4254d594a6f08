//! Undo and redo buttons for scenario changes, and their keys: Ctrl+Z (⌘Z) undoes, Ctrl+Shift+Z or Ctrl+Y redoes,
//! except while typing in a text field, where the browser's own undo applies. A change is recorded once the
//! scenario has been still for [`SETTLE_MS`], so a slider drag or a burst of knob changes is one step.
use std::cell::RefCell;
use std::rc::Rc;
use std::time::Duration;

use leptos::prelude::*;
use sim_core::Scenario;
use wasm_bindgen::JsCast;

use crate::state::Sim;
use crate::timeline::Timeline;

/// Real milliseconds the scenario must stay unchanged before the change becomes one undo step.
pub const SETTLE_MS: u64 = 400;

/// Whether a key press is undo (Some(false)), redo (Some(true)) or neither.
pub fn shortcut(key: &str, ctrl_or_meta: bool, shift: bool) -> Option<bool> {
    if !ctrl_or_meta {
        return None;
    }
    match key {
        "z" | "Z" => Some(shift),
        "y" | "Y" if !shift => Some(true),
        _ => None,
    }
}

/// The undo and redo buttons.
#[component]
pub fn UndoRedo() -> impl IntoView {
    let sim = expect_context::<Sim>();
    let timeline = Rc::new(RefCell::new(Timeline::new(sim.scenario.get_untracked())));
    // What the buttons show; the timeline itself is plain data held by the closures below.
    let can = RwSignal::new((false, false));
    // Set while an undo or redo writes the scenario, so that write is not recorded as a change of its own.
    let restoring = StoredValue::new(false);
    let pending = StoredValue::new(None::<TimeoutHandle>);
    let recorder = timeline.clone();
    Effect::new(move |_| {
        sim.scenario.track();
        if restoring.get_value() {
            restoring.set_value(false);
            return;
        }
        if let Some(h) = pending.get_value() {
            h.clear();
        }
        let recorder = recorder.clone();
        let settle = move || {
            let mut t = recorder.borrow_mut();
            t.record(sim.scenario.get_untracked());
            can.set((t.can_undo(), t.can_redo()));
        };
        pending.set_value(set_timeout_with_handle(settle, Duration::from_millis(SETTLE_MS)).ok());
    });
    let step = {
        let timeline = timeline.clone();
        move |forward: bool| {
            // A change still settling is recorded first, so undo takes back the latest change, not the one before.
            if let Some(h) = pending.get_value() {
                h.clear();
                pending.set_value(None);
            }
            let mut t = timeline.borrow_mut();
            t.record(sim.scenario.get_untracked());
            let next: Option<Scenario> = if forward { t.redo() } else { t.undo() };
            can.set((t.can_undo(), t.can_redo()));
            if let Some(s) = next {
                restoring.set_value(true);
                sim.scenario.set(s);
            }
        }
    };
    let keys = step.clone();
    let listener = window_event_listener(leptos::ev::keydown, move |ev| {
        let typing = ev
            .target()
            .and_then(|t| t.dyn_into::<web_sys::Element>().ok())
            .is_some_and(|e| matches!(e.tag_name().as_str(), "INPUT" | "TEXTAREA") && e.get_attribute("type").as_deref() != Some("range"));
        if typing {
            return;
        }
        if let Some(forward) = shortcut(&ev.key(), ev.ctrl_key() || ev.meta_key(), ev.shift_key()) {
            ev.prevent_default();
            keys(forward);
        }
    });
    on_cleanup(move || listener.remove());
    let (undo, redo) = (step.clone(), step);
    view! {
        <div class="buttons undo-redo" role="group" aria-label="History of changes">
            <button type="button" aria-keyshortcuts="Control+Z" disabled=move || !can.get().0 on:click=move |_| undo(false)>"Undo"</button>
            <button type="button" aria-keyshortcuts="Control+Shift+Z" disabled=move || !can.get().1 on:click=move |_| redo(true)>"Redo"</button>
        </div>
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn the_shortcuts_are_read_as_undo_or_redo() {
        assert_eq!(shortcut("z", true, false), Some(false));
        assert_eq!(shortcut("Z", true, true), Some(true));
        assert_eq!(shortcut("y", true, false), Some(true));
        assert_eq!(shortcut("z", false, false), None);
        assert_eq!(shortcut("x", true, false), None);
    }
}
