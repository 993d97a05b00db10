//! Builds plain-text reports about shapes.

pub mod format;

use geometry::{Circle, Rect};

pub fn total_area(rects: &[Rect], circles: &[Circle]) -> f64 {
    let rects: f64 = rects.iter().map(|r| r.area()).sum();
    let circles: f64 = circles.iter().map(|c| c.area()).sum();
    rects + circles
}

pub fn summary(rects: &[Rect]) -> String {
    let count = rects.len();
    format!("{count} rectangles")
}
