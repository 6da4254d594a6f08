//! The embed protocol v1 between an embedded scalesim and the lesson page around it (`public/embed-protocol.md`
//! is its reference; `public/scalesim-host.js` is the host side). `protocol` reads commands and builds events
//! with pure, natively tested functions; `bridge` wires them to the page: the message listener, the checks on
//! who may command, and the effects that post events.
pub mod bridge;
pub mod protocol;

pub use bridge::{accepts, connect, in_frame, post, post_error, report_height, set_host};
pub use protocol::Field;
