//! Reusable hooks for the page's components. [`use_visible`] tells whether an element is on screen, so a
//! component can skip work while it is scrolled away (the charts are not redrawn off screen).
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
