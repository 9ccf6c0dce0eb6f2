// The embedded configuration `logwarden run` uses without -f (and `npm start`). Plain RainerScript, so it
// doubles as an example; README.md shows it. Paths are relative to the working directory, except the
// detection rule pack, which ships with the package (rules/pack/ at the package root).
import { join } from 'node:path';

/** The shipped rule pack, found from this file (dist/src/runtime/) rather than the working directory. */
export const RULE_PACK_GLOB = join(__dirname, '..', '..', '..', 'rules', 'pack', '*.yml');

export const DEFAULT_DATA_DIR = './data';

export const DEFAULT_CONFIG = `# Logwarden embedded default configuration.
global(
  workDirectory="./data"
  DefaultNetstreamDriver="ossl"
  DefaultNetstreamDriverCAFile="./data/pki/ca.pem"
  DefaultNetstreamDriverCertFile="./data/pki/server.pem"
  DefaultNetstreamDriverKeyFile="./data/pki/server-key.pem"
)

module(load="imudp")
module(load="imtcp")
module(load="http" port="8080" address="127.0.0.1")

# Plain syslog on 5514 (UDP and TCP, RFC 6587 framing auto-detected).
input(type="imudp" port="5514")
input(type="imtcp" port="5514")

# Syslog over TLS (RFC 5425) on 6514 with the dev CA made on first start; clients need not present a cert.
input(type="imtcp" port="6514" name="tls" StreamDriver.Name="ossl" StreamDriver.Mode="1" StreamDriver.AuthMode="anon")

# Every message to a file (RFC 3339 timestamps) and to the searchable store.
action(type="omfile" file="./data/messages.log" template="RSYSLOG_FileFormat")
action(type="store" path="./data/store")

# Detection: the shipped rule pack (docs/detection.md); alerts in ./data/detect/alerts.db and as NDJSON.
action(type="detect" rules="${RULE_PACK_GLOB}" alertFile="./data/alerts.ndjson")
`;
