// A team's harness, written the way SignalWire's are (tests/rest/mocktest.ts): stage a failure
// for compatibility.create_token, make the call with SignalWire's published Node client, then
// read this client's journal. Prints one JSON report.
const { RestClient } = require("@signalwire/compatibility-api");

const { SPACE, PROJECT, TOKEN } = process.env;
const control = `https://${SPACE}/__mock__`;
const session = `Basic ${Buffer.from(`${PROJECT}:${TOKEN}`).toString("base64")}`;

async function main() {
  const staged = await fetch(
    `${control}/scenarios/compatibility.create_token?session_id=${encodeURIComponent(session)}`,
    {
      method: "POST",
      headers: { "content-type": "application/json" },
      body: JSON.stringify({
        status: 500,
        response: { code: 20500, message: "staged by the harness" },
      }),
    },
  );
  if (!staged.ok) throw new Error(`staging failed: ${staged.status}`);
  const client = RestClient(PROJECT, TOKEN, { signalwireSpaceUrl: SPACE });
  const response = await client.request({
    method: "POST",
    uri: `https://${SPACE}/api/laml/2010-04-01/Accounts/${PROJECT}/tokens`,
    data: { name: "harness", permissions: ["calling"] },
  });
  const body = typeof response.body === "string" ? JSON.parse(response.body) : response.body;
  const journal = await (
    await fetch(`${control}/journal?session_id=${encodeURIComponent(session)}`)
  ).json();
  process.stdout.write(JSON.stringify({ status: response.statusCode, body, journal }));
}

main().catch((error) => {
  process.stderr.write(`${error.stack}\n`);
  process.exit(1);
});
