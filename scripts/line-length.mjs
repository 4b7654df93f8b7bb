// Part of `npm run lint`: no line of src/ over 200 characters, strings and help text included (ESLint's
// max-len of 150 leaves strings alone so that a message reads whole; past 200, write it as a template block
// or join its parts).
import { readdirSync, readFileSync } from 'node:fs';
import { join, relative } from 'node:path';
import { fileURLToPath } from 'node:url';

const MAX = 200;
const root = fileURLToPath(new URL('..', import.meta.url));
const files = readdirSync(join(root, 'src'), { recursive: true, withFileTypes: true })
  .filter((e) => e.isFile() && e.name.endsWith('.ts'))
  .map((e) => join(e.parentPath ?? e.path, e.name));
const long = files.flatMap((file) =>
  readFileSync(file, 'utf8')
    .split('\n')
    .flatMap((line, i) => (line.length > MAX ? [`${relative(root, file)}:${i + 1}: ${line.length} characters`] : [])),
);
if (long.length) {
  console.error(`lines over ${MAX} characters (help text as a template block, a long message in joined parts):\n${long.join('\n')}`);
  process.exitCode = 1;
}
