/**
 * A deliberately small glob dialect for deny lists, so matching is ours to read and test:
 * `*` is any run of characters within one path component, `?` one character of a component,
 * `**` as a whole component is any number of directories (also none), everything else is literal.
 */
export function globToRegExp(glob: string): RegExp {
  let source = '';
  let i = 0;
  while (i < glob.length) {
    const char = glob.charAt(i);
    if (char === '*' && glob.charAt(i + 1) === '*') {
      const wholeComponent = i === 0 || glob.charAt(i - 1) === '/';
      const after = glob.charAt(i + 2);
      if (wholeComponent && after === '/') {
        // `**/` also matches zero directories: `**/build.rs` matches `build.rs`.
        source += '(?:[^/]*/)*';
        i += 3;
      } else if (wholeComponent && after === '') {
        source += '.*';
        i += 2;
      } else {
        // `a**b` is not a whole component; treat it like `*` rather than cross `/`.
        source += '[^/]*';
        i += 2;
      }
    } else if (char === '*') {
      source += '[^/]*';
      i += 1;
    } else if (char === '?') {
      source += '[^/]';
      i += 1;
    } else {
      source += escapeRegExpChar(char);
      i += 1;
    }
  }
  return new RegExp(`^${source}$`, 'su');
}

function escapeRegExpChar(char: string): string {
  return /[\\^$.*+?()[\]{}|]/.test(char) ? `\\${char}` : char;
}
