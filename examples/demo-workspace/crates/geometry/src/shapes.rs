//! Shapes and their areas.

#[derive(Debug, Clone, Copy, PartialEq)]
pub struct Rect {
    pub width: f64,
    pub height: f64,
}

#[derive(Debug, Clone, Copy, PartialEq)]
pub struct Circle {
    pub radius: f64,
}

impl Rect {
    pub fn area(&self) -> f64 {
        self.width * self.height
    }

    #[allow(dead_code)]
    pub fn is_square(&self) -> bool {
        self.width == self.height
    }
}

impl Circle {
    pub fn area(&self) -> f64 {
        3.14159 * self.radius * self.radius
    }
}
