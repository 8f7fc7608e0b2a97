// A real SMTP server (Nodemailer's smtp-server) for local runs and tests: accepts every message and writes
// it as an .eml file into a folder. Stops when the process that started it goes away.
// Usage: node smtp-sink.mjs <parentPid> <port> <folder> [--auth user:password]
import { SMTPServer } from 'smtp-server';
import fs from 'node:fs';
import path from 'node:path';

const [parentPid, port, folder, ...rest] = process.argv.slice(2);
const authIndex = rest.indexOf('--auth');
const credentials = authIndex >= 0 ? rest[authIndex + 1] : null;
fs.mkdirSync(folder, { recursive: true });
let count = 0;

const server = new SMTPServer({
  secure: false,
  disabledCommands: credentials ? ['STARTTLS'] : ['STARTTLS', 'AUTH'],
  authOptional: !credentials,
  allowInsecureAuth: true,
  onAuth(auth, session, callback) {
    if (`${auth.username}:${auth.password}` === credentials) return callback(null, { user: auth.username });
    return callback(new Error('Invalid username or password'));
  },
  onData(stream, session, callback) {
    const chunks = [];
    stream.on('data', (c) => chunks.push(c));
    stream.on('end', () => {
      count += 1;
      const file = path.join(folder, `${Date.now()}-${process.pid}-${count}.eml`);
      const rcpt = session.envelope.rcptTo.map((r) => r.address).join(',');
      fs.writeFileSync(file + '.tmp', Buffer.concat(chunks));
      fs.renameSync(file + '.tmp', file);
      console.log(`received ${file} from ${session.envelope.mailFrom.address} to ${rcpt}`);
      callback();
    });
  },
});
server.listen(Number(port), '127.0.0.1', () => console.log(`smtp-sink listening on 127.0.0.1:${port}`));
setInterval(() => { try { process.kill(Number(parentPid), 0); } catch { server.close(() => process.exit(0)); } }, 500);
process.on('SIGTERM', () => server.close(() => process.exit(0)));
