// Drives SignalWire's published Node client, @signalwire/compatibility-api, unmodified, the way
// SignalWire's documentation sets it up: RestClient(project, token, { signalwireSpaceUrl }).
// Only the space (127.0.0.1:PORT) differs, and the local CA is trusted through
// NODE_EXTRA_CA_CERTS. Prints one JSON report of what the client saw.
const { RestClient } = require("@signalwire/compatibility-api");

const { SPACE, PROJECT, TOKEN } = process.env;

/** client.request hands back the body as axios parsed it: JSON already decoded. */
const json = (body) => (typeof body === "string" ? JSON.parse(body) : body);

async function main() {
  const client = RestClient(PROJECT, TOKEN, { signalwireSpaceUrl: SPACE });
  const report = {};

  const created = [];
  for (const name of ["Client One", "Client Two", "Client Three"]) {
    created.push(await client.api.accounts.create({ friendlyName: name }));
  }
  report.created = created.map((account) => ({
    sid: account.sid,
    friendlyName: account.friendlyName,
    ownerAccountSid: account.ownerAccountSid,
    status: account.status,
    type: account.type,
    uri: account.uri,
  }));

  const listed = await client.api.accounts.list({ pageSize: 2 });
  report.listedSids = listed.map((account) => account.sid);

  const pages = [];
  let page = await client.api.accounts.page({ pageSize: 2 });
  while (page) {
    pages.push(page.instances.map((account) => account.sid));
    page = await page.nextPage();
  }
  report.pages = pages;

  const filtered = await client.api.accounts.list({ friendlyName: "Client Two" });
  report.filtered = filtered.map((account) => account.friendlyName);

  const fetched = await client.api.accounts(created[0].sid).fetch();
  report.fetched = { sid: fetched.sid, friendlyName: fetched.friendlyName };

  const updated = await client.api.accounts(created[0].sid).update({ friendlyName: "Renamed" });
  report.updated = { sid: updated.sid, friendlyName: updated.friendlyName };

  const tokens = `https://${SPACE}/2010-04-01/Accounts/${PROJECT}/tokens`;
  const create = await client.request({
    method: "POST",
    uri: `${tokens}.json`,
    data: { name: "from the compatibility client", permissions: ["calling", "fax"] },
  });
  report.tokenCreate = { status: create.statusCode, body: json(create.body) };
  const tokenId = report.tokenCreate.body.id;

  const update = await client.request({
    method: "PATCH",
    uri: `${tokens}/${tokenId}.json`,
    data: { name: "renamed by the compatibility client" },
  });
  report.tokenUpdate = { status: update.statusCode, body: json(update.body) };

  const remove = await client.request({ method: "DELETE", uri: `${tokens}/${tokenId}.json` });
  report.tokenDelete = { status: remove.statusCode };

  const intruder = RestClient(PROJECT, `PT${"0".repeat(48)}`, { signalwireSpaceUrl: SPACE });
  try {
    await intruder.api.accounts.list();
    report.wrongToken = "accepted";
  } catch (error) {
    report.wrongToken = {
      name: error.constructor.name,
      status: error.status,
      code: error.code,
      message: error.message,
    };
  }
  process.stdout.write(JSON.stringify(report));
}

main().catch((error) => {
  process.stderr.write(`${error.stack ?? error}\n`);
  process.exit(1);
});
