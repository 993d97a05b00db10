//! Formatting of report lines.

use geometry::Rect;

pub fn describe(rect: &Rect) -> String {
    format!("{} x {}", rect.width, rect.height)
}

pub fn headline(title: &str) -> String {
    let mut line = String::from(title);
    line.push(':');
    line
}
