/** One model answer of the real bench: a real edit to a real file of the real workspace, and what it should come to. */
export interface RealPatch {
  file: string;
  old_string: string;
  new_string: string;
  rationale: string;
  expect: 'green' | 'red' | 'rejected';
}

/**
 * ~10 real files of regex, regex-syntax (its 5,930-line parser among them) and aho-corasick:
 * small fixes that compile (a real typo among them), two that break the build (a field missing
 * from an initializer: E0063), and one ambiguous edit (its old_string occurs many times).
 */
export const REAL_PATCHES: RealPatch[] = [
  { file: 'regex-syntax/src/hir/translate.rs', old_string: 'a default c onfiguration', new_string: 'a default configuration', rationale: 'typo', expect: 'green' },
  { file: 'regex-syntax/src/ast/parse.rs', old_string: '    /// Return the span of this primitive.', new_string: '    /// Returns the span of this primitive.', rationale: 'doc comment in the third person', expect: 'green' },
  { file: 'regex/src/exec.rs', old_string: '    /// A pool of reusable values for the various matching engines.', new_string: '    /// A pool of reusable values for the matching engines.', rationale: 'shorter doc comment', expect: 'green' },
  { file: 'aho-corasick/src/nfa.rs', old_string: '    /// The match semantics built into this NFA.', new_string: '    /// The match semantics this NFA was built with.', rationale: 'clearer doc comment', expect: 'green' },
  { file: 'regex-syntax/src/hir/mod.rs', old_string: '    /// The kind of error.', new_string: '    /// The kind of this error.', rationale: 'clearer doc comment', expect: 'green' },
  { file: 'regex-syntax/src/ast/mod.rs', old_string: '    /// The kind of error.', new_string: '    /// The kind of this error.', rationale: 'clearer doc comment', expect: 'green' },
  { file: 'aho-corasick/src/ahocorasick.rs', old_string: 'use crate::error::Result;', new_string: 'use crate::error::Result;\n', rationale: 'spacing', expect: 'green' },
  { file: 'regex/src/re_builder.rs', old_string: '            octal: false,\n', new_string: '', rationale: 'octal defaults to false', expect: 'red' },
  { file: 'aho-corasick/src/error.rs', old_string: '        Error { kind: ErrorKind::StateIDOverflow { max } }', new_string: '        Error {}', rationale: 'simplify', expect: 'red' },
  { file: 'regex/src/compile.rs', old_string: '        }\n', new_string: '        }\n\n', rationale: 'spacing', expect: 'rejected' },
];
