import { test } from 'vitest';
import { createGit } from '../../src/workspace/git.js';
test('probe', async () => {
  const g = createGit('/work/main');
  console.log(await g.raw(['rev-parse','HEAD']));
  const g2 = createGit('/work/main', {auth:{username:'x',token:'abcdefgh'}, env: {GIT_INDEX_FILE: '/tmp/x'}});
  console.log(await g2.raw(['rev-parse','HEAD']));
  const b = await g.binaryCatFile(['blob', 'HEAD:package.json']);
  console.log(Buffer.isBuffer(b), b.length);
});
