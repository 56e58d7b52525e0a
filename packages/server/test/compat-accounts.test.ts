import { randomUUID } from "node:crypto";
import { describe, expect, test } from "vitest";
import { COMPAT } from "./support/compat.js";
import { useTestServer } from "./support/fixtures.js";

const RFC_2822 =
  /^(Mon|Tue|Wed|Thu|Fri|Sat|Sun), \d{2} [A-Z][a-z]{2} \d{4} \d{2}:\d{2}:\d{2} \+0000$/;

describe("/Accounts: the project and its subprojects", () => {
  const fixture = useTestServer();
  const accounts = `${COMPAT}/Accounts`;

  const createSubproject = async (FriendlyName: string) => {
    const response = await fixture.http.request("POST", accounts, {
      form: `FriendlyName=${encodeURIComponent(FriendlyName)}`,
    });
    expect(response.status).toBe(201);
    return response.body;
  };

  test("creating a subproject answers 201 with the whole account object", async () => {
    const response = await fixture.http.request("POST", accounts, {
      form: "FriendlyName=Marketing",
    });
    expect(response.status).toBe(201);
    const sid = response.body.sid;
    expect(response.body).toEqual({
      sid: expect.stringMatching(/^[0-9a-f-]{36}$/),
      friendly_name: "Marketing",
      status: "active",
      auth_token: "redacted",
      date_created: expect.stringMatching(RFC_2822),
      date_updated: expect.stringMatching(RFC_2822),
      type: "Full",
      owner_account_sid: fixture.server.projectId,
      region_preference: "us-east",
      uri: `${accounts}/${sid}`,
      subproject: true,
      signing_key: expect.stringMatching(/^PSK_[0-9a-f]{48}$/),
      subresource_uris: {
        addresses: null,
        available_phone_numbers: `${accounts}/${sid}/AvailablePhoneNumbers`,
        applications: `${accounts}/${sid}/Applications`,
        authorized_connect_apps: null,
        calls: `${accounts}/${sid}/Calls`,
        conferences: `${accounts}/${sid}/Conferences`,
        connect_apps: null,
        incoming_phone_numbers: `${accounts}/${sid}/IncomingPhoneNumbers`,
        keys: null,
        notifications: null,
        outgoing_caller_ids: null,
        queues: `${accounts}/${sid}/Queues`,
        recordings: `${accounts}/${sid}/Recordings`,
        sandbox: null,
        sip: null,
        short_codes: null,
        messages: `${accounts}/${sid}/Messages`,
        transcriptions: `${accounts}/${sid}/Transcriptions`,
        usage: null,
      },
    });
  });

  test("a JSON body creates a subproject too, and .json paths are accepted", async () => {
    const response = await fixture.http.request("POST", `${accounts}.json`, {
      json: { FriendlyName: "Json" },
    });
    expect(response.status).toBe(201);
    expect(response.body.friendly_name).toBe("Json");
  });

  test("the top-level project is its own owner and not a subproject", async () => {
    const response = await fixture.http.request("GET", `${accounts}/${fixture.server.projectId}`);
    expect(response.status).toBe(200);
    expect(response.body).toMatchObject({
      sid: fixture.server.projectId,
      friendly_name: "Default Project",
      owner_account_sid: fixture.server.projectId,
      subproject: false,
    });
  });

  test("the list holds the project first, then its subprojects", async () => {
    const sub = await createSubproject("Listed");
    const response = await fixture.http.request("GET", `${accounts}?PageSize=1000`);
    expect(response.status).toBe(200);
    const sids = response.body.accounts.map((account: { sid: string }) => account.sid);
    expect(sids[0]).toBe(fixture.server.projectId);
    expect(sids).toContain(sub.sid);
    expect(response.body).toMatchObject({
      uri: `${accounts}?Page=0&PageSize=1000`,
      first_page_uri: `${accounts}?Page=0&PageSize=1000`,
      previous_page_uri: null,
      next_page_uri: null,
      page: 0,
      page_size: 1000,
    });
  });

  test("FriendlyName filters the list by exact name and stays in the page URIs", async () => {
    await createSubproject("Twin Name");
    await createSubproject("Twin Name");
    await createSubproject("Twin Name Other");
    const response = await fixture.http.request(
      "GET",
      `${accounts}?FriendlyName=Twin%20Name&PageSize=1`,
    );
    expect(response.body.accounts).toHaveLength(1);
    expect(response.body.accounts[0].friendly_name).toBe("Twin Name");
    expect(response.body.next_page_uri).toContain("FriendlyName=Twin%20Name");
    const next = await fixture.http.request("GET", response.body.next_page_uri);
    expect(next.body.accounts).toHaveLength(1);
    expect(next.body.accounts[0].friendly_name).toBe("Twin Name");
    expect(next.body.next_page_uri).toBeNull();
  });

  test("POST /Accounts/{Sid} renames, and updates date_updated only", async () => {
    const sub = await createSubproject("Old name");
    const response = await fixture.http.request("POST", `${accounts}/${sub.sid}`, {
      form: "FriendlyName=New%20name",
    });
    expect(response.status).toBe(200);
    expect(response.body).toMatchObject({
      sid: sub.sid,
      friendly_name: "New name",
      date_created: sub.date_created,
    });
    expect((await fixture.http.request("GET", `${accounts}/${sub.sid}`)).body.friendly_name).toBe(
      "New name",
    );
  });

  test("a missing FriendlyName is a 422 with code 20002 in the compatibility shape", async () => {
    const response = await fixture.http.request("POST", accounts, { form: "" });
    expect(response.status).toBe(422);
    expect(response.body).toEqual({
      code: 20002,
      message: expect.stringContaining("FriendlyName is required"),
      more_info: expect.any(String),
      status: 422,
    });
  });

  test("a FriendlyName over 250 characters is a 422 and creates nothing", async () => {
    const before = (await fixture.http.request("GET", `${accounts}?PageSize=1000`)).body.accounts
      .length;
    const response = await fixture.http.request("POST", accounts, {
      json: { FriendlyName: "x".repeat(251) },
    });
    expect(response.status).toBe(422);
    expect(response.body.code).toBe(20002);
    expect(
      (await fixture.http.request("GET", `${accounts}?PageSize=1000`)).body.accounts,
    ).toHaveLength(before);
  });

  test("an unknown field is a 422 that names it", async () => {
    const response = await fixture.http.request("POST", accounts, { json: { friendlyName: "x" } });
    expect(response.status).toBe(422);
    expect(response.body.message).toContain("friendlyName");
  });

  test("a failed rename changes nothing", async () => {
    const sub = await createSubproject("Keep me");
    const response = await fixture.http.request("POST", `${accounts}/${sub.sid}`, {
      json: { FriendlyName: "" },
    });
    expect(response.status).toBe(422);
    expect((await fixture.http.request("GET", `${accounts}/${sub.sid}`)).body).toEqual({
      ...sub,
      signing_key: null,
    });
  });

  test("an account outside the caller's tree is a 404", async () => {
    for (const method of ["GET", "POST"]) {
      const response = await fixture.http.request(method, `${accounts}/${randomUUID()}`, {
        ...(method === "POST" && { json: { FriendlyName: "x" } }),
      });
      expect(response.status).toBe(404);
      expect(response.body).toMatchObject({ code: 20404, status: 404 });
    }
  });

  test("a malformed Sid is a 400", async () => {
    const response = await fixture.http.request("GET", `${accounts}/nope`);
    expect(response.status).toBe(400);
    expect(response.body.code).toBe(10000);
  });

  test("a subproject's signing key is shown in the 201 only; every later read shows null", async () => {
    const created = await createSubproject("Signed");
    expect(created.signing_key).toMatch(/^PSK_[0-9a-f]{48}$/);
    const fetched = await fixture.http.request("GET", `${accounts}/${created.sid}`);
    expect(fetched.body.signing_key).toBeNull();
    const renamed = await fixture.http.request("POST", `${accounts}/${created.sid}`, {
      form: "FriendlyName=Signed%20again",
    });
    expect(renamed.body.signing_key).toBeNull();
    const listed = await fixture.http.request("GET", `${accounts}?FriendlyName=Signed%20again`);
    expect(listed.body.accounts[0].signing_key).toBeNull();
  });

  test("every subproject gets a signing key of its own", async () => {
    const first = await createSubproject("Keyed one");
    const second = await createSubproject("Keyed two");
    expect(first.signing_key).not.toBe(second.signing_key);
  });

  test("a signing key is never stored in plain text", async () => {
    const created = await createSubproject("Sealed");
    const key: string = created.signing_key;
    const stored = await fixture.server.database.dump();
    expect(stored).toContain("Sealed");
    expect(stored).not.toContain(key);
    expect(stored).not.toContain(key.slice(4));
    expect(stored).not.toContain(Buffer.from(key.slice(4), "hex").toString("latin1"));
  });
});
