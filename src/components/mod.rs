//! The page's components, one file each.
pub mod bill;
pub mod bottlenecks;
pub mod chart;
pub mod compare;
pub mod diagram;
pub mod faults;
pub mod growth_knobs;
pub mod knob;
pub mod knobs;
pub mod load_slider;
pub mod metrics;
pub mod notices;
pub mod planner;
pub mod playback;
pub mod safety_knobs;
pub mod share;
pub mod stage_picker;
