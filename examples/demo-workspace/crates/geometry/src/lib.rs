//! Small geometry helpers used by the report crate.

pub mod shapes;
pub mod units;

pub use shapes::{Circle, Rect};
