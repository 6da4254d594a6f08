//! Entry point of the exact engine's worker module: registers the reactor that runs sim-core's request-level
//! engine for the page (`scalesim_web::exact`). Trunk builds it as a worker; the page loads it on first use.
use gloo_worker::Registrable;

fn main() {
    console_error_panic_hook::set_once();
    scalesim_web::exact::worker::ExactEngine::registrar().register();
}
