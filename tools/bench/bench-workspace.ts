/**
 * The benchmark's Cargo workspace: `crates` crates of `modules` modules each, no crates.io
 * dependencies (offline). Every module has one hard-coded 3.14159 — the finding the review
 * log reports and the patch the LLM stand-in answers with, which keeps the check green.
 */

const CRATE_NAMES = ['alpha', 'bravo', 'charlie', 'delta', 'echo', 'foxtrot', 'golf', 'hotel'];

export interface BenchWorkspace {
  /** Path → content of every file of the workspace. */
  files: Record<string, string>;
  /** The modules the review log names, in a fixed order. */
  reviewed: string[];
}

export function benchWorkspace(options: { crates: number; modules: number }): BenchWorkspace {
  if (options.crates < 1 || options.crates > CRATE_NAMES.length) throw new Error(`crates must be 1..${CRATE_NAMES.length}`);
  const names = CRATE_NAMES.slice(0, options.crates);
  const files: Record<string, string> = {
    'Cargo.toml': `[workspace]\nresolver = "2"\nmembers = [${names.map((n) => `"crates/${n}"`).join(', ')}]\n`,
    '.gitignore': '/target\n',
  };
  const reviewed: string[] = [];
  for (const name of names) {
    files[`crates/${name}/Cargo.toml`] = `[package]\nname = "${name}"\nversion = "0.1.0"\nedition = "2021"\n\n[dependencies]\n`;
    const modules = Array.from({ length: options.modules }, (_, i) => `m${i}`);
    files[`crates/${name}/src/lib.rs`] = `//! The ${name} crate.\n\n${modules.map((m) => `pub mod ${m};`).join('\n')}\n`;
    for (const [i, module] of modules.entries()) {
      const path = `crates/${name}/src/${module}.rs`;
      files[path] = moduleSource(name, i);
      reviewed.push(path);
    }
  }
  return { files, reviewed };
}

/** The edit the stand-in proposes for a module: exact, one line, green. */
export const BENCH_PATCH = {
  old_string: '    3.14159 * radius * radius',
  new_string: '    std::f64::consts::PI * radius * radius',
  rationale: 'use the exact constant instead of 3.14159',
  confidence: 95,
} as const;

/** A patch-model answer for any bench module. */
export function benchAnswer(): string {
  return JSON.stringify({ patches: [BENCH_PATCH] });
}

function moduleSource(crate: string, index: number): string {
  return `//! Module ${index} of ${crate}: shapes and a few helpers.

/// A circle.
#[derive(Debug, Clone, Copy, PartialEq)]
pub struct Circle${index} {
    pub radius: f64,
}

/// The area of a circle of the given radius.
pub fn area(radius: f64) -> f64 {
${BENCH_PATCH.old_string}
}

impl Circle${index} {
    pub fn new(radius: f64) -> Self {
        Self { radius }
    }

    pub fn area(&self) -> f64 {
        area(self.radius)
    }

    pub fn scaled(&self, factor: f64) -> Self {
        Self { radius: self.radius * factor }
    }
}

/// The sum of the areas, largest first.
pub fn total_area(circles: &[Circle${index}]) -> f64 {
    let mut areas: Vec<f64> = circles.iter().map(Circle${index}::area).collect();
    areas.sort_by(|a, b| b.partial_cmp(a).unwrap_or(std::cmp::Ordering::Equal));
    areas.iter().sum()
}

/// A label for reports.
pub fn describe(circle: &Circle${index}) -> String {
    format!("{}::m${index} circle r={:.2} area={:.2}", "${crate}", circle.radius, circle.area())
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn area_grows_with_radius() {
        assert!(area(2.0) > area(1.0));
    }
}
`;
}
