// The mails the server wrote to its outbox folder (./test passes it as OUTBOX), and the links in
// them, for the tests that follow a mail as a person would.
import assert from 'node:assert/strict';
import { readdir, readFile } from 'node:fs/promises';
import { join } from 'node:path';

const OUTBOX = process.env.OUTBOX;

function decodeQuotedPrintable(text) {
  return text.replace(/=\r?\n/g, '').replace(/=([0-9A-F]{2})/g, (_, h) => String.fromCharCode(parseInt(h, 16)));
}

/** The newest mail to `to` in the outbox folder (the server's mailer writes one .eml a mail). */
export async function mailTo(to, subject) {
  assert.ok(OUTBOX, 'OUTBOX must name the server\'s mail folder (./test sets it)');
  for (let i = 0; i < 100; i++) {
    const names = await readdir(OUTBOX).catch(() => []);
    for (const name of names) {
      const raw = (await readFile(join(OUTBOX, name), 'utf8')).replace(/\r\n/g, '\n');
      const [head, ...rest] = raw.split('\n\n');
      const body = /content-transfer-encoding: quoted-printable/i.test(head) ? decodeQuotedPrintable(rest.join('\n\n')) : rest.join('\n\n');
      if (new RegExp(`^To: ${to}$`, 'mi').test(head) && head.includes(subject)) return body;
    }
    await new Promise((r) => setTimeout(r, 200));
  }
  throw new Error(`no mail "${subject}" to ${to} in ${OUTBOX}`);
}

export function linkIn(body, path) {
  const m = body.match(new RegExp(`https?://[^\\s]+${path.replace('?', '\\?')}[0-9a-f]{64}`));
  assert.ok(m, `a ${path} link in: ${body}`);
  return new URL(m[0]).pathname + new URL(m[0]).search;
}
