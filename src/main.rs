//! Entry point of the page: install the panic hook and mount the app.
//!
//! A panic must not leave a frozen page. The release profile has `panic = "abort"`: on wasm32 the hook runs, then
//! the module traps and nothing in it runs again. So the hook itself, before the trap, logs the panic to the
//! console (`console_error_panic_hook`), replaces the page with a short message, a link to the scenario (the
//! address as it is now, which the page keeps current) and a "start again" link without the query, and, in a
//! frame, posts `{source: "scalesim", type: "error", message, url}` to the host (`embed::post_error`).
use std::sync::atomic::{AtomicBool, Ordering};

use wasm_bindgen::prelude::*;

fn main() {
    std::panic::set_hook(Box::new(|info| {
        console_error_panic_hook::hook(info);
        show_failure();
    }));
    leptos::mount::mount_to_body(scalesim_web::App);
}

/// Whether the failure page is up: a second panic (a callback into the trapped module) leaves it as it is.
static FAILED: AtomicBool = AtomicBool::new(false);

/// Replaces the body with the failure message and tells the host. Uses only calls that report errors as values,
/// so it cannot panic inside the panic hook.
fn show_failure() {
    if FAILED.swap(true, Ordering::SeqCst) {
        return;
    }
    let Some(window) = web_sys::window() else {
        return;
    };
    let Some(document) = window.document() else {
        return;
    };
    let location = window.location();
    let here = location.href().unwrap_or_default();
    // The same page with no query and no fragment: the default scenario.
    let start = location.pathname().unwrap_or_else(|_| "./".to_owned());
    let mut height = 0;
    if let Some(body) = document.body() {
        body.set_text_content(None);
        if let Ok(main) = build(&document, &body, &here, &start) {
            height = main.offset_top() + main.offset_height() + 16;
        }
    }
    document.set_title("scalesim stopped");
    scalesim_web::embed::post_error(MESSAGE, &here, height);
}

/// The one-line explanation, on the page and in the host's error event.
const MESSAGE: &str = "scalesim stopped after an internal error.";

/// `<main role="alert">` with a heading, the explanation and the two links, appended to `body` (styled as the
/// page's masthead: the stylesheet is not needed to read it).
fn build(document: &web_sys::Document, body: &web_sys::HtmlElement, here: &str, start: &str) -> Result<web_sys::HtmlElement, JsValue> {
    let element = |tag: &str, text: &str| -> Result<web_sys::Element, JsValue> {
        let e = document.create_element(tag)?;
        e.set_text_content(Some(text));
        Ok(e)
    };
    let main: web_sys::HtmlElement = document.create_element("main")?.dyn_into()?;
    main.set_id("failure");
    main.set_class_name("masthead");
    main.set_attribute("role", "alert")?;
    let heading = element("h1", "scalesim stopped")?;
    let text = element(
        "p",
        "Something went wrong inside the simulator and this page cannot go on. Your scenario is kept in its link: \
         open it to try again, or start again from the first stage.",
    )?;
    main.append_child(&heading)?;
    main.append_child(&text)?;
    let links = document.create_element("p")?;
    let again = element("a", "Open this scenario again")?;
    again.set_attribute("href", here)?;
    let fresh = element("a", "Start again")?;
    fresh.set_attribute("href", start)?;
    links.append_child(&again)?;
    links.append_child(&document.create_text_node(" · "))?;
    links.append_child(&fresh)?;
    main.append_child(&links)?;
    body.append_child(&main)?;
    Ok(main)
}

/// Panics on purpose, so that a browser test can check the failure page on the release build the site ships.
///
/// It is a function exported by the wasm module, not a query key and not a message: a link, a host page in
/// another origin or anything a learner types cannot reach it. Only script already running in the page's own
/// origin can call it (`(await import(jsUrl)).scalesim_test_panic()`), and such script could replace the page
/// anyway, so shipping it gives nobody a new way to break a page. It costs a few dozen bytes of wasm.
#[wasm_bindgen]
pub fn scalesim_test_panic() {
    panic!("scalesim_test_panic() was called: a deliberate panic to check the failure page");
}
