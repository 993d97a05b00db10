//! Unit conversions.

pub fn mm_to_inches(mm: f64) -> f64 {
    mm / 25.4
}

pub fn inches_to_mm(inches: f64) -> f64 {
    inches * 25.4
}

pub fn is_positive(value: f64) -> bool {
    value > 0.0
}
