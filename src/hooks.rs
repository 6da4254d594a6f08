//! Reusable hooks for the page's components. [`use_visible`] tells whether an element is on screen, so a
//! component can skip work while it is scrolled away (the charts are not redrawn off screen);
//! [`run_in_slices`] runs a long search a few milliseconds at a time, cancelled when a newer one starts;
//! [`use_narrow`] tells whether the window is phone-narrow (the diagram and the waterfall lay out for it).
use leptos::html::ElementType;
use leptos::prelude::*;
use send_wrapper::SendWrapper;
use wasm_bindgen::closure::Closure;
use wasm_bindgen::JsCast;

/// Whether the element behind `node` is at least partly on screen, kept up to date by an IntersectionObserver.
///
/// The observer and its callback live exactly as long as the calling component: the element is observed once it
/// mounts, and on cleanup the observer is disconnected and the callback dropped (nothing is leaked with
/// `Closure::forget`). The signal starts `false`; the browser reports the first state right after observing.
/// Where IntersectionObserver is unavailable the signal is always `true`, so the caller simply always works.
pub fn use_visible<E>(node: NodeRef<E>) -> ReadSignal<bool>
where
    E: ElementType,
    E::Output: JsCast + Clone + AsRef<web_sys::Element> + 'static,
{
    let (visible, set_visible) = signal(false);
    let callback = Closure::<dyn FnMut(js_sys::Array)>::new(move |entries: js_sys::Array| {
        // Entries come oldest first; the last one is the current state.
        if let Some(entry) = entries.iter().last().and_then(|e| e.dyn_into::<web_sys::IntersectionObserverEntry>().ok()) {
            set_visible.set(entry.is_intersecting());
        }
    });
    let Ok(observer) = web_sys::IntersectionObserver::new(callback.as_ref().unchecked_ref()) else {
        set_visible.set(true);
        return visible;
    };
    node.on_load({
        let observer = observer.clone();
        move |el| observer.observe(el.as_ref())
    });
    // Cleanup closures must be Send + Sync; the JS handles are not, but the page has one thread.
    let held = SendWrapper::new((observer, callback));
    on_cleanup(move || {
        let (observer, callback) = held.take();
        // Disconnect first, so the browser never calls the callback after it is dropped.
        observer.disconnect();
        drop(callback);
    });
    visible
}

/// Milliseconds of work per slice of a long computation: half a frame, so a slice never delays input noticeably.
pub const SLICE_MS: f64 = 8.0;

/// A ticket for a long computation run in slices: it is live until the next one is issued from the same
/// [`Jobs`], so starting a new search cancels the one before it.
#[derive(Clone, Copy)]
pub struct Jobs(StoredValue<u64>);

impl Jobs {
    /// A counter of jobs with none running.
    pub fn new() -> Jobs {
        Jobs(StoredValue::new(0))
    }

    /// Cancels the running job, if any, and returns the ticket of the next.
    pub fn next(&self) -> u64 {
        self.0.update_value(|n| *n += 1);
        self.0.get_value()
    }

    /// Cancels the running job, if any.
    pub fn cancel(&self) {
        self.next();
    }

    /// Whether `ticket` is still the latest job's.
    pub fn live(&self, ticket: u64) -> bool {
        self.0.try_get_value() == Some(ticket)
    }
}

impl Default for Jobs {
    fn default() -> Self {
        Jobs::new()
    }
}

/// Runs `work` (one small step each call, `true` once done) in slices of about [`SLICE_MS`], handing the
/// thread back to the browser between slices and calling `on_yield` before each hand-back (to show progress),
/// until it is done or `ticket` is no longer the live job of `jobs`. Input and painting go on while it runs: a
/// search of hundreds of steady states never freezes the page.
pub fn run_in_slices(jobs: Jobs, ticket: u64, mut work: Box<dyn FnMut() -> bool>, on_yield: Box<dyn Fn()>) {
    if !jobs.live(ticket) {
        return;
    }
    let start = js_sys::Date::now();
    loop {
        if work() {
            return;
        }
        if js_sys::Date::now() - start >= SLICE_MS {
            break;
        }
    }
    on_yield();
    set_timeout(move || run_in_slices(jobs, ticket, work, on_yield), std::time::Duration::ZERO);
}

/// Below this width a view lays out for a phone (or a narrow lesson frame).
const NARROW: &str = "(max-width: 599px)";

/// Whether the window is narrow, kept up to date as it is resized or turned.
pub fn use_narrow() -> ReadSignal<bool> {
    let narrow = move || window().match_media(NARROW).ok().flatten().is_some_and(|m| m.matches());
    let (get, set) = signal(narrow());
    let resize = window_event_listener(leptos::ev::resize, move |_| {
        let now = narrow();
        if get.get_untracked() != now {
            set.set(now);
        }
    });
    on_cleanup(move || resize.remove());
    get
}
