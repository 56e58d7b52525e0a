import { randomUUID } from "node:crypto";
import { expect, test } from "vitest";
import { stampUuidVersion, writeUuidText } from "../../src/domain/uuid-text.js";

const bytesOf = (uuid: string) => Buffer.from(uuid.replace(/-/g, ""), "hex");

test("a UUID's text is its bytes in lower-case hex, dashed 8-4-4-4-12, as Node writes it", () => {
  for (let i = 0; i < 100; i++) {
    const uuid = randomUUID();
    const text = Buffer.alloc(36);

    writeUuidText(bytesOf(uuid), 0, text, 0);

    expect(text.toString("latin1")).toBe(uuid);
  }
});

test("a UUID's text is read from the bytes and written at the places given", () => {
  const uuid = randomUUID();
  const bytes = Buffer.concat([Buffer.from([0xff, 0xff, 0xff]), bytesOf(uuid)]);
  const text = Buffer.alloc(40, "*");

  writeUuidText(bytes, 3, text, 2);

  expect(text.toString("latin1")).toBe(`**${uuid}**`);
});

test("stamping a version sets its digit and the RFC 9562 variant and leaves every other bit", () => {
  const bytes = Buffer.alloc(16, 0xff);

  stampUuidVersion(bytes, 0, 7);

  const text = Buffer.alloc(36);
  writeUuidText(bytes, 0, text, 0);
  expect(text.toString("latin1")).toBe("ffffffff-ffff-7fff-bfff-ffffffffffff");
});
